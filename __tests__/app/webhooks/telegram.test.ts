// A Telegram bot end to end against a local stand-in of the Bot API: Connect checks the token with
// getMe and registers the webhook with a secret token; POST /api/webhooks/telegram/<channel> checks
// X-Telegram-Bot-Api-Secret-Token on every update, answers /start with the greeting, ignores edits,
// de-duplicates on update_id, and replies with sendMessage in MarkdownV2 Telegram accepts, waiting
// out a 429's retry_after.
import { and, eq, sql } from "drizzle-orm";
import { rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { backgroundIdle } from "@/lib/channels/twilio/background";
import { connectTelegramChannel, telegramCredentials } from "@/lib/channels/telegram/channels";
import { toMarkdownV2 } from "@/lib/channels/telegram/markdown";
import { drainChannelOutbox } from "@/lib/channels/delivery";
import { actOnConversation } from "@/lib/services/conversations";
import type { Channel } from "@/lib/channels/common/channels";
import type { MemberCtx } from "@/lib/services/context";
import { POST } from "@/app/api/webhooks/telegram/[channel]/route";
import { closeDb, useDemoBusiness } from "../../helpers/demo";
import { quiet, useTelegram } from "../../helpers/providers";
import { BOT, telegramFixture, telegramRequest, withUpdate } from "../../fixtures/telegram";

let api: Awaited<ReturnType<typeof useTelegram>>;
let ctx: MemberCtx;
let channel: Channel;
let secret: string;
const waits: number[] = [];
let seq = 483921000;
const CHAT = 700100200;

const post = async (body: Record<string, unknown> | string, opts: { secret?: string | null; channelId?: string } = {}) => {
  const id = opts.channelId ?? channel.id;
  const res = await POST(telegramRequest(`http://localhost:3000/api/webhooks/telegram/${id}`, body, opts.secret === undefined ? secret : opts.secret), { params: Promise.resolve({ channel: id }) });
  return { res, body: (await res.json()) as Record<string, unknown> };
};
const text = (t: string, fields: Record<string, unknown> = {}) => withUpdate(telegramFixture("update-text"), ++seq, { message_id: seq, text: t, ...fields });
const stored = async (messageId: number, chat = CHAT) =>
  (await withService((tx) => tx.select().from(s.messages).where(and(eq(s.messages.channelId, channel.id), eq(s.messages.providerMessageId, `${chat}:${messageId}`)))))[0];
const answerOf = async (id: string) => (await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.replyToId, id))))[0];

beforeAll(async () => {
  api = await useTelegram(waits);
  api.bots.set(BOT.token, { id: BOT.id, username: BOT.username });
  ctx = await useDemoBusiness();
});
beforeEach(async () => {
  await quiet(() => api)();
  waits.length = 0;
});
afterAll(async () => {
  await api.stop();
  await closeDb();
});

describe("Connect", () => {
  it("refuses a token Telegram does not know, storing nothing", async () => {
    await expect(connectTelegramChannel({ ctx, input: { botToken: "7012345678:AAFakeTokenFakeTokenFakeTokenFake12" } })).rejects.toMatchObject({
      status: 400,
      message: "Telegram did not accept this bot token: Unauthorized",
    });
    const [{ count }] = await withService((tx) => rows<{ count: number }>(tx, sql`select count(*)::int as count from channels where kind = 'telegram'`));
    expect(count).toBe(0);
  });

  it("is for owners and admins only", async () => {
    const agent: MemberCtx = { ...ctx, actor: { ...ctx.actor, role: "agent" } };
    await expect(connectTelegramChannel({ ctx: agent, input: { botToken: BOT.token } })).rejects.toMatchObject({ status: 403 });
    expect(api.requests).toHaveLength(0);
  });

  it("checks the token with getMe, stores it sealed, and sets the webhook with a secret token", async () => {
    const { channel: c, webhook } = await connectTelegramChannel({ ctx, input: { botToken: BOT.token } });
    channel = c;
    expect(webhook).toEqual({ ok: true, error: null, url: `http://localhost:3000/api/webhooks/telegram/${c.id}` });
    expect(c.address).toBe(BOT.username);
    expect(api.requests.map((r) => r.path)).toEqual([`/bot${BOT.token}/getMe`, `/bot${BOT.token}/setWebhook`]);
    const set = api.webhooks.get(BOT.token)!;
    secret = telegramCredentials(c)!.webhookSecret;
    expect(set).toEqual({ url: `http://localhost:3000/api/webhooks/telegram/${c.id}`, secret_token: secret, allowed_updates: ["message", "edited_message"] });
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Encrypted at rest: neither the token nor the secret is in the row.
    expect(c.credentialsEncrypted).not.toContain(BOT.token.split(":")[1]);
    expect(c.credentialsEncrypted).not.toContain(secret);
    expect(JSON.stringify(c.settings)).not.toContain(secret);
  });
});

