import "server-only";
// One ChannelAdapter per kind of channel, and the one registry of them. Everything that is the same
// for every channel (the outbox and its drain, answer delivery with retries, the delivery-status
// scale, the dev outbox) asks the registry; only an adapter knows its provider. A new channel is a
// folder under lib/channels/ with its adapter, registered in ADAPTERS (see lib/channels/README.md).
import crypto from "node:crypto";
import type { Executor } from "@/lib/db/client";
import type { IdentityKind } from "@/lib/pipeline/identities";
import type { InboundMessage } from "@/lib/pipeline/types";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { normaliseIdentity } from "@/lib/pipeline/identities";
import { messagingTypeOf, TWILIO_INFO, TYPE_INFO, type MessagingType } from "./common/channels";
import type { Delivery, SendResult, Transport } from "./common/send";
import { flatten, isValidSignature, parseForm, publicUrl } from "./twilio/request";
import { platformCredentials, signingCredentials, restCredentials } from "./twilio/credentials";
import { readSettings, toE164, WEBHOOK_PATHS as TWILIO_PATHS, type Channel } from "./twilio/channels";
import { sendMessage } from "./twilio/deliver";
import { OUTSIDE_WINDOW } from "./twilio/outbound";
import { MESSAGE_STATUSES } from "./twilio/status";
import type { ChannelCostKind } from "./common/costs";
import { serviceWindow, type ServiceWindow } from "./whatsapp/window";
import { sendWhatsAppCloud } from "./whatsapp/cloud-send";
import { sendInstagram } from "./instagram/send";
import { sendTelegram } from "./telegram/send";
import { sendEmail } from "./email/send";
import { emailTransport } from "./email/channels";
import { metaTransport } from "./meta/app";
import { instagramWindow } from "./instagram/window";
import { isKnownCloudStatus, parseCloudMessage } from "./whatsapp/cloud-parse";
import { parseSms } from "./sms/parse";
import { parseWhatsApp } from "./whatsapp/parse";
import { parseCallerSpeech } from "./voice/parse";
import { parseTelegramUpdate } from "./telegram/parse";
import { parseInstagramMessaging } from "./instagram/parse";
import { appSecretFor, isValidMetaSignature } from "./meta/app";
import { WEBHOOK_PATHS as META_PATHS } from "./meta/channels";
import { verifySvix } from "./email/svix";
import { EMAIL_STATUS } from "./email/payload";
import { parseEmail } from "./email/parse";
import { sameSecret, SECRET_HEADER, telegramCredentials } from "./telegram/channels";

export type ChannelKind = "web" | "sms" | "whatsapp" | "voice" | "email" | "telegram" | "instagram";
/** An adapter's name: the channel kind, except WhatsApp, which has two transports (Twilio and Meta's Cloud API). */
export type AdapterKey = Exclude<ChannelKind, "whatsapp"> | "whatsapp" | "whatsapp-cloud";

export type Window = Pick<ServiceWindow, "open" | "closesAt">;

/**
 * One customer message of a provider's payload, read: the pipeline's one InboundMessage, or why it is
 * not one to answer (an echo, an edit, a reaction, empty, …: the webhook records the reason and
 * acknowledges). `note` is what the acknowledgement says, where the provider's answer says it.
 */
export type Parsed = { message: InboundMessage } | { ignored: string; note?: string; detail?: string };

