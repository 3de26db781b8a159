import "server-only";
// Meta's Graph API for sends: POST /<version>/<node>/messages with a bearer token and a JSON body;
// errors come back as { error: { message, type, code, error_subcode, fbtrace_id } }. META_GRAPH_BASE
// points both Instagram (graph.instagram.com) and WhatsApp (graph.facebook.com) at another origin (a
// local stand-in in tests). Meta's throttling codes count as 429 so the shared retry helper backs off;
// the token never appears in a log or an error.
import { env } from "@/lib/env";

export const GRAPH_VERSION = "v23.0";
export const GRAPH_HOSTS = { instagram: "https://graph.instagram.com", whatsapp: "https://graph.facebook.com" } as const;

/** Rate-limit codes (application, user, page, WhatsApp pair and account throughput). */
const THROTTLED = new Set([4, 17, 32, 613, 80002, 80006, 80007, 130429, 131048, 131056]);

export class MetaError extends Error {
  constructor(
    message: string,
    /** HTTP status for the retry helper (429 for Meta's throttling codes); null when Meta could not be reached */
    public readonly status: number | null,
    /** Meta's error code (131047: outside the 24-hour window, 190: token expired…) */
    public readonly code: number | string | null,
    public readonly subcode: number | null = null,
  ) {
    super(message);
    this.name = "MetaError";
  }
}

export async function graphPost<T>(api: keyof typeof GRAPH_HOSTS, path: string, token: string, body: Record<string, unknown>): Promise<T> {
  const base = (env().META_GRAPH_BASE ?? GRAPH_HOSTS[api]).replace(/\/$/, "");
  let res: Response;
  try {
    res = await fetch(`${base}/${GRAPH_VERSION}/${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    throw new MetaError("Meta's Graph API could not be reached.", null, "ERR_SOCKET_META");
  }
  const json = (await res.json().catch(() => null)) as (T & { error?: undefined }) | { error?: { message?: string; code?: number; error_subcode?: number } } | null;
  if (res.ok && json && !("error" in json && json.error)) return json as T;
  const error = (json as { error?: { message?: string; code?: number; error_subcode?: number } } | null)?.error;
  const code = error?.code ?? null;
  const status = typeof code === "number" && THROTTLED.has(code) ? 429 : res.status;
  throw new MetaError(error?.message ?? `Meta answered ${res.status}.`, status, code, error?.error_subcode ?? null);
}
