import "server-only";
// The Channel simulator, one for every channel the registry pushes on or answers by phone: it plays
// the customer by making the request the provider would make — the payload the provider documents,
// signed as the provider signs it (X-Twilio-Signature with the channel's auth token, Resend's svix
// headers, the bot's secret token, X-Hub-Signature-256) — to the channel adapter's real webhook, and
// reads what comes back (TwiML for Twilio, JSON for the others). Nothing is short-circuited:
// verification, parsing, idempotency, threading, the pipeline and the reply all run as for real.
// Answers that leave after the response are read from the dev outbox (simulatorReplies). An email,
// Telegram, Instagram or Cloud API channel is played only while it is simulated (no real token or
// secret), so the simulator can never impersonate a provider.
import crypto from "node:crypto";
import { and, desc, eq, gte, inArray, isNull, or, sql } from "drizzle-orm";
import { z } from "zod";
import { withService } from "@/lib/db/client";
import { conversations, customerIdentities, messages, outbox } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import { env } from "@/lib/env";
import { identityHash, normaliseIdentity, type Identity } from "@/lib/pipeline/identities";
import type { Ctx } from "@/lib/services/context";
import { ADAPTERS, type AdapterKey, type ChannelAdapter } from "./adapter";
import { findBusinessChannel, TYPE_INFO, type MessagingType } from "./common/channels";
import { nameFromAddress } from "./common/sample-people";
import { replyAddress } from "./email/address";
import { threadOf } from "./email/send";
import { signingSecret, svixHeaders } from "./email/svix";
import { appSecretFor, metaSignature } from "./meta/app";
import { SECRET_HEADER, telegramCredentials } from "./telegram/channels";
import { toE164, wireAddress, WEBHOOK_PATHS, type Channel } from "./twilio/channels";
import { signingCredentials } from "./twilio/credentials";
import { encodeForm, twilioSignature } from "./twilio/request";
import { readMessages, readVoice, type VoiceStep } from "./twilio/twiml";

export type Post = (url: string, init: { method: "POST"; headers: Record<string, string>; body: string }) => Promise<Response>;

// ---------------------------------------------------------------- the simulated customers

export const DEFAULT_SIMULATED_NUMBER = "+447700900123";

export const SIMULATED = {
  email: { from: "alex.customer@example.com" },
  telegram: { from: "700100200", name: "Alex" },
  instagram: { from: "17841400000000001", name: "alex.customer" },
  "whatsapp-cloud": { from: DEFAULT_SIMULATED_NUMBER, name: "Alex" },
} as const;

// ---------------------------------------------------------------- what each provider posts

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

/** The customer's latest email conversation on the channel, for a simulated "Reply". */
async function latestEmailConversation(channel: Channel, address: string): Promise<string | null> {
  const [row] = await withService((tx) =>
    tx
      .select({ id: conversations.id })
      .from(conversations)
      .innerJoin(customerIdentities, and(eq(customerIdentities.customerId, conversations.customerId), eq(customerIdentities.businessId, conversations.businessId)))
      .where(
        and(
          eq(conversations.businessId, channel.businessId),
          eq(conversations.channelId, channel.id),
          eq(customerIdentities.kind, "email"),
          eq(customerIdentities.valueHash, identityHash({ kind: "email", value: address.toLowerCase() })),
        ),
      )
      .orderBy(desc(conversations.lastMessageAt))
      .limit(1),
  );
  return row?.id ?? null;
}

