// The chat API as the chat page and the widget call it: visitor sessions, streamed answers, polling,
// contact details, limits, allowed origins, and that nobody reads another visitor's messages.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);

import { and, eq, sql } from "drizzle-orm";
import { closeDb, rows, withService } from "@/lib/db/client";
import { channels, conversations, customerIdentities, customers, messages, rateLimitRules } from "@/lib/db/schema";
import { consentHistory } from "@/lib/campaigns/consent";
import { contactFormConsentWording } from "@/lib/campaigns/channel-rules";
import { DEMO_BUSINESS_ID, DEMO_SLUG } from "@/lib/db/seed-data";
import { identityHash, sealIdentity } from "@/lib/pipeline/identities";
import { ChatEventParser, type ChatEvent, type ChatMessage, type ChatPoll } from "@/lib/chat/protocol";
import { POST as sessionRoute } from "@/app/api/chat/[slug]/session/route";
import { GET as pollRoute, POST as sendRoute } from "@/app/api/chat/[slug]/messages/route";
import { POST as contactRoute } from "@/app/api/chat/[slug]/contact/route";
import { GET as widgetRoute } from "@/app/api/chat/[slug]/widget/route";
import { SOCKET_ADDRESS_HEADER } from "@/lib/security/client-ip";
import { useDemoBusiness } from "../../helpers/demo";
import { makeTenant, makeUser } from "../../helpers/fixtures";

const BASE = "http://localhost:3000";
const params = (slug = DEMO_SLUG) => ({ params: Promise.resolve({ slug }) });
let ipSeq = 0;
const freshIp = () => `198.51.100.${++ipSeq}`;
let idSeq = 0;
const clientId = () => `client-${Date.now().toString(36)}-${++idSeq}`;

type Opts = { token?: string; ip?: string; origin?: string; slug?: string; raw?: string };

