import "server-only";
// A phone call, turn by turn. The greeting opens a <Gather input="speech">; each utterance comes
// back to /voice/gather?turn=N and goes through the pipeline with the voice style; the answer is
// spoken inside the next Gather. Silence twice, or "goodbye", ends the call politely. A hand-off (or
// "a person, please") dials the business's forwarding number while it is open, and otherwise takes a
// message. The call status callback records the duration and its cost. Every turn is a
// webhook_events row keyed on CallSid + turn: a retried turn replays its TwiML, never answers twice.
import { and, desc, eq, sql } from "drizzle-orm";
import { withService } from "@/lib/db/client";
import { businesses, messages } from "@/lib/db/schema";
import { openState, readAiSettings } from "@/lib/ai/prompts";
import { handleInbound } from "@/lib/pipeline/inbound";
import { resolveCustomer } from "@/lib/pipeline/customers";
import { resolveConversation, storeMessage } from "@/lib/pipeline/conversations";
import type { InboundResult } from "@/lib/pipeline/types";
import { ADAPTERS, messageOf } from "@/lib/channels/adapter";
import { readSettings, type Channel } from "@/lib/channels/twilio/channels";
import { deferAfterResponse } from "@/lib/pipeline/defer";
import { replyDeadlineMs, within } from "@/lib/channels/twilio/background";
import { billableMinutes, chargeChannelCost } from "@/lib/channels/common/costs";
import { awaitEventResult, claimEvent, finishEvent, reclaimFailedEvent, type EventResult } from "@/lib/channels/common/events";
import { recordExchange } from "@/lib/channels/common/exchange";
import { emptyTwiml, twimlResponse } from "@/lib/channels/twilio/twiml";
import type { TwilioWebhook } from "@/lib/channels/twilio/webhook";
import { isGoodbye } from "./intents";
import { CallStatusCallback, DialResult, GatherResult, VoiceCall, callerIdentity, type CallerTurn } from "./parse";
import {
  PHRASES,
  answerTwiml,
  farewellTwiml,
  greetingTwiml,
  takeMessageTwiml,
  transferTwiml,
  voiceOf,
  waitTwiml,
  type Voice,
} from "./twiml";

export const VOICE_PATHS = {
  gather: "/api/webhooks/twilio/voice/gather",
  message: "/api/webhooks/twilio/voice/message",
  dial: "/api/webhooks/twilio/voice/dial",
} as const;

/** Silent turns in a row before the assistant says goodbye. */
export const MAX_SILENCES = 2;
/** How long a repeated turn waits for the first one's answer before asking Twilio to come back. */
const WAIT_FOR_ANSWER_MS = 8_000;

const actionUrl = (hook: TwilioWebhook, path: string, query: Record<string, string | number>) =>
  `${hook.origin}${path}?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString()}`;

const queryInt = (hook: TwilioWebhook, name: string) => {
  const n = Number(new URL(hook.url).searchParams.get(name) ?? "0");
  return Number.isInteger(n) && n >= 0 && n < 10_000 ? n : 0;
};

/** What the caller said on a turn, read by the voice adapter into the pipeline's inbound message. */
const spoken = async (hook: TwilioWebhook, turn: CallerTurn) => messageOf(await ADAPTERS.voice.parse!(hook.channel, turn));

async function loadBusiness(businessId: string) {
  const [business] = await withService((tx) => tx.select().from(businesses).where(eq(businesses.id, businessId)));
  if (!business) throw new Error("The channel's business is gone");
  return business;
}

function voiceFor(channel: Channel): Voice {
  return voiceOf(readSettings("voice", channel.settings));
}

/** A disabled voice channel says so and hangs up; nothing is stored. */
export function disabledCall(hook: TwilioWebhook): Response {
  return twimlResponse(farewellTwiml(voiceFor(hook.channel), PHRASES.disabled));
}

// ---------------------------------------------------------------- the call starts

