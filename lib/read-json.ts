// Reading a request's JSON body with a size cap: 400/413 with a message instead of a 500. Its own
// module so a caller without a dashboard session (the public API) does not load the auth stack.
import { AppError } from "@/lib/errors";

/** Reads a JSON body with a size cap, answering 400/413 with a message instead of throwing a 500. */
export async function readJson(req: Request, maxBytes = 64 * 1024): Promise<unknown> {
  const text = await req.text();
  if (Buffer.byteLength(text) > maxBytes) throw new AppError("payload_too_large", `The body is larger than ${maxBytes} bytes.`);
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    throw new AppError("bad_request", "The body is not valid JSON.");
  }
}
