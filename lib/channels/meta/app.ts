import "server-only";
// The Meta app behind Instagram DMs and WhatsApp's Cloud API: the secrets a channel holds (its access
// token, its own app secret when the business brings its own Meta app, the verify token it pastes
// into the app's webhook settings), and X-Hub-Signature-256 — HMAC-SHA256 of the raw body with the
// app secret — checked on every POST. The app secret is the channel's own, else the platform's
// (META_APP_SECRET); with neither (embedded mode), a secret derived from the app's own signs the
// Channel simulator's requests, and is never accepted once a real secret exists.
import crypto from "node:crypto";
import { z } from "zod";
import { env } from "@/lib/env";
import { keyedHash } from "@/lib/security/crypto";
import { openCredentials, type Channel } from "@/lib/channels/common/channels";

export const MetaCredentials = z.object({
  /** a long-lived token that may send messages (Instagram user token, or a WhatsApp system-user token) */
  accessToken: z.string().min(20).max(1000).optional(),
  /** the business's own Meta app secret; the platform's app is used without one */
  appSecret: z.string().regex(/^[0-9a-f]{32}$/).optional(),
  /** what Meta sends back as hub.verify_token when the webhook is set up */
  verifyToken: z.string().min(16).max(200),
});
export type MetaCredentials = z.infer<typeof MetaCredentials>;

export function metaCredentials(channel: { credentialsEncrypted: string | null }): MetaCredentials | null {
  return openCredentials(channel, MetaCredentials);
}

export function newVerifyToken(): string {
  return `prismai_${crypto.randomBytes(18).toString("base64url")}`;
}

/** Kept in the channel's settings to find it from a GET verification (the token itself stays sealed). */
export function verifyTokenHash(token: string): string {
  return keyedHash(`meta-verify:${token}`);
}

export function simulatorAppSecret(channel: { id: string }): string {
  return Buffer.from(keyedHash(`meta-simulator:${channel.id}`), "base64url").toString("hex").slice(0, 32);
}

export type AppSecret = { secret: string; source: "channel" | "platform" | "simulator" };

export function appSecretFor(channel: Channel): AppSecret {
  const own = metaCredentials(channel)?.appSecret;
  if (own) return { secret: own, source: "channel" };
  const platform = env().META_APP_SECRET;
  if (platform) return { secret: platform, source: "platform" };
  return { secret: simulatorAppSecret(channel), source: "simulator" };
}

export function metaSignature(secret: string, raw: string): string {
  return `sha256=${crypto.createHmac("sha256", secret).update(raw, "utf8").digest("hex")}`;
}

export function isValidMetaSignature(secret: string, raw: string, header: string | null): boolean {
  if (!header || !/^sha256=[0-9a-f]{64}$/i.test(header.trim())) return false;
  const expected = Buffer.from(metaSignature(secret, raw));
  const given = Buffer.from(header.trim().toLowerCase());
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}

/** Sends go through Meta when the channel has a token; a simulated channel's go to the dev outbox. */
export function metaTransport(channel: Channel): "meta" | "outbox" {
  return metaCredentials(channel)?.accessToken ? "meta" : "outbox";
}
