// A local stand-in for the Telegram Bot API (api.telegram.org/bot<token>/<method>): getMe, setWebhook
// and sendMessage with Telegram's reply envelope ({ ok, result } / { ok: false, error_code,
// description, parameters }), refusing unknown tokens with 401 and a chat that blocked the bot with
// 403, and checking MarkdownV2 the way Telegram does: a reserved character outside an entity must be
// escaped, or the message is refused with "can't parse entities".
import { startJsonServer, type JsonStandIn } from "./json-server";

export type TelegramStandIn = JsonStandIn & {
  /** bots by token: the stand-in answers only these */
  bots: Map<string, { id: number; username: string }>;
  webhooks: Map<string, { url: string; secret_token?: string; allowed_updates?: string[] }>;
  sent: { token: string; chat_id: string | number; text: string; parse_mode?: string }[];
  /** chats whose person blocked the bot: sendMessage is refused with 403 as Telegram does */
  blocked: Set<string>;
};

const RESERVED = new Set("_*[]()~`>#+-=|{}.!".split(""));

/** null when Telegram would accept the text as MarkdownV2, else its error description. */
export function markdownV2Error(text: string): string | null {
  const open: string[] = [];
  let inLinkUrl = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "\\") {
      i++;
      continue;
    }
    if (inLinkUrl) {
      if (ch === ")") inLinkUrl = false;
      continue;
    }
    if (ch === "`") {
      const fence = text.startsWith("```", i);
      const close = text.indexOf(fence ? "```" : "`", i + (fence ? 3 : 1));
      if (close < 0) return "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset " + i;
      i = close + (fence ? 2 : 0);
      continue;
    }
    if (ch === "*" || ch === "_" || ch === "~") {
      if (open.at(-1) === ch) open.pop();
      else open.push(ch);
      continue;
    }
    if (ch === "[") {
      open.push("[");
      continue;
    }
    if (ch === "]" && open.at(-1) === "[") {
      open.pop();
      if (text[i + 1] === "(") {
        inLinkUrl = true;
        i++;
      }
      continue;
    }
    if (ch === ">" && (i === 0 || text[i - 1] === "\n")) continue;
    if (RESERVED.has(ch)) return `Bad Request: can't parse entities: Character '${ch}' is reserved and must be escaped with the preceding '\\'`;
  }
  return open.length ? `Bad Request: can't parse entities: Can't find end of ${open.at(-1)} entity` : null;
}

export async function startTelegramServer(): Promise<TelegramStandIn> {
  const bots = new Map<string, { id: number; username: string }>();
  const webhooks = new Map<string, { url: string; secret_token?: string; allowed_updates?: string[] }>();
  const sent: TelegramStandIn["sent"] = [];
  const blocked = new Set<string>();
  let nextMessageId = 1000;
  const fail = (status: number, description: string) => ({ status, body: { ok: false, error_code: status, description } });
  const server = await startJsonServer((req) => {
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.path);
    if (!m) return fail(404, "Not Found");
    const [, token, method] = m;
    const bot = bots.get(token!);
    if (!bot) return fail(401, "Unauthorized");
    if (req.method !== "POST" || req.headers["content-type"] !== "application/json") return fail(400, "Bad Request: expected a JSON body");
    const body = (req.json ?? {}) as Record<string, unknown>;
    switch (method) {
      case "getMe":
        return { status: 200, body: { ok: true, result: { id: bot.id, is_bot: true, first_name: "Demo Dental", username: bot.username, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false } } };
      case "setWebhook": {
        if (typeof body.url !== "string" || !body.url.startsWith("http")) return fail(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook");
        if (body.secret_token !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(String(body.secret_token))) return fail(400, "Bad Request: secret token contains unallowed characters");
        webhooks.set(token!, { url: body.url, secret_token: body.secret_token as string | undefined, allowed_updates: body.allowed_updates as string[] | undefined });
        return { status: 200, body: { ok: true, result: true, description: "Webhook was set" } };
      }
      case "sendMessage": {
        const text = String(body.text ?? "");
        if (!body.chat_id) return fail(400, "Bad Request: chat_id is empty");
        if (blocked.has(String(body.chat_id))) return fail(403, "Forbidden: bot was blocked by the user");
        if (!text) return fail(400, "Bad Request: message text is empty");
        if (text.length > 4096) return fail(400, "Bad Request: message is too long");
        if (body.parse_mode === "MarkdownV2") {
          const problem = markdownV2Error(text);
          if (problem) return fail(400, problem);
        }
        sent.push({ token: token!, chat_id: body.chat_id as string, text, parse_mode: body.parse_mode as string | undefined });
        const chatId = Number(body.chat_id);
        return { status: 200, body: { ok: true, result: { message_id: ++nextMessageId, from: { id: bot.id, is_bot: true, first_name: "Demo Dental", username: bot.username }, chat: { id: chatId, type: "private" }, date: Math.floor(Date.now() / 1000), text } } };
      }
      default:
        return fail(404, "Not Found: method not found");
    }
  });
  const reset = server.reset;
  return Object.assign(server, {
    bots,
    webhooks,
    sent,
    blocked,
    reset() {
      reset();
      sent.length = 0;
    },
  });
}
