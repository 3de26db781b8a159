import "server-only";
// Standard Webhooks signatures (https://www.standardwebhooks.com), as Svix makes them: the secret is
// "whsec_" + base64 of random bytes; webhook-signature is "v1,<base64 HMAC-SHA256 of id.timestamp.body>",
// one per secret in use, separated by spaces (the previous secret stays valid for a day after a rotation).
import crypto from "node:crypto";

export const SECRET_PREFIX = "whsec_";

export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${crypto.randomBytes(24).toString("base64")}`;
}

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, "base64");
}

export function signatureFor(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = crypto.createHmac("sha256", keyOf(secret)).update(`${id}.${timestampSeconds}.${body}`).digest("base64");
  return `v1,${mac}`;
}

/** The three Standard Webhooks headers for one request, signed with every secret given. */
export function webhookHeaders(secrets: string[], id: string, timestampSeconds: number, body: string): Record<string, string> {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": secrets.map((s) => signatureFor(s, id, timestampSeconds, body)).join(" "),
  };
}

/** The webhook-id of a stored event: the same on every attempt and every endpoint, for de-duplication. */
export const webhookMessageId = (uuid: string) => `msg_${uuid.replace(/-/g, "")}`;
