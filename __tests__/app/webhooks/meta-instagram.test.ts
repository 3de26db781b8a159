// GET and POST /api/webhooks/meta/instagram with Meta's documented notifications: the hub.challenge
// check with the business's verify token, X-Hub-Signature-256 on every POST, DMs stored and answered
// through a local stand-in of Instagram's Send API, echoes of our own messages ignored; Instagram's
// messaging window (24 hours for anyone as RESPONSE, 7 days for a person as MESSAGE_TAG/HUMAN_AGENT).
import { eq, sql } from "drizzle-orm";
import { rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { backgroundIdle } from "@/lib/channels/twilio/background";
import { deliverAnswer, drainChannelOutbox } from "@/lib/channels/delivery";
import { INSTAGRAM_HUMAN_AGENT_NOTICE, INSTAGRAM_WINDOW_CLOSED, instagramWindowStage } from "@/lib/channels/instagram/window";
import { storeInbound } from "@/lib/pipeline/inbound";
import { sweep } from "@/lib/jobs/sweeper";
import { actOnConversation, getConversation } from "@/lib/services/conversations";
import { connectInstagramChannel } from "@/lib/channels/meta/channels";
import { metaCredentials } from "@/lib/channels/meta/app";
import type { Channel } from "@/lib/channels/common/channels";
import type { MemberCtx } from "@/lib/services/context";
import { GET, POST } from "@/app/api/webhooks/meta/instagram/route";
import { closeDb, useDemoBusiness } from "../../helpers/demo";
import { metaError } from "../../helpers/meta-server";
import { quiet, useMeta } from "../../helpers/providers";
import { ACCESS_TOKEN, IG_ACCOUNT, IG_CUSTOMER, instagramWith, metaFixture, metaRequest, postSigned } from "../../fixtures/meta";

const URL_ = "http://localhost:3000/api/webhooks/meta/instagram";
let api: Awaited<ReturnType<typeof useMeta>>;
let ctx: MemberCtx;
let channel: Channel;
let n = 0;

const post = (body: Record<string, unknown> | string, opts: { secret?: string; signature?: string | null } = {}) => postSigned(POST, URL_, body, opts);
const dm = (text: string, sender = IG_CUSTOMER) => instagramWith(metaFixture("instagram-message"), { mid: `aWdfZAG1faXRlbTpJR01lc3NhZAtest${++n}`, text }, sender);
const byMid = async (mid: string) => (await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.providerMessageId, mid))))[0];
const answerOf = async (id: string) => (await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.replyToId, id))))[0];
const midOf = (body: Record<string, unknown>) => ((body.entry as { messaging: { message: { mid: string } }[] }[])[0]!.messaging[0]!.message.mid);

beforeAll(async () => {
  api = await useMeta();
  api.tokens.set(IG_ACCOUNT, { token: ACCESS_TOKEN, product: "instagram" });
  ctx = await useDemoBusiness();
  channel = await connectInstagramChannel({ ctx, input: { accountId: IG_ACCOUNT, username: "@riversidedental", accessToken: ACCESS_TOKEN } });
});
beforeEach(quiet(() => api));
afterAll(async () => {
  await api.stop();
  await closeDb();
});