export type ChannelAdapter = {
  key: AdapterKey;
  /** the channels.kind it serves */
  kind: ChannelKind;
  label: string;
  provider: string;
  /** the customer identity its messages go to (null: nothing is pushed, the customer is on the page or the line) */
  identity: IdentityKind | null;
  /** the public webhook routes the provider calls (paths never change: providers are configured with them) */
  webhooks: readonly string[];
  /**
   * Whether the provider signed this request for this channel, on the exact raw bytes: Twilio's
   * X-Twilio-Signature, Meta's X-Hub-Signature-256, Resend's svix headers, Telegram's secret token.
   * Absent for web chat, whose requests carry the visitor's session instead.
   */
  verify?: (req: Request, raw: string, channel: Channel | null) => boolean | Promise<boolean>;
  /** Why verify refused the request, as the refusal (Twilio's 403, the others' 401) says it. */
  refusal?: (req: Request, raw: string) => string | Promise<string>;
  /**
   * What the webhook read (Twilio's form fields, one Telegram Update, one Instagram messaging event,
   * one Cloud API message, a received email with its content, a caller's turn) as the one
   * InboundMessage for this channel. A payload that is not what the provider documents throws (a 400).
   * Absent for web chat, whose route posts InboundMessage's own fields.
   */
  parse?(channel: Channel, payload: unknown): Parsed | Promise<Parsed>;
  /** how a send leaves now: the provider, or "outbox" in embedded mode (the dev outbox keeps it) */
  transport: (channel: Channel) => Transport;
  /** what one unit sent costs in the price table (lib/billing), null: nothing is charged per send */
  costKind: ChannelCostKind | null;
  /** the provider's window for free-form messages (WhatsApp's 24 hours, Instagram's); absent: always open */
  window?: (ex: Executor, businessId: string, conversationId: string) => Promise<Window>;
  /**
   * Sends one message (text, template, media where the provider has them) to one address, through
   * common/send's sendOut; absent: answers go back in the request. Every push, test and digest of
   * common/outbound ends here, after the rules every channel shares.
   */
  deliver?: (d: Delivery) => Promise<SendResult>;
  /** The address a channel-page test goes to, in the form `deliver` takes; a bad one is a 400 saying what to enter. */
  testRecipient?: (raw: string) => string;
  /** the channel's approved templates (WhatsApp through Twilio); absent: the channel sends text only */
  templates?: (channel: Channel) => { contentSid: string }[];
  /**
   * What the channel refuses with a 422 the sender sees, where the others record a skip on the
   * message: Twilio's WhatsApp outside its 24 hours (free text: only an approved template may go),
   * a customer with no number. Absent: a skip (no_address; the window is the adapter's send's to
   * judge, as Instagram's and the Cloud API's are).
   */
  refusals?: { noAddress: string; windowClosed?: string };
  /**
   * Simulated, a queued message is recorded as its outbox row and nothing more (no cost, no checks):
   * the messaging channels. Absent: it goes through `deliver` as a live send would (Twilio's, whose
   * dev-outbox record is billed by its segments).
   */
  queuedIsRecord?: boolean;
  /** a provider's delivery status on the one scale of lib/channels/common/status (null: not one we track) */
  status: (providerStatus: string) => string | null;
  /** what the provider would post for a customer writing `text` from `from`: the Channel simulator plays it */
  simulatorPayload: (channel: Channel, from: string, text: string) => Promise<unknown>;
};

/** An address normalised as its identity is (an email lower-cased, a phone number E.164), or a 400 saying what to enter. */
function identityOrSay(kind: "email" | "phone", raw: string, say: string): string {
  try {
    return normaliseIdentity({ kind, value: raw }).value;
  } catch {
    throw new AppError("bad_request", say);
  }
}

const twilioStatus = (s: string) => ((MESSAGE_STATUSES as readonly string[]).includes(s) ? s : null);

/**
 * X-Twilio-Signature over the public URL and the form, with the channel's auth token (no channel: the
 * platform account's, so a signed request for a number we do not have is a 404, not a 403), and the
 * form's AccountSid, if any, that account's.
 */
function verifyTwilio(req: Request, raw: string, channel: Channel | null): boolean {
  const credentials = channel ? signingCredentials(channel) : platformCredentials();
  const params = parseForm(raw);
  if (!credentials || !isValidSignature(credentials.authToken, req.headers.get("x-twilio-signature"), publicUrl(req), params)) return false;
  const sid = flatten(params).AccountSid;
  return !sid || sid === credentials.accountSid;
}
const twilioRefusal = () => "The X-Twilio-Signature header is missing or does not match this request.";

