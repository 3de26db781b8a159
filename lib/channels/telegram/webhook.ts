import "server-only";
// POST /api/webhooks/telegram/<channel> — verify · parse · hand over, through the Telegram adapter.
// Each bot has its own URL; the X-Telegram-Bot-Api-Secret-Token header must equal the secret given to
// setWebhook (compared in constant time) before the body is even parsed. update_id is the event's
// identity: Telegram resends an update until it gets a 2xx, and a repeat is acknowledged without a
// second answer. Edited messages are acknowledged and ignored; /start is answered with the greeting,
// without the model.
import { and, eq } from "drizzle-orm";
import { getDb, withService } from "@/lib/db/client";
import { businesses, channels } from "@/lib/db/schema";
import { AppError, zodMessage } from "@/lib/errors";
import { ADAPTERS } from "@/lib/channels/adapter";
import { recordExchange } from "@/lib/channels/common/exchange";
import { deferAfterResponse } from "@/lib/pipeline/defer";
import { finishEvent } from "@/lib/channels/common/events";
import { claimProviderEvent, receive, settle, type ProviderEvent } from "@/lib/channels/common/receive";
import { handled, parseJsonBody, readRawBody, refused } from "@/lib/channels/common/webhook";
import { readTelegramSettings, SECRET_HEADER, telegramCredentials } from "./channels";
import { commandOf, TelegramUpdate } from "./parse";
import { sendTelegram } from "./send";

export const PROVIDER = "telegram";
export { SECRET_HEADER };

const ok = (body: Record<string, unknown> = {}) => Response.json({ ok: true, ...body });

async function greetingFor(businessId: string, channelGreeting: string): Promise<string> {
  if (channelGreeting) return channelGreeting;
  const [b] = await withService((tx) => tx.select({ greeting: businesses.greeting }).from(businesses).where(eq(businesses.id, businessId)));
  return b?.greeting ?? "Hi! How can we help you today?";
}

export const telegramWebhook = handled(async (req: Request, ctx: { params: Promise<{ channel: string }> }) => {
  const { channel: channelId } = await ctx.params;
  // A UUID's exact shape: anything else would reach the uuid column as a database error (a 500).
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(channelId)) throw new AppError("not_found", "No Telegram bot is connected at this URL.");
  // One plain read, no transaction: this is on every update's critical path.
  const [channel] = await (await getDb()).select().from(channels).where(and(eq(channels.id, channelId), eq(channels.kind, "telegram"))).limit(1);
  if (!channel || !telegramCredentials(channel)) throw new AppError("not_found", "No Telegram bot is connected at this URL.");
  const adapter = ADAPTERS.telegram;
  const raw = await readRawBody(req);
  if (!(await adapter.verify!(req, raw, channel))) return refused(await adapter.refusal!(req, raw));
  const parsed = TelegramUpdate.safeParse(parseJsonBody(raw));
  if (!parsed.success) throw new AppError("bad_request", zodMessage(parsed.error));
  const update = parsed.data;

  const event: ProviderEvent = { provider: PROVIDER, eventId: `${channel.id}:${update.update_id}`, kind: "update", payload: update as Record<string, unknown> };
  const eventId = await claimProviderEvent(channel.businessId, event);
  if (!eventId) return ok({ duplicate: true });
  const ignore = async (reason: string) => {
    await finishEvent(eventId, { status: "ignored", result: { reason } });
    return ok({ ignored: reason });
  };

  return settle(eventId, async () => {
    const read = await adapter.parse!(channel, update);
    if (!("message" in read)) return ignore(read.ignored);
    const input = read.message;
    const chatId = String(update.message!.chat.id);
    const deliver = (text: string, target: { messageId: string | null; conversationId: string }) =>
      sendTelegram({ channel, to: chatId, text, messageId: target.messageId, conversationId: target.conversationId, purpose: "reply" });

    // /start opens the chat: the business's greeting, no model.
    if (commandOf(update.message!)?.command === "start") {
      const greeting = await greetingFor(channel.businessId, readTelegramSettings(channel.settings).greeting);
      const exchange = await recordExchange(input, { text: greeting, outcome: "command:start" });
      if (exchange.duplicate) return ignore("duplicate_message");
      deferAfterResponse(async () => {
        const sent = await deliver(greeting, { messageId: exchange.reply?.id ?? null, conversationId: exchange.conversationId });
        await finishEvent(eventId, { status: sent.status === "failed" ? "failed" : "processed", result: { command: "start", sent: sent.status }, error: sent.error?.message });
      });
      return ok({ command: "start" });
    }

    const received = await receive(eventId, input, {
      style: "chat",
      deliver: (target) => deliver(target.text, { messageId: target.reply?.id ?? null, conversationId: target.conversationId }),
    });
    return ok(received.status === "stored" ? { stored: received.message.id } : { duplicate: true });
  });
});
