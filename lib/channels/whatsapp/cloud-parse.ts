// WhatsApp Cloud API webhooks (https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages):
// { object: "whatsapp_business_account", entry: [{ id: <WABA>, changes: [{ field: "messages", value: {
// messaging_product, metadata: { display_phone_number, phone_number_id }, contacts, messages | statuses } }] }] }.
import { z } from "zod";
import type { Parsed } from "@/lib/channels/adapter";
import type { Channel } from "@/lib/channels/common/channels";
import type { Attachment } from "@/lib/pipeline/types";
import { providerTimestamp } from "@/lib/validation/dates";

const Media = z.looseObject({ id: z.string().optional(), mime_type: z.string().optional(), caption: z.string().optional(), filename: z.string().optional() });

export const CloudMessage = z.looseObject({
  from: z.string().regex(/^\d{6,20}$/, "messages[].from is not a WhatsApp number"),
  id: z.string().min(1),
  /** Unix seconds as digits; one that is no time reads as the receive time rather than failing the notification */
  timestamp: providerTimestamp("s"),
  type: z.string(),
  text: z.looseObject({ body: z.string().max(4096) }).optional(),
  button: z.looseObject({ text: z.string().optional(), payload: z.string().optional() }).optional(),
  interactive: z
    .looseObject({
      type: z.string().optional(),
      button_reply: z.looseObject({ id: z.string(), title: z.string() }).optional(),
      list_reply: z.looseObject({ id: z.string(), title: z.string(), description: z.string().optional() }).optional(),
    })
    .optional(),
  image: Media.optional(),
  video: Media.optional(),
  audio: Media.optional(),
  document: Media.optional(),
  sticker: Media.optional(),
  location: z.looseObject({ latitude: z.number(), longitude: z.number(), name: z.string().optional(), address: z.string().optional() }).optional(),
  reaction: z.looseObject({ message_id: z.string().optional(), emoji: z.string().optional() }).optional(),
});
export type CloudMessage = z.infer<typeof CloudMessage>;

export const CLOUD_STATUSES = ["sent", "delivered", "read", "failed", "deleted", "played"] as const;

export const CloudStatus = z.looseObject({
  id: z.string().min(1),
  /** one of CLOUD_STATUSES; a status Meta adds later is acknowledged and ignored, not refused (Meta would retry it forever) */
  status: z.string({ message: "statuses[].status must be a string" }).min(1, "statuses[].status is empty"),
  timestamp: z.string().optional(),
  recipient_id: z.string().optional(),
  errors: z.array(z.looseObject({ code: z.number().int(), title: z.string().optional(), message: z.string().optional() })).optional(),
});
export type CloudStatus = z.infer<typeof CloudStatus>;

export const isKnownCloudStatus = (status: string): status is (typeof CLOUD_STATUSES)[number] => (CLOUD_STATUSES as readonly string[]).includes(status);

export const CloudValue = z.looseObject({
  messaging_product: z.literal("whatsapp").optional(),
  metadata: z.looseObject({ display_phone_number: z.string().optional(), phone_number_id: z.string().min(1) }),
  contacts: z.array(z.looseObject({ wa_id: z.string().optional(), profile: z.looseObject({ name: z.string().optional() }).optional() })).default([]),
  messages: z.array(CloudMessage).default([]),
  statuses: z.array(CloudStatus).default([]),
});

export const CloudWebhook = z.looseObject({
  object: z.literal("whatsapp_business_account", { message: 'object must be "whatsapp_business_account" on this URL' }),
  entry: z.array(
    z.looseObject({
      id: z.string().optional(),
      changes: z.array(z.looseObject({ field: z.string(), value: z.unknown() })).default([]),
    }),
  ),
});
export type CloudWebhook = z.infer<typeof CloudWebhook>;

/** What a message says for the pipeline, and what it carries (media ids stay ids: Meta's URLs need the token). */
export function cloudText(m: CloudMessage): { text: string; attachments: Attachment[] } {
  if (m.type === "text" && m.text) return { text: m.text.body.trim(), attachments: [] };
  if (m.type === "button" && m.button?.text) return { text: m.button.text, attachments: [] };
  if (m.type === "interactive") return { text: m.interactive?.button_reply?.title ?? m.interactive?.list_reply?.title ?? "", attachments: [] };
  if (m.type === "location" && m.location) {
    const place = [m.location.name, m.location.address].filter(Boolean).join(", ");
    return {
      text: `Shared a location${place ? `: ${place}` : ""}`,
      attachments: [{ url: `https://www.google.com/maps/search/?api=1&query=${m.location.latitude},${m.location.longitude}`, contentType: "application/geo+json", caption: place || null }],
    };
  }
  const media = m.image ?? m.video ?? m.audio ?? m.document ?? m.sticker;
  if (media) return { text: media.caption?.trim() || `[${m.type}${media.filename ? `: ${media.filename}` : ""}]`, attachments: [] };
  return { text: "", attachments: [] };
}

/**
 * The Cloud API adapter's parse: one message of a `messages` change, with the contact's profile name →
 * the one InboundMessage (one per wamid; the customer is their phone number, as on SMS and Twilio's
 * WhatsApp), or why it is passed over: a turned-off channel, a reaction, nothing to read.
 */
export function parseCloudMessage(channel: Channel, { message: m, name }: { message: CloudMessage; name: string | null }): Parsed {
  const { text, attachments } = cloudText(m);
  if (!channel.enabled) return { ignored: "channel_disabled" };
  if (m.type === "reaction") return { ignored: "reaction" };
  if (!text) return { ignored: "empty" };
  return {
    message: {
      businessId: channel.businessId,
      channelId: channel.id,
      channelKind: "whatsapp",
      from: { kind: "whatsapp", value: `+${m.from}` },
      name,
      text,
      attachments,
      providerMessageId: m.id,
      metadata: { whatsapp: { provider: "meta", type: m.type, sentAt: m.timestamp?.toISOString() ?? null } },
    },
  };
}
