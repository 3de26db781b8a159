import "server-only";
// What every pushed-channel webhook route shares: the raw body read once and capped (signatures are
// over those exact bytes), JSON that fails to parse as a 400 a person can act on, a refused signature
// as 401 with the reason, and every error leaving as { error: { code, message } }.
import { AppError, errorResponse } from "@/lib/errors";
import { stripNulDeep } from "@/lib/validation/text";

export const MAX_WEBHOOK_BYTES = 256 * 1024;

/** The body as sent, read no further than `max` bytes: a larger (or endless) body is refused, never buffered whole. */
export async function readRawBody(req: Request, max = MAX_WEBHOOK_BYTES): Promise<string> {
  const tooLarge = () => new AppError("payload_too_large", `The body is larger than ${max} bytes.`);
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > max) throw tooLarge();
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The verified body as values. A NUL ("\u0000") anywhere is dropped here, once for every JSON
 * provider: PostgreSQL cannot store it, and refusing would only make the provider retry for days.
 */
export function parseJsonBody(raw: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new AppError("bad_request", "The body is not valid JSON.");
  }
  return stripNulDeep(value);
}

export function refused(message: string, status: 401 | 403 = 401): Response {
  return Response.json({ error: { code: status === 401 ? "unauthorized" : "forbidden", message } }, { status });
}

/** Runs a route body, mapping any error to the one error shape (unknown errors stay in the log). */
export function handled<A extends unknown[]>(handler: (...args: A) => Promise<Response>) {
  return async (...args: A): Promise<Response> => {
    try {
      return await handler(...args);
    } catch (err) {
      return errorResponse(err);
    }
  };
}
