import "server-only";
// Messages that do not answer a webhook: staff replies from the inbox, answers the sweeper made
// after a crash, campaigns, tests from the channel page. Same rules everywhere: consent, the
// WhatsApp window, the customer's own number from their encrypted identity.
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { withService } from "@/lib/db/client";
import { businesses, channels, conversations, customers, messages, outbox } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import { encrypt } from "@/lib/security/crypto";
import { audit } from "@/lib/services/audit";
import { MANAGERS, requireRole, type Ctx } from "@/lib/services/context";
import { farewellTwiml, voiceOf } from "@/lib/channels/voice/twiml";
import { serviceWindow } from "@/lib/channels/whatsapp/window";
import { findCustomerByIdentity } from "@/lib/pipeline/customers";
import { readSettings, toE164, wireAddress, type Channel } from "./channels";
import { findBusinessChannel } from "@/lib/channels/common/channels";
import { restClient } from "./client";
import { describeRestError, withRetries } from "@/lib/channels/common/retry";
import { restCredentials } from "./credentials";
import { sendMessage, type SendResult } from "./deliver";
import { customerAddress, maskPhone } from "@/lib/channels/common/channels";
import { text } from "@/lib/validation/text";
import type { Push, PushResult } from "@/lib/channels/adapter";

export const OUTSIDE_WINDOW =
  "More than 24 hours have passed since this customer last wrote on WhatsApp, so WhatsApp only allows an approved template until they write again.";

export type ConversationSend = {
  conversationId: string;
  text?: string;
  template?: { contentSid: string; variables?: Record<string, string> };
  /** the stored message this delivers (its delivery status follows) */
  messageId?: string | null;
  purpose?: "staff" | "reply" | "campaign";
  /** the queued outbox row this send delivers (see SendInput.outboxId) */
  outboxId?: string | null;
};

/**
 * Sends a message into a conversation on its SMS or WhatsApp channel, for any caller (a member from
 * the inbox, a campaign job, the sweeper). Free text on WhatsApp only inside the 24-hour window; a
 * template must be one of the channel's approved templates; an opted-out customer gets nothing.
 */
export async function sendToConversation({ ctx, input }: { ctx: Ctx; input: ConversationSend }): Promise<SendResult> {
  const businessId = ctx.businessId;
  const loaded = await withService(async (tx) => {
    const [row] = await tx
      .select({ conversation: conversations, channel: channels, customer: customers })
      .from(conversations)
      .innerJoin(channels, eq(channels.id, conversations.channelId))
      .innerJoin(customers, eq(customers.id, conversations.customerId))
      .where(and(eq(conversations.id, input.conversationId), eq(conversations.businessId, businessId)));
    if (!row) return null;
    return { ...row, phone: await customerAddress(tx, businessId, row.customer.id, "phone"), window: await serviceWindow(tx, businessId, input.conversationId) };
  });
  if (!loaded) throw new AppError("not_found", "Conversation not found.");
  const { channel, customer, phone, window } = loaded;
  if (channel.kind !== "sms" && channel.kind !== "whatsapp") throw new AppError("bad_request", `This conversation is on ${channel.kind}, not SMS or WhatsApp.`);
  if (!phone) throw new AppError("unprocessable", "This customer has no phone number we can reach.");
  if (channel.kind === "whatsapp") {
    if (input.template) {
      const approved = readSettings("whatsapp", channel.settings).templates.some((t) => t.contentSid === input.template!.contentSid);
      if (!approved) throw new AppError("bad_request", "That template is not one of this WhatsApp channel's approved templates.");
    } else if (!window.open) {
      throw new AppError("unprocessable", OUTSIDE_WINDOW);
    }
  } else if (input.template) {
    throw new AppError("bad_request", "Templates are for WhatsApp; send SMS as text.");
  }
  return sendMessage({
    channel,
    to: phone,
    body: input.text,
    template: input.template,
    messageId: input.messageId ?? null,
    outboxId: input.outboxId ?? null,
    conversationId: input.conversationId,
    customer,
    purpose: input.purpose ?? "staff",
  });
}

/** Delivers an answer already stored (the sweeper's, or one whose first delivery failed). */
export async function deliverStoredMessage({ ctx, input }: { ctx: Ctx; input: { messageId: string } }): Promise<SendResult> {
  const [message] = await withService((tx) =>
    tx
      .select()
      .from(messages)
      .where(and(eq(messages.id, input.messageId), eq(messages.businessId, ctx.businessId))),
  );
  if (!message) throw new AppError("not_found", "Message not found.");
  if (message.role !== "assistant" && message.role !== "agent") throw new AppError("bad_request", "Only answers are delivered.");
  return sendToConversation({ ctx, input: { conversationId: message.conversationId, text: message.content, messageId: message.id, purpose: "reply" } });
}

/**
 * The SMS and WhatsApp adapters' push (lib/channels/adapter): into its conversation with the rules
 * above, or the owners' digest to their own verified number (no conversation, no consent record).
 */
