// Telegram's Update object (https://core.telegram.org/bots/api#update), the parts we use: a message
// or an edited message in a chat, from a user. Telegram adds fields over time, so unknown ones pass.
import { z } from "zod";
import type { Parsed } from "@/lib/channels/adapter";
import type { Channel } from "@/lib/channels/common/channels";
import { providerTimestamp } from "@/lib/validation/dates";

const User = z.looseObject({
  id: z.number().int(),
  is_bot: z.boolean().default(false),
  first_name: z.string().default(""),
  last_name: z.string().optional(),
  username: z.string().optional(),
  language_code: z.string().optional(),
});

const Chat = z.looseObject({ id: z.number().int(), type: z.string() });

const Entity = z.looseObject({ type: z.string(), offset: z.number().int(), length: z.number().int() });

export const TelegramMessage = z.looseObject({
  message_id: z.number().int(),
  from: User.optional(),
  chat: Chat,
  /** Unix seconds; one that is no time reads as the receive time rather than failing the update */
  date: providerTimestamp("s"),
  text: z.string().max(4096).optional(),
  caption: z.string().max(1024).optional(),
  entities: z.array(Entity).optional(),
  photo: z.array(z.looseObject({ file_id: z.string() })).optional(),
  document: z.looseObject({ file_id: z.string(), file_name: z.string().optional() }).optional(),
  voice: z.looseObject({ file_id: z.string() }).optional(),
  video: z.looseObject({ file_id: z.string() }).optional(),
  sticker: z.looseObject({ emoji: z.string().optional() }).optional(),
  location: z.looseObject({ latitude: z.number(), longitude: z.number() }).optional(),
});
export type TelegramMessage = z.infer<typeof TelegramMessage>;

export const TelegramUpdate = z.looseObject({
  update_id: z.number({ message: "update_id is required" }).int().nonnegative(),
  message: TelegramMessage.optional(),
  edited_message: TelegramMessage.optional(),
});
export type TelegramUpdate = z.infer<typeof TelegramUpdate>;

/** "/start", "/start@DemoBot ref42" → { command: "start", payload: "ref42" }. */
export function commandOf(message: TelegramMessage): { command: string; payload: string } | null {
  const m = /^\/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s+([\s\S]*))?$/.exec((message.text ?? "").trim());
  return m ? { command: m[1]!.toLowerCase(), payload: (m[2] ?? "").trim() } : null;
}

/** What a message says, for the pipeline: its text or caption, or a label for what it carries. */
export function textOf(message: TelegramMessage): string {
  const text = (message.text ?? message.caption ?? "").trim();
  if (text) return text;
  if (message.photo) return "[photo]";
  if (message.voice) return "[voice message]";
  if (message.video) return "[video]";
  if (message.document) return `[file${message.document.file_name ? `: ${message.document.file_name}` : ""}]`;
  if (message.sticker) return message.sticker.emoji ?? "[sticker]";
  if (message.location) return `Shared a location: ${message.location.latitude}, ${message.location.longitude}`;
  return "";
}

export function displayName(user: { first_name: string; last_name?: string; username?: string } | undefined): string | null {
  if (!user) return null;
  const name = [user.first_name, user.last_name].filter(Boolean).join(" ").trim();
  return name || user.username || null;
}

/**
 * The Telegram adapter's parse: one Update → the one InboundMessage, or why it is passed over (a turned
 * off bot, an edit, not a message, a group chat, a bot writing, nothing to read). A chat's message is
 * one per chat and message_id.
 */
export function parseTelegramUpdate(channel: Channel, update: TelegramUpdate): Parsed {
  if (!channel.enabled) return { ignored: "channel_disabled" };
  if (update.edited_message) return { ignored: "edited_message" };
  const message = update.message;
  if (!message) return { ignored: "not_a_message" };
  if (message.chat.type !== "private") return { ignored: "not_a_private_chat" };
  if (!message.from || message.from.is_bot) return { ignored: "from_a_bot" };
  const text = textOf(message);
  if (!text) return { ignored: "empty" };
  const chatId = String(message.chat.id);
  return {
    message: {
      businessId: channel.businessId,
      channelId: channel.id,
      channelKind: "telegram",
      from: { kind: "telegram", value: String(message.from.id) },
      name: displayName(message.from),
      text,
      providerMessageId: `${chatId}:${message.message_id}`,
      metadata: { telegram: { chatId, username: message.from.username ?? null, language: message.from.language_code ?? null, sentAt: message.date?.toISOString() ?? null } },
    },
  };
}
