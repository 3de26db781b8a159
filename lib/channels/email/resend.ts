import "server-only";
// Resend through its official SDK. RESEND_API_BASE points the SDK at another origin (a local stand-in
// in tests), so the request on the wire is the SDK's own: same paths, bearer key, JSON and
// Idempotency-Key. The SDK returns { data, error }; failures become ResendError, which the shared
// retry helper retries when Resend is rate limiting (429), failing (5xx) or unreachable.
import { Resend } from "resend";
import { env } from "@/lib/env";

export class ResendError extends Error {
  constructor(
    message: string,
    public readonly status: number | null,
    /** Resend's error name ("validation_error", "rate_limit_exceeded"…), or a socket code when it was unreachable */
    public readonly code: string,
  ) {
    super(message);
    this.name = "ResendError";
  }
}

let cached: { key: string; base: string | undefined; client: Resend } | undefined;

/** The platform's Resend client, or null in embedded mode (email goes to the dev outbox). */
export function resendClient(): Resend | null {
  const e = env();
  if (e.adapters.email !== "resend" || !e.RESEND_API_KEY) return null;
  if (cached?.key !== e.RESEND_API_KEY || cached.base !== e.RESEND_API_BASE) {
    cached = { key: e.RESEND_API_KEY, base: e.RESEND_API_BASE, client: new Resend(e.RESEND_API_KEY, { baseUrl: (e.RESEND_API_BASE ?? "https://api.resend.com").replace(/\/$/, "") }) };
  }
  return cached.client;
}

type SdkResult<T> = { data: T | null; error: { message: string; name: string; statusCode?: number | null } | null };

/** The SDK's result, or a ResendError a person can read (and the retry helper can classify). */
export async function unwrap<T>(call: Promise<SdkResult<T>>): Promise<T> {
  const { data, error } = await call;
  if (error || !data) {
    const status = typeof error?.statusCode === "number" ? error.statusCode : null;
    // No status: the request never got an answer (the SDK reports it as an application_error).
    const code = status === null ? "ERR_SOCKET_RESEND" : (error?.name ?? "unknown");
    throw new ResendError(error?.message ?? "Resend returned no data.", status, code);
  }
  return data;
}
