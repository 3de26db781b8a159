// The Costs page's loader and CSV against the cost ledger: every figure reconciles with cost_events to
// the cent (summed here independently, in SQL), days are the business's local days, the channel filter
// narrows, the budget's projection and first degradation step, FAQ and cache savings, cost per
// resolved conversation; knowledge uploads and FAQs record their embedding cost; owners and admins
// only (loader, CSV and page); bad filters are 400s a person can act on.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);
jest.mock("next/cache", () => ({ revalidatePath: jest.fn() }));

import { renderToString } from "react-dom/server";
import { sql } from "drizzle-orm";
import type { Embedder } from "@/lib/ai/embeddings";
import { closeDb, rows, withService, type Tx } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { exportCostsCsv, getCostsReport, usdText } from "@/lib/services/costs";
import { createArticle } from "@/lib/services/knowledge";
import { createFaq } from "@/lib/services/faqs";
import type { MemberCtx } from "@/lib/services/context";
import { GET as costsCsvRoute } from "@/app/api/businesses/[business]/costs/export/route";
import CostsPage from "@/app/(dashboard)/[business]/costs/page";
import { useTestDb } from "../../helpers/db";
import { makeTwoTenants, makeUser } from "../../helpers/fixtures";
import { signInAs } from "../../helpers/session";

const TZ = "America/New_York";
// 10:00 in New York on Friday 20 November 2026
const NOW = new Date("2026-11-20T15:00:00Z");
const SLUG = "tenant-a";

let businessId: string;
let owner: MemberCtx;
let admin: MemberCtx;
let agent: MemberCtx;
let web: string;
let sms: string;
let customer: string;
let resolvedConversation: string;

async function conversation(tx: Tx, channelId: string, at: string): Promise<string> {
  const [c] = await rows<{ id: string }>(
    tx,
    sql`insert into conversations (business_id, customer_id, channel_id, created_at, last_message_at) values (${businessId}, ${customer}, ${channelId}, ${at}::timestamptz, ${at}::timestamptz) returning id`,
  );
  return c!.id;
}

async function message(tx: Tx, conversationId: string, channelId: string, role: string, at: string, extra: { source?: string; cost?: number; metadata?: object } = {}) {
  const [m] = await rows<{ id: string }>(
    tx,
    sql`insert into messages (business_id, conversation_id, customer_id, channel_id, role, source, content, cost_usd, metadata, created_at)
        values (${businessId}, ${conversationId}, ${customer}, ${channelId}, ${role}, ${extra.source ?? null}, 'text', ${extra.cost ?? 0}, ${JSON.stringify(extra.metadata ?? {})}::jsonb, ${at}::timestamptz)
        returning id`,
  );
  return m!.id;
}

async function cost(tx: Tx, kind: string, usd: number, at: string, extra: { conversationId?: string; model?: string; businessId?: string } = {}) {
  await tx.execute(
    sql`insert into cost_events (business_id, kind, model, units, cost_usd, conversation_id, created_at)
        values (${extra.businessId ?? businessId}, ${kind}, ${extra.model ?? null}, 1, ${usd}, ${extra.conversationId ?? null}, ${at}::timestamptz)`,
  );
}

const params = { params: Promise.resolve({ business: SLUG }) };
const csvRoute = (qs: string) => costsCsvRoute(new Request(`http://localhost/api/businesses/${SLUG}/costs/export?${qs}`), params);

/** The ledger summed independently: micro-dollars of this business between two instants. */
async function ledger(from: Date, to: Date, where = sql`true`): Promise<number> {
  const [r] = await withService((tx) =>
    rows<{ micros: string }>(
      tx,
      sql`select (coalesce(sum(ce.cost_usd), 0) * 1000000)::bigint::text as micros from cost_events ce
          left join conversations co on co.id = ce.conversation_id left join channels ch on ch.id = co.channel_id
          where ce.business_id = ${businessId} and ce.created_at >= ${from.toISOString()}::timestamptz and ce.created_at < ${to.toISOString()}::timestamptz and ${where}`,
    ),
  );
  return Number(r!.micros);
}