describe("the subscription check", () => {
  const check = (params: Record<string, string>) => GET(new Request(`${URL_}?${new URLSearchParams(params)}`));

  it("echoes hub.challenge for the business's verify token", async () => {
    const token = metaCredentials(channel)!.verifyToken;
    const res = await check({ "hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "1158201444" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await res.text()).toBe("1158201444");
  });

  it("refuses any other token with 403, and a request without the hub fields with 400", async () => {
    const wrong = await check({ "hub.mode": "subscribe", "hub.verify_token": "prismai_guessed", "hub.challenge": "1" });
    expect(wrong.status).toBe(403);
    expect((await wrong.json()).error.message).toBe("hub.verify_token does not match the verify token of any Instagram channel.");
    expect((await check({ "hub.challenge": "1" })).status).toBe(400);
  });
});

describe("direct messages", () => {
  it("are stored, acknowledged at once, and answered through the Send API", async () => {
    const body = metaFixture("instagram-message");
    const r = await post(body);
    expect(r.res.status).toBe(200);
    expect(r.body).toEqual({ ok: true, stored: 1, duplicates: 0, ignored: 0, statuses: 0, unknown: 0 });
    const m = await byMid(midOf(body));
    expect(m!.content).toBe("Hi, do you have any appointments for a check-up this week?");
    const [identity] = await withService((tx) => tx.select().from(s.customerIdentities).where(eq(s.customerIdentities.customerId, m!.customerId)));
    expect(identity!.kind).toBe("instagram");

    await backgroundIdle();
    expect(api.requests).toHaveLength(1);
    const send = api.requests[0]!;
    expect(send.method).toBe("POST");
    expect(send.path).toBe(`/v23.0/${IG_ACCOUNT}/messages`);
    expect(send.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    const answer = await answerOf(m!.id);
    expect(send.json).toEqual({ recipient: { id: IG_CUSTOMER }, messaging_type: "RESPONSE", message: { text: answer!.content } });
    expect(answer!.deliveryStatus).toBe("sent");
    expect(answer!.providerMessageId).toMatch(/^aWdfZAG1faXRlbTpJR01lc3NhZA/);
    const [cost] = await withService((tx) => rows<{ units: number; cost: number }>(tx, sql`select units, cost_usd::float8 as cost from cost_events where kind = 'instagram' and message_id = ${answer!.id}`));
    expect(cost).toEqual({ units: 1, cost: 0 });
  });

  it("echoes of the account's own messages are acknowledged and never answered", async () => {
    const r = await post(metaFixture("instagram-echo"));
    expect(r.body).toMatchObject({ stored: 0, ignored: 1 });
    await backgroundIdle();
    expect(api.requests).toHaveLength(0);
    expect(await byMid(midOf(metaFixture("instagram-echo")))).toBeUndefined();
  });

  it("a redelivered notification is handled once", async () => {
    const body = dm("Is there parking?");
    expect((await post(body)).body).toMatchObject({ stored: 1 });
    expect((await post(body)).body).toMatchObject({ stored: 0, duplicates: 1 });
    await backgroundIdle();
    expect(api.requests).toHaveLength(1);
  });

  it("notifications for an account no business connected are acknowledged and dropped", async () => {
    const body = structuredClone(dm("hello")) as { entry: { id: string }[] };
    body.entry[0]!.id = "17841400000000999";
    expect((await post(body)).body).toMatchObject({ stored: 0, unknown: 1 });
  });

  it("a NUL character is dropped and the message kept; a timestamp that is no time falls back to when it arrived", async () => {
    for (const [i, timestamp] of [1e17, "' OR 1=1", -5].entries()) {
      const body = dm(`Can I\u0000 book a cleaning on day ${i}?\u0000`, `16411897126490${i}`) as { entry: { messaging: Record<string, unknown>[] }[] };
      body.entry[0]!.messaging[0]!.timestamp = timestamp;
      const before = Date.now();
      const r = await post(body);
      expect([r.res.status, r.body]).toEqual([200, expect.objectContaining({ stored: 1 })]);
      const m = await byMid(midOf(body));
      expect(m!.content).toBe(`Can I book a cleaning on day ${i}?`);
      const sentAt = Date.parse((m!.metadata as { instagram: { sentAt: string } }).instagram.sentAt);
      expect(sentAt).toBeGreaterThanOrEqual(before - 1000);
      expect(sentAt).toBeLessThanOrEqual(Date.now());
    }
  });
});

describe("signatures and malformed bodies", () => {
  it("refuses a missing signature, a wrong secret and a signature of other bytes with 401, storing nothing", async () => {
    const body = dm("Do you see nervous patients?");
    const missing = await post(body, { signature: null });
    expect(missing.res.status).toBe(401);
    expect(missing.body).toEqual({ error: { code: "unauthorized", message: "The X-Hub-Signature-256 header is missing or is not the HMAC-SHA256 of this body with the app secret." } });
    expect((await post(body, { secret: "0".repeat(32) })).res.status).toBe(401);
    const raw = JSON.stringify(body);
    const signedOther = metaRequest(URL_, dm("something else"));
    expect((await POST(new Request(URL_, { method: "POST", headers: signedOther.headers, body: raw }))).status).toBe(401);
    expect(await byMid(midOf(body))).toBeUndefined();
  });

  it("answers malformed bodies with 400 and what is wrong", async () => {
    const notJson = await post("{oops");
    expect(notJson.res.status).toBe(400);
    expect(notJson.body).toEqual({ error: { code: "bad_request", message: "The body is not valid JSON." } });
    const wrongObject = await post({ object: "page", entry: [] });
    expect(wrongObject.res.status).toBe(400);
    expect((wrongObject.body.error as { message: string }).message).toBe('object: object must be "instagram" on this URL');
    const noMid = await post(instagramWith(metaFixture("instagram-message"), { mid: "" }));
    expect(noMid.res.status).toBe(400);
  });

  it("refuses a body over the cap with 413 without reading it all, even one that never ends", async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(chunk);
      },
    });
    const res = await POST(new Request(URL_, { method: "POST", headers: { "content-type": "application/json" }, body: endless, duplex: "half" } as RequestInit));
    expect(res.status).toBe(413);
    expect((await res.json()).error.message).toBe("The body is larger than 262144 bytes.");
    expect(pulled).toBeLessThan(10);
  }, 10_000);
});

