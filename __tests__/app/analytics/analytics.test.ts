// Analytics on hand-made conversations, one per case a definition has to get right: resolved by the AI,
// a customer who comes back on another channel within 72 hours (not resolved), too early to tell, handed
// off by a rule, by the model, staff stepping in, never answered, staff's own tests left out. Each
// number's inbox link shows exactly its conversations; the CSV has one row per conversation; owners and
// admins only; bad filters are 400s. And the pipeline itself records why it handed a conversation over.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);
jest.mock("next/cache", () => ({ revalidatePath: jest.fn() }));

import { renderToString } from "react-dom/server";
import { sql } from "drizzle-orm";
import { closeDb, getDbHandle, rows, withService, type Tx } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { seedDemo } from "@/lib/db/seed";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { setMonthlyBudget } from "@/lib/billing/budgets";
import { handleInbound } from "@/lib/pipeline/inbound";
import { setLimiterForTests } from "@/lib/ratelimit";
import { exportAnalyticsCsv, getAnalyticsReport } from "@/lib/services/analytics";
import { listConversations } from "@/lib/services/conversations";
import type { MemberCtx } from "@/lib/services/context";
import { GET as analyticsCsvRoute } from "@/app/api/businesses/[business]/analytics/export/route";
import AnalyticsPage from "@/app/(dashboard)/[business]/analytics/page";
import { useTestDb } from "../../helpers/db";
import { makeTwoTenants, makeUser } from "../../helpers/fixtures";
import { signInAs } from "../../helpers/session";

const SLUG = "tenant-a";
const NOW = new Date("2026-11-20T15:00:00Z");
const NOV = { period: "custom", from: "2026-11-01", to: "2026-11-20" };

let businessId: string;
let owner: MemberCtx;
let admin: MemberCtx;
let agent: MemberCtx;
let ownerId: string;
let web: string;
let sms: string;
const conv: Record<string, string> = {};

async function customer(tx: Tx, name: string, tags: string[] = []): Promise<string> {
  const [c] = await tx.insert(s.customers).values({ businessId, name, tags }).returning({ id: s.customers.id });
  return c!.id;
}

type Msg = [role: "customer" | "assistant" | "agent", at: string, extra?: { source?: string; metadata?: object }];

async function conversation(tx: Tx, key: string, customerId: string, channelId: string, messages: Msg[], extra: { status?: "open" | "waiting_human" | "closed"; closedAt?: string } = {}) {
  const at = messages[0]![1];
  const [c] = await rows<{ id: string }>(
    tx,
    sql`insert into conversations (business_id, customer_id, channel_id, status, closed_at, created_at, last_message_at)
        values (${businessId}, ${customerId}, ${channelId}, ${extra.status ?? "open"}, ${extra.closedAt ?? null}::timestamptz, ${at}::timestamptz, ${at}::timestamptz) returning id`,
  );
  conv[key] = c!.id;
  for (const [role, time, m = {}] of messages) {
    const source = m.source ?? (role === "agent" ? "human" : role === "assistant" ? "model" : null);
    await tx.execute(
      sql`insert into messages (business_id, conversation_id, customer_id, channel_id, role, source, content, metadata, created_at)
          values (${businessId}, ${c!.id}, ${customerId}, ${channelId}, ${role}, ${source}, 'text', ${JSON.stringify(m.metadata ?? {})}::jsonb, ${time}::timestamptz)`,
    );
  }
  return c!.id;
}