function request(method: string, path: string, body: unknown, o: Opts = {}) {
  const headers: Record<string, string> = { [SOCKET_ADDRESS_HEADER]: o.ip ?? "203.0.113.50" };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.origin) headers.origin = o.origin;
  if (body !== undefined || o.raw !== undefined) headers["content-type"] = "application/json";
  return new Request(`${BASE}/api/chat/${o.slug ?? DEMO_SLUG}${path}`, {
    method,
    headers,
    body: o.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
}

async function newSession(o: Opts & { embedOrigin?: string } = {}) {
  const res = await sessionRoute(request("POST", "/session", o.embedOrigin ? { embedOrigin: o.embedOrigin } : {}, o), params(o.slug));
  expect(res.status).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

const send = (token: string, text: string, o: Opts & { id?: string } = {}) =>
  sendRoute(request("POST", "/messages", { text, clientId: o.id ?? clientId() }, { ...o, token }), params(o.slug));

async function events(res: Response): Promise<ChatEvent[]> {
  expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
  return new ChatEventParser().push(await res.text());
}

const done = (list: ChatEvent[]) => list.find((e): e is Extract<ChatEvent, { type: "done" }> => e.type === "done")!;

async function poll(token: string, after?: string | null, o: Opts = {}): Promise<ChatPoll> {
  const res = await pollRoute(request("GET", `/messages${after ? `?after=${encodeURIComponent(after)}` : ""}`, undefined, { ...o, token }), params(o.slug));
  expect(res.status).toBe(200);
  return (await res.json()) as ChatPoll;
}

async function setLimits(limits: Record<string, unknown>) {
  await withService((tx) => tx.execute(sql`update businesses set limits = ${JSON.stringify(limits)}::jsonb where id = ${DEMO_BUSINESS_ID}`));
}
const RELAXED = { customerMinIntervalSeconds: 0, customerPerDay: 1000, ipPerMinute: 1000 };

async function setAllowed(origins: string[]) {
  await withService((tx) =>
    tx
      .update(channels)
      .set({ settings: { allowedOrigins: origins } })
      .where(and(eq(channels.businessId, DEMO_BUSINESS_ID), eq(channels.kind, "web"))),
  );
}

async function conversationOf(messageId: string) {
  const [m] = await withService((tx) => tx.select().from(messages).where(eq(messages.id, messageId)));
  return m!.conversationId;
}

beforeAll(async () => {
  await useDemoBusiness({ customerMinIntervalSeconds: null });
  await withService(async (tx) => {
    const stranger = await makeUser(tx, "owner@elsewhere.test");
    await makeTenant(tx, "elsewhere", stranger.id);
  });
  await setLimits(RELAXED);
});
afterAll(() => closeDb());

describe("sending and streaming", () => {
  it("answers an FAQ question over server-sent events without anything internal", async () => {
    const token = await newSession();
    const res = await send(token, "How much is a scale and polish?");
    expect(res.status).toBe(200);
    const raw = await res.clone().text();
    const list = await events(res);
    expect(list[0]).toMatchObject({ type: "accepted", message: { role: "customer", content: "How much is a scale and polish?" } });
    expect(list.filter((e) => e.type === "delta").length).toBeGreaterThan(0);
    const end = done(list);
    expect(end.reply).toMatchObject({ role: "assistant", content: expect.stringMatching(/£65/) });
    expect(end.reply!.replyTo).toBe((list[0] as { message: ChatMessage }).message.id);
    expect(end.state.status).toBe("open");
    // the customer never sees how the answer was made, what it cost or any trace
    expect(raw).not.toMatch(/costUsd|trace|"source"|tokensIn|latency/);
  });

  it("streams a model answer token by token", async () => {
    const token = await newSession();
    const list = await events(await send(token, "Can I drink alcohol after a tooth extraction?"));
    const deltas = list.filter((e): e is Extract<ChatEvent, { type: "delta" }> => e.type === "delta");
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.map((d) => d.text).join("")).toBe(done(list).reply!.content);
  });

  it("answers a repeated clientId once, with the first answer", async () => {
    const token = await newSession();
    const id = clientId();
    const first = done(await events(await send(token, "Do you treat children?", { id })));
    const again = done(await events(await send(token, "Do you treat children?", { id })));
    expect(again.reply!.id).toBe(first.reply!.id);
    const [counts] = await withService((tx) =>
      rows<{ stored: number; replies: number }>(
        tx,
        sql`select (select count(*)::int from messages where provider_message_id like ${`%:${id}`}) as stored,
                   (select count(*)::int from messages where reply_to_id = ${first.reply!.replyTo}) as replies`,
      ),
    );
    expect(counts).toEqual({ stored: 1, replies: 1 });
  });
});

describe("reading messages", () => {
  it("returns the visitor's own history, and nothing of it to anyone else", async () => {
    const alice = await newSession();
    const bob = await newSession();
    await events(await send(alice, "Where is the clinic?"));
    const mine = await poll(alice);
    expect(mine.messages.map((m) => m.role)).toEqual(["customer", "assistant"]);
    expect(mine.messages[0]!.content).toBe("Where is the clinic?");
    expect(mine.state.status).toBe("open");

    const theirs = await poll(bob);
    expect(theirs.messages).toEqual([]);
    expect(theirs.state.status).toBe("new");

    // a token altered by one character, a token of another business, no token: 401 and nothing else
    // one character of the signature changed (not the last: its low bits are padding)
    const at = alice.length - 5;
    const forged = alice.slice(0, at) + (alice[at] === "A" ? "B" : "A") + alice.slice(at + 1);
    expect(forged).not.toBe(alice);
    for (const token of [forged, await newSession({ slug: "elsewhere" }), "not-a-token"]) {
      const res = await pollRoute(request("GET", "/messages", undefined, { token }), params());
      expect(res.status).toBe(401);
      expect(JSON.stringify(await res.json())).not.toMatch(/clinic/);
    }
    expect((await pollRoute(request("GET", "/messages", undefined), params())).status).toBe(401);
  });

  it("brings staff replies since the cursor, never internal notes", async () => {
    const token = await newSession();
    const list = await events(await send(token, "Do you take walk-ins?"));
    const accepted = list[0] as { message: ChatMessage };
    const first = await poll(token);
    const conversationId = await conversationOf(accepted.message.id);
    await withService(async (tx) => {
      const [c] = await tx.select().from(conversations).where(eq(conversations.id, conversationId));
      const base = { businessId: DEMO_BUSINESS_ID, conversationId, customerId: c!.customerId, channelId: c!.channelId };
      await tx.insert(messages).values({ ...base, role: "note", content: "internal: regular patient, be kind" });
      await tx.insert(messages).values({ ...base, role: "agent", source: "human", content: "Hi, Dana here — we can see you at 3pm." });
      await tx.insert(messages).values({ ...base, role: "system", content: "system bookkeeping" });
    });
    const next = await poll(token, first.cursor);
    expect(next.messages.map((m) => m.content)).toContain("Hi, Dana here — we can see you at 3pm.");
    const all = await poll(token);
    expect(all.messages.map((m) => m.role)).toEqual(["customer", "assistant", "agent"]);
    expect(JSON.stringify(all)).not.toMatch(/internal: regular patient|system bookkeeping/);

    const bad = await pollRoute(request("GET", "/messages?after=yesterday-ish", undefined, { token }), params());
    expect(bad.status).toBe(400);
  });

  it("shows that a person will reply once the conversation waits for one, and the AI stays quiet", async () => {
    const token = await newSession();
    const list = await events(await send(token, "Can I speak to a human please?"));
    expect(done(list)).toMatchObject({ handedOff: true, state: { status: "waiting_human" } });
    const after = done(await events(await send(token, "Hello? Is anyone there?")));
    expect(after.reply).toBeNull();
    expect(after.noReply).toMatchObject({ reason: "waiting_human", message: null });
    expect((await poll(token)).state.status).toBe("waiting_human");
  });
});

describe("bad input and limits", () => {
  it("answers malformed, empty, oversized and unknown with a 4xx and a message", async () => {
    const token = await newSession();
    const expectError = async (res: Response, status: number, message: RegExp) => {
      expect(res.status).toBe(status);
      const body = await res.json();
      expect(body.error.message).toMatch(message);
    };
    await expectError(await sendRoute(request("POST", "/messages", undefined, { token, raw: "{not json" }), params()), 400, /not valid JSON/);
    await expectError(await send(token, "   "), 400, /Type a message/);
    await expectError(await send(token, "x".repeat(4001)), 400, /under 4,000 characters/);
    await expectError(await sendRoute(request("POST", "/messages", { text: "hi", clientId: "../../x" }, { token }), params()), 400, /message id/);
    await expectError(await sendRoute(request("POST", "/messages", undefined, { token, raw: JSON.stringify({ text: "y".repeat(40_000), clientId: clientId() }) }), params()), 413, /larger than/);
    await expectError(await sendRoute(request("POST", "/messages", { text: "hi", clientId: clientId() }), params()), 401, /session/);
    await expectError(await send(token, "hi", { slug: "no-such-chat" }), 404, /doesn't exist/);
    await expectError(await sessionRoute(request("POST", "/session", undefined, { raw: "[" }), params()), 400, /not valid JSON/);
    // nothing of the above was stored
    const [n] = await withService((tx) => rows<{ n: number }>(tx, sql`select count(*)::int as n from messages where content = '   ' or content like 'xxxx%' or content like 'yyyy%'`));
    expect(n!.n).toBe(0);
  });

  it("drops NUL characters from what a visitor types: kept without them, and a message of nothing else is empty", async () => {
    const token = await newSession();
    const list = await events(await send(token, "Do you\u0000 open on Sundays?\u0000"));
    expect(list[0]).toMatchObject({ type: "accepted", message: { role: "customer", content: "Do you open on Sundays?" } });
    expect(done(list).reply).toMatchObject({ role: "assistant" });
    const empty = await send(token, "\u0000 \u0000");
    expect([empty.status, (await empty.json()).error.message]).toEqual([400, "text: Type a message first."]);
    const contact = await contactRoute(request("POST", "/contact", { value: "nul.visitor@example.com\u0000", name: "Robin\u0000 Hale" }, { token }), params());
    expect(contact.status).toBe(200);
    const [row] = await withService((tx) =>
      rows<{ name: string }>(tx, sql`select c.name from customers c join customer_identities i on i.customer_id = c.id where i.value_hash = ${identityHash({ kind: "email", value: "nul.visitor@example.com" })}`),
    );
    expect(row).toEqual({ name: "Robin Hale" });
  });

  it("refuses a cursor that is no time between 2000 and 2100 with 400 and what is expected", async () => {
    const token = await newSession();
    await events(await send(token, "Do you have a car park?"));
    for (const after of ["0000-01-01", "+275760-09-13T00:00:00Z", "99999", "' OR 1=1", "1"]) {
      const res = await pollRoute(request("GET", `/messages?after=${encodeURIComponent(after)}`, undefined, { token }), params());
      expect([after, res.status, (await res.json()).error.message]).toEqual([after, 400, "after must be a date between 2000 and 2100 in ISO 8601, e.g. 2026-01-31T09:30:00Z."]);
    }
    const all = await poll(token);
    expect((await poll(token, all.cursor)).messages.length).toBeLessThanOrEqual(all.messages.length);
  });

  it("limits a visitor who writes too fast: 429 with the reason, the message kept", async () => {
    await setLimits({ ...RELAXED, customerMinIntervalSeconds: 60 });
    try {
      const token = await newSession();
      expect((await send(token, "What payment methods do you accept?")).status).toBe(200);
      const res = await send(token, "And do you offer finance?");
      expect(res.status).toBe(429);
      // the pipeline's limit says when it opens again, as every 429 does
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(Number(res.headers.get("retry-after"))).toBeLessThanOrEqual(60);
      const body = await res.json();
      expect(body.error).toMatchObject({ code: "rate_limited", message: expect.stringMatching(/a little fast/) });
      expect(body.message).toMatchObject({ role: "customer", content: "And do you offer finance?" });
    } finally {
      await setLimits(RELAXED);
    }
  });

  it("limits an IP before anything is stored, and only that IP", async () => {
    // Two a day, not two a minute: a sliding window turning over mid-test would let a third through.
    await withService((tx) => tx.insert(rateLimitRules).values({ businessId: DEMO_BUSINESS_ID, scope: "ip_minute", limit: 2, windowSeconds: 86_400 }));
    try {
      const ip = freshIp();
      const token = await newSession({ ip: freshIp() });
      expect((await send(token, "Is there parking nearby?", { ip })).status).toBe(200);
      expect((await send(token, "Is there step-free access?", { ip })).status).toBe(200);
      const res = await send(token, "What about disabled bays?", { ip });
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
      expect((await res.json()).error.message).toMatch(/your network/);
      const [n] = await withService((tx) => rows<{ n: number }>(tx, sql`select count(*)::int as n from messages where content = 'What about disabled bays?'`));
      expect(n!.n).toBe(0);
      expect((await send(token, "What about disabled bays?", { ip: freshIp() })).status).toBe(200);
      // new sessions from one network are limited the same way
      const sessionIp = freshIp();
      await newSession({ ip: sessionIp });
      await newSession({ ip: sessionIp });
      expect((await sessionRoute(request("POST", "/session", {}, { ip: sessionIp }), params())).status).toBe(429);
    } finally {
      await withService((tx) => tx.delete(rateLimitRules).where(eq(rateLimitRules.businessId, DEMO_BUSINESS_ID)));
    }
  });
});

describe("the client's address", () => {
  it("is the connection's, so rotating X-Forwarded-For does not escape the per-IP limit", async () => {
    await withService((tx) => tx.insert(rateLimitRules).values({ businessId: DEMO_BUSINESS_ID, scope: "ip_minute", limit: 2, windowSeconds: 86_400 }));
    try {
      const ip = freshIp();
      const spoofed = (n: number) => {
        const req = request("POST", "/session", {}, { ip });
        req.headers.set("x-forwarded-for", `10.1.2.${n}`);
        req.headers.set("x-real-ip", `10.1.3.${n}`);
        req.headers.set("x-vercel-forwarded-for", `10.1.4.${n}`);
        return sessionRoute(req, params());
      };
      expect((await spoofed(1)).status).toBe(201);
      expect((await spoofed(2)).status).toBe(201);
      const third = await spoofed(3);
      expect(third.status).toBe(429);
      expect(third.headers.get("retry-after")).toMatch(/^\d+$/);
    } finally {
      await withService((tx) => tx.delete(rateLimitRules).where(eq(rateLimitRules.businessId, DEMO_BUSINESS_ID)));
    }
  });
});

describe("allowed websites", () => {
  afterEach(() => setAllowed([]));

  it("serves only the websites on the list, the app's own pages always", async () => {
    await setAllowed(["https://shop.example.com", "https://*.clinic.example"]);
    const refused = await sessionRoute(request("POST", "/session", {}, { origin: "https://evil.example" }), params());
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.message).toMatch(/isn't allowed/);
    expect((await sessionRoute(request("POST", "/session", { embedOrigin: "https://evil.example" }), params())).status).toBe(403);

    const shop = await newSession({ embedOrigin: "https://shop.example.com" });
    expect((await send(shop, "Do you see nervous patients?", { origin: "https://shop.example.com" })).status).toBe(200);
    await newSession({ embedOrigin: "https://booking.clinic.example" });
    // the app's own origin (the chat page itself) always passes
    const own = await newSession({ origin: BASE });
    expect((await send(own, "Do you do Invisalign?", { origin: BASE })).status).toBe(200);
    // a direct call from another site with a valid token is refused too
    expect((await send(own, "hello", { origin: "https://evil.example" })).status).toBe(403);

    // taking a website off the list ends its visitors' sessions
    await setAllowed(["https://other.example.com"]);
    const gone = await pollRoute(request("GET", "/messages", undefined, { token: shop }), params());
    expect(gone.status).toBe(403);

    const widget = async (origin: string) => {
      const res = await widgetRoute(request("GET", "/widget", undefined, { origin }), params());
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      return (await res.json()) as { allowed: boolean; name: string; brandColor: string };
    };
    expect(await widget("https://other.example.com")).toMatchObject({ allowed: true, name: "Riverside Dental Clinic", brandColor: "#0e7490" });
    expect(await widget("https://evil.example")).toMatchObject({ allowed: false });
  });
});

describe("leaving an email or phone", () => {
  it("links the contact to the visitor's customer, and validates it", async () => {
    const token = await newSession();
    await events(await send(token, "Can I book a check-up?"));
    const bad = await contactRoute(request("POST", "/contact", { value: "not an email@" }, { token }), params());
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/email address/);
    const badPhone = await contactRoute(request("POST", "/contact", { value: "12" }, { token }), params());
    expect(badPhone.status).toBe(400);

    const res = await contactRoute(request("POST", "/contact", { value: "Sam.Jones@Example.com", name: "Sam" }, { token }), params());
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ contact: { kind: "email", masked: "s••••••@example.com" } });
    const [row] = await withService((tx) =>
      rows<{ kinds: string[]; name: string }>(
        tx,
        sql`select array_agg(i.kind::text order by i.kind) as kinds, c.name from customer_identities i join customers c on c.id = i.customer_id
            where i.business_id = ${DEMO_BUSINESS_ID} and i.customer_id = (select customer_id from customer_identities where value_hash = ${identityHash({ kind: "email", value: "sam.jones@example.com" })})
            group by c.name`,
      ),
    );
    expect(row).toEqual({ kinds: ["email", "web"], name: "Sam" });
  });

  it("merges into the customer who has that email, without showing the visitor that customer's other threads", async () => {
    // Carol chats on the web and leaves her email; she also texted the clinic before.
    const carol = await newSession();
    await events(await send(carol, "Carol here: what time is my appointment?"));
    await contactRoute(request("POST", "/contact", { value: "carol@example.com" }, { token: carol }), params());
    const carolCustomer = (await withService((tx) =>
      rows<{ customer_id: string }>(tx, sql`select customer_id from messages where content = 'Carol here: what time is my appointment?'`),
    ))[0]!.customer_id;
    await withService(async (tx) => {
      const [sms] = await tx.insert(channels).values({ businessId: DEMO_BUSINESS_ID, kind: "sms", name: "SMS", address: "+442079460001" }).returning();
      const [c] = await tx.insert(conversations).values({ businessId: DEMO_BUSINESS_ID, customerId: carolCustomer, channelId: sms!.id }).returning();
      await tx.insert(messages).values({ businessId: DEMO_BUSINESS_ID, conversationId: c!.id, customerId: carolCustomer, channelId: sms!.id, role: "customer", content: "Carol's private SMS" });
    });

    // Mallory types Carol's email into her own chat.
    const mallory = await newSession();
    const first = await events(await send(mallory, "Mallory asks: do you have parking?"));
    const malloryConversation = await conversationOf((first[0] as { message: ChatMessage }).message.id);
    const res = await contactRoute(request("POST", "/contact", { value: "carol@example.com" }, { token: mallory }), params());
    expect(res.status).toBe(200);

    // One customer now (the history follows), but Mallory sees only what she wrote herself.
    const [merged] = await withService((tx) => tx.select({ customerId: conversations.customerId }).from(conversations).where(eq(conversations.id, malloryConversation)));
    expect(merged!.customerId).toBe(carolCustomer);
    const seen = JSON.stringify(await poll(mallory));
    expect(seen).toMatch(/Mallory asks/);
    expect(seen).not.toMatch(/Carol/);
    // and her next message stays in her own thread, not Carol's
    const next = await events(await send(mallory, "Mallory again: and a lift?"));
    expect(await conversationOf((next[0] as { message: ChatMessage }).message.id)).toBe(malloryConversation);
    expect(JSON.stringify(await poll(carol))).not.toMatch(/Mallory/);
  });

  it("with the consent box ticked, records the consent in the ledger in the box's words; unticked, records none", async () => {
    const ledgerOf = (kind: "email" | "phone", value: string) =>
      withService((tx) =>
        rows<{ channel_kind: string; granted: boolean; source: string; wording: string }>(
          tx,
          sql`select e.channel_kind, e.granted, e.source, e.wording from consent_events e
              where e.business_id = ${DEMO_BUSINESS_ID} and e.customer_id = (select customer_id from customer_identities where value_hash = ${identityHash({ kind, value })})
              order by e.channel_kind`,
        ),
      );
    const wording = contactFormConsentWording("Riverside Dental Clinic");
    const quiet = await newSession();
    await contactRoute(request("POST", "/contact", { value: "no.offers@example.com" }, { token: quiet }), params());
    expect(await ledgerOf("email", "no.offers@example.com")).toEqual([]);

    const bad = await contactRoute(request("POST", "/contact", { value: "yes.offers@example.com", marketingConsent: "yes" }, { token: quiet }), params());
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/consent box/);

    const email = await newSession();
    expect((await contactRoute(request("POST", "/contact", { value: "Yes.Offers@Example.com", marketingConsent: true }, { token: email }), params())).status).toBe(200);
    expect(await ledgerOf("email", "yes.offers@example.com")).toEqual([{ channel_kind: "email", granted: true, source: "contact_form", wording }]);
    const phone = await newSession();
    await contactRoute(request("POST", "/contact", { value: "+44 20 7946 0777", marketingConsent: true }, { token: phone }), params());
    expect((await ledgerOf("phone", "+442079460777")).map((e) => [e.channel_kind, e.granted, e.source, e.wording])).toEqual([
      ["sms", true, "contact_form", wording],
      ["whatsapp", true, "contact_form", wording],
    ]);
  });

  it("a customer merge takes the consent ledger along: consent given in chat stays with the customer it merged into", async () => {
    // Dee ticks the box with her email in chat, then leaves the number she once texted the clinic from
    const dee = await newSession();
    await contactRoute(request("POST", "/contact", { value: "dee@example.com", marketingConsent: true }, { token: dee }), params());
    const texter = await withService(async (tx) => {
      const [c] = await tx.insert(customers).values({ businessId: DEMO_BUSINESS_ID, name: "Dee (SMS)" }).returning();
      await tx.insert(customerIdentities).values({ businessId: DEMO_BUSINESS_ID, customerId: c!.id, ...sealIdentity({ kind: "phone", value: "+442079460888" }) });
      return c!.id;
    });
    await contactRoute(request("POST", "/contact", { value: "+44 20 7946 0888" }, { token: dee }), params());
    const [owner] = await withService((tx) => rows<{ customer_id: string }>(tx, sql`select customer_id from customer_identities where value_hash = ${identityHash({ kind: "email", value: "dee@example.com" })}`));
    expect(owner!.customer_id).toBe(texter);
    const ledger = await withService((tx) => consentHistory(tx, DEMO_BUSINESS_ID, texter));
    expect(ledger.map((e) => [e.channelKind, e.granted, e.source])).toEqual([["email", true, "contact_form"]]);
    const [orphans] = await withService((tx) => rows<{ n: number }>(tx, sql`select count(*)::int as n from consent_events e where not exists (select 1 from customers c where c.id = e.customer_id)`));
    expect(orphans!.n).toBe(0);
  });

  it("stores the phone number encrypted, never in clear", async () => {
    const token = await newSession();
    const res = await contactRoute(request("POST", "/contact", { value: "+44 20 7946 0123" }, { token }), params());
    expect(await res.json()).toEqual({ contact: { kind: "phone", masked: "+44••••••0123" } });
    const sealed = sealIdentity({ kind: "phone", value: "+442079460123" });
    const [row] = await withService((tx) => rows<{ value_encrypted: string }>(tx, sql`select value_encrypted from customer_identities where value_hash = ${sealed.valueHash}`));
    expect(row!.value_encrypted).not.toMatch(/7946/);
  });
});
