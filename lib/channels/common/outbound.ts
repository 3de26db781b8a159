import "server-only";
// Messages that do not answer a webhook, on every pushed channel: answers the sweeper made after a
// crash, what waits in the outbox (staff replies, campaigns, surveys, reminders, the owners' digest),
// and tests from a channel page. One loader (the conversation's channel and customer, the customer's
// address for the channel's identity from their sealed identity), one set of rules (approved
// templates; what a channel refuses outright, as Twilio's WhatsApp outside its 24 hours, instead of
// recording a skip), then the adapter's deliver (lib/channels/adapter).
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { withService } from "@/lib/db/client";
import { businesses, channels, conversations, customers, messages } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import { audit } from "@/lib/services/audit";
import { MANAGERS, requireRole, type Ctx } from "@/lib/services/context";
import { findCustomerByIdentity } from "@/lib/pipeline/customers";
import { text } from "@/lib/validation/text";
import { ADAPTERS, adapterFor, type AdapterKey, type ChannelAdapter } from "@/lib/channels/adapter";
import { customerAddress, findBusinessChannel, maskPhone, type Channel, type ChannelKey } from "./channels";
import { recordSkip, skipped, updateMessage, type Delivery, type SendPurpose, type SendResult } from "./send";

type Target = {
  adapter: ChannelAdapter & { deliver: NonNullable<ChannelAdapter["deliver"]> };
  channel: Channel;
  conversationId: string;
  customer: { id: string; consent: Record<string, unknown> | null };
  /** the customer's address on this channel (null: none, or only undeliverable ones) */
  to: string | null;
  message: typeof messages.$inferSelect | null;
  /** false when the channel's service window is closed and it refuses free text then */
  windowOpen: boolean;
};

/** A conversation (or a stored message's) on its channel: the adapter, the customer and their address. */
async function loadTarget(businessId: string, by: { conversationId?: string | null; messageId?: string | null }): Promise<Target> {
  const loaded = await withService(async (tx) => {
    let message: Target["message"] = null;
    if (by.messageId) {
      const [row] = await tx
        .select()
        .from(messages)
        .where(and(eq(messages.id, by.messageId), eq(messages.businessId, businessId)));
      message = row ?? null;
      if (!message) throw new AppError("not_found", "Message not found.");
    }
    const [row] = await tx
      .select({ channel: channels, customer: customers })
      .from(conversations)
      .innerJoin(channels, and(eq(channels.id, conversations.channelId), eq(channels.businessId, conversations.businessId)))
      .innerJoin(customers, and(eq(customers.id, conversations.customerId), eq(customers.businessId, conversations.businessId)))
      .where(and(eq(conversations.id, message?.conversationId ?? by.conversationId ?? ""), eq(conversations.businessId, businessId)));
    if (!row) throw new AppError("not_found", "Conversation not found.");
    const adapter = adapterFor(row.channel);
    const conversationId = message?.conversationId ?? by.conversationId!;
    const to = adapter.identity ? await customerAddress(tx, businessId, row.customer.id, adapter.identity) : null;
    // read with the rest when the channel refuses free text outside it (Twilio's WhatsApp)
    const windowOpen = adapter.refusals?.windowClosed && adapter.window ? (await adapter.window(tx, businessId, conversationId)).open : true;
    return { ...row, adapter, to, message, conversationId, windowOpen };
  });
  const { adapter } = loaded;
  if (!adapter.deliver) throw new AppError("bad_request", `${adapter.label} does not send messages.`);
  return { ...loaded, adapter: { ...adapter, deliver: adapter.deliver } };
}

type Send = Pick<Delivery, "text" | "template" | "messageId" | "purpose" | "outboxId">;

/**
 * One message the outbox drain or the sweeper pushes (a staff reply, a campaign's, an answer, the
 * owners' digest): into its conversation, where the customer's address, consent and window come
 * from, or to a bare address (`to`, decrypted: the digest). `text` absent: the stored message's own.
 */
export type Push = Pick<Delivery, "channel" | "conversationId" | "messageId" | "template" | "outboxId"> & {
  to?: string | null;
  text?: string;
  purpose: "reply" | "staff" | "campaign" | "digest";
};

/** The rules every channel shares, then the adapter's deliver. */
async function deliverTo(t: Target, s: Send): Promise<SendResult> {
  const { adapter, channel } = t;
  if (!t.to) {
    if (adapter.refusals) throw new AppError("unprocessable", adapter.refusals.noAddress);
    return recordSkip(channel, s.messageId, skipped(adapter.transport(channel), "no_address"));
  }
  if (s.template) {
    if (!adapter.templates) throw new AppError("bad_request", `Templates are for WhatsApp; send ${adapter.label} as text.`);
    if (!adapter.templates(channel).some((a) => a.contentSid === s.template!.contentSid)) {
      throw new AppError("bad_request", "That template is not one of this WhatsApp channel's approved templates.");
    }
  } else if (adapter.refusals?.windowClosed && !t.windowOpen) {
    throw new AppError("unprocessable", adapter.refusals.windowClosed);
  }
  return adapter.deliver({ channel, to: t.to, ...s, conversationId: t.conversationId, customer: t.customer });
}