export async function handleIncomingCall(hook: TwilioWebhook): Promise<Response> {
  const call = VoiceCall.parse(hook.fields);
  const settings = readSettings("voice", hook.channel.settings);
  const claim = await withService((tx) => claimEvent(tx, { businessId: hook.channel.businessId, eventId: `${call.CallSid}:start`, kind: "voice", params: hook.params }));
  const business = await loadBusiness(hook.channel.businessId);
  const greeting = settings.greeting || business.greeting;
  // The greeting has no side effects, so a retried start simply hears it again.
  const twiml = greetingTwiml(voiceOf(settings), greeting, actionUrl(hook, VOICE_PATHS.gather, { turn: 1, silence: 0 }));
  if (claim.fresh) await finishEvent(claim.id, { status: "processed", result: { twiml } });
  return twimlResponse(twiml);
}

// ---------------------------------------------------------------- a turn: what the caller said

/** Put through to a person while the business is open and has a number for it; otherwise a message. */
async function transferOrMessage(hook: TwilioWebhook, turn: number): Promise<string> {
  const settings = readSettings("voice", hook.channel.settings);
  const v = voiceOf(settings);
  const business = await loadBusiness(hook.channel.businessId);
  const ai = readAiSettings(business.aiSettings);
  const open = openState(ai.hours, business.timeZone).open;
  if (settings.forwardingNumber && open) {
    return transferTwiml(v, settings.forwardingNumber, actionUrl(hook, VOICE_PATHS.dial, { turn: turn + 1 }), hook.channel.address);
  }
  return takeMessageTwiml(v, open ? PHRASES.leaveMessageBusy : PHRASES.leaveMessageClosed, actionUrl(hook, VOICE_PATHS.message, { turn: turn + 1 }));
}

function silenceTwiml(hook: TwilioWebhook, turn: number, silence: number): string {
  const v = voiceFor(hook.channel);
  if (silence + 1 >= MAX_SILENCES) return farewellTwiml(v, PHRASES.silenceGoodbye);
  return answerTwiml(v, PHRASES.reprompt, actionUrl(hook, VOICE_PATHS.gather, { turn: turn + 1, silence: silence + 1 }));
}

/**
 * The TwiML for a pipeline result on a call. `unanswered` counts the caller's turns in a row that got
 * no answer (silence, or a rate limit): a limit asks again rather than hanging up, but not forever.
 */
export async function twimlForResult(hook: TwilioWebhook, result: InboundResult, turn: number, unanswered = 0): Promise<string> {
  const v = voiceFor(hook.channel);
  if (result.handedOff || result.noReply?.reason === "waiting_human") return transferOrMessage(hook, turn);
  if (result.reply) return answerTwiml(v, result.reply.content, actionUrl(hook, VOICE_PATHS.gather, { turn: turn + 1, silence: 0 }));
  switch (result.noReply?.reason) {
    case "empty":
      return silenceTwiml(hook, turn, unanswered);
    case "rate_limited":
      if (unanswered + 1 < MAX_SILENCES) return answerTwiml(v, PHRASES.sayAgain, actionUrl(hook, VOICE_PATHS.gather, { turn: turn + 1, silence: unanswered + 1 }));
      return farewellTwiml(v, result.noReply.message ?? PHRASES.unavailable);
    case "duplicate":
      return answerTwiml(v, PHRASES.reprompt, actionUrl(hook, VOICE_PATHS.gather, { turn: turn + 1, silence: 0 }));
    default:
      return farewellTwiml(v, result.noReply?.message ?? PHRASES.unavailable);
  }
}

/** A repeated request for a turn: its TwiML once ready, or "come back in a second". */
async function replay(hook: TwilioWebhook, eventId: string, redirect: string): Promise<Response> {
  const event = await awaitEventResult(eventId, WAIT_FOR_ANSWER_MS);
  const twiml = (event?.result as EventResult | null)?.twiml;
  if (twiml) return twimlResponse(twiml);
  return twimlResponse(waitTwiml(voiceFor(hook.channel), redirect, false));
}