/** The From header: "Name <address>", the name made from the address when none was typed. */
export function senderOf(name: string, address: string): string {
  const display = (name.trim() || nameFromAddress(address)).replace(/["<>\\]/g, "");
  return display ? `${display} <${address}>` : address;
}

/** Resend's email.received event (https://resend.com/docs/webhooks/emails/received), with its content inline. */
export async function emailReceivedEvent(channel: Channel, v: Extract<z.output<typeof SimulateInput>, { type: "email" }>) {
  const emailId = crypto.randomUUID();
  const messageId = `<sim.${emailId}@mail.example.com>`;
  const headers: Record<string, string> = { "message-id": messageId, date: new Date().toUTCString(), ...v.headers };
  let to = channel.address;
  let subject = v.subject || "Question";
  if (v.reply) {
    const conversationId = await latestEmailConversation(channel, v.from);
    if (!conversationId) throw new AppError("bad_request", "This customer has no email conversation to reply in yet: send a new email first.");
    const thread = await threadOf(channel.businessId, conversationId);
    to = replyAddress(channel.address, conversationId);
    subject = `Re: ${thread.subject || subject}`;
    if (thread.inReplyTo) headers["in-reply-to"] = thread.inReplyTo;
    if (thread.references.length) headers.references = thread.references.join(" ");
  }
  return {
    type: "email.received",
    created_at: new Date().toISOString(),
    data: {
      email_id: emailId,
      created_at: new Date().toISOString(),
      from: senderOf(v.name, v.from),
      to: [to],
      cc: [],
      bcc: [],
      received_for: [to],
      message_id: messageId,
      subject,
      attachments: [],
      simulated: { text: v.text, html: null, headers },
    },
  };
}

/** A Telegram Update (https://core.telegram.org/bots/api#update) for a private chat with the bot. */
export function telegramUpdate(from: string, name: string, message: string) {
  const command = /^\/\w+/.exec(message);
  return {
    update_id: crypto.randomInt(100_000_000, 999_999_999),
    message: {
      message_id: crypto.randomInt(1, 2_000_000_000),
      from: { id: Number(from), is_bot: false, first_name: name, language_code: "en" },
      chat: { id: Number(from), first_name: name, type: "private" },
      date: Math.floor(Date.now() / 1000),
      text: message,
      ...(command ? { entities: [{ offset: 0, length: command[0].length, type: "bot_command" }] } : {}),
    },
  };
}

/** An Instagram messaging notification (Business Login for Instagram). */
export function instagramNotification(accountId: string, from: string, message: string) {
  const now = Date.now();
  return {
    object: "instagram",
    entry: [
      {
        id: accountId,
        time: now,
        messaging: [{ sender: { id: from }, recipient: { id: accountId }, timestamp: now, message: { mid: `aWdfZAG1faXRlbTpzaW06${crypto.randomBytes(12).toString("hex")}`, text: message } }],
      },
    ],
  };
}

/** A WhatsApp Cloud API text message notification. */
export function whatsappNotification(channel: Channel, from: string, name: string, message: string) {
  const waId = from.replace(/^\+/, "");
  const display = String(channel.settings?.displayPhoneNumber ?? "").replace(/^\+/, "");
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: String(channel.settings?.businessAccountId ?? "0"),
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: display, phone_number_id: channel.address },
              contacts: [{ profile: { name }, wa_id: waId }],
              messages: [{ from: waId, id: `wamid.${crypto.randomBytes(24).toString("base64url")}`, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: message } }],
            },
          },
        ],
      },
    ],
  };
}

// ---------------------------------------------------------------- what the simulator is asked

const VOICE_ACTION_PREFIX = "/api/webhooks/twilio/voice/";

const TwilioInput = z.discriminatedUnion("kind", [
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
const text = z.string().trim().min(1, "Write the customer's message.").max(4000);

const JsonInput = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("email"),
    from: z.email("Enter the customer's email address.").default(SIMULATED.email.from),
    /** the sender's display name; empty: made from the address ("maria.garcia@…" → "Maria Garcia") */
    name: z.string().trim().max(80).default(""),
    subject: z.string().trim().max(200).default(""),
    text,
    /** answer in the customer's latest conversation, as a mail client's "Reply" would */
    reply: z.boolean().default(false),
    /** headers an email client or an autoresponder would add (Auto-Submitted…) */
    headers: z.record(z.string(), z.string()).default({}),
  }),
  z.object({ type: z.literal("telegram"), from: z.string().trim().regex(/^\d{3,15}$/, "A Telegram user id is digits.").default(SIMULATED.telegram.from), name: z.string().trim().max(80).default(SIMULATED.telegram.name), text }),
  z.object({ type: z.literal("instagram"), from: z.string().trim().regex(/^\d{5,25}$/, "An Instagram-scoped id is digits.").default(SIMULATED.instagram.from), text }),
  z.object({ type: z.literal("whatsapp-cloud"), from: z.string().trim().default(SIMULATED["whatsapp-cloud"].from), name: z.string().trim().max(80).default(SIMULATED["whatsapp-cloud"].name), text }),
]);
/** What the simulator is asked: a Twilio channel's (`kind`: a message, or a call's step) or another channel's (`type`). */
export const SimulateInput = z.union([TwilioInput, JsonInput]);
export type SimulateInput = z.input<typeof SimulateInput>;
type Played = z.output<typeof TwilioInput> | z.output<typeof JsonInput>;

export type SimulateResult = {
  status: number;
  /** what the webhook answered, as text (Twilio's TwiML) */
  twiml: string;
  /** what the webhook answered, as JSON (email, Telegram, Meta) */
  body: Record<string, unknown>;
  /** messaging over Twilio: what the TwiML sends back */
  replies: { body: string; media: string[] }[];
  /** voice: what the caller hears and where the call goes next */
  steps: VoiceStep[];
  next: string | null;
  callSid?: string;
  ended: boolean;
  /** why nothing was answered: the webhook's error, or what it passed over */
  error?: string;
  sentAt: string;
};

