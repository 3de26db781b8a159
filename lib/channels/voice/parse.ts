// Twilio's voice webhooks as documented: the incoming call, a <Gather input="speech"> result, a
// <Dial> outcome and the call status callback. Unknown fields pass; the ones we use are checked.
import { z } from "zod";
import type { Parsed } from "@/lib/channels/adapter";
import { toE164, type Channel } from "@/lib/channels/twilio/channels";
import type { Identity } from "@/lib/pipeline/identities";

const CallSid = z.string({ message: "CallSid is required" }).regex(/^CA[0-9a-fA-F]{32}$/, "CallSid is not a Twilio call SID");
const AccountSid = z.string({ message: "AccountSid is required" }).regex(/^AC[0-9a-fA-F]{32}$/, "AccountSid is not a Twilio account SID");
const Our = z.string({ message: "To is required" }).refine((v) => toE164(v) !== null, { message: "To is not a phone number" });

export const CALL_STATUSES = ["queued", "initiated", "ringing", "in-progress", "completed", "busy", "failed", "no-answer", "canceled"] as const;

export const VoiceCall = z.looseObject({
  CallSid,
  AccountSid,
  From: z.string({ message: "From is required" }),
  To: Our,
  CallStatus: z.enum(CALL_STATUSES, { message: "CallStatus is not a Twilio call status" }),
  Direction: z.string().optional(),
  CallerName: z.string().optional(),
  FromCountry: z.string().optional(),
});
export type VoiceCall = z.infer<typeof VoiceCall>;

export const GatherResult = VoiceCall.extend({
  SpeechResult: z.string().max(5000).optional(),
  Confidence: z.coerce.number().min(0).max(1).optional(),
});
export type GatherResult = z.infer<typeof GatherResult>;

export const DialResult = VoiceCall.extend({
  DialCallStatus: z.enum(["completed", "answered", "busy", "no-answer", "failed", "canceled"], { message: "DialCallStatus is not a Twilio dial status" }),
  DialCallDuration: z.coerce.number().int().min(0).default(0),
  DialCallSid: z.string().optional(),
});
export type DialResult = z.infer<typeof DialResult>;

export const CallStatusCallback = VoiceCall.extend({
  CallDuration: z.coerce.number().int().min(0).default(0),
  Timestamp: z.string().optional(),
  SequenceNumber: z.coerce.number().int().optional(),
});
export type CallStatusCallback = z.infer<typeof CallStatusCallback>;

/** The caller-ID values Twilio uses when the number is withheld (anonymous, restricted, blocked, unavailable, unknown). */
const WITHHELD = new Set(["+266696687", "+7378742833", "+2562533", "+8656696", "+86282452253", "anonymous", "restricted", "unknown", "private"]);

/** The caller's number in E.164, or null when it is withheld or not a number. */
export function callerNumber(from: string): string | null {
  const raw = from.trim().toLowerCase();
  if (WITHHELD.has(raw)) return null;
  return toE164(from);
}

/** Who is calling: their number, or a one-off identity when the number is withheld. */
export function callerIdentity(from: string, callSid: string): Identity {
  const number = callerNumber(from);
  return number ? { kind: "phone", value: number } : { kind: "web", value: `withheld-caller:${callSid}` };
}

/** One turn of a call: what the caller said on it (or in a message left for the team). */
export type CallerTurn = { call: GatherResult; turn: number; speech: string; metadata?: Record<string, unknown> };

/** The voice adapter's parse: a caller's turn → the one InboundMessage (one per CallSid and turn). */
export function parseCallerSpeech(channel: Channel, { call, turn, speech, metadata = {} }: CallerTurn): Parsed {
  return {
    message: {
      businessId: channel.businessId,
      channelId: channel.id,
      channelKind: "voice",
      from: callerIdentity(call.From, call.CallSid),
      name: call.CallerName ?? null,
      text: speech,
      providerMessageId: `${call.CallSid}:${turn}`,
      metadata: { callSid: call.CallSid, turn, ...metadata, ...(call.Confidence !== undefined ? { confidence: call.Confidence } : {}) },
    },
  };
}
