import "server-only";
// Twilio's REST API through the official SDK. TWILIO_API_BASE points the SDK's own request client
// at another origin (a local stand-in in tests), so the request on the wire is exactly the SDK's:
// same path, basic auth, headers and form encoding. Sends retry with backoff on 429 and 5xx.
import twilio from "twilio";
import { backOff } from "exponential-backoff";
import { env } from "@/lib/env";
import type { TwilioCredentials } from "./credentials";

type RequestOptions<TData> = Parameters<InstanceType<typeof twilio.RequestClient>["request"]>[0] & { data?: TData };

/** The SDK's RequestClient with the origin swapped: https://api.twilio.com/… → TWILIO_API_BASE/… */
class RebasedRequestClient extends twilio.RequestClient {
  constructor(private readonly base: URL) {
    super({ timeout: 10_000, keepAlive: true });
  }

  override request<TData>(opts: RequestOptions<TData>) {
    const target = new URL(opts.uri);
    const rebased = new URL(this.base.href.replace(/\/$/, "") + target.pathname + target.search);
    return super.request<TData>({ ...opts, uri: rebased.href });
  }
}

let rebased: { base: string; client: RebasedRequestClient } | undefined;

function httpClient(): RebasedRequestClient | undefined {
  const base = env().TWILIO_API_BASE;
  if (!base) return undefined;
  if (rebased?.base !== base) rebased = { base, client: new RebasedRequestClient(new URL(base)) };
  return rebased.client;
}

export function restClient(credentials: TwilioCredentials): twilio.Twilio {
  return twilio(credentials.accountSid, credentials.authToken, { httpClient: httpClient(), lazyLoading: true });
}

/** An HTTP status worth another try: rate limited, or Twilio's side failed. Network errors too. */
export function isRetryable(err: unknown): boolean {
  const status = (err as { status?: unknown })?.status;
  if (typeof status === "number") return status === 429 || status >= 500;
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" && /^(ECONNRESET|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|EPIPE|ECONNABORTED|ERR_SOCKET)/.test(code);
}

export type RetryPolicy = { attempts: number; startingDelayMs: number; maxDelayMs: number };

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, startingDelayMs: 250, maxDelayMs: 4_000 };

let retryOverride: RetryPolicy | undefined;

/** For tests: shorter waits between attempts. */
export function setRetryPolicyForTests(policy: RetryPolicy | undefined): void {
  retryOverride = policy;
}

/** Runs a REST call, retrying 429 / 5xx / network failures with exponential backoff and full jitter. */
export async function withRetries<T>(call: () => Promise<T>, policy: RetryPolicy = retryOverride ?? DEFAULT_RETRY): Promise<{ value: T; attempts: number }> {
  let attempts = 0;
  const value = await backOff(
    () => {
      attempts++;
      return call();
    },
    {
      numOfAttempts: policy.attempts,
      startingDelay: policy.startingDelayMs,
      maxDelay: policy.maxDelayMs,
      timeMultiple: 2,
      jitter: "full",
      retry: (err) => isRetryable(err),
    },
  );
  return { value, attempts };
}

/** Twilio's error messages quote phone numbers ("The 'To' number +44… is not valid"): never keep or log them. */
export function redactNumbers(text: string): string {
  return text.replace(/(?:whatsapp:)?\+?\d[\d ().-]{5,}\d/g, "[number]");
}

/** A REST failure as a person can read it, without the request's secrets or anyone's number. */
export function describeRestError(err: unknown): { status: number | null; code: number | null; message: string } {
  const e = err as { status?: number; code?: number | string; message?: string };
  return {
    status: typeof e?.status === "number" ? e.status : null,
    code: typeof e?.code === "number" ? e.code : null,
    message: redactNumbers(e?.message ?? String(err)).slice(0, 300),
  };
}
