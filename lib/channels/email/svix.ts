import "server-only";
// Resend signs its webhooks with Svix: svix-id, svix-timestamp and svix-signature over the raw body,
// checked here with the svix library itself (which also refuses timestamps more than five minutes
// off, so an old capture cannot be replayed). In embedded mode, with no RESEND_WEBHOOK_SECRET, a secret
// derived from the app's own signs the Channel simulator's events; it is never accepted once a real
// secret is configured.
import { env } from "@/lib/env";
import { keyedHash } from "@/lib/security/crypto";

type SvixWebhook = { verify(payload: string, headers: Record<string, string>): unknown; sign(msgId: string, timestamp: Date, payload: string): string };
let svix: Promise<new (secret: string) => SvixWebhook> | undefined;

/** svix, loaded once on first use. */
async function webhookClass(): Promise<new (secret: string) => SvixWebhook> {
  svix ??= import("svix").then((m) => m.Webhook as unknown as new (secret: string) => SvixWebhook);
  return svix;
}

export function simulatorSigningSecret(): string {
  return `whsec_${Buffer.from(keyedHash("resend-simulator"), "base64url").toString("base64")}`;
}

/** The secret Resend's (or the simulator's) events are signed with. */
export function signingSecret(): { secret: string; simulated: boolean } {
  const configured = env().RESEND_WEBHOOK_SECRET;
  return configured ? { secret: configured, simulated: false } : { secret: simulatorSigningSecret(), simulated: true };
}

export type SvixVerdict = { ok: true; id: string } | { ok: false; reason: string };

export async function verifySvix(raw: string, headers: Headers): Promise<SvixVerdict> {
  const id = headers.get("svix-id");
  const timestamp = headers.get("svix-timestamp");
  const signature = headers.get("svix-signature");
  if (!id || !timestamp || !signature) return { ok: false, reason: "The svix-id, svix-timestamp and svix-signature headers are required." };
  const Webhook = await webhookClass();
  try {
    new Webhook(signingSecret().secret).verify(raw, { "svix-id": id, "svix-timestamp": timestamp, "svix-signature": signature });
    return { ok: true, id };
  } catch (err) {
    // svix 1.x parses the body once the signature matched: a SyntaxError means a signed body that is
    // not JSON, which the route answers with 400 and the reason, not a signature failure.
    if (err instanceof SyntaxError) return { ok: true, id };
    const why = err instanceof Error ? err.message : "invalid signature";
    return { ok: false, reason: `The svix signature does not match this request (${why}).` };
  }
}

/** Signs a payload as Resend would (the simulator uses this). */
export async function svixHeaders(secret: string, id: string, payload: string, at = new Date()): Promise<Record<string, string>> {
  const Webhook = await webhookClass();
  return {
    "svix-id": id,
    "svix-timestamp": String(Math.floor(at.getTime() / 1000)),
    "svix-signature": new Webhook(secret).sign(id, at, payload),
  };
}
