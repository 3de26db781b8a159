// Conversation intelligence offline (issue #17): the demo clinic's default intents read each
// customer message after the answer (never on the customer's wait), sentiment from start to now with
// one alert when a conversation turns very negative, staff's corrections becoming examples that change
// later predictions, the owner's own list, and the inbox's chips and intent filter.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);

import { and, eq, sql } from "drizzle-orm";
import { closeDb, rows, withService } from "@/lib/db/client";
import { conversations, customers, intentExamples, intents, messageInsights, messages, outbox } from "@/lib/db/schema";
import { DEMO_BUSINESS_ID, DEMO_OWNER, DEMO_SLUG } from "@/lib/db/seed-data";
import { sentimentOf } from "@/lib/intel/sentiment";
import { analyzeConversation, analyzePending, loadIntentIndex } from "@/lib/intel/insights";
import { JOBS } from "@/lib/jobs";
import { deferredIdle } from "@/lib/pipeline/defer";
import { createIntent, deleteIntent, listIntents, updateIntent } from "@/lib/services/intents";
import type { MemberCtx } from "@/lib/services/context";
import type { ConversationView, InboxItem } from "@/lib/services/conversations";
import { POST as sessionRoute } from "@/app/api/chat/[slug]/session/route";
import { POST as chatSend } from "@/app/api/chat/[slug]/messages/route";
import { GET as listRoute } from "@/app/api/businesses/[business]/conversations/route";
import { GET as detailRoute, POST as actionRoute } from "@/app/api/businesses/[business]/conversations/[conversation]/route";
import { useDemoBusiness } from "../../helpers/demo";
import { PASSWORD, makeTenant, makeUser } from "../../helpers/fixtures";
import { signInAs } from "../../helpers/session";

const BASE = "http://localhost:3000";
const WEB = "00000000-0000-4000-8000-00000000c001";

let owner: MemberCtx;
let agent: MemberCtx;
let elsewhere: Awaited<ReturnType<typeof makeTenant>>;

/** A conversation of the demo clinic with these customer messages (a minute apart, an answer after each). */
async function conversation(lines: string[]): Promise<string> {
  return withService(async (tx) => {
    const [cu] = await tx.insert(customers).values({ businessId: DEMO_BUSINESS_ID }).returning();
    const [c] = await tx.insert(conversations).values({ businessId: DEMO_BUSINESS_ID, customerId: cu!.id, channelId: WEB }).returning();
    let at = Date.now() - 3_600_000;
    for (const content of lines) {
      const base = { businessId: DEMO_BUSINESS_ID, conversationId: c!.id, customerId: cu!.id, channelId: WEB };
      await tx.insert(messages).values({ ...base, role: "customer", content, createdAt: new Date((at += 60_000)) });
      await tx.insert(messages).values({ ...base, role: "assistant", source: "offline", content: "Thank you, let me help.", createdAt: new Date((at += 1000)) });
    }
    return c!.id;
  });
}

async function readAs(conversationId: string) {
  return withService((tx) =>
    rows<{ content: string; intent: string | null; sentiment: number; confidence: number; corrected: boolean }>(
      tx,
      sql`select m.content, i.name as intent, mi.sentiment, mi.confidence, mi.corrected from message_insights mi
          join messages m on m.id = mi.message_id left join intents i on i.id = mi.intent_id
          where mi.conversation_id = ${conversationId} order by m.created_at`,
    ),
  );
}

const alertsFor = (conversationId: string) =>
  withService((tx) => tx.select().from(outbox).where(and(eq(outbox.businessId, DEMO_BUSINESS_ID), sql`${outbox.payload}->>'kind' = 'sentiment_alert'`, sql`${outbox.payload}->>'conversationId' = ${conversationId}`)));

async function list(query = "") {
  const res = await listRoute(new Request(`${BASE}/api/businesses/${DEMO_SLUG}/conversations${query}`), { params: Promise.resolve({ business: DEMO_SLUG }) });
  return { status: res.status, body: (await res.json()) as { items: InboxItem[] } };
}
async function open(id: string) {
  const res = await detailRoute(new Request(`${BASE}/api/businesses/${DEMO_SLUG}/conversations/${id}`), { params: Promise.resolve({ business: DEMO_SLUG, conversation: id }) });
  return (await res.json()) as ConversationView;
}
async function act(id: string, action: Record<string, unknown>) {
  const res = await actionRoute(new Request(`${BASE}/api/businesses/${DEMO_SLUG}/conversations/${id}`, { method: "POST", body: JSON.stringify(action) }), {
    params: Promise.resolve({ business: DEMO_SLUG, conversation: id }),
  });
  return { status: res.status, body: (await res.json()) as { error?: { message: string } } };
}

