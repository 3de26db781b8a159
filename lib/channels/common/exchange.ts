import "server-only";
// A customer message the channel answers itself, without the model: STOP / START / HELP, Telegram's
// /start, "goodbye" on a call, a voicemail. Stored like any message (same customer, same conversation, same timeline)
// with its fixed reply, and marked so the sweeper never answers it again.
import { and, eq, sql } from "drizzle-orm";
import { withService } from "@/lib/db/client";
import { messages } from "@/lib/db/schema";
import { storeInbound } from "@/lib/pipeline/inbound";
import { findReply, storeMessage } from "@/lib/pipeline/conversations";
import type { InboundMessage, Message } from "@/lib/pipeline/types";

export type Exchange = {
  customerId: string;
  conversationId: string;
  customerMessage: Message;
  reply: Message | null;
  duplicate: boolean;
};

export async function recordExchange(input: InboundMessage, reply: { text: string; outcome: string } | { text: null; outcome: string }): Promise<Exchange> {
  const stored = await storeInbound(input);
  const base = { customerId: stored.customerId, conversationId: stored.conversationId, customerMessage: stored.message, duplicate: stored.duplicate };
  if (stored.duplicate) {
    return { ...base, reply: (await withService((tx) => findReply(tx, input.businessId, stored.message.id))) ?? null };
  }
  return withService(async (tx) => {
    await tx
      .update(messages)
      .set({ metadata: sql`${messages.metadata} || ${JSON.stringify({ outcome: reply.outcome })}::jsonb` })
      .where(and(eq(messages.id, stored.message.id), eq(messages.businessId, input.businessId)));
    if (reply.text === null) return { ...base, reply: null };
    const { message } = await storeMessage(tx, {
      businessId: input.businessId,
      conversationId: stored.conversationId,
      customerId: stored.customerId,
      channelId: input.channelId,
      role: "assistant",
      source: "fallback",
      content: reply.text,
      replyToId: stored.message.id,
      deliveryStatus: "queued",
      metadata: { automated: reply.outcome },
    });
    return { ...base, reply: message };
  });
}