export async function pushTwilio(push: Push): Promise<PushResult> {
  const { channel } = push;
  let sent: SendResult;
  if (push.purpose === "digest") {
    if (!push.to) throw new AppError("bad_request", "The digest's channel or number is gone.");
    sent = await sendMessage({ channel, to: push.to, body: push.text, outboxId: push.outboxId, purpose: "digest" });
  } else {
    if (!push.conversationId) throw new AppError("bad_request", "The queued reply names no conversation.");
    sent = await sendToConversation({
      ctx: { businessId: channel.businessId, actor: { type: "job", name: "outbox" } },
      input: { conversationId: push.conversationId, ...(push.template ? { template: push.template } : { text: push.text }), messageId: push.messageId, purpose: push.purpose, outboxId: push.outboxId },
    });
  }
  return { status: sent.status, providerIds: sent.sids, reason: sent.reason, error: sent.error };
}

// ---------------------------------------------------------------- tests from the channel page

export const TestMessageInput = z.object({
  kind: z.enum(["sms", "whatsapp"]),
  to: z
    .string()
    .trim()
    .refine((v) => toE164(v) !== null, "Enter the number in international format, e.g. +14155550100"),
  body: text().trim().max(1600).optional(),
  contentSid: z.string().trim().optional(),
});

export async function sendTestMessage({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<SendResult> {
  requireRole(ctx, MANAGERS);
  const v = TestMessageInput.parse(input);
  const channel = await withService((tx) => findBusinessChannel(tx, ctx.businessId, v.kind));
  if (!channel) throw new AppError("not_found", `Connect ${v.kind === "sms" ? "SMS" : "WhatsApp"} first.`);
  const [business] = await withService((tx) => tx.select({ name: businesses.name }).from(businesses).where(eq(businesses.id, ctx.businessId)));
  let template: { contentSid: string } | undefined;
  if (v.contentSid) {
    const approved = readSettings("whatsapp", channel.settings).templates.find((t) => t.contentSid === v.contentSid);
    if (v.kind !== "whatsapp" || !approved) throw new AppError("bad_request", "Choose one of the channel's approved templates.");
    template = { contentSid: approved.contentSid };
  }
  const body = v.body || `Test message from ${business?.name ?? "PrismAI"}: your ${v.kind === "sms" ? "SMS" : "WhatsApp"} channel works.`;
  const to = toE164(v.to)!;
  // A number that texted STOP gets nothing, tests included.
  const customer = await withService((tx) => findCustomerByIdentity(tx, ctx.businessId, { kind: "phone", value: to }));
  const result = await sendMessage({ channel, to, body, template, customer: customer ?? null, purpose: "test" });
  await withService((tx) =>
    audit(tx, ctx, "channel.test_message", { type: "channel", id: channel.id }, { kind: v.kind, to: maskPhone(to), transport: result.transport, status: result.status }),
  );
  return result;
}

export const TestCallInput = z.object({
  to: z
    .string()
    .trim()
    .refine((v) => toE164(v) !== null, "Enter the number in international format, e.g. +14155550100"),
});

export type TestCallResult = { transport: "twilio" | "outbox"; status: "queued" | "failed"; sid?: string; outboxId?: string; error?: string };

/** Rings a number from the voice channel and speaks a short check, in the channel's voice. */
export async function placeTestCall({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<TestCallResult> {
  requireRole(ctx, MANAGERS);
  const { to } = TestCallInput.parse(input);
  const number = toE164(to)!;
  const channel: Channel | undefined = await withService((tx) => findBusinessChannel(tx, ctx.businessId, "voice"));
  if (!channel) throw new AppError("not_found", "Connect voice first.");
  const [business] = await withService((tx) => tx.select({ name: businesses.name }).from(businesses).where(eq(businesses.id, ctx.businessId)));
  const text = `This is a test call from ${business?.name ?? "PrismAI"}. Your voice channel works. Goodbye.`;
  const twiml = farewellTwiml(voiceOf(readSettings("voice", channel.settings)), text);
  const credentials = restCredentials(channel);
  let result: TestCallResult;
  if (credentials) {
    try {
      const { value } = await withRetries(() => restClient(credentials).calls.create({ to: number, from: wireAddress("voice", channel.address), twiml }));
      result = { transport: "twilio", status: "queued", sid: value.sid };
    } catch (err) {
      result = { transport: "twilio", status: "failed", error: describeRestError(err).message };
    }
  } else {
    const [row] = await withService((tx) =>
      tx
        .insert(outbox)
        .values({
          businessId: ctx.businessId,
          channelKind: "voice",
          recipient: maskPhone(number),
          body: text,
          payload: { kind: "test", channelId: channel.id, toEncrypted: encrypt(number), from: channel.address, twiml },
        })
        .returning({ id: outbox.id }),
    );
    result = { transport: "outbox", status: "queued", outboxId: row!.id };
  }
  await withService((tx) => audit(tx, ctx, "channel.test_call", { type: "channel", id: channel.id }, { to: maskPhone(number), transport: result.transport, status: result.status }));
  return result;
}
