import "server-only";
// Every channel row by its key (sms, whatsapp and voice through Twilio; email through Resend, a
// Telegram bot, Instagram DMs and WhatsApp through Meta's Cloud API): which row is which, their
// sealed credentials, and saving one from the dashboard. WhatsApp through Meta is a `whatsapp`
// channel whose settings say provider "meta" and whose address is Meta's phone number id, so it
// never collides with a Twilio sender (addressed by its +E.164 number).
import { and, asc, eq, sql } from "drizzle-orm";
import type { z } from "zod";
import { text } from "@/lib/validation/text";
import { isUniqueViolation, withTenant, type Executor } from "@/lib/db/client";
import { channels, customerIdentities } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import { decryptJson, encryptJson } from "@/lib/security/crypto";
import { openIdentity, type IdentityKind } from "@/lib/pipeline/identities";
import { audit } from "@/lib/services/audit";
import { MANAGERS, requireRole, type Ctx } from "@/lib/services/context";
import { keepSampleMark } from "./sample-mark";

export type Channel = typeof channels.$inferSelect;

export const MESSAGING_TYPES = ["email", "telegram", "instagram", "whatsapp-cloud"] as const;
export type MessagingType = (typeof MESSAGING_TYPES)[number];

/** A channel's key: its kind, except WhatsApp, which has two transports (Twilio's and Meta's Cloud API). */
export type ChannelKey = "sms" | "whatsapp" | "voice" | MessagingType;

/** What a channel's adapter (lib/channels/adapter) and its lookup and save here both say of it. */
type TypeInfo = { kind: "sms" | "voice" | "email" | "telegram" | "instagram" | "whatsapp"; label: string; provider: string; identity: IdentityKind };

export const TWILIO_INFO: Record<"sms" | "whatsapp" | "voice", TypeInfo> = {
  sms: { kind: "sms", label: "SMS", provider: "Twilio", identity: "phone" },
  whatsapp: { kind: "whatsapp", label: "WhatsApp", provider: "Twilio", identity: "phone" },
  voice: { kind: "voice", label: "Voice", provider: "Twilio", identity: "phone" },
};

export const TYPE_INFO: Record<MessagingType, TypeInfo> = {
  email: { kind: "email", label: "Email", provider: "Resend", identity: "email" },
  telegram: { kind: "telegram", label: "Telegram", provider: "Telegram Bot API", identity: "telegram" },
  instagram: { kind: "instagram", label: "Instagram", provider: "Meta", identity: "instagram" },
  "whatsapp-cloud": { kind: "whatsapp", label: "WhatsApp (Cloud API)", provider: "Meta", identity: "phone" },
};

export const META_PROVIDER = "meta";

export function isMessagingType(value: string): value is MessagingType {
  return (MESSAGING_TYPES as readonly string[]).includes(value);
}

/** Which of these channels a row is, or null for web chat and the Twilio channels. */
export function messagingTypeOf(channel: { kind: string; settings: Record<string, unknown> | null }): MessagingType | null {
  if (channel.kind === "email" || channel.kind === "telegram" || channel.kind === "instagram") return channel.kind;
  if (channel.kind === "whatsapp" && channel.settings?.provider === META_PROVIDER) return "whatsapp-cloud";
  return null;
}

const infoOf = (key: ChannelKey): TypeInfo => (isMessagingType(key) ? TYPE_INFO[key] : TWILIO_INFO[key]);

/** The rows of this key: its kind, and for WhatsApp its provider (a Cloud API number is no Twilio sender). */
function keyFilter(key: ChannelKey) {
  const kind = eq(channels.kind, infoOf(key).kind);
  if (key === "whatsapp-cloud") return and(kind, sql`${channels.settings}->>'provider' = ${META_PROVIDER}`);
  if (key === "whatsapp") return and(kind, sql`coalesce(${channels.settings}->>'provider', 'twilio') <> ${META_PROVIDER}`);
  return kind;
}

/** The channel customers reach at this address (enabled or not: callers decide what disabled means). */
export async function findChannelByAddress(ex: Executor, key: ChannelKey, address: string): Promise<Channel | undefined> {
  const [row] = await ex
    .select()
    .from(channels)
    .where(and(keyFilter(key), eq(channels.address, address)))
    .limit(1);
  return row;
}

