import "server-only";
// What every pushed-channel webhook route shares: the raw body read once and capped (signatures are
// over those exact bytes), JSON that fails to parse as a 400 a person can act on, a refused signature
// as 401 with the reason, and every error leaving as { error: { code, message } }.
import { AppError, errorResponse } from "@/lib/errors";

export const MAX_WEBHOOK_BYTES = 256 * 1024;

export async function readRawBody(req: Request, max = MAX_WEBHOOK_BYTES): Promise<string> {
  const raw = await req.text();
  if (Buffer.byteLength(raw) > max) throw new AppError("payload_too_large", `The body is larger than ${max} bytes.`);
  return raw;
}

export function parseJsonBody(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new AppError("bad_request", "The body is not valid JSON.");
  }
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
