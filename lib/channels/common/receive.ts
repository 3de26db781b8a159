import "server-only";
// An inbound message on a pushed channel, once verified and parsed: the event is recorded once per
// provider id, the customer's message is stored before the webhook answers (nothing after this can
// lose it), and the answer is made and sent after the response, so providers that want a fast
// acknowledgement (Meta: a median under 250 ms) get one whatever the model costs in time.
import { withService } from "@/lib/db/client";
import { answerMessage, type AnswerOutcome } from "@/lib/pipeline/answer";
import { storeInbound } from "@/lib/pipeline/inbound";
import type { ChannelStyle, InboundMessage, Message } from "@/lib/pipeline/types";
import type { Channel } from "./channels";
import { deferAfterResponse } from "@/lib/pipeline/defer";
import { claimEvent, finishEvent, reclaimFailedEvent, type EventOutcome } from "./events";
import type { SendResult } from "./send";

export type ProviderEvent = { provider: string; eventId: string; kind: string; payload: Record<string, unknown> };

/** Records the event; null when it was seen before and handled (a retry or a replay). */
export async function claimProviderEvent(businessId: string | null, event: ProviderEvent): Promise<string | null> {
  const claim = await withService((tx) =>
    claimEvent(tx, { businessId, provider: event.provider, eventId: event.eventId, kind: event.kind, params: event.payload }),
  );
  if (claim.fresh) return claim.id;
  return reclaimFailedEvent(claim.event);
}

/** The text to send for an answer, if any: the answer itself, or a rate-limit notice. */
export function answerText(outcome: Pick<AnswerOutcome, "reply" | "noReply">): string | null {
  if (outcome.reply) return outcome.reply.content;
  if (outcome.noReply?.reason === "rate_limited" && outcome.noReply.message) return outcome.noReply.message;
  return null;
}

export type ReplyTarget = { text: string; reply: Message | null; conversationId: string; customerId: string; customerMessage: Message };

export type Received = { status: "stored"; message: Message; conversationId: string } | { status: "duplicate" };

/**
 * Stores the message of a claimed event now; answers and delivers it after the response. `deliver`
 * sends the answer's text on the channel (it knows the recipient from the payload). Call it inside
 * `settle`, so a failure to store marks the event failed for the provider's retry.
 */
export async function receive(
  eventId: string,
  input: InboundMessage,
  opts: { style?: ChannelStyle; deliver: (target: ReplyTarget) => Promise<SendResult> },
): Promise<Received> {
  const stored = await storeInbound(input);
  if (stored.duplicate) {
    await finishEvent(eventId, { status: "ignored", result: { duplicateOf: stored.message.id } });
    return { status: "duplicate" };
  }
  const { message, conversationId, customerId } = stored;
  deferAfterResponse(async () => {
    let outcome: EventOutcome;
    try {
      const answer = await answerMessage(input.businessId, message.id, { style: opts.style, defer: deferAfterResponse });
      const text = answerText(answer);
      const sent = text ? await opts.deliver({ text, reply: answer.reply, conversationId, customerId, customerMessage: message }) : null;
      outcome = {
        status: sent?.status === "failed" ? "failed" : "processed",
        result: { messageId: message.id, replyId: answer.reply?.id ?? null, noReply: answer.noReply?.reason ?? null, via: sent?.transport ?? null, sent: sent?.status ?? null },
        error: sent?.error?.message,
      };
    } catch (err) {
      outcome = { status: "failed", error: err instanceof Error ? err.message : String(err) };
    }
    await finishEvent(eventId, outcome);
  });
  return { status: "stored", message, conversationId };
}

/** Runs a claimed event's handling; a throw marks the event failed (so the provider's retry takes it over). */
export async function settle<T>(eventId: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    await finishEvent(eventId, { status: "failed", error: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}

/**
 * A customer's message that is its own provider event (an Instagram DM, a WhatsApp message), as its
 * adapter parsed it: recorded once by its id, stored, answered after the response. "duplicate" when
 * the event was seen before.
 */
export async function acceptMessage(
  channel: Channel,
  event: ProviderEvent,
  input: InboundMessage,
  opts: { style?: ChannelStyle; deliver: (target: ReplyTarget) => Promise<SendResult> },
): Promise<"stored" | "duplicate"> {
  const eventId = await claimProviderEvent(channel.businessId, event);
  if (!eventId) return "duplicate";
  const received = await settle(eventId, () => receive(eventId, input, opts));
  return received.status === "stored" ? "stored" : "duplicate";
}

/** An event that needs no answer (a status, an echo, something we ignore), recorded once with why. */
export async function recordOnly(businessId: string | null, event: ProviderEvent, outcome: EventOutcome): Promise<boolean> {
  const eventId = await claimProviderEvent(businessId, event);
  if (!eventId) return false;
  await finishEvent(eventId, outcome);
  return true;
}
