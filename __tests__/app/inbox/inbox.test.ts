// The inbox as the dashboard calls it: the list with filters and search, one conversation with the
// customer's timeline on every channel, and take over / reply / note / assign / hand back / close —
// members only, audited, one business never sees another's. Customers write through the real chat API.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);

import { and, eq, sql } from "drizzle-orm";
import { closeDb, rows, withService } from "@/lib/db/client";
import { channels, conversations, customerIdentities, customers, messages } from "@/lib/db/schema";
import { DEMO_BUSINESS_ID, DEMO_OWNER, DEMO_SLUG } from "@/lib/db/seed-data";
import { sealIdentity } from "@/lib/pipeline/identities";
import { ChatEventParser, type ChatEvent, type ChatMessage, type ChatPoll } from "@/lib/chat/protocol";
import type { ConversationView, InboxItem, WaitingItem } from "@/lib/services/conversations";
import { POST as sessionRoute } from "@/app/api/chat/[slug]/session/route";
import { GET as chatPoll, POST as chatSend } from "@/app/api/chat/[slug]/messages/route";
import { POST as contactRoute } from "@/app/api/chat/[slug]/contact/route";
import { GET as listRoute } from "@/app/api/businesses/[business]/conversations/route";
import { GET as detailRoute, POST as actionRoute } from "@/app/api/businesses/[business]/conversations/[conversation]/route";
import { useDemoBusiness } from "../../helpers/demo";
import { PASSWORD, makeTenant, makeUser } from "../../helpers/fixtures";
import { request } from "../../helpers/next-request";
import { signInAs } from "../../helpers/session";

const BASE = "http://localhost:3000";
let ids = 0;

// ---- the customer's side, through the chat API
async function visitor() {
  const res = await sessionRoute(new Request(`${BASE}/api/chat/${DEMO_SLUG}/session`, { method: "POST", body: "{}" }), { params: Promise.resolve({ slug: DEMO_SLUG }) });
  return ((await res.json()) as { token: string }).token;
}
async function say(token: string, text: string) {
  const res = await chatSend(
    new Request(`${BASE}/api/chat/${DEMO_SLUG}/messages`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ text, clientId: `inbox-test-${++ids}` }) }),
    { params: Promise.resolve({ slug: DEMO_SLUG }) },
  );
  expect(res.status).toBe(200);
  const list = new ChatEventParser().push(await res.text());
  const accepted = list.find((e): e is Extract<ChatEvent, { type: "accepted" }> => e.type === "accepted")!;
  const done = list.find((e): e is Extract<ChatEvent, { type: "done" }> => e.type === "done")!;
  return { message: accepted.message, done };
}
async function seen(token: string): Promise<ChatMessage[]> {
  const res = await chatPoll(new Request(`${BASE}/api/chat/${DEMO_SLUG}/messages`, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({ slug: DEMO_SLUG }) });
  return ((await res.json()) as ChatPoll).messages;
}
const conversationOf = async (messageId: string) =>
  (await withService((tx) => tx.select({ c: messages.conversationId }).from(messages).where(eq(messages.id, messageId))))[0]!.c;

// ---- the staff's side
async function list(query = "", slug = DEMO_SLUG) {
  const res = await listRoute(new Request(`${BASE}/api/businesses/${slug}/conversations${query}`), { params: Promise.resolve({ business: slug }) });
  return { status: res.status, body: (await res.json()) as { items: InboxItem[]; waiting: WaitingItem[] } };
}
async function open(id: string, query = "", slug = DEMO_SLUG) {
  const res = await detailRoute(new Request(`${BASE}/api/businesses/${slug}/conversations/${id}${query}`), { params: Promise.resolve({ business: slug, conversation: id }) });
  return { status: res.status, body: (await res.json()) as ConversationView & { error?: { message: string } } };
}
async function act(id: string, action: Record<string, unknown>, slug = DEMO_SLUG) {
  const res = await actionRoute(new Request(`${BASE}/api/businesses/${slug}/conversations/${id}`, { method: "POST", body: JSON.stringify(action) }), {
    params: Promise.resolve({ business: slug, conversation: id }),
  });
  return { status: res.status, body: await res.json() };
}

