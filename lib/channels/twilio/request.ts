import "server-only";
// Twilio's side of a webhook: the form body as Twilio signed it, the public URL it called, and
// X-Twilio-Signature checked with the SDK's own validator.
import twilio from "twilio";
import { stripNul } from "@/lib/validation/text";

export type TwilioParams = Record<string, string | string[]>;

/** The form body, keeping repeated keys as arrays (the signature covers every value). */
export function parseForm(raw: string): TwilioParams {
  const params: TwilioParams = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    const seen = params[key];
    if (seen === undefined) params[key] = value;
    else params[key] = Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return params;
}

/**
 * One value per key for zod and everything after it: the first of a repeated key, without NUL
 * characters (PostgreSQL cannot store them; the signature was checked on `params` as sent).
 */
export function flatten(params: TwilioParams): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [stripNul(k), stripNul(Array.isArray(v) ? (v[0] ?? "") : v)]));
}

const first = (value: string | null) => value?.split(",")[0]?.trim() || null;

/**
 * The URL Twilio requested, as the public sees it: behind a proxy (Vercel, a tunnel) the request
 * reaches us on another host and scheme, and the signature is over the public one.
 */
export function publicUrl(req: Request): string {
  const url = new URL(req.url);
  const proto = first(req.headers.get("x-forwarded-proto")) ?? url.protocol.replace(/:$/, "");
  const host = first(req.headers.get("x-forwarded-host")) ?? req.headers.get("host") ?? url.host;
  return `${proto}://${host}${url.pathname}${url.search}`;
}

export function isValidSignature(authToken: string, signature: string | null, url: string, params: TwilioParams): boolean {
  if (!signature) return false;
  return twilio.validateRequest(authToken, signature, url, params);
}

/** What Twilio would put in X-Twilio-Signature: the simulator and the tests sign with this. */
export function twilioSignature(authToken: string, url: string, params: TwilioParams): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

export function encodeForm(params: Record<string, string | undefined>): string {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) form.append(k, v);
  return form.toString();
}