/** Whether a messaging channel is one the simulator may play: nothing real behind it. */
export function isSimulated(type: MessagingType, channel: Channel): boolean {
  if (ADAPTERS[type].transport(channel) !== "outbox") return false;
  if (type === "email") return signingSecret().simulated;
  if (type === "telegram") return true;
  return appSecretFor(channel).source === "simulator";
}

function nextAction(steps: VoiceStep[]): string | null {
  for (const s of steps) {
    if (s.verb === "Gather") return s.action;
    if (s.verb === "Redirect") return s.url;
    if (s.verb === "Dial" && s.action) return s.action;
  }
  return null;
}

/** The request the provider would make for `v` on this channel: where it goes, and its signed body. */
async function providerRequest(v: Played, channel: Channel, base: string): Promise<{ url: string; init: Parameters<Post>[1]; callSid?: string }> {
  if ("kind" in v) {
    const from = toE164(v.from);
    if (!from) throw new AppError("bad_request", "The customer's number must be in international format, e.g. +447700900123.");
    const { accountSid, authToken } = signingCredentials(channel);
    const twilio = (url: string, fields: Record<string, string>, callSid?: string) => ({ url, init: signedRequestInit(authToken, url, fields), callSid });
    if (v.kind !== "voice") {
      return twilio(base + WEBHOOK_PATHS[v.kind].incoming, messagingPayload({ kind: v.kind, accountSid, from, to: channel.address, body: v.text, mediaUrl: v.mediaUrl || null }));
    }
    const callSid = v.callSid ?? newCallSid();
    const call = (status: string, extra?: Record<string, string>) => callPayload({ accountSid, callSid, from, to: channel.address, status, extra });
    if (v.step === "start") return twilio(base + WEBHOOK_PATHS.voice.incoming, call("ringing"), callSid);
    if (v.step === "say") {
      if (!v.action || !v.action.startsWith(base + VOICE_ACTION_PREFIX)) throw new AppError("bad_request", "The call has no next step; start a new call.");
      let fields = call("in-progress", v.speech.trim() ? { SpeechResult: v.speech.trim(), Confidence: "0.92" } : {});
      if (v.action.includes("/voice/dial")) fields = { ...fields, DialCallStatus: "no-answer", DialCallDuration: "0" };
      return twilio(v.action, fields, callSid);
    }
    const ended = { CallDuration: String(v.durationSeconds), Duration: String(Math.ceil(v.durationSeconds / 60)), CallbackSource: "call-progress-events", SequenceNumber: "0", Timestamp: new Date().toUTCString() };
    return twilio(base + WEBHOOK_PATHS.voice.status, call("completed", ended), callSid);
  }
  const json = (url: string, payload: unknown, headers: (body: string) => Record<string, string> | Promise<Record<string, string>>) => {
    const body = JSON.stringify(payload);
    return Promise.resolve(headers(body)).then((h) => ({ url, init: { method: "POST" as const, headers: { "content-type": "application/json", ...h }, body } }));
  };
  if (v.type === "email") {
    return json(base + ADAPTERS.email.webhooks[0], await emailReceivedEvent(channel, v), (body) => svixHeaders(signingSecret().secret, `msg_${crypto.randomBytes(12).toString("hex")}`, body));
  }
  if (v.type === "telegram") {
    const url = base + ADAPTERS.telegram.webhooks[0]!.replace("[channel]", channel.id);
    return json(url, telegramUpdate(v.from, v.name, v.text), () => ({ [SECRET_HEADER]: telegramCredentials(channel)!.webhookSecret }));
  }
  const payload = v.type === "instagram" ? instagramNotification(channel.address, v.from, v.text) : whatsappNotification(channel, v.from, v.name, v.text);
  return json(base + ADAPTERS[v.type].webhooks[0], payload, (body) => ({ "x-hub-signature-256": metaSignature(appSecretFor(channel).secret, body) }));
}

/** Hands a request to the webhook route serving its path, in this process (the JSON providers' routes). */
const inProcess: Post = async (url, init) => {
  const req = new Request(url, init);
  const path = new URL(url).pathname;
  if (path === ADAPTERS.email.webhooks[0]) return (await import("./email/webhook")).resendWebhook(req);
  const bot = /^\/api\/webhooks\/telegram\/([^/]+)$/.exec(path);
  if (bot) return (await import("./telegram/webhook")).telegramWebhook(req, { params: Promise.resolve({ channel: bot[1]! }) });
  const meta = (["instagram", "whatsapp-cloud"] as const).find((k) => ADAPTERS[k].webhooks[0] === path);
  if (meta) return (await import("./meta/webhook")).metaNotifications(meta)(req);
  throw new AppError("bad_request", `The simulator cannot reach ${path} from here.`);
};

/**
 * Plays the customer once: the channel (connected, and for the JSON providers simulated), the request
 * its provider would make, posted to its webhook (`post`: how to reach it; the JSON providers' routes
 * are called in this process by default), and the answer read.
 */