beforeAll(async () => {
  await useTestDb();
  await withService(async (tx) => {
    const cast = await makeTwoTenants(tx);
    businessId = cast.a.businessId;
    web = cast.a.channelId;
    customer = cast.a.customerId;
    const dave = await makeUser(tx, "dave@a.test");
    await tx.insert(s.members).values({ businessId, userId: dave.id, role: "admin" });
    owner = { businessId, actor: { type: "member", userId: cast.alice.id, role: "owner" } };
    admin = { businessId, actor: { type: "member", userId: dave.id, role: "admin" } };
    agent = { businessId, actor: { type: "member", userId: cast.carol.id, role: "agent" } };
    await tx.execute(sql`update businesses set time_zone = ${TZ}, limits = '{"monthlyBudgetUsd": 1}'::jsonb where id = ${businessId}`);
    // makeTenant made November's budget row at the default limit
    await tx.execute(sql`update budgets set limit_usd = 1 where business_id = ${businessId}`);
    // makeTenant's own cost event is stamped now (outside the fixed period): moved far away
    await tx.execute(sql`update cost_events set created_at = '2025-01-15T12:00:00Z' where business_id = ${businessId}`);
    [{ id: sms }] = await rows<{ id: string }>(tx, sql`insert into channels (business_id, kind, name, address) values (${businessId}, 'sms', 'SMS', '+15550001111') returning id`);

    // A conversation the AI resolved on 5 November: a model answer and the SMS segment that carried it.
    resolvedConversation = await conversation(tx, sms, "2026-11-05T14:00:00Z");
    await message(tx, resolvedConversation, sms, "customer", "2026-11-05T14:00:00Z");
    await message(tx, resolvedConversation, sms, "assistant", "2026-11-05T14:00:05Z", { source: "model", cost: 0.002 });
    await cost(tx, "model", 0.002, "2026-11-05T14:00:05Z", { conversationId: resolvedConversation, model: "gemini-2.5-flash" });
    await cost(tx, "sms", 0.0083, "2026-11-05T14:00:06Z", { conversationId: resolvedConversation });

    // Web chat answers on 10 November, 03:00 UTC = the 9th, 22:00 in New York.
    const chat = await conversation(tx, web, "2026-11-10T03:00:00Z");
    await message(tx, chat, web, "customer", "2026-11-10T03:00:00Z");
    await message(tx, chat, web, "assistant", "2026-11-10T03:00:01Z", { source: "model", cost: 0.004 });
    await cost(tx, "model", 0.004, "2026-11-10T03:00:01Z", { conversationId: chat, model: "gemini-2.5-pro" });
    await cost(tx, "embedding", 0.000001, "2026-11-10T03:00:00Z", { conversationId: chat, model: "gemini-embedding-001" });
    for (const [i, source, tier] of [[1, "faq", null], [2, "faq", null], [3, "cache", "memory"], [4, "cache", "postgres"]] as const) {
      await message(tx, chat, web, "customer", `2026-11-1${i}T12:00:00Z`);
      await message(tx, chat, web, "assistant", `2026-11-1${i}T12:00:01Z`, { source, metadata: tier ? { trace: { cache: { tier } } } : {} });
    }
    // Seven events of one micro-dollar each, and a big model call: the sum must still be exact.
    for (let i = 0; i < 7; i++) await cost(tx, "embedding", 0.000001, `2026-11-18T1${i}:00:00Z`, { model: "gemini-embedding-001" });
    await cost(tx, "model", 0.886107, "2026-11-19T16:30:00Z", { model: "gemini-2.5-pro" });
    await cost(tx, "whatsapp", 0.005, "2026-11-12T12:00:00Z");
    await cost(tx, "voice", 0.0255, "2026-11-13T12:00:00Z");
    await cost(tx, "email", 0.0004, "2026-11-14T12:00:00Z");
    // outside the period, and another business's
    await cost(tx, "model", 5, "2026-08-01T12:00:00Z", { model: "gemini-2.5-pro" });
    await cost(tx, "model", 7, "2026-11-15T12:00:00Z", { model: "gemini-2.5-pro", businessId: cast.b.businessId });
  });
});
afterAll(() => closeDb());

