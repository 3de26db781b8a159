import "server-only";
// The one delivery path and the one outbox drain, for every channel through its adapter. A webhook
// delivers its own answer (TwiML, or a REST send after the response); this is for answers and
// messages made elsewhere: the sweeper answering a message a crash left behind, and what waits in
// the outbox (staff replies, campaigns, the owners' digest text). Web chat needs no push (the chat
// page reads new messages itself), and a call's answer can only be spoken during the call.
import { and, eq, inArray, sql } from "drizzle-orm";
import { withService } from "@/lib/db/client";
import { channels, outbox } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import { decrypt } from "@/lib/security/crypto";
import { INSTAGRAM_WINDOW_CLOSED } from "./instagram/window";
import { redactNumbers } from "./common/retry";
import { claimOutbox, retryAt, type OutboxRow } from "./outbox";
import { drainSystemMail } from "./email/system-mail";
import { adapterFor, PUSHED_KINDS } from "./adapter";
import { deliverStoredMessage, pushMessage, type Push } from "./common/outbound";

export type DrainResult = { sent: number; failed: number; retrying: number; skipped?: "embedded" };

/** Sends an answer stored for a conversation on `kind`; false when that channel needs no push. */
export async function deliverAnswer(kind: string, businessId: string, messageId: string): Promise<boolean> {
  if (!PUSHED_KINDS.includes(kind as (typeof PUSHED_KINDS)[number])) return false;
  await deliverStoredMessage({ businessId, messageId, purpose: "reply" });
  return true;
}

const SKIP_REASONS: Record<string, string> = {
  empty: "Nothing to send.",
  opted_out: "The customer opted out of this channel (STOP).",
  no_address: "The customer has no address on this channel.",
  undeliverable: "This address bounced or complained: nothing more is sent to it.",
  window_closed: "More than 24 hours have passed since this customer last wrote on WhatsApp, so WhatsApp does not allow a free-form message until they write again.",
  human_agent_window_closed: INSTAGRAM_WINDOW_CLOSED,
};

type Queued = { kind?: string; channelId?: string; conversationId?: string; toEncrypted?: string; template?: Push["template"] };

/** One claimed row through its channel's adapter; what becomes of the row after. */
async function sendRow(row: OutboxRow): Promise<{ count: keyof DrainResult; values: Partial<typeof outbox.$inferInsert> }> {
  const q = row.payload as Queued;
  // The row's channel, else its conversation's (text comparisons: a malformed id matches nothing).
  const which = q.channelId
    ? sql`${channels.id}::text = ${q.channelId}`
    : sql`${channels.id} = (select c.channel_id from conversations c where c.id::text = ${q.conversationId ?? ""} and c.business_id = ${row.businessId})`;
  const [channel] = row.businessId ? await withService((tx) => tx.select().from(channels).where(and(eq(channels.businessId, row.businessId!), which))) : [];
  const purpose: Push["purpose"] = q.kind === "digest" ? "digest" : q.kind === "campaign" ? "campaign" : "staff";
  if (!channel) throw new AppError("bad_request", purpose === "digest" ? "The digest's channel or number is gone." : "The channel of this message is gone.");
  const adapter = adapterFor(channel);
  const sent = await pushMessage({
    channel,
    conversationId: q.conversationId ?? null,
    messageId: row.messageId,
    to: q.toEncrypted ? decrypt(q.toEncrypted) : null,
    text: row.body,
    template: q.template,
    purpose,
    outboxId: row.id,
  });
  if (sent.status === "queued") return { count: "sent", values: { status: "sent", sentAt: new Date(), providerMessageId: sent.providerIds[0] ?? null, error: null } };
  if (sent.status === "skipped") return { count: "failed", values: { status: "failed", error: SKIP_REASONS[sent.reason ?? "empty"] ?? SKIP_REASONS.empty } };
  const again = retryAt(row.attempts, sent.error?.status);
  if (again) return { count: "retrying", values: { status: "pending", error: sent.error?.message ?? null, nextAttemptAt: again } };
  return { count: "failed", values: { status: "failed", error: sent.error?.message ?? `${adapter.provider} refused the message.` } };
}

/**
 * Sends every queued message for a customer or an owner on a pushed channel, whatever put it there
 * (staff replies, the satisfaction survey, campaigns, the digest text): any pending row naming its
 * conversation, or its channel and the recipient's sealed address. Rows are claimed first so two
 * drains never send one message; failures that may pass (rate limits, the provider down) are tried
 * again later. In embedded mode the row itself becomes the dev outbox's record of the message.
 */
export async function drainChannelOutbox(opts: { limit?: number; businessId?: string } = {}): Promise<DrainResult> {
  const claimed = await claimOutbox(
    [
      inArray(outbox.channelKind, [...PUSHED_KINDS]),
      sql`((${outbox.payload}->>'channelId' is not null and ${outbox.payload}->>'toEncrypted' is not null) or ${outbox.payload}->>'conversationId' is not null)`,
      // The platform's own mail (a hand-off notice names its conversation too) is drainSystemMail's:
      // an email row to a customer always names its channel.
      sql`(${outbox.channelKind} <> 'email' or ${outbox.payload}->>'channelId' is not null)`,
    ],
    opts,
  );
  const result: DrainResult = { sent: 0, failed: 0, retrying: 0 };
  for (const row of claimed) {
    let next: Awaited<ReturnType<typeof sendRow>>;
    try {
      next = await sendRow(row);
    } catch (err) {
      // A reason a person can act on (the window closed, no number on file); anything else is logged.
      if (!(err instanceof AppError)) console.error("[prismai] outbox send failed", { outboxId: row.id, error: redactNumbers(err instanceof Error ? err.message : String(err)) });
      next = { count: "failed", values: { status: "failed", error: err instanceof AppError ? err.message : "Sending failed; see the server log." } };
    }
    await withService((tx) => tx.update(outbox).set(next.values).where(eq(outbox.id, row.id)));
    result[next.count]++;
  }
  return result;
}

const OUTBOX_DRAINS: Record<string, (opts: { businessId?: string }) => Promise<DrainResult>> = {
  channels: drainChannelOutbox,
  // The platform's own email (resets, invitations, hand-off notices, budget alerts) through Resend.
  email: drainSystemMail,
};

/** Sends what waits in the outbox: customers' and owners' messages on their channels, and the platform's own email. */
export async function drainOutbox(opts: { businessId?: string } = {}): Promise<Record<string, DrainResult>> {
  const entries = await Promise.all(
    Object.entries(OUTBOX_DRAINS).map(async ([name, drain]) => {
      try {
        return [name, await drain(opts)] as const;
      } catch (err) {
        console.error(`[prismai] ${name} outbox drain failed`, err instanceof Error ? err.message : String(err));
        return [name, { sent: 0, failed: 0, retrying: 0 }] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}