let ownerId: string;
let agentId: string;
let otherConversation: string;

beforeAll(async () => {
  await useDemoBusiness({ customerMinIntervalSeconds: null });
  await withService(async (tx) => {
    await tx.execute(sql`update businesses set limits = '{"customerMinIntervalSeconds": 0, "ipPerMinute": 0}'::jsonb where id = ${DEMO_BUSINESS_ID}`);
    ownerId = (await rows<{ id: string }>(tx, sql`select id from users where email = ${DEMO_OWNER.email}`))[0]!.id;
    const agent = await makeUser(tx, "agent@demo.test", PASSWORD);
    agentId = agent.id;
    await tx.execute(sql`insert into members (business_id, user_id, role) values (${DEMO_BUSINESS_ID}, ${agent.id}, 'agent')`);
    const stranger = await makeUser(tx, "stranger@else.test", PASSWORD);
    otherConversation = (await makeTenant(tx, "elsewhere", stranger.id)).conversationId;
  });
});
afterAll(() => closeDb());

describe("the list", () => {
  it("shows every channel, newest first, and filters, searches and hides test chats", async () => {
    const token = await visitor();
    const web = await conversationOf((await say(token, "Do you offer emergency appointments?")).message.id);
    await contactRoute(new Request(`${BASE}/api/chat/${DEMO_SLUG}/contact`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ value: "list.test@example.com" }) }), {
      params: Promise.resolve({ slug: DEMO_SLUG }),
    });
    // an SMS conversation that arrived a minute ago, and a chat from Settings → Test your agent
    const sms = await withService(async (tx) => {
      const [ch] = await tx.insert(channels).values({ businessId: DEMO_BUSINESS_ID, kind: "sms", name: "SMS", address: "+442079460111" }).returning();
      const [cu] = await tx.insert(customers).values({ businessId: DEMO_BUSINESS_ID, name: "Priya Patel" }).returning();
      await tx.insert(customerIdentities).values({ businessId: DEMO_BUSINESS_ID, customerId: cu!.id, ...sealIdentity({ kind: "phone", value: "+447700900123" }) });
      const at = new Date(Date.now() - 60_000);
      const [c] = await tx.insert(conversations).values({ businessId: DEMO_BUSINESS_ID, customerId: cu!.id, channelId: ch!.id, lastMessageAt: at }).returning();
      await tx.insert(messages).values({ businessId: DEMO_BUSINESS_ID, conversationId: c!.id, customerId: cu!.id, channelId: ch!.id, role: "customer", content: "Running ten minutes late for my filling", createdAt: at });
      const [tc] = await tx.insert(customers).values({ businessId: DEMO_BUSINESS_ID }).returning();
      const [t] = await tx.insert(conversations).values({ businessId: DEMO_BUSINESS_ID, customerId: tc!.id, channelId: "00000000-0000-4000-8000-00000000c001" }).returning();
      await tx.insert(messages).values({ businessId: DEMO_BUSINESS_ID, conversationId: t!.id, customerId: tc!.id, channelId: "00000000-0000-4000-8000-00000000c001", role: "customer", content: "staff testing", metadata: { test: true } });
      return c!.id;
    });

    await signInAs(DEMO_OWNER.email, DEMO_OWNER.password);
    const all = (await list()).body.items;
    expect(all.map((i) => i.id).slice(0, 2)).toEqual([web, sms]);
    expect(all.find((i) => i.id === web)).toMatchObject({ channel: "web", customerName: "list.test@example.com", status: "open", unread: true, previewRole: "assistant" });
    expect(all.find((i) => i.id === sms)).toMatchObject({ channel: "sms", customerName: "Priya Patel", preview: "Running ten minutes late for my filling" });
    expect(JSON.stringify(all)).not.toMatch(/staff testing/);

    expect((await list("?channel=sms")).body.items.map((i) => i.id)).toEqual([sms]);
    expect((await list("?q=priya")).body.items.map((i) => i.id)).toEqual([sms]);
    expect((await list("?q=ten%20minutes%20late")).body.items.map((i) => i.id)).toEqual([sms]);
    expect((await list("?q=%2B44%207700%20900123")).body.items.map((i) => i.id)).toEqual([sms]);
    expect((await list("?q=LIST.TEST%40example.com")).body.items.map((i) => i.id)).toEqual([web]);
    expect((await list("?q=nothing-like-this")).body.items).toEqual([]);
    // an unreadable filter means no filter, not an error
    expect((await list("?status=sideways&channel=fax")).status).toBe(200);

    // opening a conversation marks it read
    await open(web);
    expect((await list("?unread=1")).body.items.map((i) => i.id)).not.toContain(web);
  });

  it("finds a conversation by the customer's Telegram id, as the customer list does", async () => {
    const telegram = await withService(async (tx) => {
      const [ch] = await tx.insert(channels).values({ businessId: DEMO_BUSINESS_ID, kind: "telegram", name: "Telegram", address: "inbox-search-bot" }).returning();
      const [cu] = await tx.insert(customers).values({ businessId: DEMO_BUSINESS_ID, name: "Tomasz" }).returning();
      await tx.insert(customerIdentities).values({ businessId: DEMO_BUSINESS_ID, customerId: cu!.id, ...sealIdentity({ kind: "telegram", value: "tg-5550001" }) });
      const [c] = await tx.insert(conversations).values({ businessId: DEMO_BUSINESS_ID, customerId: cu!.id, channelId: ch!.id }).returning();
      await tx.insert(messages).values({ businessId: DEMO_BUSINESS_ID, conversationId: c!.id, customerId: cu!.id, channelId: ch!.id, role: "customer", content: "Is parking free?" });
      return c!.id;
    });
    await signInAs(DEMO_OWNER.email, DEMO_OWNER.password);
    expect((await list("?q=tg-5550001")).body.items.map((i) => i.id)).toEqual([telegram]);
  });
});

