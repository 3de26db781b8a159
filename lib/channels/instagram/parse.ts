// Instagram messaging webhooks (https://developers.facebook.com/docs/instagram-platform/webhooks/examples):
// { object: "instagram", entry: [{ id: <our account>, time, messaging: [{ sender, recipient, timestamp,
// message: { mid, text, attachments, is_echo } }] }] }. Reads, reactions and postbacks arrive in the
// same array and are passed over; so are echoes of the messages we sent ourselves.
import { z } from "zod";
import type { Parsed } from "@/lib/channels/adapter";
import type { Channel } from "@/lib/channels/common/channels";
import type { Attachment } from "@/lib/pipeline/types";
import { providerTimestamp } from "@/lib/validation/dates";

const Id = z.looseObject({ id: z.string().min(1) });

export const InstagramMessage = z.looseObject({
  mid: z.string().min(1),
  text: z.string().max(8000).optional(),
  is_echo: z.boolean().optional(),
  is_deleted: z.boolean().optional(),
  is_unsupported: z.boolean().optional(),
  attachments: z.array(z.looseObject({ type: z.string(), payload: z.looseObject({ url: z.string().optional() }).optional() })).optional(),
});

export const InstagramMessaging = z.looseObject({
  sender: Id,
  recipient: Id,
  /** Unix milliseconds; one that is no time reads as the receive time rather than failing the notification */
  timestamp: providerTimestamp("ms"),
  message: InstagramMessage.optional(),
});
export type InstagramMessaging = z.infer<typeof InstagramMessaging>;

export const InstagramWebhook = z.looseObject({
  object: z.literal("instagram", { message: 'object must be "instagram" on this URL' }),
  entry: z.array(
    z.looseObject({
      id: z.string().min(1),
      time: z.number().optional(),
      messaging: z.array(InstagramMessaging).default([]),
    }),
  ),
});
export type InstagramWebhook = z.infer<typeof InstagramWebhook>;

export function instagramText(message: z.infer<typeof InstagramMessage>): { text: string; attachments: Attachment[] } {
  const attachments: Attachment[] = (message.attachments ?? [])
    .filter((a) => a.payload?.url && /^https?:\/\//.test(a.payload.url))
    .map((a) => ({ url: a.payload!.url!, contentType: a.type === "image" ? "image/*" : a.type === "video" ? "video/*" : a.type === "audio" ? "audio/*" : null }));
  const text = (message.text ?? "").trim();
  if (text) return { text, attachments };
  const kinds = (message.attachments ?? []).map((a) => a.type);
  return { text: kinds.length ? `[${kinds.length === 1 ? kinds[0] : `${kinds.length} attachments`}]` : message.is_unsupported ? "[a message Instagram does not pass on]" : "", attachments };
}

/**
 * The Instagram adapter's parse: one messaging event → the one InboundMessage (one per mid), or why it
 * is passed over: an echo of what the account sent (through us or the app), a turned-off channel, a
 * deleted message, nothing to read, or no message at all (a read, a reaction).
 */
export function parseInstagramMessaging(channel: Channel, event: InstagramMessaging): Parsed {
  const message = event.message;
  if (!message) return { ignored: "not_a_message" };
  if (message.is_echo || event.sender.id === channel.address) return { ignored: "echo" };
  if (!channel.enabled || message.is_deleted) return { ignored: message.is_deleted ? "deleted" : "channel_disabled" };
  const { text, attachments } = instagramText(message);
  if (!text) return { ignored: "empty" };
  return {
    message: {
      businessId: channel.businessId,
      channelId: channel.id,
      channelKind: "instagram",
      from: { kind: "instagram", value: event.sender.id },
      text,
      attachments,
      providerMessageId: message.mid,
      metadata: { instagram: { account: channel.address, sentAt: event.timestamp?.toISOString() ?? null } },
    },
  };
}
