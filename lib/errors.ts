// One error class, one table of codes, one mapper: errors leave as { error: { code, message } }.
import { ZodError } from "zod";

export const ERROR_CODES = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  constructor(
    public readonly code: ErrorCode,
    message: string,
    public readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "AppError";
  }
  get status(): number {
    return ERROR_CODES[this.code];
  }
}

export function zodMessage(error: ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message))
    .join("; ");
}

/** Maps any thrown value to a status and a body a person can act on; unknown errors stay in the log. */
export function toErrorBody(err: unknown): { status: number; body: { error: { code: string; message: string } } } {
  if (err instanceof AppError) {
    return { status: err.status, body: { error: { code: err.code, message: err.message } } };
  }
  if (err instanceof ZodError) {
    return { status: 400, body: { error: { code: "bad_request", message: zodMessage(err) } } };
  }
  console.error("[prismai] unexpected error", err instanceof Error ? err.stack ?? err.message : String(err));
  return { status: 500, body: { error: { code: "internal", message: "Something went wrong on our side." } } };
}

/** When a rate limit does not say when it opens again: a minute, the shortest window we use. */
export const DEFAULT_RETRY_AFTER_SECONDS = 60;

/**
 * The one place a 429 is made: always with Retry-After (whole seconds, at least 1). `extra` joins
 * the body beside `error`, e.g. the chat's stored message.
 */
export function rateLimitedResponse(message: string, opts: { retryAfterSeconds?: number | null; extra?: Record<string, unknown>; headers?: HeadersInit } = {}): Response {
  const wait = opts.retryAfterSeconds;
  const seconds = typeof wait === "number" && Number.isFinite(wait) ? Math.max(1, Math.ceil(wait)) : DEFAULT_RETRY_AFTER_SECONDS;
  const headers = new Headers(opts.headers);
  headers.set("retry-after", String(seconds));
  return Response.json({ error: { code: "rate_limited", message }, ...opts.extra }, { status: 429, headers });
}

export function errorResponse(err: unknown): Response {
  const { status, body } = toErrorBody(err);
  if (status === 429) {
    const wait = err instanceof AppError ? err.details?.retryAfterSeconds : undefined;
    return rateLimitedResponse(body.error.message, { retryAfterSeconds: typeof wait === "number" ? wait : null });
  }
  return Response.json(body, { status });
}