describe("take over, reply, notes, hand back", () => {
  it("stops the AI on take-over, delivers the reply to the chat page, hides notes, and hands back", async () => {
    const token = await visitor();
    const first = await say(token, "Do you see nervous patients?");
    expect(first.done.reply).not.toBeNull();
    const id = await conversationOf(first.message.id);

    await signInAs("agent@demo.test");
    const took = await act(id, { action: "take_over" });
    expect(took.status).toBe(200);
    expect(took.body.conversation).toMatchObject({ status: "waiting_human", assigneeId: agentId });

    // the AI stays quiet now; the chat page says a person is there
    const quiet = await say(token, "I'm quite anxious about the drill");
    expect(quiet.done).toMatchObject({ reply: null, noReply: { reason: "waiting_human" }, state: { status: "with_person" } });
    const [answers] = await withService((tx) => rows<{ n: number }>(tx, sql`select count(*)::int as n from messages where reply_to_id = ${quiet.message.id}`));
    expect(answers!.n).toBe(0);

    const replied = await act(id, { action: "reply", text: "Hi, I'm Alex from the clinic. We'll take it slowly, I promise." });
    expect(replied.status).toBe(200);
    const noted = await act(id, { action: "note", text: "Nervous patient: book a double slot" });
    expect(noted.status).toBe(200);

    const customerSees = await seen(token);
    expect(customerSees.at(-1)).toMatchObject({ role: "agent", content: "Hi, I'm Alex from the clinic. We'll take it slowly, I promise." });
    expect(JSON.stringify(customerSees)).not.toMatch(/double slot/);

    const staffSees = (await open(id)).body.timeline;
    expect(staffSees.find((m) => m.role === "note")).toMatchObject({ content: "Nervous patient: book a double slot", author: "agent" });
    expect(staffSees.find((m) => m.role === "agent")).toMatchObject({ source: "human", author: "agent", deliveryStatus: "delivered", channel: "web" });

    const back = await act(id, { action: "hand_back" });
    expect(back.body.conversation).toMatchObject({ status: "open", assigneeId: null });
    const again = await say(token, "How much is a check-up?");
    expect(again.done.reply?.content).toMatch(/£55/);
  });

  it("takes the conversation over when a person replies to one the AI is answering", async () => {
    const token = await visitor();
    const id = await conversationOf((await say(token, "Is there parking?")).message.id);
    await signInAs(DEMO_OWNER.email, DEMO_OWNER.password);
    const r = await act(id, { action: "reply", text: "Yes — Wood Street car park is closest." });
    expect(r.body.conversation).toMatchObject({ status: "waiting_human", assigneeId: ownerId });
    expect((await say(token, "Thanks! How much is it?")).done.reply).toBeNull();
  });

  it("queues a reply on SMS in the outbox, and never drops one it cannot address", async () => {
    await signInAs(DEMO_OWNER.email, DEMO_OWNER.password);
    const [sms] = (await list("?channel=sms")).body.items;
    const r = await act(sms!.id, { action: "reply", text: "See you soon, no problem." });
    expect(r.status).toBe(200);
    const queued = () =>
      withService((tx) =>
        rows<{ channel_kind: string; recipient: string; status: string; payload: Record<string, unknown>; delivery: string }>(
          tx,
          sql`select o.channel_kind, o.recipient, o.status, o.payload, m.delivery_status as delivery from outbox o join messages m on m.id = o.message_id where o.message_id = ${r.body.messageId}`,
        ),
      );
    // The outbox sender runs right after the response; embedded, it ends in the dev outbox (one row).
    let out = (await queued())[0];
    for (let i = 0; i < 50 && out?.status !== "sent"; i++) {
      await new Promise((done) => setTimeout(done, 100));
      out = (await queued())[0];
    }
    expect(await queued()).toHaveLength(1);
    expect(out).toMatchObject({ channel_kind: "sms", recipient: "+44••••••0123", status: "sent", delivery: "outbox", payload: { kind: "staff_reply", conversationId: sms!.id } });
    expect(out!.payload.toEncrypted).toEqual(expect.any(String));
    expect(JSON.stringify(out)).not.toMatch(/7700900123/);

    // an SMS customer with no phone on file: the reply is still written down, as failed
    const wa = await withService(async (tx) => {
      const [ch] = await tx.insert(channels).values({ businessId: DEMO_BUSINESS_ID, kind: "sms", name: "Second line", address: "+442079460222" }).returning();
      const [cu] = await tx.insert(customers).values({ businessId: DEMO_BUSINESS_ID, name: "No Number" }).returning();
      const [c] = await tx.insert(conversations).values({ businessId: DEMO_BUSINESS_ID, customerId: cu!.id, channelId: ch!.id }).returning();
      return c!.id;
    });
    const lost = await act(wa, { action: "reply", text: "Hello?" });
    const [held] = await withService((tx) => rows<{ status: string; error: string; delivery: string }>(
      tx,
      sql`select o.status, o.error, m.delivery_status as delivery from outbox o join messages m on m.id = o.message_id where o.message_id = ${lost.body.messageId}`,
    ));
    expect(held).toMatchObject({ status: "failed", error: expect.stringMatching(/no phone/), delivery: "failed" });
  });

  it("refuses empty replies and unknown actions with a message", async () => {
    await signInAs(DEMO_OWNER.email, DEMO_OWNER.password);
    const [any] = (await list()).body.items;
    expect(await act(any!.id, { action: "reply", text: "  " })).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/Write a reply/) } } });
    expect(await act(any!.id, { action: "delete_everything" })).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/Unknown action/) } } });
  });

  it("keeps notes, replies and searches with NUL characters, without them; a note of nothing else is empty", async () => {
    await signInAs(DEMO_OWNER.email, DEMO_OWNER.password);
    const token = await visitor();
    const { message } = await say(token, "Can I change my appointment?");
    const id = await conversationOf(message.id);
    const note = await act(id, { action: "note", text: "Called\u0000 back,\u0000 no answer" });
    expect(note.status).toBe(200);
    const reply = await act(id, { action: "reply", text: "Yes\u0000 — which day suits you?" });
    expect(reply.status).toBe(200);
    const stored = await withService((tx) => rows<{ role: string; content: string }>(tx, sql`select role, content from messages where conversation_id = ${id} and role in ('note', 'agent') order by created_at`));
    expect(stored).toEqual([
      { role: "note", content: "Called back, no answer" },
      { role: "agent", content: "Yes — which day suits you?" },
    ]);
    expect(await act(id, { action: "note", text: "\u0000" })).toMatchObject({ status: 400, body: { error: { message: "text: Write a note first." } } });
    const found = await list(`?status=all&q=${encodeURIComponent("change my\u0000 appointment")}`);
    expect(found.status).toBe(200);
  });

  it("refuses a cursor that is no time between 2000 and 2100 with 400 and what is expected", async () => {
    await signInAs(DEMO_OWNER.email, DEMO_OWNER.password);
    const [any] = (await list()).body.items;
    for (const after of ["0000-01-01", "+275760-09-13T00:00:00Z", "99999", "' OR 1=1"]) {
      const res = await open(any!.id, `?after=${encodeURIComponent(after)}`);
      expect([after, res.status, res.body.error?.message]).toEqual([after, 400, "after must be a date between 2000 and 2100 in ISO 8601, e.g. 2026-01-31T09:30:00Z."]);
    }
    const first = await open(any!.id);
    expect((await open(any!.id, `?after=${encodeURIComponent(first.body.cursor!)}`)).status).toBe(200);
  });
});

