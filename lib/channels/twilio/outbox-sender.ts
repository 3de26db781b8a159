import "server-only";
// The Twilio sender of the outbox: staff replies from the inbox on SMS and WhatsApp are written to
// the outbox first (lib/services/conversations), and this delivers them through Twilio with the same
// rules as every other send — consent, the WhatsApp window, the customer's sealed number. Run by a
// job and right after a reply is queued. A channel with no Twilio account (embedded mode) goes
// through the same steps, and the queued row itself becomes the dev outbox's record of the message.
import { eq, inArray, sql } from "drizzle-orm";
import { withService } from "@/lib/db/client";
import { outbox } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import { redactNumbers } from "./client";
import { decrypt } from "@/lib/security/crypto";
import { findChannelById } from "./channels";
import { sendMessage } from "./deliver";
import { sendToConversation } from "./outbound";
import { claimOutbox, retryAt } from "@/lib/channels/outbox";

export type DrainResult = { sent: number; failed: number; retrying: number; skipped?: "embedded" };

export async function drainTwilioOutbox(opts: { limit?: number; businessId?: string } = {}): Promise<DrainResult> {
  const claimed = await claimOutbox(
    [
      inArray(outbox.channelKind, ["sms", "whatsapp"]),
      // staff replies, the owners' digest texted to their verified phone (lib/jobs/digest), and
      // campaign messages queued like staff replies (lib/campaigns/send.ts)
      sql`${outbox.payload}->>'kind' in ('staff_reply', 'digest', 'campaign')`,
      // WhatsApp through Meta's Cloud API has its own sender (lib/channels/common/outbound).
      sql`not exists (select 1 from channels c where c.id::text = ${outbox.payload}->>'channelId' and c.settings->>'provider' = 'meta')`,
    ],
    opts,
  );

  const result: DrainResult = { sent: 0, failed: 0, retrying: 0 };
  for (const row of claimed) {
    const { kind, conversationId, template, channelId, toEncrypted } = row.payload as {
      kind?: string;
      conversationId?: string;
      template?: { contentSid: string };
      channelId?: string;
      toEncrypted?: string;
    };
    const finish = (values: Partial<typeof outbox.$inferInsert>) =>
      withService((tx) => tx.update(outbox).set(values).where(eq(outbox.id, row.id)));
    try {
      let sent;
      if (kind === "digest") {
        // to the owners' own verified number, not a customer: no conversation, no consent record
        const channel = row.businessId && channelId ? await withService((tx) => findChannelById(tx, row.businessId!, channelId)) : undefined;
        if (!channel || !toEncrypted) throw new AppError("bad_request", "The digest's channel or number is gone.");
        sent = await sendMessage({ channel, to: decrypt(toEncrypted), body: row.body, outboxId: row.id, purpose: "digest" });
      } else {
        if (!row.businessId || !conversationId) throw new AppError("bad_request", "The queued reply names no conversation.");
        sent = await sendToConversation({
          ctx: { businessId: row.businessId, actor: { type: "job", name: "twilio-outbox" } },
          input: { conversationId, ...(template ? { template } : { text: row.body }), messageId: row.messageId, purpose: "staff", outboxId: row.id },
        });
      }
      if (sent.status === "queued") {
        await finish({ status: "sent", sentAt: new Date(), providerMessageId: sent.sids[0] ?? null, error: null });
        result.sent++;
      } else if (sent.status === "skipped") {
        await finish({ status: "failed", error: sent.reason === "opted_out" ? "The customer opted out of this channel (STOP)." : "Nothing to send." });
        result.failed++;
      } else {
        const again = retryAt(row.attempts, sent.error?.status);
        await finish(again ? { status: "pending", error: sent.error?.message ?? null, nextAttemptAt: again } : { status: "failed", error: sent.error?.message ?? "Twilio refused the message." });
        result[again ? "retrying" : "failed"]++;
      }
    } catch (err) {
      // A reason a person can act on (the window closed, no number on file); anything else is logged.
      const message = err instanceof AppError ? err.message : "Sending failed; see the server log.";
      if (!(err instanceof AppError)) console.error("[prismai] twilio outbox send failed", { outboxId: row.id, error: redactNumbers(err instanceof Error ? err.message : String(err)) });
      await finish({ status: "failed", error: message });
      result.failed++;
    }
  }
  return result;
}