/** The business's channel of this key (the first connected). */
export async function findBusinessChannel(ex: Executor, businessId: string, key: ChannelKey): Promise<Channel | undefined> {
  const [row] = await ex
    .select()
    .from(channels)
    .where(and(eq(channels.businessId, businessId), keyFilter(key)))
    .orderBy(asc(channels.createdAt))
    .limit(1);
  return row;
}

/** Stored settings → valid settings; a bad stored value falls back to the defaults. */
export function readStored<T>(schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw ?? {});
  return parsed.success ? parsed.data : schema.parse({});
}

/** A connect form's optional field: empty is absent (a token or SID left blank keeps the stored one). */
export const optionalText = text()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

/** A channel's sealed secrets (bot token, access token, app secret, verify token), validated. */
export function openCredentials<T>(channel: { credentialsEncrypted: string | null }, schema: z.ZodType<T>): T | null {
  if (!channel.credentialsEncrypted) return null;
  try {
    const parsed = schema.safeParse(decryptJson<unknown>(channel.credentialsEncrypted));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function sealCredentials(value: Record<string, unknown>): string {
  return encryptJson(value);
}

/** "123…wxyz": enough to recognise a token on screen. */
export function maskSecret(secret: string): string {
  return secret.length > 10 ? `${secret.slice(0, 3)}…${secret.slice(-4)}` : "…";
}

/** "+44••••••0123": enough for staff to tell recipients apart in the outbox, not the number. */
export function maskPhone(e164: string): string {
  return e164.length > 6 ? `${e164.slice(0, 3)}${"•".repeat(Math.max(e164.length - 7, 2))}${e164.slice(-4)}` : "••••";
}

/** The customer's address on this kind of identity (decrypted), skipping ones marked undeliverable. */
export async function customerAddress(ex: Executor, businessId: string, customerId: string, kind: IdentityKind): Promise<string | null> {
  const [row] = await ex
    .select({ kind: customerIdentities.kind, valueEncrypted: customerIdentities.valueEncrypted })
    .from(customerIdentities)
    .where(
      and(
        eq(customerIdentities.businessId, businessId),
        eq(customerIdentities.customerId, customerId),
        eq(customerIdentities.kind, kind),
        eq(customerIdentities.undeliverable, false),
      ),
    )
    .orderBy(asc(customerIdentities.createdAt))
    .limit(1);
  return row ? openIdentity(row).value : null;
}


export type SaveChannel = {
  key: ChannelKey;
  /** empty: the stored name, else "<label> <address>" */
  name?: string;
  address: string;
  settings: Record<string, unknown>;
  /** the sealed credentials to store; undefined keeps the stored ones */
  credentialsEncrypted?: string | null;
  enabled: boolean;
  /** facts for the audit log (never a secret) */
  details?: Record<string, unknown>;
};

/** Connects (or updates) the business's channel of this type. Owners and admins only. */
export async function saveChannel(ctx: Ctx, input: SaveChannel): Promise<Channel> {
  requireRole(ctx, MANAGERS);
  const { kind, label } = infoOf(input.key);
  try {
    return await withTenant(ctx.actor.userId, async (tx) => {
      const existing = await findBusinessChannel(tx, ctx.businessId, input.key);
      const values = {
        name: input.name || existing?.name || `${label} ${input.address}`,
        address: input.address,
        settings: keepSampleMark(existing, input.address, input.key === "whatsapp-cloud" ? { ...input.settings, provider: META_PROVIDER } : input.settings),
        credentialsEncrypted: input.credentialsEncrypted === undefined ? (existing?.credentialsEncrypted ?? null) : input.credentialsEncrypted,
        enabled: input.enabled,
        updatedAt: new Date(),
      };
      const [row] = existing
        ? await tx
            .update(channels)
            .set(values)
            .where(and(eq(channels.id, existing.id), eq(channels.businessId, ctx.businessId)))
            .returning()
        : await tx
            .insert(channels)
            .values({ businessId: ctx.businessId, kind, ...values })
            .returning();
      await audit(tx, ctx, existing ? "channel.updated" : "channel.connected", { type: "channel", id: row!.id }, {
        kind: input.key,
        address: input.address,
        enabled: input.enabled,
        credentialsChanged: input.credentialsEncrypted !== undefined,
        ...input.details,
      });
      return row!;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("conflict", `${input.address} is already connected to ${label} for another business.`);
    throw err;
  }
}