beforeAll(async () => {
  await useTestDb();
  await withService(async (tx) => {
    const cast = await makeTwoTenants(tx);
    businessId = cast.a.businessId;
    web = cast.a.channelId;
    ownerId = cast.alice.id;
    const dave = await makeUser(tx, "dave@a.test");
    await tx.insert(s.members).values({ businessId, userId: dave.id, role: "admin" });
    owner = { businessId, actor: { type: "member", userId: cast.alice.id, role: "owner" } };
    admin = { businessId, actor: { type: "member", userId: dave.id, role: "admin" } };
    agent = { businessId, actor: { type: "member", userId: cast.carol.id, role: "agent" } };
    // makeTenant's own conversation was started now: moved out of November
    await tx.execute(sql`update conversations set created_at = '2026-10-01T10:00:00Z' where business_id = ${businessId}`);
    [{ id: sms }] = await rows<{ id: string }>(tx, sql`insert into channels (business_id, kind, name, address) values (${businessId}, 'sms', 'SMS', '+15550002222') returning id`);

    // Ann: the AI answered in 4 seconds and she never wrote again → resolved by the AI.
    await conversation(tx, "ann", await customer(tx, "Ann", ["vip"]), web, [["customer", "2026-11-02T10:00:00Z"], ["assistant", "2026-11-02T10:00:04Z"]]);
    await tx.execute(sql`insert into cost_events (business_id, kind, model, cost_usd, conversation_id, created_at) values (${businessId}, 'model', 'gemini-2.5-flash', 0.0021, ${conv.ann}, '2026-11-02T10:00:04Z')`);
    // Ben: an FAQ answered his web chat, but he came back by SMS the next day → that chat is not resolved;
    // the SMS conversation, answered and followed by nothing, is.
    const ben = await customer(tx, "Ben");
    await conversation(tx, "benWeb", ben, web, [["customer", "2026-11-03T10:00:00Z"], ["assistant", "2026-11-03T10:00:02Z", { source: "faq" }]]);
    // He rated it 2 by SMS an hour later: a survey's answer, not him coming back.
    await conversation(tx, "benSms", ben, sms, [
      ["customer", "2026-11-04T09:00:00Z"],
      ["assistant", "2026-11-04T09:00:03Z", { source: "cache" }],
      ["customer", "2026-11-04T10:00:00Z", { metadata: { csatRating: 2 } }],
    ]);
    // Cat asked for a person: a rule handed over; staff answered 30 minutes later and closed it an hour in.
    await conversation(
      tx,
      "cat",
      await customer(tx, "Cat"),
      web,
      [
        ["customer", "2026-11-05T10:00:00Z"],
        ["assistant", "2026-11-05T10:00:01Z", { source: "fallback", metadata: { handoff: { category: "person", reason: "the customer asked for a person" } } }],
        ["agent", "2026-11-05T10:30:01Z"],
      ],
      { status: "closed", closedAt: "2026-11-05T11:00:00Z" },
    );
    // Dan: the AI answered, then staff took over (audited) and replied a minute later; still open with staff.
    await conversation(tx, "dan", await customer(tx, "Dan"), web, [["customer", "2026-11-06T10:00:00Z"], ["assistant", "2026-11-06T10:00:10Z"], ["agent", "2026-11-06T10:06:00Z"]], { status: "waiting_human" });
    await tx.execute(sql`insert into audit_log (business_id, actor_id, action, target_type, target_id, created_at) values (${businessId}, ${ownerId}, 'conversation.taken_over', 'conversation', ${conv.dan}, '2026-11-06T10:05:00Z')`);
    // Fay was never answered (blocked).
    await conversation(tx, "fay", await customer(tx, "Fay"), web, [["customer", "2026-11-07T10:00:00Z"]]);
    // Gus: the model itself judged a person was needed.
    await conversation(
      tx,
      "gus",
      await customer(tx, "Gus"),
      sms,
      [["customer", "2026-11-09T10:00:00Z"], ["assistant", "2026-11-09T10:00:05Z", { metadata: { handoff: { category: "model", reason: "wants a refund" } } }]],
      { status: "waiting_human" },
    );
    // Eve wrote yesterday: 72 hours have not passed → too early to tell.
    await conversation(tx, "eve", await customer(tx, "Eve"), web, [["customer", "2026-11-19T10:00:00Z"], ["assistant", "2026-11-19T10:00:02Z"]]);
    // Satisfaction surveys: Cat rated 5, Ben's SMS 2, Gus never answered his.
    for (const [key, rating] of [["cat", 5], ["benSms", 2], ["gus", null]] as const) {
      await tx.execute(
        sql`insert into csat_surveys (business_id, conversation_id, customer_id, channel_kind, token, sent_at, rating, answered_at)
            select business_id, id, customer_id, ${key === "cat" ? "web" : "sms"}, ${`token-${key}`}, created_at + interval '1 hour', ${rating}::int,
                   case when ${rating}::int is null then null else created_at + interval '2 hours' end
            from conversations where id = ${conv[key]!}`,
      );
    }
    // Staff trying the agent from Settings → Test your agent: not a customer's conversation.
    await conversation(tx, "test", await customer(tx, "Tester"), web, [["customer", "2026-11-08T10:00:00Z", { metadata: { test: true } }], ["assistant", "2026-11-08T10:00:01Z"]]);
  });
});
afterAll(() => closeDb());

