import "server-only";
// Every provider call that may pass (Twilio's and Meta's REST APIs, Resend, Telegram): retried on 429,
// 5xx and network failures with exponential backoff and full jitter; its failure described for a
// person, without the request's secrets or anyone's number.
import { backOff } from "exponential-backoff";

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
