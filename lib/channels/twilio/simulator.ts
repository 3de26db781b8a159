import "server-only";
// The Channel simulator: plays a customer on SMS, WhatsApp or a call by posting the payload Twilio
// would post — same fields, signed with the channel's auth token — to the real webhook route, and
// reads the TwiML that comes back. Nothing is short-circuited: signature, parsing, idempotency,
// the pipeline and the reply all run as for Twilio.
import crypto from "node:crypto";
import { z } from "zod";
import { withService } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import type { Ctx } from "@/lib/services/context";
import { findBusinessChannel, toE164, wireAddress, WEBHOOK_PATHS, type Channel, type TwilioKind } from "./channels";
import { signingCredentials } from "./credentials";
import { encodeForm, twilioSignature } from "./request";
import { readMessages, readVoice, type VoiceStep } from "./twiml";

export type Post = (url: string, init: { method: "POST"; headers: Record<string, string>; body: string }) => Promise<Response>;

export const DEFAULT_SIMULATED_NUMBER = "+447700900123";
const VOICE_ACTION_PREFIX = "/api/webhooks/twilio/voice/";

const hex = (n: number) => crypto.randomBytes(n).toString("hex");
export const newMessageSid = () => `SM${hex(16)}`;
export const newCallSid = () => `CA${hex(16)}`;

/** The messaging webhook Twilio sends for an inbound SMS or WhatsApp message (its documented field set). */
export function messagingPayload(input: {
  kind: "sms" | "whatsapp";
  accountSid: string;
  from: string;
  to: string;
  body: string;
  messageSid?: string;
  mediaUrl?: string | null;
  mediaContentType?: string | null;
  profileName?: string | null;
  /** The sender's country as Twilio geolocates it (SMS only); the simulator's customers are in the UK. */
  fromCountry?: string;
}): Record<string, string> {
  const sid = input.messageSid ?? newMessageSid();
  const media: Record<string, string> = input.mediaUrl ? { MediaContentType0: input.mediaContentType ?? "image/jpeg", MediaUrl0: input.mediaUrl } : {};
  if (input.kind === "whatsapp") {
    return {
      SmsMessageSid: sid,
      NumMedia: input.mediaUrl ? "1" : "0",
      ProfileName: input.profileName ?? "Simulated customer",
      MessageType: input.mediaUrl ? (input.mediaContentType ?? "image/jpeg").split("/")[0]! : "text",
      SmsSid: sid,
      WaId: input.from.replace(/^\+/, ""),
      SmsStatus: "received",
      Body: input.body,
      To: wireAddress("whatsapp", input.to),
      NumSegments: "1",
      ReferralNumMedia: "0",
      MessageSid: sid,
      AccountSid: input.accountSid,
      From: wireAddress("whatsapp", input.from),
      ApiVersion: "2010-04-01",
      ...media,
    };
  }
  return {
    ToCountry: "US",
    ToState: "CA",
    SmsMessageSid: sid,
    NumMedia: input.mediaUrl ? "1" : "0",
    ToCity: "",
    FromZip: "",
    SmsSid: sid,
    FromState: "",
    SmsStatus: "received",
    FromCity: "",
    Body: input.body,
    FromCountry: input.fromCountry ?? "GB",
    To: input.to,
    ToZip: "",
    NumSegments: "1",
    ReferralNumMedia: "0",
    MessageSid: sid,
    AccountSid: input.accountSid,
    From: input.from,
    ApiVersion: "2010-04-01",
    ...media,
  };
}

/** The voice webhook fields of a call in progress (incoming call, Gather result, status callback). */
export function callPayload(input: { accountSid: string; callSid: string; from: string; to: string; status: string; extra?: Record<string, string> }): Record<string, string> {
  return {
    Called: input.to,
    ToState: "CA",
    CallerCountry: "GB",
    Direction: "inbound",
    CallerState: "",
    ToZip: "",
    CallSid: input.callSid,
    To: input.to,
    CallerZip: "",
    ToCountry: "US",
    ApiVersion: "2010-04-01",
    CalledZip: "",
    CalledCity: "",
    CallStatus: input.status,
    From: input.from,
    AccountSid: input.accountSid,
    CalledCountry: "US",
    CallerCity: "",
    ToCity: "",
    FromCountry: "GB",
    Caller: input.from,
    FromCity: "",
    CalledState: "CA",
    FromZip: "",
    FromState: "",
    ...input.extra,
  };
}

/** A request exactly as Twilio makes it: form body, X-Twilio-Signature over the URL and fields. */
export function signedRequestInit(authToken: string, url: string, fields: Record<string, string>) {
  return {
    method: "POST" as const,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": twilioSignature(authToken, url, fields),
      "user-agent": "TwilioProxy/1.1",
    },
    body: encodeForm(fields),
  };
}