describe("each metric on hand-made conversations", () => {
  it("counts, resolution rate and hand-off rate follow the definitions", async () => {
    const { summary } = await getAnalyticsReport({ ctx: owner, input: NOV }, { now: NOW });
    expect(summary).toMatchObject({
      conversations: 8, // ann, benWeb, benSms, cat, dan, fay, gus, eve — not the test, not October's
      ai_resolved: 2, // ann, benSms
      returned: 1, // benWeb: Ben came back on SMS within 72 hours
      pending: 1, // eve
      handed_off: 3, // cat, dan, gus
      staff_replied: 2, // cat, dan
      staff_resolved: 1, // cat
    });
    expect(summary.aiResolutionRate).toBeCloseTo(2 / 7);
    expect(summary.handoffRate).toBeCloseTo(3 / 8);
    // the AI replied in all but Fay's
    expect(summary.aiInvolvement).toBeCloseTo(7 / 8);
  });

  it("CSAT: the average rating, the share of 4–5 and the response rate of the surveys", async () => {
    const { summary } = await getAnalyticsReport({ ctx: owner, input: NOV }, { now: NOW });
    // not makeTenant's October survey
    expect(summary).toMatchObject({ csat_sent: 3, csat_answered: 2, csat_satisfied: 1 });
    expect(summary.csatAverage).toBeCloseTo(3.5);
    expect(summary.csatSatisfiedShare).toBeCloseTo(1 / 2);
    expect(summary.csatResponseRate).toBeCloseTo(2 / 3);
    const sms = (await getAnalyticsReport({ ctx: owner, input: { ...NOV, channel: "sms" } }, { now: NOW })).summary;
    expect([sms.csat_sent, sms.csatAverage, sms.csatSatisfiedShare, sms.csatResponseRate]).toEqual([2, 2, 0, 0.5]);
    const none = (await getAnalyticsReport({ ctx: owner, input: { period: "custom", from: "2026-11-10", to: "2026-11-12" } }, { now: NOW })).summary;
    expect([none.csat_sent, none.csatAverage, none.csatSatisfiedShare, none.csatResponseRate]).toEqual([0, null, null, null]);
  });

  it("a booking made from a conversation is a conversion; a cancelled one or a hold that ran out is not", async () => {
    const before = (await getAnalyticsReport({ ctx: owner, input: NOV }, { now: NOW })).summary;
    expect(before).toMatchObject({ booked: 0, bookingRate: 0 });
    const made: string[] = [];
    await withService(async (tx) => {
      const [r] = await rows<{ service: string; resource: string }>(
        tx,
        sql`select (select id from booking_services where business_id = ${businessId} limit 1) as service, (select id from booking_resources where business_id = ${businessId} limit 1) as resource`,
      );
      // Ann booked by chat (kept), Gus booked and did not come (still booked), Dan's was cancelled, Eve's hold ran out
      for (const [key, status, day] of [["ann", "confirmed", 10], ["gus", "no_show", 11], ["dan", "cancelled", 12], ["eve", "expired", 13]] as const) {
        const starts = new Date(Date.UTC(2026, 10, day, 9));
        const ends = new Date(starts.getTime() + 30 * 60_000);
        const [b] = await rows<{ id: string }>(
          tx,
          sql`insert into bookings (business_id, customer_id, service_id, resource_id, during, starts_at, ends_at, status, conversation_id)
              select business_id, customer_id, ${r!.service}, ${r!.resource}, tstzrange(${starts.toISOString()}::timestamptz, ${ends.toISOString()}::timestamptz), ${starts}, ${ends}, ${status}, id
              from conversations where id = ${conv[key]!} returning id`,
        );
        made.push(b!.id);
      }
    });
    const { summary } = await getAnalyticsReport({ ctx: owner, input: NOV }, { now: NOW });
    expect(summary.booked).toBe(2);
    expect(summary.bookingRate).toBeCloseTo(2 / 8);
    // on one channel: only Gus's SMS conversation
    expect((await getAnalyticsReport({ ctx: owner, input: { ...NOV, channel: "sms" } }, { now: NOW })).summary).toMatchObject({ booked: 1 });
    await signInAs("alice@a.test");
    const out = renderToString(await AnalyticsPage({ params: Promise.resolve({ business: SLUG }), searchParams: Promise.resolve(NOV) }));
    expect(out).toContain("Booked (conversions)");
    expect(out).toContain("2 of 8 conversations ended in a booking");
    await withService((tx) => tx.execute(sql`delete from bookings where id in (${sql.join(made.map((id) => sql`${id}`), sql`, `)})`));
  });

  it("a customer who comes back on another channel within 72 hours is not resolved by the AI; after 72 hours, it is", async () => {
    const csv = await exportAnalyticsCsv({ ctx: owner, input: NOV }, { now: NOW });
    const type = (id: string) => csv.csv.split("\r\n").find((l) => l.startsWith(id))!.split(",")[9];
    expect(type(conv.benWeb!)).toBe("returned");
    expect(type(conv.benSms!)).toBe("ai");
    // Ben's SMS arriving four days later instead would leave the web chat resolved
    await withService((tx) => tx.execute(sql`update messages set created_at = created_at + interval '3 days' where conversation_id = ${conv.benSms}`));
    try {
      const later = await exportAnalyticsCsv({ ctx: owner, input: NOV }, { now: NOW });
      expect(later.csv.split("\r\n").find((l) => l.startsWith(conv.benWeb!))!.split(",")[9]).toBe("ai");
    } finally {
      await withService((tx) => tx.execute(sql`update messages set created_at = created_at - interval '3 days' where conversation_id = ${conv.benSms}`));
    }
  });

  it("first response times of the AI and of staff, and resolution time, as medians", async () => {
    const { summary } = await getAnalyticsReport({ ctx: owner, input: NOV }, { now: NOW });
    // AI first replies: ann 4 s, benWeb 2 s, benSms 3 s, cat 1 s, dan 10 s, gus 5 s, eve 2 s → median 3 s
    expect(summary.ai_frt_count).toBe(7);
    expect(summary.ai_frt_median_s).toBe(3);
    // staff: cat 30 min after the hand-off, dan 1 min after taking over → median 15.5 min
    expect(summary.staff_frt_count).toBe(2);
    expect(summary.staff_frt_median_s).toBe(15.5 * 60);
    // resolved: ann 4 s, benSms 3 s (the AI's last answer), cat 3600 s (closed) → median 4 s
    expect(summary.resolution_count).toBe(3);
    expect(summary.resolution_median_s).toBe(4);
  });

  it("hand-off reasons and conversations per day and channel", async () => {
    const report = await getAnalyticsReport({ ctx: admin, input: NOV }, { now: NOW });
    expect(report.reasons.map((r) => [r.reason, r.conversations])).toEqual([
      ["ai", 1],
      ["person", 1],
      ["staff", 1],
    ]);
    expect(report.reasons.map((r) => r.label)).toEqual(["AI's judgement", "asked for a person", "staff"]);
    expect(report.byDay).toHaveLength(20);
    expect(report.byDay.find((d) => d.day === "2026-11-04")!.values).toEqual({ sms: 1 });
    expect(report.byDay.find((d) => d.day === "2026-11-08")!.values).toEqual({});
    expect(report.channels).toEqual(["sms", "web"]);
    const smsOnly = await getAnalyticsReport({ ctx: owner, input: { ...NOV, channel: "sms" } }, { now: NOW });
    expect(smsOnly.summary).toMatchObject({ conversations: 2, ai_resolved: 1, handed_off: 1 });
  });
});