/** X-Hub-Signature-256 with the channel's app secret; no channel: the platform app's (META_APP_SECRET). */
function verifyMeta(req: Request, raw: string, channel: Channel | null): boolean {
  const secret = channel ? appSecretFor(channel).secret : env().META_APP_SECRET;
  return Boolean(secret && isValidMetaSignature(secret, raw, req.headers.get("x-hub-signature-256")));
}
const metaRefusal = () => "The X-Hub-Signature-256 header is missing or is not the HMAC-SHA256 of this body with the app secret.";

/** A phone number as Twilio takes it (E.164), the form's field saying what to enter. */
function e164Recipient(raw: string): string {
  const to = toE164(raw);
  if (!to) throw new AppError("bad_request", "Enter the number in international format, e.g. +14155550100", { field: "to" });
  return to;
}

const twilioMessaging = (kind: "sms" | "whatsapp"): ChannelAdapter => ({
  ...TWILIO_INFO[kind],
  key: kind,
  webhooks: [TWILIO_PATHS[kind].incoming, TWILIO_PATHS[kind].status],
  verify: verifyTwilio,
  refusal: twilioRefusal,
  parse: kind === "sms" ? parseSms : parseWhatsApp,
  transport: (channel) => (restCredentials(channel) ? "twilio" : "outbox"),
  costKind: kind,
  ...(kind === "whatsapp" ? { window: serviceWindow, templates: (channel: Channel) => readSettings("whatsapp", channel.settings).templates } : {}),
  deliver: sendMessage,
  testRecipient: e164Recipient,
  refusals: { noAddress: "This customer has no phone number we can reach.", ...(kind === "whatsapp" ? { windowClosed: OUTSIDE_WINDOW } : {}) },
  status: twilioStatus,
  simulatorPayload: async (channel, from, text) =>
    (await import("./simulator")).messagingPayload({ kind, accountSid: signingCredentials(channel).accountSid, from, to: channel.address, body: text }),
});

/** Email, Telegram, Instagram and WhatsApp through Meta: simulated, a queued message's outbox row is its record. */
const messaging = (type: MessagingType, a: Omit<ChannelAdapter, "key" | keyof (typeof TYPE_INFO)[MessagingType] | "queuedIsRecord" | "simulatorPayload">): ChannelAdapter => ({
  ...a,
  ...TYPE_INFO[type],
  key: type,
  queuedIsRecord: true,
  testRecipient: (raw) => {
    if (!raw) throw new AppError("bad_request", "Enter where to send the test.", { field: "to" });
    return a.testRecipient!(raw);
  },
  // The simulator's payload builders (lib/channels/simulator) are loaded when used.
  simulatorPayload: async (channel, from, text) => {
    const sim = await import("./simulator");
    if (type === "email") return sim.emailReceivedEvent(channel, { type: "email", from, name: "", subject: "", text, reply: false, headers: {} });
    if (type === "telegram") return sim.telegramUpdate(from, sim.SIMULATED.telegram.name, text);
    if (type === "instagram") return sim.instagramNotification(channel.address, from, text);
    return sim.whatsappNotification(channel, from, sim.SIMULATED["whatsapp-cloud"].name, text);
  },
});

