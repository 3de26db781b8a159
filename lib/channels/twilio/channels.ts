import "server-only";
// Twilio channels (SMS, WhatsApp, voice): their settings, the number a customer writes or calls,
// the URLs to paste into Twilio, and connecting one from the dashboard.
import { parsePhoneNumberFromString } from "libphonenumber-js";
import { z } from "zod";
import { withService } from "@/lib/db/client";
import { env } from "@/lib/env";
import { MANAGERS, requireRole, type Ctx } from "@/lib/services/context";
import { findBusinessChannel, optionalText, readStored, saveChannel, type Channel } from "@/lib/channels/common/channels";
import { TwilioCredentials, channelCredentials, maskSid, sealCredentials } from "./credentials";
import { text } from "@/lib/validation/text";

export const TWILIO_KINDS = ["sms", "whatsapp", "voice"] as const;
export type TwilioKind = (typeof TWILIO_KINDS)[number];
export type { Channel };

/** "+44 7700 900123", "whatsapp:+447700900123", "(415) 555-0100" → "+447700900123"; null if not a number. */
export function toE164(raw: string | null | undefined, defaultCountry = "US"): string | null {
  if (!raw) return null;
  const phone = parsePhoneNumberFromString(raw.trim().replace(/^whatsapp:/i, ""), defaultCountry as never);
  return phone && phone.isPossible() ? phone.number : null;
}

/** The address form Twilio uses on the wire for this kind. */
export function wireAddress(kind: TwilioKind, e164: string): string {
  return kind === "whatsapp" ? `whatsapp:${e164}` : e164;
}

// ---------------------------------------------------------------- settings per kind

const E164 = z
  .string()
  .trim()
  .transform((v, ctx) => {
    const n = toE164(v);
    if (!n) ctx.addIssue({ code: "custom", message: "Enter the number in international format, e.g. +14155550100" });
    return n ?? v;
  });

export const SmsSettings = z.object({
  /** the answer to HELP; the business name and STOP instructions are added around it */
  helpText: text().trim().max(300).default(""),
});
export type SmsSettings = z.infer<typeof SmsSettings>;

export const WhatsAppTemplate = z.object({
  name: text().trim().min(1, "Give the template a name").max(80),
  /** the Content API SID of a template WhatsApp approved */
  contentSid: z.string().trim().regex(/^HX[0-9a-fA-F]{32}$/, "The content SID starts with HX followed by 32 hexadecimal characters"),
  /** the approved text, {{1}} placeholders included, shown to staff */
  body: text().trim().min(1).max(1024),
});
export type WhatsAppTemplate = z.infer<typeof WhatsAppTemplate>;

export const WhatsAppSettings = z.object({
  templates: z.array(WhatsAppTemplate).max(20).default([]),
});
export type WhatsAppSettings = z.infer<typeof WhatsAppSettings>;

/** Twilio <Say> voices (Amazon Polly neural) with the language each speaks and listens in. */
export const VOICES = [
  { id: "Polly.Joanna-Neural", language: "en-US", label: "Joanna — English (US)" },
  { id: "Polly.Matthew-Neural", language: "en-US", label: "Matthew — English (US)" },
  { id: "Polly.Amy-Neural", language: "en-GB", label: "Amy — English (UK)" },
  { id: "Polly.Brian-Neural", language: "en-GB", label: "Brian — English (UK)" },
  { id: "Polly.Olivia-Neural", language: "en-AU", label: "Olivia — English (Australia)" },
  { id: "Polly.Lucia-Neural", language: "es-ES", label: "Lucía — Spanish (Spain)" },
  { id: "Polly.Mia-Neural", language: "es-MX", label: "Mía — Spanish (Mexico)" },
  { id: "Polly.Lea-Neural", language: "fr-FR", label: "Léa — French" },
  { id: "Polly.Vicki-Neural", language: "de-DE", label: "Vicki — German" },
  { id: "Polly.Bianca-Neural", language: "it-IT", label: "Bianca — Italian" },
  { id: "Polly.Camila-Neural", language: "pt-BR", label: "Camila — Portuguese (Brazil)" },
] as const;
export type VoiceId = (typeof VOICES)[number]["id"];
const VOICE_IDS = VOICES.map((v) => v.id) as [VoiceId, ...VoiceId[]];