export async function handleGather(hook: TwilioWebhook): Promise<Response> {
  const p = GatherResult.parse(hook.fields);
  const turn = queryInt(hook, "turn");
  const silence = queryInt(hook, "silence");
  const eventId = `${p.CallSid}:turn:${turn}`;
  const again = actionUrl(hook, VOICE_PATHS.gather, { turn, silence, wait: 1 });
  const claim = await withService((tx) => claimEvent(tx, { businessId: hook.channel.businessId, eventId, kind: "voice", params: hook.params }));
  const id = claim.fresh ? claim.id : await reclaimFailedEvent(claim.event);
  if (!id) return replay(hook, eventId, again);

  const speech = (p.SpeechResult ?? "").trim();
  const done = async (twiml: string, extra: Record<string, unknown> = {}) => {
    await finishEvent(id, { status: "processed", result: { twiml, ...extra } });
    return twiml;
  };
  try {
    if (!speech) return twimlResponse(await done(silenceTwiml(hook, turn, silence), { silence: silence + 1 }));

    const input = await spoken(hook, { call: p, turn, speech });

    if (isGoodbye(speech)) {
      await recordExchange(input, { text: PHRASES.goodbye, outcome: "call:goodbye" });
      return twimlResponse(await done(farewellTwiml(voiceFor(hook.channel), PHRASES.goodbye), { goodbye: true }));
    }

    const work = handleInbound(input, { style: "voice", defer: deferAfterResponse }).then(async (result) =>
      done(await twimlForResult(hook, result, turn, silence), {
        messageId: result.customerMessage.id,
        replyId: result.reply?.id ?? null,
        handedOff: result.handedOff,
        noReply: result.noReply?.reason ?? null,
      }),
    );
    const raced = await within(work, replyDeadlineMs());
    if (!raced.timedOut) return twimlResponse(raced.value);
    // Slower than Twilio waits: keep the caller company; the redirect picks the answer up.
    deferAfterResponse(() =>
      work.catch(async (err) => {
        await finishEvent(id, { status: "failed", error: err instanceof Error ? err.message : String(err) });
        throw err;
      }),
    );
    return twimlResponse(waitTwiml(voiceFor(hook.channel), again, true));
  } catch (err) {
    await finishEvent(id, { status: "failed", error: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}

// ---------------------------------------------------------------- a message left for the team

export async function handleVoicemail(hook: TwilioWebhook): Promise<Response> {
  const p = GatherResult.parse(hook.fields);
  const turn = queryInt(hook, "turn");
  const claim = await withService((tx) =>
    claimEvent(tx, { businessId: hook.channel.businessId, eventId: `${p.CallSid}:message:${turn}`, kind: "voice", params: hook.params }),
  );
  const v = voiceFor(hook.channel);
  const speech = (p.SpeechResult ?? "").trim();
  const twiml = farewellTwiml(v, speech ? PHRASES.messageTaken : PHRASES.noMessage);
  if (!claim.fresh) return twimlResponse(twiml);
  if (speech) {
    const input = await spoken(hook, { call: p, turn, speech, metadata: { voicemail: true } });
    // The conversation already waits for a person: the pipeline stores it and tells the team.
    const result = await handleInbound(input, { style: "voice", defer: deferAfterResponse });
    await finishEvent(claim.id, { status: "processed", result: { twiml, messageId: result.customerMessage.id, noReply: result.noReply?.reason ?? null } });
  } else {
    await finishEvent(claim.id, { status: "processed", result: { twiml, empty: true } });
  }
  return twimlResponse(twiml);
}

// ---------------------------------------------------------------- after <Dial>

export async function handleDialResult(hook: TwilioWebhook): Promise<Response> {
  const p = DialResult.parse(hook.fields);
  const turn = queryInt(hook, "turn");
  const claim = await withService((tx) =>
    claimEvent(tx, { businessId: hook.channel.businessId, eventId: `${p.CallSid}:dial:${turn}`, kind: "voice", params: hook.params }),
  );
  const connected = p.DialCallStatus === "completed" || p.DialCallStatus === "answered";
  const twiml = connected
    ? farewellTwiml(voiceFor(hook.channel), PHRASES.goodbye)
    : takeMessageTwiml(voiceFor(hook.channel), PHRASES.leaveMessageBusy, actionUrl(hook, VOICE_PATHS.message, { turn }));
  if (!claim.fresh) return twimlResponse(twiml);
  const minutes = connected ? billableMinutes(p.DialCallDuration) : 0;
  const call = await callConversation(hook.channel, p.CallSid);
  const costUsd = await withService((tx) =>
    chargeChannelCost(tx, { businessId: hook.channel.businessId, kind: "voice_outbound", units: minutes, conversationId: call?.conversationId }),
  );
  await finishEvent(claim.id, { status: "processed", result: { twiml, dialStatus: p.DialCallStatus, minutes, costUsd } });
  return twimlResponse(twiml);
}

// ---------------------------------------------------------------- the call ends

/** The conversation a call's turns went into, found through the turns' metadata. */
async function callConversation(channel: Channel, callSid: string) {
  const [row] = await withService((tx) =>
    tx
      .select({ conversationId: messages.conversationId, customerId: messages.customerId })
      .from(messages)
      .where(and(eq(messages.businessId, channel.businessId), eq(messages.channelId, channel.id), sql`${messages.metadata}->>'callSid' = ${callSid}`))
      .orderBy(desc(messages.createdAt))
      .limit(1),
  );
  return row;
}

const FINAL = new Set(["completed", "busy", "failed", "no-answer", "canceled"]);

function describeCall(status: string, seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  const length = m ? `${m} min ${s} s` : `${s} s`;
  return status === "completed" ? `Call ended after ${length}.` : `Call ${status.replace("-", " ")}.`;
}

export async function handleCallStatus(hook: TwilioWebhook): Promise<Response> {
  const p = CallStatusCallback.parse(hook.fields);
  if (!FINAL.has(p.CallStatus)) return twimlResponse(emptyTwiml());
  const claim = await withService((tx) =>
    claimEvent(tx, { businessId: hook.channel.businessId, eventId: `${p.CallSid}:status`, kind: "voice_status", params: hook.params }),
  );
  if (!claim.fresh) return twimlResponse(emptyTwiml());
  const { channel } = hook;
  const seconds = p.CallDuration;
  const minutes = billableMinutes(seconds);

  // The call joins the caller's timeline, even when they never said a word.
  let found = await callConversation(channel, p.CallSid);
  const identity = callerIdentity(p.From, p.CallSid);
  if (!found && identity.kind === "phone") {
    found = await withService(async (tx) => {
      const { customer } = await resolveCustomer(tx, channel.businessId, identity, p.CallerName ?? null);
      const { conversation } = await resolveConversation(tx, { businessId: channel.businessId, customerId: customer.id, channelId: channel.id });
      return { conversationId: conversation.id, customerId: customer.id };
    });
  }
  let messageId: string | null = null;
  if (found) {
    const { message } = await withService((tx) =>
      storeMessage(tx, {
        businessId: channel.businessId,
        conversationId: found!.conversationId,
        customerId: found!.customerId,
        channelId: channel.id,
        role: "system",
        content: describeCall(p.CallStatus, seconds),
        providerMessageId: `${p.CallSid}:ended`,
        metadata: { callSid: p.CallSid, callStatus: p.CallStatus, durationSeconds: seconds, minutes },
      }),
    );
    messageId = message.id;
  }
  const costUsd = await withService((tx) =>
    chargeChannelCost(tx, { businessId: channel.businessId, kind: "voice", units: minutes, messageId, conversationId: found?.conversationId }),
  );
  await finishEvent(claim.id, { status: "processed", result: { seconds, minutes, costUsd, conversationId: found?.conversationId ?? null } });
  return twimlResponse(emptyTwiml());
}