describe("assign and close", () => {
  it("lets any member take a conversation, and only owners and admins give it to someone else", async () => {
    const token = await visitor();
    const id = await conversationOf((await say(token, "Do you take walk-ins?")).message.id);
    await signInAs("agent@demo.test");
    expect(await act(id, { action: "assign", assigneeId: ownerId })).toMatchObject({ status: 403, body: { error: { message: expect.stringMatching(/owner or admin/) } } });
    expect((await act(id, { action: "assign", assigneeId: agentId })).body.conversation.assigneeId).toBe(agentId);
    expect((await list("?assignee=me")).body.items.map((i) => i.id)).toContain(id);
    await signInAs(DEMO_OWNER.email, DEMO_OWNER.password);
    const [stranger] = await withService((tx) => rows<{ id: string }>(tx, sql`select id from users where email = 'stranger@else.test'`));
    expect(await act(id, { action: "assign", assigneeId: stranger!.id })).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/not a member/) } } });
    expect((await act(id, { action: "assign", assigneeId: null })).body.conversation.assigneeId).toBeNull();
    expect((await list("?assignee=unassigned")).body.items.map((i) => i.id)).toContain(id);
  });

  it("closes a conversation and writes its summary after the response", async () => {
    const token = await visitor();
    const id = await conversationOf((await say(token, "How much does teeth whitening cost?")).message.id);
    await say(token, "And is it safe for sensitive teeth? I had a bad reaction to strips before.");
    await signInAs(DEMO_OWNER.email, DEMO_OWNER.password);
    const closed = await act(id, { action: "close" });
    expect(closed.body.conversation).toMatchObject({ status: "closed", closedAt: expect.any(String) });
    let summary: string | null = null;
    for (let i = 0; i < 50 && !summary; i++) {
      await new Promise((r) => setTimeout(r, 100));
      summary = (await open(id)).body.conversation.summary;
    }
    expect(summary).toMatch(/^Customer asked: How much does teeth whitening cost\?/);
    expect(summary).toMatch(/sensitive teeth|bad reaction/);
    expect((await list("?status=closed")).body.items.map((i) => i.id)).toContain(id);
    expect((await list()).body.items.map((i) => i.id)).not.toContain(id);
    // the customer writing again starts a new conversation
    const next = await say(token, "One more question: do you do Invisalign?");
    expect(await conversationOf(next.message.id)).not.toBe(id);
  });

  it("audits every action with ids only", async () => {
    const actions = await withService((tx) =>
      rows<{ action: string; details: Record<string, unknown> }>(tx, sql`select action, details from audit_log where business_id = ${DEMO_BUSINESS_ID} and action like 'conversation.%'`),
    );
    expect(new Set(actions.map((a) => a.action))).toEqual(
      new Set(["conversation.taken_over", "conversation.replied", "conversation.note_added", "conversation.assigned", "conversation.handed_back", "conversation.closed"]),
    );
    expect(JSON.stringify(actions)).not.toMatch(/double slot|Alex from the clinic/);
  });
});