export const ADAPTERS: Record<AdapterKey, ChannelAdapter> = {
  web: {
    key: "web",
    kind: "web",
    label: "Web chat",
    provider: "PrismAI",
    identity: null,
    webhooks: [],
    transport: () => "web",
    costKind: null,
    status: () => null,
    simulatorPayload: async (_channel, _from, text) => ({ text, clientId: crypto.randomBytes(12).toString("base64url") }),
  },
  sms: twilioMessaging("sms"),
  whatsapp: twilioMessaging("whatsapp"),
  voice: {
    ...TWILIO_INFO.voice,
    key: "voice",
    webhooks: [TWILIO_PATHS.voice.incoming, TWILIO_PATHS.voice.status],
    verify: verifyTwilio,
    refusal: twilioRefusal,
    parse: parseCallerSpeech,
    transport: (channel) => (restCredentials(channel) ? "twilio" : "outbox"),
    costKind: "voice",
    // A call's answer is spoken during the call; nothing is pushed afterwards.
    status: () => null,
    simulatorPayload: async (channel, from) => {
      const sim = await import("./simulator");
      return sim.callPayload({ accountSid: signingCredentials(channel).accountSid, callSid: sim.newCallSid(), from, to: channel.address, status: "ringing" });
    },
  },
  email: messaging("email", {
    webhooks: ["/api/webhooks/resend"],
    verify: async (req, raw) => (await verifySvix(raw, req.headers)).ok,
    refusal: async (req, raw) => {
      const verdict = await verifySvix(raw, req.headers);
      return verdict.ok ? "" : verdict.reason;
    },
    parse: parseEmail,
    transport: () => emailTransport(),
    deliver: sendEmail,
    testRecipient: (raw) => identityOrSay("email", raw, "Enter an email address."),
    costKind: "email",
    status: (s) => EMAIL_STATUS[s as keyof typeof EMAIL_STATUS] ?? null,
  }),
  telegram: messaging("telegram", {
    webhooks: ["/api/webhooks/telegram/[channel]"],
    verify: (req, _raw, channel) => {
      const secret = channel && telegramCredentials(channel)?.webhookSecret;
      return Boolean(secret && sameSecret(req.headers.get(SECRET_HEADER), secret));
    },
    refusal: () => "The X-Telegram-Bot-Api-Secret-Token header is missing or does not match this bot's webhook secret.",
    parse: parseTelegramUpdate,
    transport: (channel) => (telegramCredentials(channel)?.botToken ? "telegram" : "outbox"),
    deliver: sendTelegram,
    testRecipient: (raw) => {
      if (!/^-?\d{1,20}$/.test(raw)) throw new AppError("bad_request", "Enter a Telegram chat id (digits): message the bot first, it is on the customer's conversation.");
      return raw;
    },
    costKind: "telegram",
    // The Bot API reports no delivery: a message it took is "sent".
    status: () => null,
  }),
  instagram: messaging("instagram", {
    webhooks: [META_PATHS.instagram],
    verify: verifyMeta,
    refusal: metaRefusal,
    parse: parseInstagramMessaging,
    transport: metaTransport,
    deliver: sendInstagram,
    testRecipient: (raw) => {
      if (!/^\d{5,25}$/.test(raw)) throw new AppError("bad_request", "Enter the Instagram-scoped id (digits) of someone who has messaged the account.");
      return raw;
    },
    costKind: "instagram",
    window: async (ex, businessId, conversationId) => {
      const w = await instagramWindow(ex, businessId, conversationId);
      return { open: w.stage === "open", closesAt: w.responseClosesAt };
    },
    status: () => null,
  }),
  "whatsapp-cloud": messaging("whatsapp-cloud", {
    webhooks: [META_PATHS["whatsapp-cloud"]],
    verify: verifyMeta,
    refusal: metaRefusal,
    parse: parseCloudMessage,
    transport: metaTransport,
    deliver: sendWhatsAppCloud,
    testRecipient: (raw) => identityOrSay("phone", raw, "Enter the number in international format, e.g. +14155550100"),
    costKind: "whatsapp",
    window: serviceWindow,
    status: (s) => (isKnownCloudStatus(s) ? s : null),
  }),
};

/** The adapter serving a channel row: its kind, and for WhatsApp its provider (settings.provider "meta": the Cloud API). */
export function adapterFor(channel: { kind: string; settings: Record<string, unknown> | null }): ChannelAdapter {
  const type = messagingTypeOf(channel);
  const adapter = type ? ADAPTERS[type] : ADAPTERS[channel.kind as AdapterKey];
  if (!adapter) throw new Error(`No channel adapter for kind ${channel.kind}`);
  return adapter;
}

/** The message of a parse that always yields one (Twilio's forms, a caller's turn); an ignored one there is a bug. */
export function messageOf(parsed: Parsed): InboundMessage {
  if ("message" in parsed) return parsed.message;
  throw new Error(`The adapter passed over a payload it always reads (${parsed.ignored}).`);
}

/** The channel kinds some adapter pushes messages on (the outbox drain's rows, the sweeper's answers). */
export const PUSHED_KINDS: readonly ChannelKind[] = [...new Set(Object.values(ADAPTERS).filter((a) => a.deliver).map((a) => a.kind))];
