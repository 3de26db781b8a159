// The inbound WhatsApp webhook through Twilio's WhatsApp sender: the SMS field set with
// "whatsapp:"-prefixed addresses, plus ProfileName, WaId, MessageType, and media whose caption is
// the Body. Locations arrive as Latitude/Longitude.
import { z } from "zod";
import { toE164 } from "@/lib/channels/twilio/channels";
import type { Channel } from "@/lib/channels/twilio/channels";
import { mediaLabel, mediaOf, twilioMessage } from "@/lib/channels/twilio/inbound";

const whatsapp = (field: string) =>
  z
    .string({ message: `${field} is required` })
    .refine((v) => /^whatsapp:/i.test(v) && toE164(v) !== null, { message: `${field} is not a whatsapp:+number address` });

export const WhatsAppInbound = z.looseObject({
  MessageSid: z.string({ message: "MessageSid is required" }).regex(/^(SM|MM)[0-9a-fA-F]{32}$/, "MessageSid is not a Twilio message SID"),
  AccountSid: z.string({ message: "AccountSid is required" }).regex(/^AC[0-9a-fA-F]{32}$/, "AccountSid is not a Twilio account SID"),
  From: whatsapp("From"),
  To: whatsapp("To"),
  Body: z.string().max(4096).default(""),
  NumMedia: z.coerce.number().int().min(0).max(10).default(0),
  ProfileName: z.string().max(200).optional(),
  MessageType: z.string().optional(),
  ButtonText: z.string().optional(),
  Latitude: z.coerce.number().min(-90).max(90).optional(),
  Longitude: z.coerce.number().min(-180).max(180).optional(),
  Address: z.string().optional(),
  Label: z.string().optional(),
});
export type WhatsAppInbound = z.infer<typeof WhatsAppInbound>;

/** The Twilio WhatsApp adapter's parse: Twilio's form fields → the one InboundMessage. */
export function parseWhatsApp(channel: Channel, fields: Record<string, string>) {
  const p = WhatsAppInbound.parse(fields);
  const caption = (p.Body || p.ButtonText || "").trim();
  const attachments = mediaOf(fields, p.NumMedia, caption || null);
  let text = caption;
  if (p.Latitude !== undefined && p.Longitude !== undefined) {
    const place = [p.Label, p.Address].filter(Boolean).join(", ");
    attachments.push({ url: `https://www.google.com/maps/search/?api=1&query=${p.Latitude},${p.Longitude}`, contentType: "application/geo+json", caption: place || null });
    text = text || `Shared a location${place ? `: ${place}` : ""}`;
  }
  if (!text && attachments.length) text = mediaLabel(attachments);
  return twilioMessage(channel, "whatsapp", {
    sid: p.MessageSid,
    from: toE164(p.From)!,
    text,
    attachments,
    name: p.ProfileName?.trim() || null,
    metadata: { twilio: { messageType: p.MessageType ?? null, media: p.NumMedia } },
  });
}