describe("updates", () => {
  it("/start is answered with the greeting, without the model, in MarkdownV2 Telegram accepts", async () => {
    const r = await post(withUpdate(telegramFixture("update-start"), ++seq, { message_id: 111 }));
    expect(r.res.status).toBe(200);
    expect(r.body).toEqual({ ok: true, command: "start" });
    await backgroundIdle();
    const greeting = "Hi! I'm the Riverside Dental assistant. Ask me about appointments, prices or treatments.";
    expect(api.sent).toEqual([{ token: BOT.token, chat_id: String(CHAT), text: toMarkdownV2(greeting), parse_mode: "MarkdownV2" }]);
    expect(api.sent[0]!.text).toBe("Hi\\! I'm the Riverside Dental assistant\\. Ask me about appointments, prices or treatments\\.");
    const m = await stored(111);
    expect(m!.metadata).toMatchObject({ outcome: "command:start" });
    const reply = await answerOf(m!.id);
    expect(reply).toMatchObject({ content: greeting, deliveryStatus: "sent", providerMessageId: expect.stringMatching(new RegExp(`^${CHAT}:\\d+$`)) });
  });

  it("a text message is stored for the customer and answered through sendMessage", async () => {
    const update = withUpdate(telegramFixture("update-text"), ++seq);
    const r = await post(update);
    expect(r.res.status).toBe(200);
    const m = await stored(112);
    expect(m!.content).toBe("How much does a check-up cost?");
    const [customer] = await withService((tx) => tx.select().from(s.customers).where(eq(s.customers.id, m!.customerId)));
    expect(customer!.name).toBe("Alex Morgan");
    await backgroundIdle();
    expect(api.sent).toHaveLength(1);
    expect(api.sent[0]!.text).toMatch(/£55/);
    expect(api.sent[0]!.text).toMatch(/\\\./); // the full stops went escaped, or Telegram would have refused
    expect((await answerOf(m!.id))!.deliveryStatus).toBe("sent");
    // The /start and this message are one customer, one conversation.
    expect((await stored(111))!.conversationId).toBe(m!.conversationId);
  });

  it("a repeated update_id is acknowledged without a second answer", async () => {
    const update = text("Do you have parking?");
    expect((await post(update)).body).toMatchObject({ ok: true });
    expect((await post(update)).body).toEqual({ ok: true, duplicate: true });
    await backgroundIdle();
    expect(api.sent).toHaveLength(1);
    const [{ count }] = await withService((tx) => rows<{ count: number }>(tx, sql`select count(*)::int as count from messages where channel_id = ${channel.id} and content = 'Do you have parking?'`));
    expect(count).toBe(1);
  });

  it("edited messages and group chats are acknowledged and not answered", async () => {
    expect((await post(withUpdate(telegramFixture("update-edited"), ++seq))).body).toEqual({ ok: true, ignored: "edited_message" });
    expect((await post(withUpdate(telegramFixture("update-group"), ++seq))).body).toEqual({ ok: true, ignored: "not_a_private_chat" });
    await backgroundIdle();
    expect(api.sent).toHaveLength(0);
    expect((await stored(112))!.content).toBe("How much does a check-up cost?");
  });

  it("refuses a missing or wrong secret token with 401, and an unknown bot URL with 404", async () => {
    const missing = await post(text("hello"), { secret: null });
    expect(missing.res.status).toBe(401);
    expect(missing.body).toEqual({ error: { code: "unauthorized", message: "The X-Telegram-Bot-Api-Secret-Token header is missing or does not match this bot's webhook secret." } });
    expect((await post(text("hello"), { secret: `${secret.slice(0, -1)}x` })).res.status).toBe(401);
    expect((await post(text("hello"), { channelId: "00000000-0000-4000-8000-000000000000" })).res.status).toBe(404);
    expect((await post(text("hello"), { channelId: "not-a-uuid" })).res.status).toBe(404);
    // 36 characters of the right alphabet that are not a UUID: still a 404, never a database error.
    expect((await post(text("hello"), { channelId: "-".repeat(36) })).res.status).toBe(404);
    expect((await post(text("hello"), { channelId: "0".repeat(36) })).res.status).toBe(404);
    const [{ count }] = await withService((tx) => rows<{ count: number }>(tx, sql`select count(*)::int as count from messages where content = 'hello'`));
    expect(count).toBe(0);
  });

  it("answers malformed bodies with 400", async () => {
    const bad = await post("{not json");
    expect(bad.res.status).toBe(400);
    expect(bad.body).toEqual({ error: { code: "bad_request", message: "The body is not valid JSON." } });
    const noId = await post({ message: telegramFixture("update-text").message as Record<string, unknown> });
    expect(noId.res.status).toBe(400);
    expect((noId.body.error as { message: string }).message).toMatch(/update_id/);
  });

  it("a NUL character in the text or the name is dropped and the message kept; a date that is no time falls back to when it arrived", async () => {
    for (const [i, date] of [1e16, "' OR 1=1", -1].entries()) {
      const chat = 700100300 + i;
      const from = { id: chat, is_bot: false, first_name: "Jo\u0000", last_name: "Park\u0000", language_code: "en\u0000" };
      const update = text("Are you open\u0000 late?\u0000", { from, chat: { id: chat, type: "private" }, date });
      const before = Date.now();
      const r = await post(update);
      expect([r.res.status, r.body]).toEqual([200, { ok: true, stored: expect.any(String) }]);
      const m = await stored(seq, chat);
      expect(m!.content).toBe("Are you open late?");
      const telegram = (m!.metadata as { telegram: { sentAt: string; language: string } }).telegram;
      expect(telegram.language).toBe("en");
      expect(Date.parse(telegram.sentAt)).toBeGreaterThanOrEqual(before - 1000);
      const [customer] = await withService((tx) => tx.select().from(s.customers).where(eq(s.customers.id, m!.customerId)));
      expect(customer!.name).toBe("Jo Park");
    }
  });
});