export const VoiceSettings = z.object({
  /** spoken when the call is answered; the business's greeting when empty */
  greeting: text().trim().max(500).default(""),
  voice: z.enum(VOICE_IDS, { message: "Choose one of the listed voices" }).default("Polly.Joanna-Neural"),
  /** where "a person, please" is put through; without one, callers leave a message */
  forwardingNumber: z.union([z.literal(""), E164]).default(""),
  /** seconds of silence before the assistant asks again */
  silenceTimeout: z.coerce.number().int().min(2).max(15).default(5),
});
export type VoiceSettings = z.infer<typeof VoiceSettings>;

export function voiceLanguage(voice: VoiceId): string {
  return VOICES.find((v) => v.id === voice)?.language ?? "en-US";
}

const SETTINGS = { sms: SmsSettings, whatsapp: WhatsAppSettings, voice: VoiceSettings } as const;

/** Stored settings → valid settings; a bad stored value falls back to the defaults. */
export function readSettings<K extends TwilioKind>(kind: K, raw: unknown): K extends "voice" ? VoiceSettings : K extends "whatsapp" ? WhatsAppSettings : SmsSettings {
  return readStored(SETTINGS[kind] as z.ZodType, raw) as never;
}

// ---------------------------------------------------------------- URLs to paste into Twilio

export const WEBHOOK_PATHS = {
  sms: { incoming: "/api/webhooks/twilio/sms", status: "/api/webhooks/twilio/status" },
  whatsapp: { incoming: "/api/webhooks/twilio/whatsapp", status: "/api/webhooks/twilio/status" },
  voice: { incoming: "/api/webhooks/twilio/voice", status: "/api/webhooks/twilio/voice/status" },
} as const satisfies Record<TwilioKind, { incoming: string; status: string }>;

export const MESSAGE_STATUS_PATH = "/api/webhooks/twilio/status";

export function webhookUrls(kind: TwilioKind, origin = env().appUrl): { incoming: string; status: string } {
  const base = origin.replace(/\/$/, "");
  return { incoming: base + WEBHOOK_PATHS[kind].incoming, status: base + WEBHOOK_PATHS[kind].status };
}

// ---------------------------------------------------------------- connecting from the dashboard

export const ConnectTwilioInput = z
  .object({
    kind: z.enum(TWILIO_KINDS),
    name: text().trim().max(80).optional(),
    address: E164,
    accountSid: optionalText,
    authToken: optionalText,
    /** forget the stored account (the channel falls back to the platform's, or the simulator) */
    clearCredentials: z.boolean().default(false),
    enabled: z.boolean().default(true),
    settings: z.unknown().optional(),
  })
  .superRefine((v, ctx) => {
    if (Boolean(v.accountSid) !== Boolean(v.authToken)) {
      ctx.addIssue({ code: "custom", path: [v.accountSid ? "authToken" : "accountSid"], message: "Enter both the account SID and the auth token, or neither" });
    }
  });
export type ConnectTwilioInput = z.input<typeof ConnectTwilioInput>;

/** Connects (or updates) the business's channel of this kind. Owners and admins only. */
export async function connectTwilioChannel({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<Channel> {
  requireRole(ctx, MANAGERS);
  const v = ConnectTwilioInput.parse(input);
  const settings = SETTINGS[v.kind].parse(v.settings ?? {});
  const credentials = v.accountSid && v.authToken ? TwilioCredentials.parse({ accountSid: v.accountSid, authToken: v.authToken }) : null;
  const existing = await withService((tx) => findBusinessChannel(tx, ctx.businessId, v.kind));
  const account = credentials ?? (v.clearCredentials || !existing ? null : channelCredentials(existing));
  return saveChannel(ctx, {
    key: v.kind,
    name: v.name,
    address: v.address,
    settings,
    credentialsEncrypted: credentials ? sealCredentials(credentials) : v.clearCredentials ? null : undefined,
    enabled: v.enabled,
    details: { account: account ? maskSid(account.accountSid) : null },
  });
}