beforeAll(async () => {
  owner = await useDemoBusiness();
  await withService(async (tx) => {
    const user = await makeUser(tx, "agent@intents.test", PASSWORD);
    await tx.execute(sql`insert into members (business_id, user_id, role) values (${DEMO_BUSINESS_ID}, ${user.id}, 'agent')`);
    agent = { businessId: DEMO_BUSINESS_ID, actor: { type: "member", userId: user.id, role: "agent" } };
    elsewhere = await makeTenant(tx, "intents-elsewhere", (await makeUser(tx, "owner@elsewhere.test", PASSWORD)).id);
  });
});
afterAll(() => closeDb());

describe("sentiment, five levels", () => {
  it.each([
    ["This is absolutely unacceptable, the worst service I have ever had", -2],
    ["NOBODY HAS CALLED ME BACK!!! I am fed up", -2],
    ["I'm a bit disappointed the appointment was moved", -1],
    ["The receptionist was rude", -1],
    ["Can I book a check-up on Tuesday?", 0],
    ["Not bad at all", 0],
    ["Thanks, that's helpful", 1],
    ["Thank you so much, the dentist was amazing!", 2],
  ] as const)("%s → %i", (text, level) => {
    expect(sentimentOf(text)).toBe(level);
  });

  it("a negation turns a good word bad", () => {
    expect(sentimentOf("I am not happy with the filling")).toBeLessThan(0);
    expect(sentimentOf("I am happy with the filling")).toBeGreaterThan(0);
  });
});

describe("intents of the demo clinic, offline", () => {
  it("seeds the clinic's defaults once, each with a one-line description", async () => {
    const { kind, intents: list } = await listIntents({ ctx: owner });
    expect(kind).toBe("clinic");
    expect(list.map((i) => i.name)).toEqual(["book appointment", "complaint", "emergency", "insurance", "opening hours and location", "price question"]);
    expect(list.every((i) => i.description.length > 10 && i.examples >= 4)).toBe(true);
    // a second read does not add them again
    expect((await listIntents({ ctx: owner })).intents).toHaveLength(6);
  });

  it("reads a hand-written conversation for each intent, and a message about something else as other", async () => {
    const id = await conversation([
      "Hello, could I get an appointment with the dentist next Wednesday?",
      "My tooth cracked last night and the pain is awful, I need to be seen today",
      "How much do you charge for a scale and polish?",
      "Is the treatment covered by my Denplan insurance?",
      "What time do you close on Saturdays?",
      "I waited an hour and the receptionist was rude to me, I want to complain",
      "Do you sell gift vouchers for a friend?",
    ]);
    const result = await analyzeConversation(DEMO_BUSINESS_ID, id);
    expect(result.analyzed).toBe(7);
    const read = await readAs(id);
    expect(read.map((r) => r.intent)).toEqual(["book appointment", "emergency", "price question", "insurance", "opening hours and location", "complaint", null]);
    for (const r of read) expect(r.confidence).toBeGreaterThan(0);
    // running again reads nothing twice
    expect((await analyzeConversation(DEMO_BUSINESS_ID, id)).analyzed).toBe(0);
  });
});