describe("sending", () => {
  it("waits out a 429's retry_after, then sends", async () => {
    api.failNext({ status: 429, body: { ok: false, error_code: 429, description: "Too Many Requests: retry after 3", parameters: { retry_after: 3 } } });
    const update = text("Do you treat children?");
    await post(update);
    await backgroundIdle();
    expect(waits).toEqual([3000]);
    expect(api.sent).toHaveLength(1);
    const m = await stored((update.message as { message_id: number }).message_id);
    expect((await answerOf(m!.id))!.metadata).toMatchObject({ delivery: { transport: "telegram", attempts: 2 } });
  });

  it("a longer ban than it waits for fails the send, and says so", async () => {
    api.failNext({ status: 429, body: { ok: false, error_code: 429, description: "Too Many Requests: retry after 600", parameters: { retry_after: 600 } } });
    const update = text("What payment methods do you accept?");
    await post(update);
    await backgroundIdle();
    expect(waits).toEqual([]);
    const m = await stored((update.message as { message_id: number }).message_id);
    const answer = await answerOf(m!.id);
    expect(answer!.deliveryStatus).toBe("failed");
    expect(answer!.metadata).toMatchObject({ delivery: { error: { message: "Too Many Requests: retry after 600 (Telegram asks to wait 600 s.)" } } });
  });

  it("if Telegram refuses the formatting, the same words go as plain text", async () => {
    api.failNext({ status: 400, body: { ok: false, error_code: 400, description: "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'" } });
    await post(text("Do you do Invisalign?"));
    await backgroundIdle();
    expect(api.sent).toHaveLength(1);
    expect(api.sent[0]!.parse_mode).toBeUndefined();
    expect(api.sent[0]!.text).toMatch(/Invisalign/);
  });

  it("a staff reply from the inbox goes to the chat", async () => {
    const m = await stored(112);
    await actOnConversation({ ctx, input: { id: m!.conversationId, action: { action: "reply", text: "Hi Alex, it's Sam. Yes, £55 (private)." } } }, { defer: () => undefined });
    expect(await drainChannelOutbox({ businessId: DEMO_BUSINESS_ID })).toEqual({ sent: 1, failed: 0, retrying: 0 });
    expect(api.sent).toEqual([{ token: BOT.token, chat_id: String(CHAT), text: "Hi Alex, it's Sam\\. Yes, £55 \\(private\\)\\.", parse_mode: "MarkdownV2" }]);
  });

  it("a turned-off bot acknowledges updates and stays quiet", async () => {
    await connectTelegramChannel({ ctx, input: { enabled: false } });
    expect((await post(text("Anyone there?"))).body).toEqual({ ok: true, ignored: "channel_disabled" });
    await backgroundIdle();
    expect(api.sent).toHaveLength(0);
    // No token typed: the stored one is kept and the webhook is not set again.
    expect(api.requests.filter((r) => r.path.endsWith("/setWebhook"))).toHaveLength(0);
    await connectTelegramChannel({ ctx, input: { enabled: true } });
  });
});


