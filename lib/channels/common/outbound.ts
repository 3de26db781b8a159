import "server-only";
// Messages on the pushed channels that do not answer a webhook: answers the sweeper made after a
// crash, staff replies from the inbox (queued in the outbox first), and tests from a channel page.
// Every one goes to the customer's own address from their sealed identity, through the same send
// functions the webhooks use, with the same rules (bounced addresses, the WhatsApp window).
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { withService } from "@/lib/db/client";
import { businesses, channels, messages, outbox } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import { audit } from "@/lib/services/audit";
import { MANAGERS, requireRole, type Ctx } from "@/lib/services/context";
import { normaliseIdentity } from "@/lib/pipeline/identities";
import { redactNumbers } from "@/lib/channels/twilio/client";
import { updateMessage } from "@/lib/channels/twilio/deliver";
import { claimOutbox, retryAt } from "@/lib/channels/outbox";
import { sendEmail } from "@/lib/channels/email/send";
import { emailTransport } from "@/lib/channels/email/channels";
import { sendTelegram } from "@/lib/channels/telegram/send";
import { telegramCredentials } from "@/lib/channels/telegram/channels";
import { sendInstagram } from "@/lib/channels/instagram/send";
import { INSTAGRAM_WINDOW_CLOSED } from "@/lib/channels/instagram/window";
import { sendWhatsAppCloud } from "@/lib/channels/whatsapp/cloud-send";
import { metaTransport } from "@/lib/channels/meta/app";
import { customerAddress, findMessagingChannel, isMessagingType, messagingTypeOf, TYPE_INFO, type Channel, type MessagingType } from "./channels";
import { recordSkip, skipped, type SendPurpose, type SendResult, type Transport } from "./send";
import { text } from "@/lib/validation/text";

export function transportOf(type: MessagingType, channel: Channel): Transport {
  if (type === "email") return emailTransport();
  if (type === "telegram") return telegramCredentials(channel)?.botToken ? "telegram" : "outbox";
  return metaTransport(channel);
}

type Send = { channel: Channel; to: string; text: string; conversationId?: string | null; messageId?: string | null; purpose: SendPurpose; subject?: string };

/** One send on a channel of this type. */
export function sendOn(type: MessagingType, s: Send): Promise<SendResult> {
  const common = { channel: s.channel, text: s.text, conversationId: s.conversationId, messageId: s.messageId, purpose: s.purpose };
  switch (type) {
    case "email":
      return sendEmail({ ...common, to: s.to, subject: s.subject });
    case "telegram":
      return sendTelegram({ ...common, chatId: s.to });
    case "instagram":
      return sendInstagram({ ...common, recipientId: s.to });
    case "whatsapp-cloud":
      return sendWhatsAppCloud({ ...common, to: s.to });
  }
}

/**
 * Delivers a stored answer (or `text` for it) in its conversation, to the customer's address on that
 * channel. Null when the conversation is not on one of these channels (the caller tries the next).
 */
export async function deliverStoredMessage(input: { businessId: string; messageId: string; text?: string; purpose: SendPurpose }): Promise<SendResult | null> {
  const loaded = await withService(async (tx) => {
    const [row] = await tx
      .select({ message: messages, channel: channels })
      .from(messages)
      .innerJoin(channels, and(eq(channels.id, messages.channelId), eq(channels.businessId, messages.businessId)))
      .where(and(eq(messages.id, input.messageId), eq(messages.businessId, input.businessId)));
    if (!row) return null;
    const type = messagingTypeOf(row.channel);
    if (!type) return { type: null, ...row, to: null };
    return { type, ...row, to: await customerAddress(tx, input.businessId, row.message.customerId, TYPE_INFO[type].identity) };
  });
  if (!loaded) throw new AppError("not_found", "Message not found.");
  if (!loaded.type) return null;
  const { type, message, channel } = loaded;
  if (message.role !== "assistant" && message.role !== "agent") throw new AppError("bad_request", "Only answers are delivered.");
  if (!loaded.to) return recordSkip(channel, message.id, skipped(transportOf(type, channel), "no_address"));
  return sendOn(type, { channel, to: loaded.to, text: input.text ?? message.content, conversationId: message.conversationId, messageId: message.id, purpose: input.purpose });
}

/** For the delivery port: sends an answer the sweeper stored; false when the channel is not one of these. */
export async function deliverMessagingAnswer(businessId: string, messageId: string): Promise<boolean> {
  return (await deliverStoredMessage({ businessId, messageId, purpose: "reply" })) !== null;
}

// ---------------------------------------------------------------- staff replies waiting in the outbox

export type DrainResult = { sent: number; failed: number; retrying: number };

const SKIP_REASONS: Record<NonNullable<SendResult["reason"]>, string> = {
  empty: "Nothing to send.",
  no_address: "The customer has no address on this channel.",
  undeliverable: "This address bounced or complained: nothing more is sent to it.",
  window_closed: "More than 24 hours have passed since this customer last wrote on WhatsApp, so WhatsApp does not allow a free-form message until they write again.",
  human_agent_window_closed: INSTAGRAM_WINDOW_CLOSED,
};

/**
 * Sends the staff replies queued for email, Telegram, Instagram and WhatsApp through Meta. Rows are
 * claimed first so two drains never send one reply; failures that may pass (rate limits, Meta or
 * Resend down) are tried again later.
 */