describe("every number links to its conversations in the inbox", () => {
  const inbox = async (input: Record<string, string>) => (await listConversations({ ctx: owner, input: { status: "all", from: "2026-11-01", to: "2026-11-20", ...input } })).items.map((i) => i.id).sort();
  const ids = (...keys: string[]) => keys.map((k) => conv[k]!).sort();

  it("the same sets the page counts (72 hours judged now: Eve's is resolved by now)", async () => {
    expect(await inbox({ set: "handed_off" })).toEqual(ids("cat", "dan", "gus"));
    expect(await inbox({ set: "handed_off", reason: "person" })).toEqual(ids("cat"));
    expect(await inbox({ set: "staff_replied" })).toEqual(ids("cat", "dan"));
    expect(await inbox({ set: "ai_resolved" })).toEqual(ids("ann", "benSms", "eve"));
    expect(await inbox({ set: "conversations" })).toEqual(ids("ann", "benWeb", "benSms", "cat", "dan", "fay", "gus", "eve"));
    expect(await inbox({ set: "ai_resolved", channel: "sms" })).toEqual(ids("benSms"));
    expect(await inbox({ set: "csat_answered" })).toEqual(ids("cat", "benSms"));
  });

  it("the page's links carry the set, the dates and the channel", async () => {
    await signInAs("alice@a.test");
    const out = renderToString(await AnalyticsPage({ params: Promise.resolve({ business: SLUG }), searchParams: Promise.resolve(NOV) })).replaceAll("&amp;", "&");
    expect(out).toContain(`/${SLUG}/inbox?status=all&set=ai_resolved&from=2026-11-01&to=2026-11-20`);
    expect(out).toContain(`/${SLUG}/inbox?status=all&set=handed_off&from=2026-11-01&to=2026-11-20&reason=person`);
    expect(out).toContain(`/api/businesses/${SLUG}/analytics/export?period=custom&from=2026-11-01&to=2026-11-20`);
    expect(out).toContain("did not write again on ANY channel within 72 hours");
    expect(out).toContain("3.5 / 5");
    expect(out).toContain("50% rated 4 or 5; 2 of 3 surveys answered (66.7%)");
    expect(out).toContain(`/${SLUG}/inbox?status=all&set=csat_answered&from=2026-11-01&to=2026-11-20`);
    expect(out).toContain("The score is the average rating of the surveys answered");
    // the hand-off reasons in plain words, each defined
    expect(out).toContain("Asked for a person");
    for (const term of ["Asked for a person: ", "Rule: ", "Low confidence: ", "Budget: ", "Staff: ", "AI&#x27;s judgement: "]) expect(out).toContain(term);
  });

  it("an unreadable inbox filter is ignored, like the inbox's other filters", async () => {
    // every conversation of the business: makeTenant's October one and the eight of November
    expect(await inbox({ set: "everything" })).toHaveLength(9);
    expect(await inbox({ set: "handed_off", from: "2026-13-45" })).toHaveLength(9);
  });
});