export async function simulate({ ctx, input, origin = env().appUrl, post = inProcess }: { ctx: Ctx; input: unknown; origin?: string; post?: Post }): Promise<SimulateResult> {
  const twilio = Boolean(input && typeof input === "object" && "kind" in input);
  const v: Played = twilio ? TwilioInput.parse(input) : JsonInput.parse(input);
  const channel = await withService((tx) => findBusinessChannel(tx, ctx.businessId, "kind" in v ? v.kind : v.type));
  if (!channel) throw new AppError("not_found", "kind" in v ? "Connect this channel first." : `Connect ${TYPE_INFO[v.type].label} first.`);
  if ("type" in v && !isSimulated(v.type, channel)) {
    throw new AppError("forbidden", `This ${TYPE_INFO[v.type].label} channel is live: the Channel simulator only plays simulated channels. Write to it for real instead.`);
  }
  const sentAt = new Date().toISOString();
  const { url, init, callSid } = await providerRequest(v, channel, origin.replace(/\/$/, ""));
  const res = await post(url, init);
  const text = await res.text();
  const body = (() => {
    try {
      const value: unknown = JSON.parse(text);
      return value && typeof value === "object" ? (value as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  })();
  const result: SimulateResult = { status: res.status, twiml: twilio ? text : "", body, replies: [], steps: [], next: null, callSid, ended: false, sentAt };
  if (!res.ok) {
    result.error = (body.error as { message?: string } | undefined)?.message ?? `The webhook answered ${res.status}.`;
    return result;
  }
  if (typeof body.ignored === "string") result.error = body.ignored;
  if ("kind" in v && v.kind === "voice") {
    result.steps = readVoice(text);
    result.next = nextAction(result.steps);
    result.ended = v.step === "hangup" || result.steps.some((s) => s.verb === "Hangup") || result.next === null;
  } else if (twilio) {
    result.replies = readMessages(text).map(({ body, media }) => ({ body, media }));
  }
  return result;
}

// ---------------------------------------------------------------- what reached the simulated customer

/** The simulated customer's identity on this channel, as the webhook records it; null when `from` is not one. */
function simulatedIdentity(adapter: ChannelAdapter, from: string): Identity | null {
  if (!adapter.identity) return null;
  // Twilio's simulator posts the number as toE164 reads it; the others' webhooks normalise it themselves.
  if (adapter.provider === "Twilio") {
    const phone = toE164(from);
    return phone ? { kind: "phone", value: phone } : null;
  }
  try {
    return normaliseIdentity({ kind: adapter.identity, value: from });
  } catch {
    return null;
  }
}

/**
 * What reached the simulated customer on a channel since the simulator wrote, from the dev outbox:
 * answers sent after the webhook answered, staff replies and campaigns, the rate limit's notice.
 * With `from`, only what went to that customer. The Channel simulator of every channel reads this.
 */
export async function simulatorReplies(
  businessId: string,
  key: Exclude<AdapterKey, "web">,
  since: Date,
  from?: string | null,
): Promise<{ id: string; body: string; subject: string | null; at: string }[]> {
  const identity = from ? simulatedIdentity(ADAPTERS[key], from) : null;
  if (from && !identity) return [];
  const rows = await withService(async (tx) => {
    const channel = await findBusinessChannel(tx, businessId, key);
    if (!channel) return [];
    // This customer's: rows delivering a message of theirs, and rows sent into their conversation
    // without a stored message (the rate limit's notice).
    const theirs = () =>
      and(
        eq(messages.businessId, businessId),
        eq(messages.channelId, channel.id),
        eq(customerIdentities.kind, identity!.kind),
        eq(customerIdentities.valueHash, identityHash(identity!)),
      );
    const joined = (cols: Parameters<typeof tx.select>[0]) =>
      tx
        .select(cols)
        .from(messages)
        .innerJoin(customerIdentities, and(eq(customerIdentities.customerId, messages.customerId), eq(customerIdentities.businessId, messages.businessId)))
        .where(theirs());
    const toCustomer = identity
      ? [
          or(
            inArray(outbox.messageId, joined({ id: messages.id })),
            and(isNull(outbox.messageId), inArray(sql`${outbox.payload}->>'conversationId'`, joined({ id: sql<string>`${messages.conversationId}::text` }))),
          ),
        ]
      : [];
    return tx
      .select({ id: outbox.id, body: outbox.body, subject: outbox.subject, createdAt: outbox.createdAt })
      .from(outbox)
      .where(and(eq(outbox.businessId, businessId), gte(outbox.createdAt, since), sql`${outbox.payload}->>'channelId' = ${channel.id}`, ...toCustomer))
      .orderBy(outbox.createdAt)
      .limit(20);
  });
  return rows.map((r) => ({ id: r.id, body: r.body, subject: r.subject, at: r.createdAt.toISOString() }));
}
