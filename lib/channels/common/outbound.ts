import "server-only";
// Messages on the pushed channels that do not answer a webhook: answers the sweeper made after a
// crash, staff replies and campaigns (queued in the outbox first), and tests from a channel page.
// Every one goes to the customer's own address from their sealed identity, through the same send
// functions the webhooks use, with the same rules (bounced addresses, the WhatsApp window).
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { withService } from "@/lib/db/client";
import { businesses, channels, messages } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import { audit } from "@/lib/services/audit";
import { MANAGERS, requireRole, type Ctx } from "@/lib/services/context";
import { normaliseIdentity } from "@/lib/pipeline/identities";
import { sendEmail } from "@/lib/channels/email/send";
import { emailTransport } from "@/lib/channels/email/channels";
import { sendTelegram } from "@/lib/channels/telegram/send";
import { telegramCredentials } from "@/lib/channels/telegram/channels";
import { sendInstagram } from "@/lib/channels/instagram/send";
import { sendWhatsAppCloud } from "@/lib/channels/whatsapp/cloud-send";
import { metaTransport } from "@/lib/channels/meta/app";
import { customerAddress, findBusinessChannel, isMessagingType, messagingTypeOf, TYPE_INFO, type Channel, type MessagingType } from "./channels";
import { recordSkip, skipped, updateMessage, type SendPurpose, type SendResult, type Transport } from "./send";
import type { Push } from "@/lib/channels/adapter";
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
  // a campaign's message (lib/campaigns/send) is the business's, stored as a system message
  const campaignMessage = message.role === "system" && typeof message.metadata?.campaignId === "string";
  if (message.role !== "assistant" && message.role !== "agent" && !campaignMessage) throw new AppError("bad_request", "Only answers are delivered.");
  if (!loaded.to) return recordSkip(channel, message.id, skipped(transportOf(type, channel), "no_address"));
  return sendOn(type, { channel, to: loaded.to, text: input.text ?? message.content, conversationId: message.conversationId, messageId: message.id, purpose: input.purpose });
}

/**
 * The messaging adapters' push (lib/channels/adapter): a stored message to its customer. On a
 * simulated channel the queued outbox row is itself the dev outbox's record, and nothing leaves.
 */
export async function pushMessaging(type: MessagingType, push: Push): Promise<SendResult> {
  const { channel, messageId } = push;
  if (!messageId) throw new AppError("bad_request", "The queued reply names no message.");
  if (push.outboxId && transportOf(type, channel) === "outbox") {
    await updateMessage(channel.businessId, messageId, { deliveryStatus: "outbox", delivery: { transport: "outbox", outboxIds: [push.outboxId] } });
    return { transport: "outbox", status: "queued", providerIds: [], outboxIds: [push.outboxId], parts: 1, units: 0, attempts: 0, costUsd: 0 };
  }
  // A campaign is not a person answering: Instagram's 24 hours apply to it as to the AI's answers.
  const purpose = push.purpose === "staff" ? "staff" : "reply";
  const sent = await deliverStoredMessage({ businessId: channel.businessId, messageId, text: push.text, purpose });
  if (!sent) throw new AppError("bad_request", "This reply is not on an email, Telegram, Instagram or WhatsApp (Meta) conversation.");
  return sent;
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
  const channel = await withService((tx) => findBusinessChannel(tx, ctx.businessId, type));
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