export async function drainMessagingOutbox(opts: { limit?: number; businessId?: string } = {}): Promise<DrainResult> {
  const claimed = await claimOutbox(
    [
      // staff replies, and campaign messages queued the same way (lib/campaigns/send.ts)
      sql`${outbox.payload}->>'kind' in ('staff_reply', 'campaign')`,
      sql`exists (select 1 from channels c where c.id::text = ${outbox.payload}->>'channelId' and c.business_id = ${outbox.businessId}
            and (c.kind in ('email', 'telegram', 'instagram') or (c.kind = 'whatsapp' and c.settings->>'provider' = 'meta')))`,
    ],
    opts,
  );
  const result: DrainResult = { sent: 0, failed: 0, retrying: 0 };
  for (const row of claimed) {
    let next: { count: keyof DrainResult; values: Partial<typeof outbox.$inferInsert> };
    try {
      if (!row.businessId || !row.messageId) throw new AppError("bad_request", "The queued reply names no message.");
      if (await simulatedRow(row.businessId, row.messageId)) {
        // Embedded mode: this row is the dev outbox's record of the reply; nothing leaves the machine.
        await updateMessage(row.businessId, row.messageId, { deliveryStatus: "outbox", delivery: { transport: "outbox", outboxIds: [row.id] } });
        next = { count: "sent", values: { status: "sent", sentAt: new Date(), error: null } };
      } else {
        const sent = await deliverStoredMessage({ businessId: row.businessId, messageId: row.messageId, text: row.body, purpose: "staff" });
        if (!sent) throw new AppError("bad_request", "This reply is not on an email, Telegram, Instagram or WhatsApp (Meta) conversation.");
        next = afterSend(row.attempts, sent);
      }
    } catch (err) {
      // A reason a person can act on; anything else stays in the log.
      if (!(err instanceof AppError)) console.error("[prismai] outbox send failed", { outboxId: row.id, error: redactNumbers(err instanceof Error ? err.message : String(err)) });
      next = { count: "failed", values: { status: "failed", error: err instanceof AppError ? err.message : "Sending failed; see the server log." } };
    }
    await withService((tx) => tx.update(outbox).set(next.values).where(eq(outbox.id, row.id)));
    result[next.count]++;
  }
  return result;
}

/** Whether the reply's channel is simulated (its sends stay in the dev outbox). */
async function simulatedRow(businessId: string, messageId: string): Promise<boolean> {
  const [row] = await withService((tx) =>
    tx
      .select({ channel: channels })
      .from(messages)
      .innerJoin(channels, and(eq(channels.id, messages.channelId), eq(channels.businessId, messages.businessId)))
      .where(and(eq(messages.id, messageId), eq(messages.businessId, businessId))),
  );
  const type = row ? messagingTypeOf(row.channel) : null;
  return Boolean(row && type && transportOf(type, row.channel) === "outbox");
}

/** What becomes of a claimed row after its send: sent, tried again later, or failed with why. */
function afterSend(attempts: number, sent: SendResult): { count: keyof DrainResult; values: Partial<typeof outbox.$inferInsert> } {
  if (sent.status === "queued") return { count: "sent", values: { status: "sent", sentAt: new Date(), providerMessageId: sent.providerIds[0] ?? null, error: null } };
  if (sent.status === "skipped") return { count: "failed", values: { status: "failed", error: SKIP_REASONS[sent.reason ?? "empty"] } };
  const again = retryAt(attempts, sent.error?.status);
  if (again) return { count: "retrying", values: { status: "pending", error: sent.error?.message ?? null, nextAttemptAt: again } };
  return { count: "failed", values: { status: "failed", error: sent.error?.message ?? "The provider refused the message." } };
}

// ---------------------------------------------------------------- tests from a channel page

export const TestSendInput = z.object({
  type: z.string().refine(isMessagingType, "Unknown channel."),
  to: text().trim().min(1, "Enter where to send the test.").max(200),
  text: text().trim().max(1000).optional(),
});

/** The address a test goes to, in the form each channel needs. */
function testRecipient(type: MessagingType, raw: string): string {
  try {
    if (type === "email") return normaliseIdentity({ kind: "email", value: raw }).value;
    if (type === "whatsapp-cloud") return normaliseIdentity({ kind: "phone", value: raw }).value;
  } catch {
    throw new AppError("bad_request", type === "email" ? "Enter an email address." : "Enter the number in international format, e.g. +14155550100");
  }
  if (type === "telegram" && !/^-?\d{1,20}$/.test(raw)) throw new AppError("bad_request", "Enter a Telegram chat id (digits): message the bot first, it is on the customer's conversation.");
  if (type === "instagram" && !/^\d{5,25}$/.test(raw)) throw new AppError("bad_request", "Enter the Instagram-scoped id (digits) of someone who has messaged the account.");
  return raw;
}

export async function sendMessagingTest({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<SendResult> {
  requireRole(ctx, MANAGERS);
  const v = TestSendInput.parse(input);
  const type = v.type as MessagingType;
  const channel = await withService((tx) => findMessagingChannel(tx, ctx.businessId, type));
  if (!channel) throw new AppError("not_found", `Connect ${TYPE_INFO[type].label} first.`);
  const to = testRecipient(type, v.to);
  const [business] = await withService((tx) => tx.select({ name: businesses.name }).from(businesses).where(eq(businesses.id, ctx.businessId)));
  const name = business?.name ?? "PrismAI";
  const text = v.text || `Test message from ${name}: your ${TYPE_INFO[type].label} channel works.`;
  const result = await sendOn(type, { channel, to, text, purpose: "test", subject: `Test email from ${name}` });
  await withService((tx) =>
    audit(tx, ctx, "channel.test_message", { type: "channel", id: channel.id }, { kind: type, transport: result.transport, status: result.status }),
  );
  return result;
}