describe("the Costs loader reconciles with the ledger", () => {
  it("totals, every day and every breakdown add up to cost_events to the cent", async () => {
    const report = await getCostsReport({ ctx: owner, input: { period: "30d" } }, { now: NOW });
    expect(report.filters).toMatchObject({ from: "2026-10-22", to: "2026-11-20", timeZone: TZ });
    const expected = await ledger(new Date(report.filters.startsAt), new Date(report.filters.endsAt));
    expect(expected).toBe(2_000 + 8_300 + 4_000 + 1 + 7 + 886_107 + 5_000 + 25_500 + 400);
    expect(report.totalMicros).toBe(expected);
    expect(report.events).toBe(15);
    for (const dim of ["operation", "channel", "model"] as const) {
      const series = report.series[dim];
      expect(series.keys.reduce((n, k) => n + k.micros, 0)).toBe(expected);
      expect(series.days.reduce((n, d) => n + Object.values(d.values).reduce((a, b) => a + b, 0), 0)).toBe(expected);
      expect(series.days).toHaveLength(30);
    }
    // the days are New York's: the 03:00 UTC call of the 10th belongs to the 9th
    const ninth = report.series.operation.days.find((d) => d.day === "2026-11-09")!;
    expect(ninth.values).toEqual({ model: 4_000, embedding: 1 });
    expect(report.series.operation.days.find((d) => d.day === "2026-11-10")!.values).toEqual({});
    const byOp = Object.fromEntries(report.series.operation.keys.map((k) => [k.key, k.micros]));
    expect(byOp).toEqual({ model: 892_107, sms: 8_300, embedding: 8, whatsapp: 5_000, call: 25_500, email: 400 });
    const byChannel = Object.fromEntries(report.series.channel.keys.map((k) => [k.key, k.micros]));
    expect(byChannel).toEqual({ sms: 10_300, web: 4_001, none: 886_114, whatsapp: 5_000, voice: 25_500, email: 400 });
    const byModel = Object.fromEntries(report.series.model.keys.map((k) => [k.key, k.micros]));
    expect(byModel).toEqual({ "gemini-2.5-pro": 890_107, "gemini-2.5-flash": 2_000, "gemini-embedding-001": 8, none: 39_200 });
  });

  it("the channel filter keeps that channel's costs only", async () => {
    const report = await getCostsReport({ ctx: owner, input: { period: "30d", channel: "sms" } }, { now: NOW });
    const expected = await ledger(new Date(report.filters.startsAt), new Date(report.filters.endsAt), sql`coalesce(ch.kind::text, ce.kind) = 'sms'`);
    expect(expected).toBe(10_300);
    expect(report.totalMicros).toBe(expected);
  });

  it("a custom period covers whole local days", async () => {
    const report = await getCostsReport({ ctx: owner, input: { period: "custom", from: "2026-11-09", to: "2026-11-09" } }, { now: NOW });
    expect(report.totalMicros).toBe(4_001);
    expect(new Date(report.filters.startsAt).toISOString()).toBe("2026-11-09T05:00:00.000Z");
  });

  it("this month against the budget: month to date from the ledger, pace, runway and what degrades first", async () => {
    const { budget } = await getCostsReport({ ctx: admin, input: { period: "7d" } }, { now: NOW });
    const monthStart = new Date("2026-11-01T04:00:00Z"); // midnight in New York (EDT)
    const mtd = await ledger(monthStart, new Date("2026-12-01T05:00:00Z"));
    expect(budget.monthToDateMicros).toBe(mtd);
    expect(mtd).toBe(931_315);
    expect(budget.limitMicros).toBe(1_000_000);
    const elapsed = (NOW.getTime() - monthStart.getTime()) / 86_400_000;
    expect(budget.dailyPaceMicros).toBe(Math.round(mtd / elapsed));
    // 80 % is passed: cache warming has stopped; at this pace the rest lasts about a day and a third
    expect(budget.steps[0]).toMatchObject({ share: 0.8, reached: true });
    expect(budget.steps[0]!.what).toMatch(/Cache warming stops/);
    expect(budget.steps[1]).toMatchObject({ share: 1, reached: false, projectedOn: "2026-11-21" });
    expect(budget.steps[1]!.what).toMatch(/Model answers pause/);
    expect(budget.runsOutOn).toBe("2026-11-21");
    expect(budget.runwayDays).toBeCloseTo((1_000_000 - mtd) / budget.dailyPaceMicros, 1);
    expect(budget.projectedMicros).toBeGreaterThan(1_000_000);
  });

  it("FAQ and cache savings: answers served without the model × the period's average model answer", async () => {
    const { savings } = await getCostsReport({ ctx: owner, input: { period: "30d" } }, { now: NOW });
    expect(savings.answers).toBe(6);
    expect(savings.servedWithoutModel).toBe(4);
    expect(savings.avgModelAnswerMicros).toBe(3_000);
    expect(savings.savedMicros).toBe(12_000);
    expect(Object.fromEntries(savings.tiers.map((t) => [t.tier, t.answers]))).toEqual({ faq: 2, "cache:memory": 1, "cache:postgres": 1, model: 2 });
  });

  it("cost per conversation the AI resolved: all of its costs, beside $0.99 a resolution", async () => {
    const { perResolution } = await getCostsReport({ ctx: owner, input: { period: "30d" } }, { now: NOW });
    // the web chat had FAQ and cache answers after the model's: resolved too, its model call and embedding count
    expect(perResolution.conversations).toBe(2);
    expect(perResolution.micros).toBe(2_000 + 8_300 + 4_000 + 1);
    expect(perResolution.perConversationMicros).toBe(Math.round(14_301 / 2));
    expect(perResolution.perResolutionPriceMicros).toBe(1_980_000);
  });
});

