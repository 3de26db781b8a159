import "server-only";
// An inbound SMS or WhatsApp message, once verified and parsed: recorded once per MessageSid,
// keywords (STOP / START / HELP) answered and stored as consent, everything else through the
// pipeline. The answer goes back as TwiML when it is ready in time; otherwise Twilio gets an empty
// acknowledgement and the answer follows through the REST API after the response. Bookkeeping that
// Twilio does not wait for (the reply's cost, its delivery record, the event's outcome) happens
// after the response too, so the acknowledgement carries only what it must.
import { and, eq, sql } from "drizzle-orm";
import { withService } from "@/lib/db/client";
import { businesses, messages } from "@/lib/db/schema";
import { handleInbound } from "@/lib/pipeline/inbound";
import { findCustomerByIdentity } from "@/lib/pipeline/customers";
import type { InboundMessage, Message } from "@/lib/pipeline/types";
import { canMessage } from "@/lib/channels/sms/consent";
import { keywordReply } from "@/lib/channels/sms/keywords";
import { consentKeyword, recordKeywordConsent } from "@/lib/campaigns/consent";
import { answerText } from "@/lib/channels/common/receive";
import { ADAPTERS } from "@/lib/channels/adapter";
import { readSettings, type Channel } from "./channels";
import { deferAfterResponse } from "@/lib/pipeline/defer";
import { replyDeadlineMs, within } from "./background";
import { chargeChannelCost } from "@/lib/channels/common/costs";
import { messageParts, sendMessage, statusCallbackUrl, type MessagingKind } from "./deliver";
import { claimEvent, finishEvent, reclaimFailedEvent, type EventOutcome } from "@/lib/channels/common/events";
import { recordExchange } from "@/lib/channels/common/exchange";
import { emptyTwiml, messagesTwiml, twimlResponse } from "./twiml";
import { withTwilioWebhook, type TwilioWebhook } from "./webhook";
import { relayFromMember } from "@/lib/relay/reply";

type Planned = { twiml: string; split: ReturnType<typeof messageParts> };

/** The TwiML that sends `text`: one <Message> per part, each reporting its status for the stored reply. */
function planReply(kind: MessagingKind, text: string, reply: Message | null): Planned {
  const split = messageParts(kind, text);
  const action = statusCallbackUrl(reply?.id);
  return { split, twiml: messagesTwiml(split.parts.map((body) => ({ body, action }))) };
}

/** After the response: the reply's cost per part, its delivery record, and the event's outcome, in one transaction. */
function settleReply(channel: Channel, kind: MessagingKind, eventId: string, outcome: EventOutcome, sent?: Planned & { reply: Message | null; conversationId: string | null }) {
  deferAfterResponse(() =>
    withService(async (tx) => {
      if (sent) {
        const { units, encoding } = sent.split;
        for (const n of units) await chargeChannelCost(tx, { businessId: channel.businessId, kind, units: n, messageId: sent.reply?.id, conversationId: sent.conversationId });
        if (sent.reply) {
          const segments = units.reduce((a, b) => a + b, 0);
          const delivery = { transport: "twiml", parts: units.length, segments, ...(encoding ? { encoding } : {}) };
          await tx
            .update(messages)
            .set({ deliveryStatus: "queued", metadata: sql`${messages.metadata} || ${JSON.stringify({ delivery })}::jsonb` })
            .where(and(eq(messages.id, sent.reply.id), eq(messages.businessId, channel.businessId)));
        }
      }
      await finishEvent(eventId, outcome, tx);
    }),
  );
}

/**
 * POST /api/webhooks/twilio/{sms,whatsapp}: verified by the kind's adapter (withTwilioWebhook), the
 * form parsed by it into the one InboundMessage, handed over; a disabled channel answers empty TwiML.
 */
export function messagingWebhook(kind: MessagingKind) {
  return withTwilioWebhook({ kind: () => kind, address: (f) => f.To, disabled: () => twimlResponse(emptyTwiml()) }, async (hook) => {
    const parsed = await ADAPTERS[kind].parse!(hook.channel, hook.fields);
    return "message" in parsed ? handleInboundMessage(hook, kind, parsed.message) : twimlResponse(emptyTwiml());
  });
}

