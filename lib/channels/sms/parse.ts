// The inbound SMS webhook as Twilio documents it (application/x-www-form-urlencoded). Twilio adds
// fields without notice, so unknown ones pass through; the ones we rely on are checked.
import { z } from "zod";
import { toE164 } from "@/lib/channels/twilio/channels";
import type { Channel } from "@/lib/channels/twilio/channels";
import { mediaLabel, mediaOf, twilioMessage } from "@/lib/channels/twilio/inbound";

const phone = (field: string) =>
  z.string({ message: `${field} is required` }).refine((v) => toE164(v) !== null, { message: `${field} is not a phone number` });

export const SmsInbound = z.looseObject({
  MessageSid: z.string({ message: "MessageSid is required" }).regex(/^(SM|MM)[0-9a-fA-F]{32}$/, "MessageSid is not a Twilio message SID"),
  AccountSid: z.string({ message: "AccountSid is required" }).regex(/^AC[0-9a-fA-F]{32}$/, "AccountSid is not a Twilio account SID"),
  From: phone("From"),
  To: phone("To"),
  Body: z.string().max(1600, "Body is longer than Twilio allows").default(""),
  NumMedia: z.coerce.number().int().min(0).max(10).default(0),
  NumSegments: z.coerce.number().int().min(1).max(10).optional(),
  FromCountry: z.string().optional(),
});
export type SmsInbound = z.infer<typeof SmsInbound>;

/** The SMS adapter's parse: Twilio's form fields (one value per key) → the one InboundMessage. */
export function parseSms(channel: Channel, fields: Record<string, string>) {
  const p = SmsInbound.parse(fields);
  const body = p.Body.trim();
  const attachments = mediaOf(fields, p.NumMedia, body || null);
  return twilioMessage(channel, "sms", {
    sid: p.MessageSid,
    from: toE164(p.From)!,
    text: body || (attachments.length ? mediaLabel(attachments) : ""),
    attachments,
    name: null,
    metadata: { twilio: { segments: p.NumSegments ?? null, country: p.FromCountry ?? null, media: p.NumMedia } },
  });
}