describe("the costs CSV", () => {
  it("has one row per billable operation of the filters, and its column sums to the page's total", async () => {
    await signInAs("alice@a.test");
    const report = await getCostsReport({ ctx: owner, input: { period: "30d" } }, { now: new Date() });
    const res = await csvRoute("period=30d");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="tenant-a-costs-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = (await res.text()).replace(/^\uFEFF/, "").trim().split("\r\n");
    expect(lines[0]).toBe("id,time,date,operation,kind,channel,model,units,tokens_in,tokens_out,cost_usd,conversation_id,message_id");
    expect(lines).toHaveLength(1 + report.events);
    const sum = lines.slice(1).reduce((n, l) => n + Math.round(Number(l.split(",")[10]) * 1e6), 0);
    expect(sum).toBe(report.totalMicros);
  });

  it("exports a fixed period exactly, narrowed by channel", async () => {
    const all = await exportCostsCsv({ ctx: owner, input: { period: "custom", from: "2026-11-01", to: "2026-11-30" } }, { now: NOW });
    expect(all.rows).toBe(15);
    const smsOnly = await exportCostsCsv({ ctx: owner, input: { period: "custom", from: "2026-11-01", to: "2026-11-30", channel: "sms" } }, { now: NOW });
    expect(smsOnly.rows).toBe(2);
    const [, ...data] = smsOnly.csv.trim().split("\r\n");
    expect(data.map((l) => l.split(",").slice(3, 7).join(","))).toEqual(["Model calls,model,sms,gemini-2.5-flash", "SMS segments,sms,sms,"]);
    expect(data.map((l) => l.split(",")[10])).toEqual(["0.002000", "0.008300"]);
    expect(usdText(1_234_567)).toBe("1.234567");
  });
});