describe("one conversation", () => {
  it("shows the customer's timeline on every channel, each answer's source, cost and latency, and the panel", async () => {
    const token = await visitor();
    const faq = await say(token, "What are your opening hours?");
    const id = await conversationOf(faq.message.id);
    await contactRoute(new Request(`${BASE}/api/chat/${DEMO_SLUG}/contact`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ value: "+44 7700 900456" }) }), {
      params: Promise.resolve({ slug: DEMO_SLUG }),
    });
    // the same person texted last week
    await withService(async (tx) => {
      const [c] = await tx.select().from(conversations).where(eq(conversations.id, id));
      const [ch] = await tx.select().from(channels).where(and(eq(channels.businessId, DEMO_BUSINESS_ID), eq(channels.kind, "sms")));
      const at = new Date(Date.now() - 7 * 86_400_000);
      const [sc] = await tx.insert(conversations).values({ businessId: DEMO_BUSINESS_ID, customerId: c!.customerId, channelId: ch!.id, lastMessageAt: at, status: "closed" }).returning();
      await tx.insert(messages).values({ businessId: DEMO_BUSINESS_ID, conversationId: sc!.id, customerId: c!.customerId, channelId: ch!.id, role: "customer", content: "Can I move my Tuesday appointment?", createdAt: at });
    });

    await signInAs("agent@demo.test");
    const { status, body } = await open(id);
    expect(status).toBe(200);
    expect(body.timeline.map((m) => [m.channel, m.role])).toEqual([
      ["sms", "customer"],
      ["web", "customer"],
      ["web", "assistant"],
    ]);
    expect(body.timeline[2]).toMatchObject({ source: "faq", costUsd: 0, latencyMs: expect.any(Number) });
    expect(body.customer.identities.map((i) => [i.kind, i.value])).toEqual([
      ["web", expect.stringMatching(/^visitor #\d{4}$/)],
      ["phone", "+447700900456"],
    ]);
    // the visitor's id is a secret: it never reaches the dashboard
    expect(JSON.stringify(body)).not.toContain(JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).sub);
    expect(body.customer).toMatchObject({ displayName: "+447700900456", trustScore: expect.any(Number), blocked: false, tags: [], conversations: 2 });

    // polling with the cursor brings what is new
    await say(token, "Thanks, and on Sundays?");
    const later = await open(id, `?after=${encodeURIComponent(body.cursor!)}`);
    expect(later.body.timeline.map((m) => m.content)).toContain("Thanks, and on Sundays?");
    expect((await open(id, "?after=not-a-date")).status).toBe(400);
  });
});

describe("members only", () => {
  it("answers 401 without a session and 404 to other businesses, for the list, a conversation and every action", async () => {
    const [mine] = await withService((tx) => rows<{ id: string }>(tx, sql`select id from conversations where business_id = ${DEMO_BUSINESS_ID} limit 1`));
    request.reset();
    expect((await list()).status).toBe(401);
    expect((await act(mine!.id, { action: "take_over" })).status).toBe(401);

    await signInAs("stranger@else.test");
    expect((await list()).status).toBe(404);
    expect((await open(mine!.id)).status).toBe(404);
    expect((await act(mine!.id, { action: "close" })).status).toBe(404);

    // a member of demo-dental asking for another business's conversation through their own business
    await signInAs(DEMO_OWNER.email, DEMO_OWNER.password);
    expect((await open(otherConversation)).status).toBe(404);
    expect((await act(otherConversation, { action: "reply", text: "hi" })).status).toBe(404);
    expect((await open("not-a-uuid")).status).toBe(404);
    const [untouched] = await withService((tx) => rows<{ n: number }>(tx, sql`select count(*)::int as n from messages where conversation_id = ${otherConversation}`));
    expect(untouched!.n).toBe(1);
  });
});