describe("sending", () => {
  it("retries Meta's throttling (code 4) and server errors", async () => {
    api.failNext(metaError(400, 4, "(#4) Application request limit reached"));
    api.failNext(metaError(500, 2, "An unexpected error has occurred. Please retry your request later.", "OAuthException"));
    const body = dm("How much is a scale and polish?");
    await post(body);
    await backgroundIdle();
    expect(api.requests).toHaveLength(3);
    const answer = await answerOf((await byMid(midOf(body)))!.id);
    expect(answer!.metadata).toMatchObject({ delivery: { transport: "meta", attempts: 3 } });
    expect(answer!.deliveryStatus).toBe("sent");
  });

  it("an expired token fails at once, with Meta's reason kept", async () => {
    api.failNext(metaError(401, 190, "Error validating access token: Session has expired."));
    const body = dm("Can I pay by card?");
    await post(body);
    await backgroundIdle();
    expect(api.requests).toHaveLength(1);
    const answer = await answerOf((await byMid(midOf(body)))!.id);
    expect(answer!.deliveryStatus).toBe("failed");
    expect(answer!.metadata).toMatchObject({ delivery: { error: { status: 401, code: 190, message: "Error validating access token: Session has expired." } } });
  });
});

describe("Instagram's messaging window", () => {
  const HOUR = 3600_000;
  let k = 0;
  const customerId = () => `17890000000${String(++k).padStart(4, "0")}`;
  const noDefer = { defer: () => undefined };
  /** A DM from a new customer, answered by the AI inside the window; the stand-in's log is cleared after. */
  const conversationWith = async (sender: string, text: string) => {
    const body = dm(text, sender);
    await post(body);
    await backgroundIdle();
    const m = (await byMid(midOf(body)))!;
    const answer = (await answerOf(m.id))!;
    api.reset();
    return { m, answer };
  };
  /** Moves the messages of the conversation's customer `hours` into the past. */
  const age = (conversationId: string, hours: number) =>
    withService((tx) =>
      tx.execute(
        sql`update messages set created_at = now() - make_interval(hours => ${hours})
            where role = 'customer' and customer_id = (select customer_id from conversations where id = ${conversationId})`,
      ),
    );
  const reply = (conversationId: string, text: string) => actOnConversation({ ctx, input: { id: conversationId, action: { action: "reply", text } } }, noDefer);
  const message = async (id: string) => (await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.id, id))))[0]!;
  const outboxOf = async (messageId: string) => (await withService((tx) => tx.select().from(s.outbox).where(eq(s.outbox.messageId, messageId))))[0]!;

  it("is open for 24 hours, then a person's for 7 days, then closed; it never opened without a message", () => {
    const now = new Date("2027-03-01T12:00:00Z");
    const ago = (ms: number) => new Date(now.getTime() - ms);
    expect(instagramWindowStage({ lastCustomerMessageAt: null }, now)).toBe("closed");
    expect(instagramWindowStage({ lastCustomerMessageAt: ago(24 * HOUR - 1000) }, now)).toBe("open");
    expect(instagramWindowStage({ lastCustomerMessageAt: ago(24 * HOUR) }, now)).toBe("human_agent");
    expect(instagramWindowStage({ lastCustomerMessageAt: ago(7 * 24 * HOUR - 1000) }, now)).toBe("human_agent");
    expect(instagramWindowStage({ lastCustomerMessageAt: ago(7 * 24 * HOUR) }, now)).toBe("closed");
  });

  it("inside 24 hours: a staff reply goes as RESPONSE, and the reply box says nothing special", async () => {
    const sender = customerId();
    const { m } = await conversationWith(sender, "Can I move my appointment to Tuesday?");
    expect((await getConversation({ ctx, input: { id: m.conversationId } })).reply).toEqual({});
    const { messageId } = await reply(m.conversationId, "Yes, Tuesday at 3pm works. Sam");
    expect(await drainChannelOutbox({ businessId: DEMO_BUSINESS_ID })).toEqual({ sent: 1, failed: 0, retrying: 0 });
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]!.path).toBe(`/v23.0/${IG_ACCOUNT}/messages`);
    expect(api.requests[0]!.json).toEqual({ recipient: { id: sender }, messaging_type: "RESPONSE", message: { text: "Yes, Tuesday at 3pm works. Sam" } });
    expect(await message(messageId!)).toMatchObject({ deliveryStatus: "sent", providerMessageId: expect.stringMatching(/^aWdfZAG1faXRlbTpJR01lc3NhZA/) });
  });

  it("between 24 hours and 7 days: a person's reply goes as MESSAGE_TAG with HUMAN_AGENT; the AI's answer is not sent", async () => {
    const sender = customerId();
    const { m, answer } = await conversationWith(sender, "Do you have a hygienist on Saturdays?");
    await age(m.conversationId, 25);
    const view = await getConversation({ ctx, input: { id: m.conversationId } });
    expect(view.reply).toEqual({ notice: INSTAGRAM_HUMAN_AGENT_NOTICE });

    // The sweeper's way of delivering an answer: refused, with the reason kept on the message.
    expect(await deliverAnswer("instagram", DEMO_BUSINESS_ID, answer.id)).toBe(true);
    expect(api.requests).toHaveLength(0);
    expect(await message(answer.id)).toMatchObject({ deliveryStatus: "blocked", metadata: expect.objectContaining({ delivery: { transport: "meta", blocked: "window_closed" } }) });

    const { messageId } = await reply(m.conversationId, "Sorry for the wait: yes, every other Saturday. Sam");
    expect(await drainChannelOutbox({ businessId: DEMO_BUSINESS_ID })).toEqual({ sent: 1, failed: 0, retrying: 0 });
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]!.json).toEqual({
      recipient: { id: sender },
      messaging_type: "MESSAGE_TAG",
      tag: "HUMAN_AGENT",
      message: { text: "Sorry for the wait: yes, every other Saturday. Sam" },
    });
    const sent = await message(messageId!);
    expect(sent.deliveryStatus).toBe("sent");
    expect(sent.metadata).toMatchObject({ delivery: { transport: "meta", messagingType: "MESSAGE_TAG", tag: "HUMAN_AGENT" } });
    expect(await outboxOf(messageId!)).toMatchObject({ status: "sent", error: null });

    // The customer writes again: the 24-hour window reopens and replies go as RESPONSE.
    await post(dm("Great, thanks!", sender));
    await backgroundIdle();
    expect((await getConversation({ ctx, input: { id: m.conversationId } })).reply).toEqual({});
    api.reset();
    await reply(m.conversationId, "See you Saturday.");
    await drainChannelOutbox({ businessId: DEMO_BUSINESS_ID });
    expect(api.requests.map((r) => r.json)).toEqual([{ recipient: { id: sender }, messaging_type: "RESPONSE", message: { text: "See you Saturday." } }]);
  });

  it("the sweeper's late answer is not sent once 24 hours have passed", async () => {
    const sender = customerId();
    const stored = await storeInbound({ businessId: DEMO_BUSINESS_ID, channelId: channel.id, channelKind: "instagram", from: { kind: "instagram", value: sender }, text: "Do you offer payment plans?" });
    await age(stored.conversationId, 30);
    api.reset();
    await sweep({ graceSeconds: 0 });
    expect(api.requests.filter((r) => (r.json as { recipient?: { id?: string } }).recipient?.id === sender)).toHaveLength(0);
    const answer = await answerOf(stored.message.id);
    expect(answer).toMatchObject({ role: "assistant", deliveryStatus: "blocked", metadata: expect.objectContaining({ delivery: { transport: "meta", blocked: "window_closed" } }) });
  });

  it("after 7 days: nothing is sent, the reply box says why, and the inbox refuses a reply with 422", async () => {
    const sender = customerId();
    const { m, answer } = await conversationWith(sender, "Is the practice accessible by wheelchair?");
    // Queued while the window was open, drained after it closed: the sender checks again and refuses.
    const { messageId } = await reply(m.conversationId, "Yes, step-free from the car park.");
    await age(m.conversationId, 8 * 24);
    expect(await drainChannelOutbox({ businessId: DEMO_BUSINESS_ID })).toEqual({ sent: 0, failed: 1, retrying: 0 });
    expect(api.requests).toHaveLength(0);
    expect(await outboxOf(messageId!)).toMatchObject({ status: "failed", error: INSTAGRAM_WINDOW_CLOSED });
    expect(await message(messageId!)).toMatchObject({ deliveryStatus: "blocked", metadata: expect.objectContaining({ delivery: { transport: "meta", blocked: "human_agent_window_closed" } }) });

    expect((await getConversation({ ctx, input: { id: m.conversationId } })).reply).toEqual({ unavailable: INSTAGRAM_WINDOW_CLOSED });
    await expect(reply(m.conversationId, "Hello again?")).rejects.toMatchObject({ status: 422, message: INSTAGRAM_WINDOW_CLOSED });
    const agents = await withService((tx) => rows<{ n: number }>(tx, sql`select count(*)::int as n from messages where conversation_id = ${m.conversationId} and role = 'agent'`));
    expect(agents[0]!.n).toBe(1);
    // Notes are still fine.
    await expect(actOnConversation({ ctx, input: { id: m.conversationId, action: { action: "note", text: "Asked about access." } } }, noDefer)).resolves.toBeDefined();

    expect(await deliverAnswer("instagram", DEMO_BUSINESS_ID, answer.id)).toBe(true);
    expect(api.requests).toHaveLength(0);
    expect((await message(answer.id)).deliveryStatus).toBe("blocked");
  });

  it("the stand-in refuses a tag without MESSAGE_TAG and MESSAGE_TAG without HUMAN_AGENT, as Meta does", async () => {
    const send = (body: Record<string, unknown>) =>
      fetch(`${api.url}/v23.0/${IG_ACCOUNT}/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${ACCESS_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ recipient: { id: IG_CUSTOMER }, message: { text: "hi" }, ...body }),
      });
    expect((await send({ messaging_type: "MESSAGE_TAG" })).status).toBe(400);
    expect((await send({ messaging_type: "MESSAGE_TAG", tag: "ACCOUNT_UPDATE" })).status).toBe(400);
    expect((await send({ messaging_type: "RESPONSE", tag: "HUMAN_AGENT" })).status).toBe(400);
    expect((await send({ messaging_type: "MESSAGE_TAG", tag: "HUMAN_AGENT" })).status).toBe(200);
  });
});