describe("knowledge and FAQs record what their embeddings cost", () => {
  const embedder: Embedder = {
    model: "gemini-embedding-001",
    embed: async (texts) => ({
      vectors: texts.map(() => Array.from({ length: 768 }, (_, i) => (i === 0 ? 1 : 0))),
      tokens: texts.length * 1000,
      model: "gemini-embedding-001",
    }),
  };

  it("an article's chunks and a new FAQ each add an embedding cost event", async () => {
    await createArticle({ ctx: owner, input: { title: "Opening hours", content: "We open at nine every weekday and close at five." } }, { embedder });
    await createFaq({ ctx: owner, input: { question: "Do you open on Sundays?", answer: "No, we are closed on Sundays." } }, { embedder });
    const after = await withService((tx) =>
      rows<{ tokens_in: number; cost: number }>(
        tx,
        sql`select tokens_in, cost_usd::float8 as cost from cost_events where business_id = ${businessId} and kind = 'embedding' and conversation_id is null
            and created_at > now() - interval '1 minute' order by created_at`,
      ),
    );
    expect(after).toEqual([
      { tokens_in: 1000, cost: 0.00015 },
      { tokens_in: 1000, cost: 0.00015 },
    ]);
  });
});

describe("who may see costs", () => {
  it("owners and admins: the loader answers; agents: forbidden in the loader and the CSV", async () => {
    await expect(getCostsReport({ ctx: admin, input: {} }, { now: NOW })).resolves.toMatchObject({ totalMicros: expect.any(Number) });
    await expect(getCostsReport({ ctx: agent, input: {} }, { now: NOW })).rejects.toMatchObject({ code: "forbidden" });
    await expect(exportCostsCsv({ ctx: agent, input: {} }, { now: NOW })).rejects.toMatchObject({ code: "forbidden" });
    await signInAs("carol@a.test");
    const res = await csvRoute("period=30d");
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain("gemini");
  });

  it("the page renders no access for an agent and the spend for the owner", async () => {
    const render = async (qs: Record<string, string> = {}) =>
      renderToString(await CostsPage({ params: Promise.resolve({ business: SLUG }), searchParams: Promise.resolve(qs) })).replaceAll("<!-- -->", "");
    await signInAs("carol@a.test");
    const denied = await render();
    expect(denied).toMatch(/You don(&#x27;|')t have access to Costs/);
    expect(denied).not.toContain("$0.93");
    await signInAs("alice@a.test");
    const shown = await render({ period: "custom", from: "2026-11-01", to: "2026-11-30" });
    expect(shown).toContain("$0.93"); // 0.931315 over the month
    expect(shown).toContain("Download CSV");
  });

  it("a member of another business gets 404 from the CSV", async () => {
    await signInAs("bob@b.test");
    expect((await csvRoute("period=30d")).status).toBe(404);
  });
});

describe("bad filters are 400s that say what to send", () => {
  beforeAll(() => signInAs("alice@a.test"));

  it.each([
    ["period=fortnight", /period must be one of 7d, 30d, 90d, this_month, last_month, custom/],
    ["period=custom&from=2026-11-01", /to is missing/],
    ["period=custom&from=2026-02-31&to=2026-03-01", /from is not a real date/],
    ["period=custom&from=99999-01-01&to=2026-03-01", /from must be a date between 2000 and 2100 written YYYY-MM-DD/],
    ["period=custom&from=1999-12-31&to=2026-03-01", /from must be a date between 2000 and 2100/],
    ["period=custom&from=2026-03-02&to=2026-03-01", /from \(2026-03-02\) must not be after to \(2026-03-01\)/],
    ["period=custom&from=2020-01-01&to=2026-03-01", /at most 366 days/],
    ["channel=fax", /channel must be one of web, sms/],
    ["period=%00", /period must be one of/],
  ])("%s", async (qs, message) => {
    const res = await csvRoute(qs);
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe("bad_request");
    expect(body.error.message).toMatch(message);
  });

  it("the page shows the same message instead of failing", async () => {
    const out = renderToString(await CostsPage({ params: Promise.resolve({ business: SLUG }), searchParams: Promise.resolve({ period: "fortnight" }) })).replaceAll("<!-- -->", "");
    expect(out).toContain("period must be one of");
  });
});
