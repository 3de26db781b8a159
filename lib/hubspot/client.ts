import "server-only";
// HubSpot's CRM v3 REST API with a business's private-app token. HubSpot allows 100 requests per 10
// seconds per token (rolling): every request first takes a token from a bucket of 30 refilled by 6 a
// second (at most 30 + 66 = 96 in any 10 s) kept in the limiter port, so it holds across instances
// (Upstash in production). A 429 is waited out as Retry-After says (10 s when it says nothing), up to
// 3 times; a 5xx is tried twice more. The base URL is HUBSPOT_API_BASE (tests: a local stand-in).
import { env } from "@/lib/env";
import { getLimiter } from "@/lib/ratelimit";
import { keyedHash } from "@/lib/security/crypto";

export const HUBSPOT_BUCKET = { kind: "tokenBucket" as const, maxTokens: 30, refillRate: 6, intervalMs: 1000 };
const MAX_429_RETRIES = 3;
const DEFAULT_RETRY_AFTER_MS = 10_000;

export class HubspotError extends Error {
  constructor(
    public readonly status: number | null,
    message: string,
    public readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = "HubspotError";
  }
}

export type HubspotOptions = { token: string; sleep?: (ms: number) => Promise<void> };

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const base = () => (env().HUBSPOT_API_BASE ?? "https://api.hubapi.com").replace(/\/$/, "");

async function takeToken(token: string, sleep: (ms: number) => Promise<void>) {
  const key = keyedHash(`hubspot:${token}`);
  for (;;) {
    const r = await getLimiter().limit("hubspot", key, HUBSPOT_BUCKET);
    if (r.success) return;
    await sleep(Math.max(1, r.reset - Date.now()));
  }
}

function retryAfterMs(res: Response): number {
  const v = res.headers.get("retry-after");
  if (v && /^\d+(\.\d+)?$/.test(v.trim())) return Math.ceil(Number(v) * 1000);
  const at = v ? Date.parse(v) : Number.NaN;
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : DEFAULT_RETRY_AFTER_MS;
}

export async function hubspotRequest<T>(opts: HubspotOptions, method: string, path: string, body?: unknown): Promise<T> {
  const sleep = opts.sleep ?? realSleep;
  let limited = 0;
  let serverErrors = 0;
  for (;;) {
    await takeToken(opts.token, sleep);
    let res: Response;
    try {
      res = await fetch(`${base()}${path}`, {
        method,
        headers: { authorization: `Bearer ${opts.token}`, "content-type": "application/json", accept: "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(20_000),
      });
    } catch (err) {
      throw new HubspotError(null, `HubSpot could not be reached: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (res.status === 429) {
      const wait = retryAfterMs(res);
      await res.body?.cancel();
      if (limited++ >= MAX_429_RETRIES) throw new HubspotError(429, "HubSpot's rate limit: try again later.", wait);
      await sleep(wait);
      continue;
    }
    if (res.status >= 500 && serverErrors++ < 2) {
      await res.body?.cancel();
      await sleep(1000 * serverErrors);
      continue;
    }
    const text = await res.text();
    const json = text ? (JSON.parse(text) as unknown) : null;
    if (!res.ok) {
      const message = (json as { message?: string } | null)?.message ?? `HTTP ${res.status}`;
      throw new HubspotError(res.status, `HubSpot answered ${res.status}: ${message}`);
    }
    return json as T;
  }
}

export type HubspotObject = { id: string; properties: Record<string, string | null> };

/** CRM v3 search: contacts whose email or phone is exactly one given (filter groups are OR-ed). */
export async function searchContacts(opts: HubspotOptions, match: { email?: string | null; phone?: string | null }): Promise<HubspotObject[]> {
  const filterGroups = [
    ...(match.email ? [{ filters: [{ propertyName: "email", operator: "EQ", value: match.email }] }] : []),
    ...(match.phone ? [{ filters: [{ propertyName: "phone", operator: "EQ", value: match.phone }] }] : []),
  ];
  if (!filterGroups.length) return [];
  const r = await hubspotRequest<{ results: HubspotObject[] }>(opts, "POST", "/crm/v3/objects/contacts/search", {
    filterGroups,
    properties: ["email", "phone", "firstname", "lastname"],
    limit: 10,
  });
  return r.results;
}

export const createContact = (opts: HubspotOptions, properties: Record<string, string>) =>
  hubspotRequest<HubspotObject>(opts, "POST", "/crm/v3/objects/contacts", { properties });

export const updateContact = (opts: HubspotOptions, id: string, properties: Record<string, string>) =>
  hubspotRequest<HubspotObject>(opts, "PATCH", `/crm/v3/objects/contacts/${encodeURIComponent(id)}`, { properties });

/** HubSpot's own association type for a note → contact. */
export const NOTE_TO_CONTACT = 202;

export const createNote = (opts: HubspotOptions, contactId: string, body: string, timestamp: Date) =>
  hubspotRequest<HubspotObject>(opts, "POST", "/crm/v3/objects/notes", {
    properties: { hs_timestamp: timestamp.toISOString(), hs_note_body: body },
    associations: [{ to: { id: contactId }, types: [{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: NOTE_TO_CONTACT }] }],
  });

/** A cheap call that tells whether a token works (one contact, no properties). */
export const checkToken = (opts: HubspotOptions) => hubspotRequest<unknown>(opts, "GET", "/crm/v3/objects/contacts?limit=1");
