import "server-only";
// sendMessage to a Telegram chat: the answer as MarkdownV2 (escaped so Telegram accepts it), split
// under Telegram's 4096-character cap. Should Telegram still refuse the formatting, the same words go
// again as plain text rather than not at all. A simulated bot's messages go to the dev outbox.
import { sendOut, splitBody, type SendPurpose, type SendResult } from "@/lib/channels/common/send";
import type { Channel } from "@/lib/channels/common/channels";
import { callTelegram, TelegramError, type TelegramMessageResult } from "./api";
import { telegramCredentials } from "./channels";
import { toMarkdownV2 } from "./markdown";

export type TelegramSend = {
  channel: Channel;
  chatId: string;
  text: string;
  messageId?: string | null;
  conversationId?: string | null;
  purpose: SendPurpose;
};

/** Markdown before conversion: escaping can at most double it, which stays under 4096. */
const PART_CHARS = 2000;

async function sendPart(token: string, chatId: string, text: string): Promise<string> {
  try {
    const sent = await callTelegram<TelegramMessageResult>(token, "sendMessage", { chat_id: chatId, text: toMarkdownV2(text), parse_mode: "MarkdownV2" });
    return `${sent.chat.id}:${sent.message_id}`;
  } catch (err) {
    if (!(err instanceof TelegramError && err.status === 400 && /parse entities/i.test(err.message))) throw err;
    const sent = await callTelegram<TelegramMessageResult>(token, "sendMessage", { chat_id: chatId, text });
    return `${sent.chat.id}:${sent.message_id}`;
  }
}

export async function sendTelegram(input: TelegramSend): Promise<SendResult> {
  const { channel } = input;
  const token = telegramCredentials(channel)?.botToken;
  const transport = token ? "telegram" : "outbox";
  const texts = splitBody(input.text, PART_CHARS);
  return sendOut({
    ...input,
    transport,
    costKind: "telegram",
    accepted: "sent",
    preview: { recipient: `chat ${input.chatId}`, payload: { chatId: input.chatId, markdownV2: texts.map(toMarkdownV2) } },
    texts,
    send: (text) => sendPart(token!, input.chatId, text),
  });
}
