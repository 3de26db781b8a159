import "server-only";
// withTwilioWebhook: the one wrapper every Twilio route goes through. It reads the raw body, finds
// the channel by our number, has the kind's adapter verify X-Twilio-Signature on the exact bytes and
// the public URL, and maps errors — before the route's handler sees anything. A request that fails
// verification gets 403 and leaves nothing behind.
import { getDb } from "@/lib/db/client";
import { AppError, errorResponse } from "@/lib/errors";
import { ADAPTERS } from "@/lib/channels/adapter";
import { readRawBody, refused } from "@/lib/channels/common/webhook";
import { findChannelByAddress } from "@/lib/channels/common/channels";
import { toE164, type Channel, type TwilioKind } from "./channels";
import { flatten, parseForm, publicUrl, type TwilioParams } from "./request";

/** Twilio's form posts are small; anything larger is refused before it is buffered. */
const MAX_TWILIO_BODY_BYTES = 64 * 1024;

export type TwilioWebhook = {
  req: Request;
  raw: string;
  params: TwilioParams;
  /** one value per field, for zod */
  fields: Record<string, string>;
  /** the public URL Twilio called (and signed) */
  url: string;
  /** scheme://host of that URL: where follow-up TwiML actions point */
  origin: string;
  kind: TwilioKind;
  channel: Channel;
};

type Spec = {
  /** which channel kind serves this request */
  kind: (fields: Record<string, string>) => TwilioKind;
  /** our number in this request (To for inbound, From for status callbacks of our sends) */
  address: (fields: Record<string, string>) => string | undefined;
  /** what a disabled channel answers (nothing is stored) */
  disabled: (hook: TwilioWebhook) => Response | Promise<Response>;
};

export function withTwilioWebhook(spec: Spec, handler: (hook: TwilioWebhook) => Promise<Response>) {
  return async (req: Request): Promise<Response> => {
    try {
      const raw = await readRawBody(req, MAX_TWILIO_BODY_BYTES);
      const params = parseForm(raw);
      const fields = flatten(params);
      const url = publicUrl(req);
      const kind = spec.kind(fields);
      // One plain read, no transaction: this is on every request's critical path.
      const address = toE164(spec.address(fields));
      const channel = address ? await findChannelByAddress(await getDb(), kind, address) : undefined;
      const adapter = ADAPTERS[kind];
      if (!(await adapter.verify!(req, raw, channel ?? null))) return refused(await adapter.refusal!(req, raw), 403);
      if (!channel) throw new AppError("not_found", `No ${kind} channel is connected for the number this request was sent to.`);
      const hook: TwilioWebhook = {
        req,
        raw,
        params,
        fields,
        url,
        origin: new URL(url).origin,
        kind,
        channel,
      };
      if (!channel.enabled) return await spec.disabled(hook);
      return await handler(hook);
    } catch (err) {
      return errorResponse(err);
    }
  };
}