describe("sentiment over a conversation", () => {
  it("keeps start and now for the inbox, and alerts staff once when it turns very negative", async () => {
    const id = await conversation(["Hi, thanks for the quick reply yesterday", "When can I come in for my check-up?"]);
    await analyzeConversation(DEMO_BUSINESS_ID, id);
    expect(await alertsFor(id)).toHaveLength(0);

    await withService(async (tx) => {
      const [first] = await tx.select().from(messages).where(eq(messages.conversationId, id)).limit(1);
      await tx.insert(messages).values({ businessId: DEMO_BUSINESS_ID, conversationId: id, customerId: first!.customerId, channelId: WEB, role: "customer", content: "This is disgraceful, nobody called me back and I am fed up" });
    });
    const turned = await analyzeConversation(DEMO_BUSINESS_ID, id);
    expect(turned).toEqual({ analyzed: 1, alerted: true, hot: false });
    const alerts = await alertsFor(id);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.recipient).toBe(DEMO_OWNER.email);
    expect(alerts[0]!.body).toContain("This is disgraceful");

    // a second very negative message is not a new turn: no second alert
    await withService(async (tx) => {
      const [first] = await tx.select().from(messages).where(eq(messages.conversationId, id)).limit(1);
      await tx.insert(messages).values({ businessId: DEMO_BUSINESS_ID, conversationId: id, customerId: first!.customerId, channelId: WEB, role: "customer", content: "Absolutely appalling, I want to make a formal complaint" });
    });
    expect((await analyzeConversation(DEMO_BUSINESS_ID, id)).alerted).toBe(false);
    expect(await alertsFor(id)).toHaveLength(1);

    await signInAs(DEMO_OWNER.email, DEMO_OWNER.password);
    const item = (await list("?status=all")).body.items.find((i) => i.id === id)!;
    expect(item.sentiment).toEqual({ start: 1, now: -2 });
    expect(item.intent).toBe("complaint");
  });
});

describe("in the pipeline and the job", () => {
  it("reads a chat message after the answer, and the job catches one nobody read", async () => {
    const session = await sessionRoute(new Request(`${BASE}/api/chat/${DEMO_SLUG}/session`, { method: "POST", body: "{}" }), { params: Promise.resolve({ slug: DEMO_SLUG }) });
    const { token } = (await session.json()) as { token: string };
    const res = await chatSend(
      new Request(`${BASE}/api/chat/${DEMO_SLUG}/messages`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ text: "How much is teeth whitening?", clientId: "intents-1" }) }),
      { params: Promise.resolve({ slug: DEMO_SLUG }) },
    );
    expect(res.status).toBe(200);
    await res.text();
    await deferredIdle();
    const [row] = await withService((tx) =>
      rows<{ intent: string }>(tx, sql`select i.name as intent from message_insights mi join messages m on m.id = mi.message_id join intents i on i.id = mi.intent_id where m.content = 'How much is teeth whitening?'`),
    );
    expect(row?.intent).toBe("price question");

    // a message stored while waiting for a person gets no answer, so nothing queued its reading
    const missed = await conversation(["Is there parking at the practice?"]);
    await withService((tx) => tx.execute(sql`update messages set created_at = now() - interval '5 minutes' where conversation_id = ${missed}`));
    expect(JOBS.insights.everySeconds).toBeGreaterThan(0);
    const job = await analyzePending();
    expect(job.failed).toBe(0);
    expect((await readAs(missed)).map((r) => r.intent)).toEqual(["opening hours and location"]);
  });
});