/** A message into a conversation on its channel (a staff reply, a campaign's), with every rule above. */
export async function sendToConversation(input: { businessId: string; conversationId: string } & Partial<Send> & { purpose: SendPurpose }): Promise<SendResult> {
  const t = await loadTarget(input.businessId, input);
  return deliverTo(t, { ...input, text: input.text ?? "" });
}

/** Delivers an answer already stored (the sweeper's, or one whose first delivery failed), or `text` for it. */
export async function deliverStoredMessage(input: { businessId: string; messageId: string; text?: string; purpose: SendPurpose }): Promise<SendResult> {
  const t = await loadTarget(input.businessId, { messageId: input.messageId });
  const message = t.message!;
  // a campaign's message (lib/campaigns/send) is the business's, stored as a system message
  const campaignMessage = message.role === "system" && typeof message.metadata?.campaignId === "string";
  if (message.role !== "assistant" && message.role !== "agent" && !campaignMessage) throw new AppError("bad_request", "Only answers are delivered.");
  return deliverTo(t, { text: input.text ?? message.content, messageId: message.id, purpose: input.purpose });
}

/**
 * A message the outbox drain or the sweeper pushes: into its conversation with the rules above, or
 * the owners' digest to their own verified number (no conversation, no consent record). Where the
 * adapter says so (queuedIsRecord), a simulated channel's queued outbox row is itself the dev
 * outbox's record, and nothing leaves.
 */
export async function pushMessage(push: Push): Promise<SendResult> {
  const { channel } = push;
  const adapter = adapterFor(channel);
  if (!adapter.deliver) throw new AppError("bad_request", `${adapter.label} does not send messages.`);
  if (push.purpose === "digest") {
    if (!push.to) throw new AppError("bad_request", "The digest's channel or number is gone.");
    return adapter.deliver({ channel, to: push.to, text: push.text ?? "", outboxId: push.outboxId, purpose: "digest" });
  }
  if (adapter.queuedIsRecord && push.outboxId && push.messageId && adapter.transport(channel) === "outbox") {
    await updateMessage(channel.businessId, push.messageId, { deliveryStatus: "outbox", delivery: { transport: "outbox", outboxIds: [push.outboxId] } });
    return { transport: "outbox", status: "queued", providerIds: [], outboxIds: [push.outboxId], parts: 1, units: 0, attempts: 0, costUsd: 0 };
  }
  if (!push.conversationId && !push.messageId) throw new AppError("bad_request", "The queued reply names no conversation.");
  const t = await loadTarget(channel.businessId, push);
  return deliverTo(t, { text: push.text ?? t.message?.content ?? "", template: push.template, messageId: push.messageId, purpose: push.purpose, outboxId: push.outboxId });
}

// ---------------------------------------------------------------- tests from a channel page

export const TestMessageInput = z.object({
  kind: z.string().refine((k) => Boolean(ADAPTERS[k as AdapterKey]?.testRecipient), "Unknown channel."),
  to: text().trim().max(200),
  text: text().trim().max(1600).optional(),
  /** an approved template instead of the text (WhatsApp through Twilio) */
  contentSid: z.string().trim().optional(),
});

/** A test from the channel page to an address the owner types, in the channel's words for a bad one. */
export async function sendTestMessage({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<SendResult> {
  requireRole(ctx, MANAGERS);
  const v = TestMessageInput.parse(input);
  const adapter = ADAPTERS[v.kind as AdapterKey];
  const channel = await withService((tx) => findBusinessChannel(tx, ctx.businessId, v.kind as ChannelKey));
  if (!channel) throw new AppError("not_found", `Connect ${adapter.label} first.`);
  let template: Delivery["template"];
  if (v.contentSid) {
    const approved = adapter.templates?.(channel).find((t) => t.contentSid === v.contentSid);
    if (!approved) throw new AppError("bad_request", "Choose one of the channel's approved templates.");
    template = { contentSid: approved.contentSid };
  }
  const to = adapter.testRecipient!(v.to);
  const [business] = await withService((tx) => tx.select({ name: businesses.name }).from(businesses).where(eq(businesses.id, ctx.businessId)));
  const name = business?.name ?? "PrismAI";
  // An address that opted out (a number that texted STOP) gets nothing, tests included.
  const customer = adapter.identity && (await withService((tx) => findCustomerByIdentity(tx, ctx.businessId, { kind: adapter.identity!, value: to })));
  const result = await adapter.deliver!({
    channel,
    to,
    text: v.text || `Test message from ${name}: your ${adapter.label} channel works.`,
    template,
    customer: customer || null,
    purpose: "test",
    subject: `Test email from ${name}`,
  });
  const masked = adapter.identity === "phone" ? { to: maskPhone(to) } : {};
  await withService((tx) =>
    audit(tx, ctx, "channel.test_message", { type: "channel", id: channel.id }, { kind: v.kind, ...masked, transport: result.transport, status: result.status }),
  );
  return result;
}