export const SimulateInput = z.discriminatedUnion("kind", [
  z.object({
    kind: z.enum(["sms", "whatsapp"]),
    from: z.string().trim().default(DEFAULT_SIMULATED_NUMBER),
    text: z.string().max(1600).default(""),
    mediaUrl: z.union([z.literal(""), z.url({ protocol: /^https?$/, message: "The media link must be an http(s) URL" })]).optional(),
  }),
  z.object({
    kind: z.literal("voice"),
    from: z.string().trim().default(DEFAULT_SIMULATED_NUMBER),
    step: z.enum(["start", "say", "hangup"]),
    callSid: z.string().regex(/^CA[0-9a-f]{32}$/).optional(),
    /** the Gather action the last TwiML asked for */
    action: z.string().optional(),
    speech: z.string().max(2000).default(""),
    durationSeconds: z.coerce.number().int().min(0).max(4 * 3600).default(0),
  }),
]);
export type SimulateInput = z.input<typeof SimulateInput>;

export type SimulateResult = {
  status: number;
  twiml: string;
  /** messaging: what the TwiML sends back */
  replies: { body: string; media: string[] }[];
  /** voice: what the caller hears and where the call goes next */
  steps: VoiceStep[];
  next: string | null;
  callSid?: string;
  ended: boolean;
  error?: string;
  sentAt: string;
};

function nextAction(steps: VoiceStep[]): string | null {
  for (const s of steps) {
    if (s.verb === "Gather") return s.action;
    if (s.verb === "Redirect") return s.url;
    if (s.verb === "Dial" && s.action) return s.action;
  }
  return null;
}

export async function simulate({ ctx, input, origin, post }: { ctx: Ctx; input: unknown; origin: string; post: Post }): Promise<SimulateResult> {
  const v = SimulateInput.parse(input);
  const channel: Channel | undefined = await withService((tx) => findBusinessChannel(tx, ctx.businessId, v.kind as TwilioKind));
  if (!channel) throw new AppError("not_found", "Connect this channel first.");
  const from = toE164(v.from);
  if (!from) throw new AppError("bad_request", "The customer's number must be in international format, e.g. +447700900123.");
  const { accountSid, authToken } = signingCredentials(channel);
  const base = origin.replace(/\/$/, "");
  const sentAt = new Date().toISOString();

  let url: string;
  let fields: Record<string, string>;
  let callSid: string | undefined;
  if (v.kind === "voice") {
    callSid = v.callSid ?? newCallSid();
    if (v.step === "start") {
      url = base + WEBHOOK_PATHS.voice.incoming;
      fields = callPayload({ accountSid, callSid, from, to: channel.address, status: "ringing" });
    } else if (v.step === "say") {
      if (!v.action || !v.action.startsWith(base + VOICE_ACTION_PREFIX)) throw new AppError("bad_request", "The call has no next step; start a new call.");
      url = v.action;
      fields = callPayload({
        accountSid,
        callSid,
        from,
        to: channel.address,
        status: "in-progress",
        extra: v.speech.trim() ? { SpeechResult: v.speech.trim(), Confidence: "0.92" } : {},
      });
      if (url.includes("/voice/dial")) fields = { ...fields, DialCallStatus: "no-answer", DialCallDuration: "0" };
    } else {
      url = base + WEBHOOK_PATHS.voice.status;
      fields = callPayload({
        accountSid,
        callSid,
        from,
        to: channel.address,
        status: "completed",
        extra: { CallDuration: String(v.durationSeconds), Duration: String(Math.ceil(v.durationSeconds / 60)), CallbackSource: "call-progress-events", SequenceNumber: "0", Timestamp: new Date().toUTCString() },
      });
    }
  } else {
    url = base + WEBHOOK_PATHS[v.kind].incoming;
    fields = messagingPayload({ kind: v.kind, accountSid, from, to: channel.address, body: v.text, mediaUrl: v.mediaUrl || null });
  }

  const res = await post(url, signedRequestInit(authToken, url, fields));
  const twiml = await res.text();
  const result: SimulateResult = { status: res.status, twiml, replies: [], steps: [], next: null, callSid, ended: false, sentAt };
  if (!res.ok) {
    result.error = (() => {
      try {
        return (JSON.parse(twiml) as { error?: { message?: string } }).error?.message ?? `The webhook answered ${res.status}.`;
      } catch {
        return `The webhook answered ${res.status}.`;
      }
    })();
    return result;
  }
  if (v.kind === "voice") {
    result.steps = readVoice(twiml);
    result.next = nextAction(result.steps);
    result.ended = v.step === "hangup" || result.steps.some((s) => s.verb === "Hangup") || result.next === null;
  } else {
    result.replies = readMessages(twiml).map(({ body, media }) => ({ body, media }));
  }
  return result;
}