describe("the conversations CSV", () => {
  it("has one row per conversation with its channels, customer, times, resolution, hand-off reason, cost and tags", async () => {
    await signInAs("alice@a.test");
    const res = await analyticsCsvRoute(new Request(`http://localhost/api/businesses/${SLUG}/analytics/export?period=custom&from=2026-11-01&to=2026-11-20`), {
      params: Promise.resolve({ business: SLUG }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="${SLUG}-conversations-2026-11-01-to-2026-11-20.csv"`);
    const lines = (await res.text()).replace(/^\uFEFF/, "").trim().split("\r\n");
    expect(lines[0]).toBe("id,channel,customer_channels,customer_id,customer,created,first_ai_response,first_human_response,resolved,resolution_type,handoff_reason,cost_usd,tags,csat");
    expect(lines).toHaveLength(1 + 8);
    const row = (key: string) => lines.find((l) => l.startsWith(conv[key]!))!.split(",");
    expect(row("ann")).toEqual([conv.ann, "web", "web", expect.any(String), "Ann", "2026-11-02T10:00:00", "2026-11-02T10:00:04", "", "yes", "ai", "", "0.002100", "vip", ""]);
    expect(row("benWeb").slice(1, 3)).toEqual(["web", "sms web"]);
    expect(row("cat").slice(7, 11)).toEqual(["2026-11-05T10:30:01", "yes", "staff", "asked for a person"]);
    expect(row("dan").slice(8, 11)).toEqual(["no", "handed_off", "staff"]);
    expect(row("fay").slice(8, 10)).toEqual(["no", "unanswered"]);
    expect([row("cat")[13], row("benSms")[13], row("gus")[13]]).toEqual(["5", "2", ""]);
    expect(lines.some((l) => l.startsWith(conv.test!))).toBe(false);
  });
});

describe("who may see analytics", () => {
  it("agents are refused by the loader, the CSV and the page", async () => {
    await expect(getAnalyticsReport({ ctx: agent, input: NOV }, { now: NOW })).rejects.toMatchObject({ code: "forbidden" });
    await expect(exportAnalyticsCsv({ ctx: agent, input: NOV }, { now: NOW })).rejects.toMatchObject({ code: "forbidden" });
    await signInAs("carol@a.test");
    const res = await analyticsCsvRoute(new Request(`http://localhost/x?period=30d`), { params: Promise.resolve({ business: SLUG }) });
    expect(res.status).toBe(403);
    const out = renderToString(await AnalyticsPage({ params: Promise.resolve({ business: SLUG }), searchParams: Promise.resolve(NOV) })).replaceAll("<!-- -->", "");
    expect(out).toMatch(/You don(&#x27;|')t have access to Analytics/);
    expect(out).not.toContain("Resolved by the AI");
  });

  it("bad filters: 400 from the CSV, the message on the page", async () => {
    await signInAs("alice@a.test");
    const res = await analyticsCsvRoute(new Request(`http://localhost/x?period=custom&from=2026-11-01&to=tomorrow`), { params: Promise.resolve({ business: SLUG }) });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toBe("to must be a date between 2000 and 2100 written YYYY-MM-DD, e.g. 2026-11-30.");
    const out = renderToString(await AnalyticsPage({ params: Promise.resolve({ business: SLUG }), searchParams: Promise.resolve({ channel: "pigeon" }) }));
    expect(out).toContain("channel must be one of web, sms");
  });
});

describe("the pipeline records why it handed over", () => {
  beforeAll(async () => {
    await seedDemo(await getDbHandle());
    setLimiterForTests(undefined);
  });

  it("a customer asking for a person: the reply carries the rule's category and reason, and Analytics counts it", async () => {
    const r = await handleInbound({
      businessId: DEMO_BUSINESS_ID,
      channelId: "00000000-0000-4000-8000-00000000c001",
      channelKind: "web",
      from: { kind: "web", value: "visitor-analytics-1" },
      text: "I want to speak to a real person please",
    });
    expect(r.handedOff).toBe(true);
    const [reply] = await withService((tx) => rows<{ handoff: unknown }>(tx, sql`select metadata->'handoff' as handoff from messages where id = ${r.reply!.id}`));
    expect(reply!.handoff).toEqual({ category: "person", reason: "the customer asked for a person" });
    const [demoOwner] = await withService((tx) => rows<{ user_id: string }>(tx, sql`select user_id from members where business_id = ${DEMO_BUSINESS_ID} and role = 'owner'`));
    const report = await getAnalyticsReport({ ctx: { businessId: DEMO_BUSINESS_ID, actor: { type: "member", userId: demoOwner!.user_id, role: "owner" } }, input: { period: "7d" } });
    expect(report.reasons.find((x) => x.reason === "person")?.conversations).toBeGreaterThanOrEqual(1);
  });

  const demoCtx = async (): Promise<MemberCtx> => {
    const [demoOwner] = await withService((tx) => rows<{ user_id: string }>(tx, sql`select user_id from members where business_id = ${DEMO_BUSINESS_ID} and role = 'owner'`));
    return { businessId: DEMO_BUSINESS_ID, actor: { type: "member", userId: demoOwner!.user_id, role: "owner" } };
  };
  const csvRow = async (conversationId: string) => {
    const { csv } = await exportAnalyticsCsv({ ctx: await demoCtx(), input: { period: "7d" } });
    const line = csv.split("\r\n").find((l) => l.startsWith(conversationId));
    return line!.split(",");
  };
  const webMsg = (text: string, visitor: string) => ({
    businessId: DEMO_BUSINESS_ID,
    channelId: "00000000-0000-4000-8000-00000000c001",
    channelKind: "web" as const,
    from: { kind: "web" as const, value: visitor },
    text,
  });

  it("budget spent: the fallback reply hands the conversation to a person, staff are told, and it counts under 'budget'", async () => {
    await withService((tx) => setMonthlyBudget(tx, DEMO_BUSINESS_ID, { limitUsd: 0, autoPause: true }));
    try {
      const r = await handleInbound(webMsg("Could you explain the difference between a bridge and an implant for a missing molar?", "visitor-analytics-budget"));
      expect(r.reply).toMatchObject({ source: "fallback", content: expect.stringMatching(/get back to you/) });
      expect(r.handedOff).toBe(true);
      const [conv] = await withService((tx) => rows<{ status: string }>(tx, sql`select status from conversations where id = ${r.conversationId}`));
      expect(conv!.status).toBe("waiting_human");
      const notices = await withService((tx) => rows(tx, sql`select 1 from outbox where payload->>'kind' = 'handoff' and payload->>'conversationId' = ${r.conversationId}`));
      expect(notices.length).toBeGreaterThanOrEqual(1);
      const report = await getAnalyticsReport({ ctx: await demoCtx(), input: { period: "7d" } });
      expect(report.reasons.find((x) => x.reason === "budget")).toMatchObject({ label: "budget", conversations: 1 });
      expect((await csvRow(r.conversationId))[10]).toBe("budget");
      expect((await listConversations({ ctx: await demoCtx(), input: { status: "all", set: "handed_off", reason: "budget" } })).items.map((i) => i.id)).toContain(r.conversationId);
    } finally {
      await withService((tx) => setMonthlyBudget(tx, DEMO_BUSINESS_ID, { limitUsd: 50 }));
    }
  });

  it("the AI could not answer, offered a person and the customer said yes: counted under 'low confidence'", async () => {
    await withService((tx) => tx.execute(sql`update businesses set limits = limits || '{"customerMinIntervalSeconds": 0}'::jsonb where id = ${DEMO_BUSINESS_ID}`));
    const visitor = "visitor-analytics-unsure";
    const first = await handleInbound(webMsg("Is there bicycle parking outside the clinic?", visitor));
    expect(first.reply).toMatchObject({ source: "offline", content: expect.stringMatching(/don't know.*pass your question to a person/) });
    expect(first.handedOff).toBe(false);
    const yes = await handleInbound(webMsg("yes please", visitor));
    expect(yes.handedOff).toBe(true);
    const [stored] = await withService((tx) => rows<{ handoff: unknown }>(tx, sql`select metadata->'handoff' as handoff from messages where id = ${yes.reply!.id}`));
    expect(stored!.handoff).toEqual({ category: "low_confidence", reason: "the AI could not answer and the customer accepted a person" });
    const report = await getAnalyticsReport({ ctx: await demoCtx(), input: { period: "7d" } });
    expect(report.reasons.find((x) => x.reason === "low_confidence")).toMatchObject({ label: "low confidence", conversations: 1 });
    expect((await csvRow(yes.conversationId))[10]).toBe("low confidence");
  });
});
