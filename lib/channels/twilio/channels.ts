import "server-only";
// Twilio channels (SMS, WhatsApp, voice): their settings, the number a customer writes or calls,
// the URLs to paste into Twilio, and connecting one from the dashboard.
import { and, asc, eq, sql } from "drizzle-orm";
import { parsePhoneNumberFromString } from "libphonenumber-js";
import { z } from "zod";
import { withTenant, type Executor } from "@/lib/db/client";
import { channels } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { audit } from "@/lib/services/audit";
import { MANAGERS, requireRole, type Ctx } from "@/lib/services/context";
import { TwilioCredentials, channelCredentials, maskSid, sealCredentials } from "./credentials";
import { text } from "@/lib/validation/text";
import { keepSampleMark } from "@/lib/channels/common/sample-mark";

export const TWILIO_KINDS = ["sms", "whatsapp", "voice"] as const;
export type TwilioKind = (typeof TWILIO_KINDS)[number];
export type Channel = typeof channels.$inferSelect;

export const KIND_LABEL: Record<TwilioKind, string> = { sms: "SMS", whatsapp: "WhatsApp", voice: "Voice" };

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

/** Stored settings → valid settings; a bad stored value falls back to the defaults. */
export function readSettings<K extends TwilioKind>(kind: K, raw: unknown): K extends "voice" ? VoiceSettings : K extends "whatsapp" ? WhatsAppSettings : SmsSettings {
  const schema = kind === "voice" ? VoiceSettings : kind === "whatsapp" ? WhatsAppSettings : SmsSettings;
  const parsed = (schema as z.ZodType).safeParse(raw ?? {});
  return (parsed.success ? parsed.data : (schema as z.ZodType).parse({})) as never;
}

// ---------------------------------------------------------------- lookups

/** The channel customers reach at this number (enabled or not: callers decide what disabled means). */
export async function findChannelByAddress(ex: Executor, kind: TwilioKind, rawAddress: string | null | undefined): Promise<Channel | undefined> {
  const address = toE164(rawAddress);
  if (!address) return undefined;
  const [row] = await ex
    .select()
    .from(channels)
    .where(and(eq(channels.kind, kind), eq(channels.address, address)))
    .limit(1);
  return row;
}

export async function findBusinessChannel(ex: Executor, businessId: string, kind: TwilioKind): Promise<Channel | undefined> {
  const [row] = await ex
    .select()
    .from(channels)
    // A WhatsApp number on Meta's Cloud API is not a Twilio sender (lib/channels/meta/channels).
    .where(and(eq(channels.businessId, businessId), eq(channels.kind, kind), sql`coalesce(${channels.settings}->>'provider', 'twilio') <> 'meta'`))
    .orderBy(asc(channels.createdAt))
    .limit(1);
  return row;
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

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

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

function parseSettings(kind: TwilioKind, raw: unknown) {
  if (kind === "voice") return VoiceSettings.parse(raw ?? {});
  if (kind === "whatsapp") return WhatsAppSettings.parse(raw ?? {});
  return SmsSettings.parse(raw ?? {});
}

const isUniqueViolation = (err: unknown) =>
  /duplicate key|unique constraint/i.test(String((err as { cause?: Error })?.cause?.message ?? (err as Error)?.message ?? ""));

/** Connects (or updates) the business's channel of this kind. Owners and admins only. */
export async function connectTwilioChannel({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<Channel> {
  requireRole(ctx, MANAGERS);
  const v = ConnectTwilioInput.parse(input);
  const settings = parseSettings(v.kind, v.settings);
  const credentials = v.accountSid && v.authToken ? TwilioCredentials.parse({ accountSid: v.accountSid, authToken: v.authToken }) : null;
  try {
    return await withTenant(ctx.actor.userId, async (tx) => {
      const existing = await findBusinessChannel(tx, ctx.businessId, v.kind);
      const credentialsEncrypted = credentials ? sealCredentials(credentials) : v.clearCredentials ? null : (existing?.credentialsEncrypted ?? null);
      const values = {
        name: v.name || existing?.name || `${KIND_LABEL[v.kind]} ${v.address}`,
        address: v.address,
        credentialsEncrypted,
        settings: keepSampleMark(existing, v.address, settings as Record<string, unknown>),
        enabled: v.enabled,
        updatedAt: new Date(),
      };
      let row: Channel | undefined;
      if (existing) {
        [row] = await tx
          .update(channels)
          .set(values)
          .where(and(eq(channels.id, existing.id), eq(channels.businessId, ctx.businessId)))
          .returning();
      } else {
        [row] = await tx
          .insert(channels)
          .values({ businessId: ctx.businessId, kind: v.kind, ...values })
          .returning();
      }
      const account = channelCredentials(row!);
      await audit(tx, ctx, existing ? "channel.updated" : "channel.connected", { type: "channel", id: row!.id }, {
        kind: v.kind,
        address: v.address,
        account: account ? maskSid(account.accountSid) : null,
        credentialsChanged: Boolean(credentials) || v.clearCredentials,
        enabled: v.enabled,
      });
      return row!;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("conflict", `${v.address} is already connected to ${KIND_LABEL[v.kind]} for another business.`);
    throw err;
  }
}
