import "server-only";
// Connecting Instagram and WhatsApp (Cloud API) from the dashboard. Each channel is addressed by the
// id Meta puts in its webhooks — the Instagram professional account id, the WhatsApp phone number id
// — so an inbound event finds its channel by one indexed lookup. Tokens and app secrets are sealed;
// a verify token is made once per channel for the webhook setup and found again by its keyed hash.
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { withService } from "@/lib/db/client";
import { channels } from "@/lib/db/schema";
import { MANAGERS, requireRole, type Ctx } from "@/lib/services/context";
import { toE164 } from "@/lib/channels/twilio/channels";
import { findBusinessChannel, maskSecret, optionalText, readStored, saveChannel, sealCredentials, TYPE_INFO, type Channel, type MessagingType } from "@/lib/channels/common/channels";
import { metaCredentials, newVerifyToken, verifyTokenHash, type MetaCredentials } from "./app";
import { text } from "@/lib/validation/text";

export type MetaType = Extract<MessagingType, "instagram" | "whatsapp-cloud">;

export const WEBHOOK_PATHS: Record<MetaType, string> = { instagram: "/api/webhooks/meta/instagram", "whatsapp-cloud": "/api/webhooks/meta/whatsapp" };

const secrets = {
  accessToken: optionalText.refine((v) => v === undefined || (v.length >= 20 && !/\s/.test(v)), "Paste the whole access token (no spaces)."),
  appSecret: optionalText.refine((v) => v === undefined || /^[0-9a-f]{32}$/.test(v), "The app secret is 32 hexadecimal characters (App settings → Basic)."),
  clearToken: z.boolean().default(false),
  enabled: z.boolean().default(true),
  name: text().trim().max(80).optional(),
};

const metaId = (what: string) => z.string().trim().regex(/^\d{5,25}$/, `The ${what} is the number Meta shows for it (digits only).`);

export const ConnectInstagramInput = z.object({
  accountId: metaId("Instagram professional account id"),
  username: optionalText.transform((v) => v?.replace(/^@/, "")),
  ...secrets,
});

export const ConnectWhatsAppCloudInput = z.object({
  phoneNumberId: metaId("phone number id"),
  displayPhoneNumber: z
    .string()
    .trim()
    .transform((v, ctx) => {
      const n = toE164(v.startsWith("+") ? v : `+${v}`);
      if (!n) ctx.addIssue({ code: "custom", message: "Enter the WhatsApp number in international format, e.g. +15550783881" });
      return n ?? v;
    }),
  businessAccountId: optionalText.refine((v) => v === undefined || /^\d{5,25}$/.test(v), "The WhatsApp Business Account id is digits only."),
  ...secrets,
});

export const InstagramSettings = z.object({ username: z.string().nullable().default(null), verifyTokenHash: z.string().nullable().default(null) });
export const WhatsAppCloudSettings = z.object({
  provider: z.literal("meta").default("meta"),
  displayPhoneNumber: z.string().nullable().default(null),
  businessAccountId: z.string().nullable().default(null),
  verifyTokenHash: z.string().nullable().default(null),
});

export function readMetaSettings(type: MetaType, raw: unknown): { username?: string | null; displayPhoneNumber?: string | null; businessAccountId?: string | null; verifyTokenHash: string | null } {
  return readStored((type === "instagram" ? InstagramSettings : WhatsAppCloudSettings) as z.ZodType, raw) as never;
}

/** The channel whose verify token Meta sent in hub.verify_token (GET verification). */
export async function findChannelByVerifyToken(type: MetaType, token: string): Promise<Channel | undefined> {
  const [row] = await withService((tx) =>
    tx
      .select()
      .from(channels)
      .where(and(eq(channels.kind, TYPE_INFO[type].kind), sql`${channels.settings}->>'verifyTokenHash' = ${verifyTokenHash(token)}`))
      .limit(1),
  );
  return row;
}

function credentialsFor(existing: Channel | undefined, v: { accessToken?: string; appSecret?: string; clearToken: boolean }): MetaCredentials {
  const stored = existing ? metaCredentials(existing) : null;
  const accessToken = v.accessToken ?? (v.clearToken ? undefined : stored?.accessToken);
  const appSecret = v.appSecret ?? (v.clearToken ? undefined : stored?.appSecret);
  return { ...(accessToken ? { accessToken } : {}), ...(appSecret ? { appSecret } : {}), verifyToken: stored?.verifyToken ?? newVerifyToken() };
}

export async function connectInstagramChannel({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<Channel> {
  requireRole(ctx, MANAGERS);
  const v = ConnectInstagramInput.parse(input);
  const existing = await withService((tx) => findBusinessChannel(tx, ctx.businessId, "instagram"));
  const credentials = credentialsFor(existing, v);
  return saveChannel(ctx, {
    key: "instagram",
    name: v.name || (v.username ? `Instagram @${v.username}` : `Instagram ${v.accountId}`),
    address: v.accountId,
    settings: { username: v.username ?? null, verifyTokenHash: verifyTokenHash(credentials.verifyToken) },
    credentialsEncrypted: sealCredentials(credentials),
    enabled: v.enabled,
    details: { token: credentials.accessToken ? maskSecret(credentials.accessToken) : null, ownApp: Boolean(credentials.appSecret) },
  });
}

export async function connectWhatsAppCloudChannel({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<Channel> {
  requireRole(ctx, MANAGERS);
  const v = ConnectWhatsAppCloudInput.parse(input);
  const existing = await withService((tx) => findBusinessChannel(tx, ctx.businessId, "whatsapp-cloud"));
  const credentials = credentialsFor(existing, v);
  return saveChannel(ctx, {
    key: "whatsapp-cloud",
    name: v.name || `WhatsApp ${v.displayPhoneNumber}`,
    address: v.phoneNumberId,
    settings: { displayPhoneNumber: v.displayPhoneNumber, businessAccountId: v.businessAccountId ?? null, verifyTokenHash: verifyTokenHash(credentials.verifyToken) },
    credentialsEncrypted: sealCredentials(credentials),
    enabled: v.enabled,
    details: { token: credentials.accessToken ? maskSecret(credentials.accessToken) : null, ownApp: Boolean(credentials.appSecret) },
  });
}
