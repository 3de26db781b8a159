// What proxy.ts refuses before Next's server-action decoder sees it: Next answers a foreign Origin, a
// body over its 1 MB limit, malformed JSON or a truncated multipart body with a 500 (its action
// handler turns every error into one), so these get the 4xx they deserve here instead. A request is a
// possible action when it is a POST to a page carrying Next-Action (the client's fetch: a text/plain
// JSON body, or multipart/form-data when files or many rows are sent) or a multipart/form-data POST
// (a form submitted before the page hydrated).
import { AppError, errorResponse, type ErrorCode } from "@/lib/errors";
import { CROSS_SITE_MESSAGE, isCrossSiteWrite } from "./origin";

/** Next's own default serverActions.bodySizeLimit; nothing the dashboard sends comes close. */
export const MAX_ACTION_BODY_BYTES = 1024 * 1024;

const refuse = (code: ErrorCode, message: string) => {
  const res = errorResponse(new AppError(code, message));
  res.headers.set("cache-control", "no-store");
  return res;
};

/** The body, read no further than `max` bytes; null when it is longer. */
async function readCapped(req: Request, max: number): Promise<Uint8Array | null> {
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** A 4xx for a page request that must not reach Next's action handler; null to let it through. */
export async function refuseUnsafePageWrite(req: Request): Promise<Response | null> {
  if (isCrossSiteWrite(req.method, req.headers)) return refuse("forbidden", CROSS_SITE_MESSAGE);
  if (req.method !== "POST") return null;
  const type = (req.headers.get("content-type") ?? "").toLowerCase();
  const multipart = type.startsWith("multipart/form-data");
  const fetchAction = req.headers.has("next-action");
  if (!fetchAction && !multipart) return null;
  if (fetchAction && !multipart && !type.startsWith("text/plain")) {
    return refuse("unsupported_media_type", "A server action is sent as text/plain or multipart/form-data.");
  }
  const declared = Number(req.headers.get("content-length") ?? NaN);
  const tooLarge = () => refuse("payload_too_large", `The body is larger than ${MAX_ACTION_BODY_BYTES} bytes.`);
  if (Number.isFinite(declared) && declared > MAX_ACTION_BODY_BYTES) return tooLarge();
  let body: Uint8Array | null;
  try {
    body = await readCapped(req, MAX_ACTION_BODY_BYTES);
  } catch {
    return refuse("bad_request", "The body could not be read.");
  }
  if (!body) return tooLarge();
  if (multipart) {
    try {
      await new Request("http://action.invalid/", { method: "POST", headers: { "content-type": req.headers.get("content-type")! }, body: Buffer.from(body) }).formData();
    } catch {
      return refuse("bad_request", "The form data is malformed or cut short.");
    }
    return null;
  }
  try {
    JSON.parse(Buffer.from(body).toString("utf8"));
  } catch {
    return refuse("bad_request", "The action's arguments are not valid JSON.");
  }
  return null;
}
