import "server-only";
// sendMessage to a Telegram chat: the answer as MarkdownV2 (escaped so Telegram accepts it), split
// under Telegram's 4096-character cap. Should Telegram still refuse the formatting, the same words go
// again as plain text rather than not at all. A simulated bot's messages go to the dev outbox.
import { sendOut, splitBody, type Delivery, type SendResult } from "@/lib/channels/common/send";
import { callTelegram, TelegramError, type TelegramMessageResult } from "./api";
import { telegramCredentials } from "./channels";
import { toMarkdownV2 } from "./markdown";

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

/** `to` is the chat id. */
export async function sendTelegram(input: Delivery): Promise<SendResult> {
  const { channel, to: chatId } = input;
  const token = telegramCredentials(channel)?.botToken;
  const transport = token ? "telegram" : "outbox";
  const texts = splitBody(input.text, PART_CHARS);
  return sendOut({
    ...input,
    transport,
    costKind: "telegram",
    accepted: "sent",
    preview: { recipient: `chat ${chatId}`, payload: { chatId, markdownV2: texts.map(toMarkdownV2) } },
    texts,
    send: (text) => sendPart(token!, chatId, text),
  });
}
