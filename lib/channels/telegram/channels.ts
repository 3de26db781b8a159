import "server-only";
// A business's Telegram bot: its token and webhook secret sealed in channels.credentials_encrypted,
// its username as the channel's address. "Connect" checks the token with getMe, then registers our
// webhook with setWebhook and a secret_token, which Telegram sends back on every update in
// X-Telegram-Bot-Api-Secret-Token. Without a token (embedded mode) the bot is simulated: the Channel
// simulator plays Telegram and replies go to the dev outbox.
import crypto from "node:crypto";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { withService } from "@/lib/db/client";
import { channels } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { MANAGERS, requireRole, type Ctx } from "@/lib/services/context";
import { findBusinessChannel, maskSecret, openCredentials, optionalText, readStored, saveChannel, sealCredentials, type Channel } from "@/lib/channels/common/channels";
import { BOT_TOKEN, callTelegram, type TelegramUser } from "./api";
import { text } from "@/lib/validation/text";

export const TelegramCredentials = z.object({
  botToken: z.string().regex(BOT_TOKEN).optional(),
  /** what Telegram must send in X-Telegram-Bot-Api-Secret-Token (1–256 of A–Z a–z 0–9 _ -) */
  webhookSecret: z.string().regex(/^[A-Za-z0-9_-]{16,256}$/),
});
export type TelegramCredentials = z.infer<typeof TelegramCredentials>;

export const TelegramSettings = z.object({
  botId: z.number().int().nullable().default(null),
  /** answered to /start; the business's greeting when empty */
  greeting: text().trim().max(500).default(""),
  webhook: z
    .object({ url: z.string(), ok: z.boolean(), error: z.string().nullable(), at: z.string() })
    .nullable()
    .default(null),
});
export type TelegramSettings = z.infer<typeof TelegramSettings>;

export const readTelegramSettings = (raw: unknown): TelegramSettings => readStored(TelegramSettings, raw);

/** Telegram sends the secret given to setWebhook back in this header on every update. */
export const SECRET_HEADER = "x-telegram-bot-api-secret-token";

/** The header's secret against the bot's, in constant time. */
export function sameSecret(given: string | null, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

export function telegramCredentials(channel: { credentialsEncrypted: string | null }): TelegramCredentials | null {
  return openCredentials(channel, TelegramCredentials);
}

export const TELEGRAM_WEBHOOK_PATH = "/api/webhooks/telegram";

export function telegramWebhookUrl(channelId: string, origin = env().appUrl): string {
  return `${origin.replace(/\/$/, "")}${TELEGRAM_WEBHOOK_PATH}/${channelId}`;
}

export const ConnectTelegramInput = z.object({
  botToken: optionalText.refine((v) => v === undefined || BOT_TOKEN.test(v), "The bot token looks like 123456789:AA… (from @BotFather, /newbot or /token)"),
  /** a simulated bot's username (no token) */
  username: optionalText.refine((v) => v === undefined || /^[A-Za-z][A-Za-z0-9_]{3,31}$/.test(v), "A bot username is 5–32 letters, digits or _, ending in bot"),
  name: text().trim().max(80).optional(),
  greeting: text().trim().max(500).default(""),
  enabled: z.boolean().default(true),
});

/** setWebhook with our URL and the channel's secret; the outcome is kept on the channel for the page. */
export async function registerWebhook(channel: Channel, credentials: TelegramCredentials): Promise<{ ok: boolean; error: string | null; url: string }> {
  const url = telegramWebhookUrl(channel.id);
  let error: string | null = null;
  try {
    await callTelegram<boolean>(credentials.botToken!, "setWebhook", {
      url,
      secret_token: credentials.webhookSecret,
      allowed_updates: ["message", "edited_message"],
      max_connections: 40,
    });
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  const webhook = { url, ok: error === null, error, at: new Date().toISOString() };
  await withService((tx) =>
    tx
      .update(channels)
      .set({ settings: { ...readTelegramSettings(channel.settings), webhook }, updatedAt: new Date() })
      .where(and(eq(channels.id, channel.id), eq(channels.businessId, channel.businessId))),
  );
  return { ok: error === null, error, url };
}

/**
 * Connects (or updates) the business's bot. A new token is checked with getMe before anything is
 * stored; then the webhook is set. Returns the channel and whether Telegram accepted the webhook.
 */
export async function connectTelegramChannel({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<{ channel: Channel; webhook: { ok: boolean; error: string | null } | null }> {
  requireRole(ctx, MANAGERS);
  const v = ConnectTelegramInput.parse(input);
  const existing = await withService((tx) => findBusinessChannel(tx, ctx.businessId, "telegram"));
  const stored = existing ? telegramCredentials(existing) : null;
  const token = v.botToken ?? stored?.botToken;

  let username: string;
  let botId: number | null = null;
  if (v.botToken) {
    let me: TelegramUser;
    try {
      me = await callTelegram<TelegramUser>(v.botToken, "getMe", {});
    } catch (err) {
      throw new AppError("bad_request", `Telegram did not accept this bot token: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!me.is_bot || !me.username) throw new AppError("bad_request", "That token does not belong to a bot.");
    username = me.username;
    botId = me.id;
  } else if (existing) {
    username = existing.address;
    botId = readTelegramSettings(existing.settings).botId;
  } else if (v.username) {
    username = v.username;
  } else {
    throw new AppError("bad_request", "Enter your bot's token from @BotFather (or, in embedded mode, a username for a simulated bot).");
  }

  const credentials: TelegramCredentials = {
    ...(token ? { botToken: token } : {}),
    webhookSecret: stored?.webhookSecret ?? crypto.randomBytes(32).toString("base64url"),
  };
  const previous = existing ? readTelegramSettings(existing.settings) : null;
  const channel = await saveChannel(ctx, {
    key: "telegram",
    name: v.name || `Telegram @${username}`,
    address: username,
    settings: { botId, greeting: v.greeting, webhook: v.botToken ? null : (previous?.webhook ?? null) },
    credentialsEncrypted: sealCredentials(credentials),
    enabled: v.enabled,
    details: { bot: `@${username}`, token: token ? maskSecret(token) : null },
  });
  // The webhook is (re)registered whenever the token changes or it never took.
  if (token && (v.botToken || !previous?.webhook?.ok)) {
    const webhook = await registerWebhook(channel, credentials);
    return { channel, webhook };
  }
  return { channel, webhook: null };
}