export async function handleInboundMessage(hook: TwilioWebhook, kind: MessagingKind, input: InboundMessage): Promise<Response> {
  const { channel } = hook;
  const { from, text: said } = input;
  const sid = input.providerMessageId!;
  // One transaction before the pipeline: the event (idempotency), and what a keyword needs to know.
  const first = await withService(async (tx) => {
    const claim = await claimEvent(tx, { businessId: channel.businessId, eventId: sid, kind, params: hook.params });
    const failed = claim.fresh ? null : claim.event.status === "failed" ? claim.event : null;
    if (!claim.fresh && !failed) return { eventId: null, failed, customer: undefined, businessName: "We" };
    const customer = await findCustomerByIdentity(tx, channel.businessId, from);
    const [business] = await tx.select({ name: businesses.name }).from(businesses).where(eq(businesses.id, channel.businessId));
    return { eventId: claim.fresh ? claim.id : null, failed, customer, businessName: business?.name ?? "We" };
  });
  // A retry of a message we already have: whatever happened the first time stands, unless the first
  // attempt failed (then this one takes over; the pipeline itself never stores or answers twice).
  const eventId = first.eventId ?? (first.failed ? await reclaimFailedEvent(first.failed) : null);
  if (!eventId) return twimlResponse(emptyTwiml());

  try {
    // ---- relay hook (lib/relay): a text from a member's own verified number answers a hand-off; it is no customer's message
    const relayed = await relayFromMember({ businessId: channel.businessId, from: from.value, text: said, defer: deferAfterResponse });
    if (relayed) {
      const planned = planReply(kind, relayed.text, null);
      settleReply(channel, kind, eventId, { status: "processed", result: { relay: relayed.outcome, code: relayed.code, messageId: relayed.messageId } }, { ...planned, reply: null, conversationId: relayed.conversationId });
      return twimlResponse(planned.twiml);
    }

    // ---- keywords: consent first, the model never sees them
    // campaign hook (lib/campaigns/consent): STOP in eight languages, and every keyword into the consent ledger
    const keyword = consentKeyword(said, { optedOut: first.customer ? !canMessage(first.customer, kind) : false });
    if (keyword) {
      const helpText = kind === "sms" ? readSettings("sms", channel.settings).helpText : "";
      const text = keywordReply(keyword, first.businessName, helpText);
      const exchange = await recordExchange(input, { text, outcome: `keyword:${keyword}` });
      if (keyword !== "help") {
        await withService((tx) => recordKeywordConsent(tx, { businessId: channel.businessId, customerId: exchange.customerId, channelKind: kind, keyword, wording: said }));
      }
      const planned = planReply(kind, text, exchange.reply);
      settleReply(channel, kind, eventId, { status: "processed", result: { keyword, messageId: exchange.customerMessage.id } }, { ...planned, reply: exchange.reply, conversationId: exchange.conversationId });
      return twimlResponse(planned.twiml);
    }

    // ---- the pipeline, against Twilio's clock
    const work = handleInbound(input, { style: kind === "sms" ? "sms" : "chat", defer: deferAfterResponse });
    const raced = await within(work, replyDeadlineMs());
    if (!raced.timedOut) {
      const result = raced.value;
      const text = answerText(result);
      const planned = text ? planReply(kind, text, result.reply) : null;
      const outcome: EventOutcome = {
        status: "processed",
        result: { messageId: result.customerMessage.id, replyId: result.reply?.id ?? null, noReply: result.noReply?.reason ?? null, via: "twiml" },
      };
      settleReply(channel, kind, eventId, outcome, planned ? { ...planned, reply: result.reply, conversationId: result.conversationId } : undefined);
      return twimlResponse(planned?.twiml ?? emptyTwiml());
    }

    deferAfterResponse(async () => {
      try {
        const result = await work;
        const text = answerText(result);
        let sent = null;
        if (text) {
          const current = await withService((tx) => findCustomerByIdentity(tx, channel.businessId, from));
          sent = await sendMessage({
            channel,
            to: from.value,
            text,
            messageId: result.reply?.id ?? null,
            conversationId: result.conversationId,
            customer: current ?? null,
            purpose: "reply",
          });
        }
        await finishEvent(eventId, {
          status: sent?.status === "failed" ? "failed" : "processed",
          result: { messageId: result.customerMessage.id, replyId: result.reply?.id ?? null, noReply: result.noReply?.reason ?? null, via: sent?.transport ?? null },
          error: sent?.error?.message,
        });
      } catch (err) {
        await finishEvent(eventId, { status: "failed", error: err instanceof Error ? err.message : String(err) });
        throw err;
      }
    });
    return twimlResponse(emptyTwiml());
  } catch (err) {
    await finishEvent(eventId, { status: "failed", error: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}