describe("corrections and the owner's list", () => {
  it("a correction in the inbox becomes an example, and a similar message is then read as it", async () => {
    const created = await createIntent({ ctx: owner, input: { name: "lost property", description: "Something left behind at the clinic" } });
    const first = await conversation(["I think I left my umbrella in your waiting room"]);
    await analyzeConversation(DEMO_BUSINESS_ID, first);
    const [message] = await withService((tx) => tx.select().from(messages).where(and(eq(messages.conversationId, first), eq(messages.role, "customer"))));

    await signInAs("agent@intents.test", PASSWORD);
    expect((await act(first, { action: "set_intent", messageId: message!.id, intentId: "not-an-id" })).status).toBe(400);
    expect((await act(first, { action: "set_intent", messageId: elsewhere.messageId, intentId: created.id })).status).toBe(404);
    expect((await act(first, { action: "set_intent", messageId: message!.id, intentId: created.id })).status).toBe(200);
    expect((await readAs(first))[0]).toMatchObject({ intent: "lost property", corrected: true, confidence: 1 });
    const examples = await withService((tx) => tx.select().from(intentExamples).where(eq(intentExamples.messageId, message!.id)));
    expect(examples.map((e) => e.text)).toEqual(["I think I left my umbrella in your waiting room"]);

    const view = await open(first);
    const customerLine = view.timeline.find((t) => t.id === message!.id)!;
    expect(customerLine.insight).toMatchObject({ intentId: created.id, intent: "lost property", corrected: true });

    // the next umbrella is found by the example the correction made
    const later = await conversation(["Did anyone find an umbrella I left in the waiting room?"]);
    await analyzeConversation(DEMO_BUSINESS_ID, later);
    expect((await readAs(later))[0]!.intent).toBe("lost property");

    // the job never overwrites a correction
    await withService((tx) => tx.execute(sql`update messages set created_at = now() - interval '5 minutes' where conversation_id = ${first}`));
    await analyzePending();
    expect((await readAs(first))[0]).toMatchObject({ intent: "lost property", corrected: true });

    // "other" is a correction too: the example goes
    expect((await act(first, { action: "set_intent", messageId: message!.id, intentId: null })).status).toBe(200);
    expect((await readAs(first))[0]).toMatchObject({ intent: null, corrected: true });
    expect(await withService((tx) => tx.select().from(intentExamples).where(eq(intentExamples.messageId, message!.id)))).toHaveLength(0);
  });

  it("only owners and admins edit the list; names are unique; deleting an intent makes its messages other", async () => {
    await expect(createIntent({ ctx: agent, input: { name: "parking", description: "x" } })).rejects.toMatchObject({ code: "forbidden" });
    await expect(createIntent({ ctx: owner, input: { name: "Emergency", description: "again" } })).rejects.toMatchObject({ code: "conflict" });
    await expect(createIntent({ ctx: owner, input: { name: "x", description: "" } })).rejects.toThrow(/at least 2 characters/);
    const { id } = await createIntent({ ctx: owner, input: { name: "whitening", description: "Teeth whitening treatments" } });
    await updateIntent({ ctx: owner, input: { id, name: "teeth whitening", description: "Whitening and bleaching" } });
    expect((await listIntents({ ctx: agent })).intents.map((i) => i.name)).toContain("teeth whitening");
    await expect(updateIntent({ ctx: owner, input: { id: elsewhere.messageId, name: "nope", description: "" } })).rejects.toMatchObject({ code: "not_found" });

    const c = await conversation(["Do you do teeth whitening and bleaching?"]);
    await analyzeConversation(DEMO_BUSINESS_ID, c);
    expect((await readAs(c))[0]!.intent).toBe("teeth whitening");
    await deleteIntent({ ctx: owner, input: { id } });
    expect((await readAs(c))[0]!.intent).toBeNull();
    expect(await withService((tx) => tx.select().from(intents).where(eq(intents.id, id)))).toHaveLength(0);
  });

  it("the inbox filters by intent, and by other", async () => {
    const booking = await conversation(["Can I book a check-up for my son next week?"]);
    const vouchers = await conversation(["Can I buy a gift voucher for my mum?"]);
    await analyzeConversation(DEMO_BUSINESS_ID, booking);
    await analyzeConversation(DEMO_BUSINESS_ID, vouchers);
    const [book] = await withService((tx) => tx.select().from(intents).where(and(eq(intents.businessId, DEMO_BUSINESS_ID), eq(intents.name, "book appointment"))));
    await signInAs(DEMO_OWNER.email, DEMO_OWNER.password);
    const byIntent = (await list(`?status=all&intent=${book!.id}`)).body.items.map((i) => i.id);
    expect(byIntent).toContain(booking);
    expect(byIntent).not.toContain(vouchers);
    const other = (await list("?status=all&intent=other")).body.items.map((i) => i.id);
    expect(other).toContain(vouchers);
    expect(other).not.toContain(booking);
    expect((await list("?status=all")).body.items.find((i) => i.id === booking)!.intent).toBe("book appointment");
    // an unreadable intent filter is no filter
    expect((await list("?status=all&intent=sideways")).body.items.map((i) => i.id)).toEqual(expect.arrayContaining([booking, vouchers]));
  });

  it("another business's examples never reach this one's classifier", async () => {
    const { index } = await loadIntentIndex(DEMO_BUSINESS_ID);
    expect(index.ids).not.toContain((await withService((tx) => tx.select().from(intents).where(eq(intents.businessId, elsewhere.businessId))))[0]!.id);
    expect(await withService((tx) => tx.select().from(messageInsights).where(eq(messageInsights.businessId, elsewhere.businessId)))).toHaveLength(1);
  });
});
