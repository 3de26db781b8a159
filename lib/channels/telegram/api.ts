import "server-only";
// The Telegram Bot API over HTTPS (https://core.telegram.org/bots/api): POST /bot<token>/<method>
// with a JSON body, { ok, result } back, or { ok: false, error_code, description, parameters }.
// TELEGRAM_API_BASE points it at another origin (a local stand-in in tests). A 429 carries
// parameters.retry_after: the call waits that long before the shared retry helper tries again (up to
// MAX_RETRY_AFTER_S; a longer ban fails the send instead of holding a request open). The token is in
// the path only, never in a log or an error message.
import { env } from "@/lib/env";

export const DEFAULT_TELEGRAM_API = "https://api.telegram.org";
export const MAX_RETRY_AFTER_S = 30;

export class TelegramError extends Error {
  constructor(
    message: string,
    /** HTTP status, for the retry helper (429 and 5xx retry); null when Telegram could not be reached or asked for too long a wait */
    public readonly status: number | null,
    public readonly code: string,
    public readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "TelegramError";
  }
}

type Reply<T> = { ok: true; result: T } | { ok: false; error_code?: number; description?: string; parameters?: { retry_after?: number; migrate_to_chat_id?: number } };

let sleepOverride: ((ms: number) => Promise<void>) | undefined;

/** For tests: observe (and shorten) the waits Telegram asks for. */
export function setTelegramSleepForTests(fn: ((ms: number) => Promise<void>) | undefined): void {
  sleepOverride = fn;
}

const sleep = (ms: number) => (sleepOverride ? sleepOverride(ms) : new Promise<void>((r) => setTimeout(r, ms)));

export async function callTelegram<T>(token: string, method: string, body: Record<string, unknown>): Promise<T> {
  const base = (env().TELEGRAM_API_BASE ?? DEFAULT_TELEGRAM_API).replace(/\/$/, "");
  let res: Response;
  try {
    res = await fetch(`${base}/bot${token}/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    throw new TelegramError(`Telegram could not be reached (${method}).`, null, "ERR_SOCKET_TELEGRAM");
  }
  let reply: Reply<T>;
  try {
    reply = (await res.json()) as Reply<T>;
  } catch {
    throw new TelegramError(`Telegram answered ${res.status} without JSON (${method}).`, res.status, "bad_response");
  }
  if (reply.ok) return reply.result;
  const status = reply.error_code ?? res.status;
  const description = reply.description ?? `Telegram refused ${method}.`;
  if (status === 429) {
    const wait = reply.parameters?.retry_after ?? 1;
    if (wait > MAX_RETRY_AFTER_S) throw new TelegramError(`${description} (Telegram asks to wait ${wait} s.)`, null, "rate_limited", wait);
    await sleep(wait * 1000);
    throw new TelegramError(description, 429, "rate_limited", wait);
  }
  throw new TelegramError(description, status, "telegram_error");
}

export type TelegramUser = { id: number; is_bot: boolean; first_name: string; username?: string };
export type TelegramMessageResult = { message_id: number; chat: { id: number }; date: number };

export const BOT_TOKEN = /^\d{5,15}:[A-Za-z0-9_-]{30,50}$/;
