// What the triggers keep beside the ledger (supabase/migrations/*_report_rollups.sql) against the ledger
// itself, summed here from scratch: cost_daily against cost_events, answer_daily against the AI's
// answers, conversation_facts against every message, take-over, survey and cost of each conversation —
// after inserts, changes and deletions of every kind, after concurrent writers, after a change of time
// zone, and after the migration's backfill of rows stored before it. Then the Costs figures read from
// the daily rows equal the ledger's in zones a quarter or half hour off UTC, and the Analytics
// resolution types read from conversation_facts equal the definitions worked out over every message.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import { closeDb, openPglite, openPostgres, rows, withService, withTenant, type Db, type DbHandle, type Executor, type Tx } from "@/lib/db/client";
import { journal, migrate, MIGRATIONS_FOLDER } from "@/lib/db/migrate";
import { answerTiers, costGroups, costTotal, conversationFacts, dailyRowsReady, localDays, RETURN_WINDOW_HOURS } from "@/lib/db/reports";
import { mergeCustomerInto } from "@/lib/pipeline/customers";
import { getCostsReport } from "@/lib/services/costs";
import { resolveFilters } from "@/lib/services/report-filters";
import { onServer, testEngine, testServerUrl, useTestDb } from "../../helpers/db";
import { withDatabase } from "../../helpers/engines";
import { makeTwoTenants } from "../../helpers/fixtures";

// ---------------------------------------------------------------- the ledger, summed from scratch

/** JSON text of a query's rows, so both drivers compare alike. */
async function jsonRows(ex: Executor, query: ReturnType<typeof sql>): Promise<unknown[]> {
  const [r] = await rows<{ j: string | null }>(ex, sql`select coalesce(json_agg(x)::text, '[]') as j from (${query}) x`);
  return JSON.parse(r!.j ?? "[]");
}

const costDaily = (ex: Executor, b: string, tz: string) =>
  jsonRows(
    ex,
    sql`select day::text, kind, channel, model, sum(events)::int as events, sum(micros)::text as micros from cost_daily
        where business_id = ${b} and time_zone = ${tz} group by 1, 2, 3, 4 having sum(events) <> 0 or sum(micros) <> 0 order by 1, 2, 3, 4`,
  );
const costLedger = (ex: Executor, b: string, tz: string) =>
  jsonRows(
    ex,
    sql`select (created_at at time zone ${tz})::date::text as day, kind, channel, coalesce(model, '') as model, count(*)::int as events,
               sum((cost_usd * 1000000)::bigint)::text as micros
        from cost_events where business_id = ${b} group by 1, 2, 3, 4 order by 1, 2, 3, 4`,
  );
const answerDaily = (ex: Executor, b: string, tz: string) =>
  jsonRows(
    ex,
    sql`select day::text, channel_id, tier, sum(answers)::int as answers, sum(micros)::text as micros from answer_daily
        where business_id = ${b} and time_zone = ${tz} group by 1, 2, 3 having sum(answers) <> 0 or sum(micros) <> 0 order by 1, 2, 3`,
  );
const answerLedger = (ex: Executor, b: string, tz: string) =>
  jsonRows(
    ex,
    sql`select (m.created_at at time zone ${tz})::date::text as day, m.channel_id, app.answer_tier(m.source, m.metadata) as tier,
               count(*)::int as answers, sum((m.cost_usd * 1000000)::bigint)::text as micros
        from messages m join channels ch on ch.id = m.channel_id and ch.business_id = m.business_id
        where m.business_id = ${b} and m.role = 'assistant' and m.source is not null group by 1, 2, 3 order by 1, 2, 3`,
  );

const FACT_COLUMNS = sql`conversation_id, business_id, customer_id, channel, status::text, created_at, closed_at, first_customer_at, first_ai_at,
  last_ai_at, ai_answers, first_human_at, handoff_at, handoff_category, taken_over_at, csat_sent_at, csat_rating, test, cost_micros::text`;
const AI = sql`m.role = 'assistant' and m.source in ('model', 'cache', 'faq', 'offline')`;

const facts = (ex: Executor, b: string) =>
  jsonRows(ex, sql`select ${FACT_COLUMNS} from conversation_facts where business_id = ${b} order by conversation_id`);
/** Each conversation's facts from every message, take-over, survey and cost event it has. */
const factsFromScratch = (ex: Executor, b: string) =>
  jsonRows(
    ex,
    sql`select ${FACT_COLUMNS} from (
          select c.id as conversation_id, c.business_id, c.customer_id, ch.kind::text as channel, c.status, c.created_at, c.closed_at,
                 mm.first_customer_at, mm.first_ai_at, mm.last_ai_at, mm.ai_answers, mm.first_human_at, mm.handoff_at, mm.handoff_category,
                 t.taken_over_at, cs.sent_at as csat_sent_at, cs.rating as csat_rating, mm.test, coalesce(e.micros, 0) as cost_micros
          from conversations c
          join channels ch on ch.id = c.channel_id and ch.business_id = c.business_id
          cross join lateral (
            select min(m.created_at) filter (where m.role = 'customer') as first_customer_at,
                   min(m.created_at) filter (where m.role = 'assistant') as first_ai_at,
                   max(m.created_at) filter (where ${AI}) as last_ai_at,
                   count(*) filter (where ${AI})::int as ai_answers,
                   min(m.created_at) filter (where m.role = 'agent') as first_human_at,
                   min(m.created_at) filter (where m.role = 'assistant' and m.metadata ? 'handoff') as handoff_at,
                   (array_agg(m.metadata->'handoff'->>'category' order by m.created_at) filter (where m.role = 'assistant' and m.metadata ? 'handoff'))[1] as handoff_category,
                   coalesce(bool_or(m.role = 'customer' and m.metadata->>'test' = 'true'), false) as test
            from messages m where m.business_id = c.business_id and m.conversation_id = c.id) mm
          left join (select business_id, target_id, min(created_at) as taken_over_at from audit_log where action = 'conversation.taken_over' group by 1, 2) t
            on t.target_id = c.id::text and t.business_id = c.business_id
          left join csat_surveys cs on cs.conversation_id = c.id and cs.business_id = c.business_id
          left join (select business_id, conversation_id, sum((cost_usd * 1000000)::bigint) as micros from cost_events where conversation_id is not null group by 1, 2) e
            on e.conversation_id = c.id and e.business_id = c.business_id
          where c.business_id = ${b}) x
        order by conversation_id`,
  );

/** Everything the triggers keep for one business equals what the ledger says, in its zone. */
async function expectInStep(ex: Executor, b: string) {
  const [{ tz }] = (await rows<{ tz: string }>(ex, sql`select app.valid_zone(time_zone) as tz from businesses where id = ${b}`)) as [{ tz: string }];
  expect(await costDaily(ex, b, tz)).toEqual(await costLedger(ex, b, tz));
  expect(await answerDaily(ex, b, tz)).toEqual(await answerLedger(ex, b, tz));
  expect(await facts(ex, b)).toEqual(await factsFromScratch(ex, b));
  const [other] = await rows<{ n: number }>(ex, sql`select (select count(*) from cost_daily where business_id = ${b} and time_zone <> ${tz})::int
                                                         + (select count(*) from answer_daily where business_id = ${b} and time_zone <> ${tz})::int as n`);
  expect(other!.n).toBe(0);
}

// ---------------------------------------------------------------- writers

let a: Awaited<ReturnType<typeof makeTwoTenants>>["a"];
let b: Awaited<ReturnType<typeof makeTwoTenants>>["b"];
let alice: { id: string };
let sms: string;

async function conversation(tx: Tx, customerId: string, channelId: string, at: string, status = "open"): Promise<string> {
  const [c] = await rows<{ id: string }>(
    tx,
    sql`insert into conversations (business_id, customer_id, channel_id, status, created_at, last_message_at)
        values (${a.businessId}, ${customerId}, ${channelId}, ${status}::conversation_status, ${at}::timestamptz, ${at}::timestamptz) returning id`,
  );
  return c!.id;
}

async function message(tx: Tx, conversationId: string, role: string, at: string, extra: { source?: string; metadata?: object; cost?: number } = {}): Promise<string> {
  const [m] = await rows<{ id: string }>(
    tx,
    sql`insert into messages (business_id, conversation_id, customer_id, channel_id, role, source, content, metadata, cost_usd, created_at)
        select business_id, id, customer_id, channel_id, ${role}::message_role, ${extra.source ?? null}::answer_source, 'text',
               ${JSON.stringify(extra.metadata ?? {})}::jsonb, ${extra.cost ?? 0}, ${at}::timestamptz
        from conversations where id = ${conversationId} returning id`,
  );
  return m!.id;
}

async function cost(tx: Tx, kind: string, usd: number, at: string, extra: { conversationId?: string; model?: string; businessId?: string } = {}): Promise<string> {
  const [c] = await rows<{ id: string }>(
    tx,
    sql`insert into cost_events (business_id, kind, model, units, cost_usd, conversation_id, created_at)
        values (${extra.businessId ?? a.businessId}, ${kind}, ${extra.model ?? null}, 1, ${usd}, ${extra.conversationId ?? null}, ${at}::timestamptz) returning id`,
  );
  return c!.id;
}

async function customer(tx: Tx, name: string): Promise<string> {
  const [c] = await rows<{ id: string }>(tx, sql`insert into customers (business_id, name) values (${a.businessId}, ${name}) returning id`);
  return c!.id;
}

beforeAll(async () => {
  await useTestDb();
  await withService(async (tx) => {
    const cast = await makeTwoTenants(tx);
    a = cast.a;
    b = cast.b;
    alice = cast.alice;
    await tx.execute(sql`update businesses set time_zone = 'America/New_York' where id = ${a.businessId}`);
    // makeTenant's cost event was counted in UTC, the zone the business had then
    await dailyRowsReady(tx, a.businessId, "America/New_York");
    [{ id: sms }] = (await rows<{ id: string }>(
      tx,
      sql`insert into channels (business_id, kind, name, address) values (${a.businessId}, 'sms', 'SMS', '+15550009999') returning id`,
    )) as [{ id: string }];
  });
});
afterAll(() => closeDb());

describe("the daily rows and the facts follow every write", () => {
  let ann: string;
  let annWeb: string;
  let annSms: string;
  let answer: string;

  it("inserts: costs of every kind, with and without a conversation or a model; answers of every tier; take-overs and surveys", async () => {
    await withService(async (tx) => {
      ann = await customer(tx, "Ann");
      annWeb = await conversation(tx, ann, a.channelId, "2026-11-02T03:59:00Z");
      annSms = await conversation(tx, ann, sms, "2026-11-02T04:10:00Z", "waiting_human");
      await message(tx, annWeb, "customer", "2026-11-02T03:59:00Z");
      answer = await message(tx, annWeb, "assistant", "2026-11-02T03:59:05Z", { source: "model", cost: 0.002 });
      await message(tx, annWeb, "assistant", "2026-11-02T04:30:00Z", { source: "cache", metadata: { trace: { cache: { tier: "memory" } } } });
      await message(tx, annWeb, "assistant", "2026-11-02T04:31:00Z", { source: "cache" });
      await message(tx, annSms, "customer", "2026-11-02T04:10:00Z", { metadata: { test: false } });
      await message(tx, annSms, "assistant", "2026-11-02T04:10:01Z", { source: "fallback", metadata: { handoff: { category: "person" } } });
      await message(tx, annSms, "assistant", "2026-11-02T04:10:00.500Z", { source: "model", metadata: { handoff: { category: "model" } } });
      await message(tx, annSms, "agent", "2026-11-02T04:20:00Z", { source: "human" });
      await message(tx, annSms, "note", "2026-11-02T04:21:00Z");
      // 03:59 and 04:10 UTC on the 2nd are the 1st and the 2nd in New York (EST from that morning)
      await cost(tx, "model", 0.002, "2026-11-02T03:59:05Z", { conversationId: annWeb, model: "gemini-2.5-flash" });
      await cost(tx, "sms", 0.0083, "2026-11-02T04:10:02Z", { conversationId: annSms });
      await cost(tx, "model", 0.001, "2026-11-02T04:10:01Z", { conversationId: annSms, model: "gemini-2.5-pro" });
      await cost(tx, "embedding", 0.000001, "2026-11-02T12:00:00Z", { model: "gemini-embedding-001" });
      await cost(tx, "voice_outbound", 0.0255, "2026-11-03T12:00:00Z");
      await cost(tx, "whatsapp", 0.005, "2026-11-03T12:00:00Z");
      await tx.execute(sql`insert into audit_log (business_id, action, target_type, target_id, created_at)
                           values (${a.businessId}, 'conversation.taken_over', 'conversation', ${annSms}, '2026-11-02T04:19:00Z'),
                                  (${a.businessId}, 'conversation.taken_over', 'conversation', ${annSms}, '2026-11-02T04:15:00Z'),
                                  (${a.businessId}, 'conversation.taken_over', 'conversation', 'not-a-uuid', '2026-11-02T04:15:00Z'),
                                  (${b.businessId}, 'conversation.taken_over', 'conversation', ${annWeb}, '2026-11-02T04:00:00Z')`);
      await tx.execute(sql`insert into csat_surveys (business_id, conversation_id, customer_id, channel_kind, token, sent_at)
                           values (${a.businessId}, ${annWeb}, ${ann}, 'web', 'rollup-survey', '2026-11-02T06:00:00Z')`);
      // several rows in one statement, two of them on the same day, kind and model
      await tx.execute(sql`insert into cost_events (business_id, kind, model, cost_usd, conversation_id, created_at)
                           select ${a.businessId}, 'model', 'gemini-2.5-flash', 0.000333, ${annWeb}, '2026-11-04T15:00:00Z'::timestamptz + make_interval(mins => i)
                           from generate_series(1, 3) i`);
    });
    await withService(async (tx) => {
      await expectInStep(tx, a.businessId);
      await expectInStep(tx, b.businessId);
      const [f] = await rows<{ channel: string; ai_answers: number; handoff_category: string; taken_over_at: string }>(
        tx,
        sql`select channel, ai_answers, handoff_category, taken_over_at::text from conversation_facts where conversation_id = ${annSms}`,
      );
      // the hand-off written first in time counts, whatever the order of the writes
      expect(f).toMatchObject({ channel: "sms", ai_answers: 1, handoff_category: "model", taken_over_at: "2026-11-02 04:15:00+00" });
      const channels = await rows<{ kind: string; channel: string }>(tx, sql`select kind, channel from cost_events where business_id = ${a.businessId} order by kind, channel`);
      expect(channels.map((c) => `${c.kind}:${c.channel}`)).toEqual([
        "embedding:none",
        "model:none", // makeTenant's own
        "model:sms",
        "model:web",
        "model:web",
        "model:web",
        "model:web",
        "sms:sms",
        "voice_outbound:voice",
        "whatsapp:whatsapp",
      ]);
    });
  });

  it("changes: a cost moved in time or to another conversation, a message edited or moved in time, a status, a survey's rating", async () => {
    await withService(async (tx) => {
      await tx.execute(sql`update cost_events set created_at = created_at + interval '2 days', cost_usd = cost_usd * 2 where kind = 'whatsapp' and business_id = ${a.businessId}`);
      await tx.execute(sql`update cost_events set conversation_id = ${annSms} where kind = 'embedding' and business_id = ${a.businessId}`);
      await tx.execute(sql`update messages set created_at = created_at - interval '1 day' where id = ${answer}`);
      await tx.execute(sql`update messages set metadata = '{"trace": {"cache": {"tier": "postgres"}}}' where conversation_id = ${annWeb} and source = 'cache' and metadata = '{}'`);
      await tx.execute(sql`update messages set delivery_status = 'delivered', metadata = metadata || '{"outcome": "replied"}' where conversation_id = ${annWeb}`);
      await tx.execute(sql`update messages set metadata = metadata || '{"handoff": {"category": "legal"}}' where id = ${answer}`);
      await tx.execute(sql`update conversations set status = 'closed', closed_at = '2026-11-02T05:00:00Z' where id = ${annSms}`);
      await tx.execute(sql`update csat_surveys set rating = 4, answered_at = '2026-11-02T07:00:00Z' where conversation_id = ${annWeb}`);
      await tx.execute(sql`update conversations set last_message_at = now(), unread = false where id = ${annWeb}`);
    });
    await withService((tx) => expectInStep(tx, a.businessId));
  });

  it("deletions: costs, messages, a survey, a conversation (its costs stay on their channel), a customer merged into another", async () => {
    await withService(async (tx) => {
      await tx.execute(sql`delete from cost_events where kind = 'voice_outbound' and business_id = ${a.businessId}`);
      await tx.execute(sql`delete from messages where conversation_id = ${annWeb} and source = 'cache'`);
      await tx.execute(sql`delete from csat_surveys where conversation_id = ${annWeb}`);
      await tx.execute(sql`delete from conversations where id = ${annSms}`);
    });
    await withService(async (tx) => {
      await expectInStep(tx, a.businessId);
      // the deleted conversation's model call and SMS segment: still SMS money, no longer a conversation's
      const kept = await rows<{ kind: string; channel: string; conversation_id: string | null }>(
        tx,
        sql`select kind, channel, conversation_id from cost_events where business_id = ${a.businessId} and channel = 'sms' order by kind`,
      );
      expect(kept).toEqual([
        { kind: "embedding", channel: "sms", conversation_id: null },
        { kind: "model", channel: "sms", conversation_id: null },
        { kind: "sms", channel: "sms", conversation_id: null },
      ]);
      const bob = await customer(tx, "Bob");
      const bobChat = await conversation(tx, bob, sms, "2026-11-05T10:00:00Z");
      await message(tx, bobChat, "customer", "2026-11-05T10:00:00Z");
      await message(tx, bobChat, "assistant", "2026-11-05T10:00:02Z", { source: "faq" });
      await mergeCustomerInto(tx, a.businessId, bob, ann);
    });
    await withService((tx) => expectInStep(tx, a.businessId));
  });

  it("a whole business deleted takes its rows with it", async () => {
    const [other] = await withService((tx) => rows<{ id: string }>(tx, sql`insert into businesses (slug, name) values ('gone', 'Gone') returning id`));
    await withService(async (tx) => {
      const [ch] = await rows<{ id: string }>(tx, sql`insert into channels (business_id, kind, name, address) values (${other!.id}, 'web', 'Web', 'gone') returning id`);
      const [cu] = await rows<{ id: string }>(tx, sql`insert into customers (business_id) values (${other!.id}) returning id`);
      const [co] = await rows<{ id: string }>(tx, sql`insert into conversations (business_id, customer_id, channel_id) values (${other!.id}, ${cu!.id}, ${ch!.id}) returning id`);
      await tx.execute(sql`insert into messages (business_id, conversation_id, customer_id, channel_id, role, source, content)
                           values (${other!.id}, ${co!.id}, ${cu!.id}, ${ch!.id}, 'assistant', 'model', 'x')`);
      await cost(tx, "model", 0.01, "2026-11-05T10:00:00Z", { businessId: other!.id, conversationId: co!.id, model: "m" });
    });
    await withService((tx) => tx.execute(sql`delete from businesses where id = ${other!.id}`));
    const left = await withService((tx) =>
      rows<{ n: number }>(
        tx,
        sql`select (select count(*) from cost_daily where business_id = ${other!.id})::int + (select count(*) from answer_daily where business_id = ${other!.id})::int
                 + (select count(*) from conversation_facts where business_id = ${other!.id})::int as n`,
      ),
    );
    expect(left[0]!.n).toBe(0);
  });
});

describe("concurrent writers", () => {
  it("many transactions at once adding costs and answers to the same day and conversation, and one rewriting its messages, leave everything in step", async () => {
    const { chat, who } = await withService(async (tx) => {
      const who = await customer(tx, "Busy");
      const chat = await conversation(tx, who, a.channelId, "2026-11-10T10:00:00Z");
      await message(tx, chat, "customer", "2026-11-10T10:00:00Z");
      return { chat, who };
    });
    const writers = Array.from({ length: 24 }, (_, i) =>
      withService(async (tx) => {
        await cost(tx, "model", 0.000101 * (i + 1), `2026-11-10T10:00:${String(i).padStart(2, "0")}Z`, { conversationId: chat, model: "gemini-2.5-flash" });
        await message(tx, chat, i % 3 === 0 ? "customer" : "assistant", `2026-11-10T10:01:${String(i).padStart(2, "0")}Z`, {
          source: i % 3 === 0 ? undefined : i % 3 === 1 ? "model" : "faq",
          metadata: i === 7 ? { handoff: { category: "complaint" } } : {},
        });
        if (i % 8 === 4) await tx.execute(sql`update messages set created_at = created_at - interval '1 second' where conversation_id = ${chat} and role = 'customer'`);
      }),
    );
    await Promise.all(writers);
    await withService(async (tx) => {
      await expectInStep(tx, a.businessId);
      const [f] = await rows<{ ai_answers: number; cost_micros: string }>(tx, sql`select ai_answers, cost_micros::text from conversation_facts where conversation_id = ${chat}`);
      expect(f).toEqual({ ai_answers: 16, cost_micros: String(Array.from({ length: 24 }, (_, i) => 101 * (i + 1)).reduce((x, y) => x + y, 0)) });
      expect(who).toBeTruthy();
    });
  });

  it("messages stored as the pipeline stores them (the message, then its conversation) beside staff changing the conversation and costs landing: no writer waits on another in a circle", async () => {
    const { chat } = await withService(async (tx) => {
      const who = await customer(tx, "Circle");
      const chat = await conversation(tx, who, sms, "2026-11-11T10:00:00Z");
      await message(tx, chat, "customer", "2026-11-11T10:00:00Z");
      return { chat };
    });
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        withService(async (tx) => {
          if (i % 3 === 0) {
            await message(tx, chat, i % 2 ? "assistant" : "customer", `2026-11-11T10:${String(i).padStart(2, "0")}:00Z`, { source: i % 2 ? "model" : undefined });
            await tx.execute(sql`update conversations set last_message_at = now(), unread = true where id = ${chat}`);
          } else if (i % 3 === 1) {
            await tx.execute(sql`update conversations set status = ${i % 2 ? "waiting_human" : "open"}::conversation_status where id = ${chat}`);
            await tx.execute(sql`insert into audit_log (business_id, action, target_type, target_id) values (${a.businessId}, 'conversation.taken_over', 'conversation', ${chat})`);
          } else {
            await cost(tx, "sms", 0.0083, `2026-11-11T10:${String(i).padStart(2, "0")}:30Z`, { conversationId: chat });
          }
        }),
      ),
    );
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    await withService((tx) => expectInStep(tx, a.businessId));
  });
});

describe("time zones", () => {
  it("a new time zone: new writes count in it, and the first read sums the earlier days again in it", async () => {
    await withService((tx) => tx.execute(sql`update businesses set time_zone = 'Asia/Kathmandu' where id = ${a.businessId}`));
    await withService((tx) => cost(tx, "model", 0.25, "2026-11-11T18:20:00Z", { model: "m" }));
    const zones = () =>
      withService(async (tx) => (await rows<{ tz: string }>(tx, sql`select distinct time_zone as tz from cost_daily where business_id = ${a.businessId} order by 1`)).map((r) => r.tz));
    expect(await zones()).toEqual(["America/New_York", "Asia/Kathmandu"]);
    await withService(async (tx) => expect(await dailyRowsReady(tx, a.businessId, "Asia/Kathmandu")).toBe(true));
    expect(await zones()).toEqual(["Asia/Kathmandu"]);
    await withService((tx) => expectInStep(tx, a.businessId));
    // writers and a rebuild at once: the rebuild waits for the writers in flight, later writers wait for it
    await withService((tx) =>
      tx.execute(sql`insert into cost_daily (business_id, time_zone, day, kind, channel, model, events, micros)
                     values (${a.businessId}, 'America/New_York', '2026-11-10', 'model', 'web', '', 1, 777)`),
    );
    await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => withService((tx) => cost(tx, "sms", 0.0083, `2026-11-12T0${i}:00:00Z`))),
      withService(async (tx) => expect(await dailyRowsReady(tx, a.businessId, "Asia/Kathmandu")).toBe(true)),
      ...Array.from({ length: 8 }, (_, i) => withService((tx) => cost(tx, "sms", 0.0083, `2026-11-12T1${i}:00:00Z`))),
    ]);
    await withService((tx) => expectInStep(tx, a.businessId));
    // the app and the database reading the zone differently: the ledger answers
    await withService(async (tx) => expect(await dailyRowsReady(tx, a.businessId, "UTC")).toBe(false));
    await withService((tx) => tx.execute(sql`update businesses set time_zone = 'Not/AZone' where id = ${a.businessId}`));
    await withService(async (tx) => {
      expect(await dailyRowsReady(tx, a.businessId, "UTC")).toBe(true);
      expect((await rows<{ tz: string }>(tx, sql`select distinct time_zone as tz from cost_daily where business_id = ${a.businessId}`)).map((r) => r.tz)).toEqual(["UTC"]);
      await expectInStep(tx, a.businessId);
    });
  });

  it.each(["Asia/Kolkata", "Asia/Kathmandu", "America/St_Johns", "Australia/Lord_Howe", "Pacific/Chatham", "America/New_York"])(
    "%s: every Costs figure from the daily rows equals the ledger's, whole days and channel filters",
    async (tz) => {
      await withService((tx) => tx.execute(sql`update businesses set time_zone = ${tz} where id = ${a.businessId}`));
      await withService((tx) => dailyRowsReady(tx, a.businessId, tz));
      await withService(async (tx) => {
        // costs around each local midnight of the month, every 37 minutes
        await tx.execute(sql`insert into cost_events (business_id, kind, model, cost_usd, created_at)
                             select ${a.businessId}, (array['model', 'sms', 'embedding'])[i % 3 + 1], case when i % 3 = 1 then null else 'm' end,
                                    0.000001 * i, '2026-10-30T00:00:00Z'::timestamptz + make_interval(mins => 37 * i)
                             from generate_series(1, 1400) i`);
        expect(await dailyRowsReady(tx, a.businessId, tz)).toBe(true);
        for (const input of [{ period: "custom", from: "2026-11-01", to: "2026-11-30" }, { period: "custom", from: "2026-11-02", to: "2026-11-02", channel: "sms" }]) {
          const f = resolveFilters(input, tz, new Date("2026-12-01T12:00:00Z"));
          const scope = { businessId: a.businessId, timeZone: tz, startsAt: f.startsAt, endsAt: f.endsAt, channel: f.channel, now: new Date() };
          expect(localDays(scope)).not.toBeNull();
          expect(await costGroups(tx, scope)).toEqual(await costGroups(tx, scope, { ledger: true }));
          expect(await answerTiers(tx, scope)).toEqual(await answerTiers(tx, scope, { ledger: true }));
          expect(await costTotal(tx, a.businessId, f.startsAt, f.endsAt, { timeZone: tz })).toBe(await costTotal(tx, a.businessId, f.startsAt, f.endsAt));
          expect((await costGroups(tx, scope)).length).toBeGreaterThan(0);
        }
        // not a local midnight: the ledger answers
        const odd = { businessId: a.businessId, timeZone: tz, startsAt: new Date("2026-11-03T00:07:00Z"), endsAt: new Date("2026-11-09T00:00:00Z"), now: new Date() };
        expect(localDays(odd)).toBeNull();
        expect(await costTotal(tx, a.businessId, odd.startsAt, odd.endsAt, { timeZone: tz })).toBe(await costTotal(tx, a.businessId, odd.startsAt, odd.endsAt));
      });
      await withService((tx) => expectInStep(tx, a.businessId));
    },
  );

  it("the Costs page reads the ledger while the days are in another zone, and says the same", async () => {
    const input = { period: "custom", from: "2026-11-01", to: "2026-11-30" };
    const owner = { businessId: a.businessId, actor: { type: "member" as const, userId: alice.id, role: "owner" as const } };
    const before = await getCostsReport({ ctx: owner, input }, { now: new Date("2026-12-01T12:00:00Z") });
    // days in another zone (the zone was changed meanwhile): summed again by the read, same figures
    await withService((tx) =>
      tx.execute(sql`insert into cost_daily (business_id, time_zone, day, kind, channel, model, events, micros)
                     values (${a.businessId}, 'Europe/Paris', '2026-11-10', 'model', 'web', '', 3, 999)`),
    );
    const after = await getCostsReport({ ctx: owner, input }, { now: new Date("2026-12-01T12:00:00Z") });
    expect(after).toEqual(before);
    await withService((tx) => expectInStep(tx, a.businessId));
  });
});

describe("who may touch the rows", () => {
  it("members read their business's rows and write none; the functions are the service's", async () => {
    const seen = await withTenant(alice.id, (tx) =>
      rows<{ own: number; other: number }>(
        tx,
        sql`select (select count(*) from cost_daily where business_id = ${a.businessId})::int as own,
                   (select count(*) from conversation_facts where business_id = ${b.businessId})::int as other`,
      ),
    );
    expect(seen[0]!.own).toBeGreaterThan(0);
    expect(seen[0]!.other).toBe(0);
    const refused = async (q: ReturnType<typeof sql>) => {
      try {
        await withTenant(alice.id, (tx) => tx.execute(q));
        return "accepted";
      } catch (err) {
        return String((err as { cause?: Error }).cause?.message ?? (err as Error).message);
      }
    };
    expect(await refused(sql`insert into cost_daily (business_id, time_zone, day, kind, channel, model, events, micros) values (${a.businessId}, 'UTC', '2026-11-01', 'model', 'web', '', 1, 1000000)`)).toMatch(/row-level security/);
    expect(await refused(sql`select app.rebuild_report_days(${a.businessId})`)).toMatch(/permission denied/);
    const changed = await withTenant(alice.id, (tx) => rows(tx, sql`update conversation_facts set cost_micros = 0 where business_id = ${a.businessId} returning 1`));
    expect(changed).toEqual([]);
  });
});

// ---------------------------------------------------------------- Analytics against its definitions

/** The definitions worked out over every message (the query Analytics ran before conversation_facts). */
function referenceFacts(s: { businessId: string; startsAt: Date; endsAt: Date; now: Date }) {
  const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
  return sql`select f.id, case
        when f.handed then case when f.first_human_at is not null and f.status = 'closed' then 'staff' else 'handed_off' end
        when f.ai_answers = 0 then 'unanswered'
        when f.returned_at is not null then 'returned'
        when f.last_ai_at + make_interval(hours => ${RETURN_WINDOW_HOURS}) > ${ts(s.now)} then 'pending'
        else 'ai' end as resolution_type, f.handoff_category, f.csat_rating
    from (
      select g.*,
        (g.handoff_at is not null or g.taken_over_at is not null or g.first_human_at is not null or g.status = 'waiting_human') as handed,
        (select min(r.created_at) from messages r
          where r.business_id = g.business_id and r.customer_id = g.customer_id and r.role = 'customer'
            and r.created_at > g.last_ai_at and r.created_at <= g.last_ai_at + make_interval(hours => ${RETURN_WINDOW_HOURS})
            and not (r.metadata ? 'csatRating')) as returned_at
      from (
        select c.id, c.business_id, c.customer_id, c.status, c.created_at, mm.*, t.taken_over_at, cs.rating as csat_rating
        from conversations c
        join channels ch on ch.id = c.channel_id and ch.business_id = c.business_id
        left join (select a.target_id, min(a.created_at) as taken_over_at from audit_log a
                   where a.business_id = ${s.businessId} and a.action = 'conversation.taken_over' and a.created_at >= ${ts(s.startsAt)}
                   group by a.target_id) t on t.target_id = c.id::text
        left join csat_surveys cs on cs.conversation_id = c.id and cs.business_id = c.business_id
        cross join lateral (
          select min(m.created_at) filter (where m.role = 'customer') as first_customer_at,
                 max(m.created_at) filter (where ${AI}) as last_ai_at,
                 count(*) filter (where ${AI})::int as ai_answers,
                 min(m.created_at) filter (where m.role = 'agent') as first_human_at,
                 min(m.created_at) filter (where m.role = 'assistant' and m.metadata ? 'handoff') as handoff_at,
                 (array_agg(m.metadata->'handoff'->>'category' order by m.created_at) filter (where m.role = 'assistant' and m.metadata ? 'handoff'))[1] as handoff_category,
                 bool_or(m.role = 'customer' and m.metadata->>'test' = 'true') as test
          from messages m where m.business_id = c.business_id and m.conversation_id = c.id) mm
        where c.business_id = ${s.businessId} and c.created_at >= ${ts(s.startsAt)} and c.created_at < ${ts(s.endsAt)}
          and not coalesce(mm.test, false)
      ) g
    ) f order by f.id`;
}

describe("Analytics from conversation_facts", () => {
  it("gives every conversation the resolution type its messages define, customers coming back on any channel included", async () => {
    const NOW = new Date("2026-11-25T12:00:00Z");
    await withService(async (tx) => {
      const people: string[] = [];
      for (let i = 0; i < 40; i++) people.push(await customer(tx, `P${i}`));
      let seed = 7;
      const next = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return Math.floor(seed / 65536) % n;
      };
      const base = Date.parse("2026-11-12T00:00:00Z");
      const at = (hours: number) => new Date(base + hours * 3_600_000).toISOString();
      for (let i = 0; i < 60; i++) {
        const start = next(12 * 24); // within twelve days, so returns within 72 hours happen often
        const path = next(9);
        const chat = await conversation(tx, people[next(people.length)]!, next(2) ? a.channelId : sms, at(start), path === 5 ? "waiting_human" : next(3) ? "open" : "closed");
        await message(tx, chat, "customer", at(start), { metadata: path === 8 ? { test: true } : {} });
        if (path !== 4) await message(tx, chat, "assistant", at(start + 0.01), { source: ["model", "cache", "faq", "offline", "fallback"][next(5)] });
        if (path === 1) await message(tx, chat, "customer", at(start + 1 + next(100)), { metadata: next(2) ? { csatRating: 4 } : {} });
        if (path === 2) await message(tx, chat, "assistant", at(start + 0.5), { source: "fallback", metadata: { handoff: { category: ["person", "legal"][next(2)] } } });
        if (path === 3 || path === 2) await message(tx, chat, "agent", at(start + 0.7), { source: "human" });
        if (path === 6) await tx.execute(sql`insert into audit_log (business_id, action, target_type, target_id, created_at) values (${a.businessId}, 'conversation.taken_over', 'conversation', ${chat}, ${at(start + 0.2)}::timestamptz)`);
        if (path === 7) {
          await tx.execute(sql`insert into csat_surveys (business_id, conversation_id, customer_id, channel_kind, token, sent_at, rating)
                               select business_id, id, customer_id, 'web', ${`ref-${i}`}, created_at + interval '1 hour', ${1 + next(5)}::int from conversations where id = ${chat}`);
        }
      }
    });
    await withService(async (tx) => {
      await expectInStep(tx, a.businessId);
      for (const [from, to] of [["2026-11-12T00:00:00Z", "2026-11-24T00:00:00Z"], ["2026-11-15T00:00:00Z", "2026-11-19T00:00:00Z"]] as const) {
        const scope = { businessId: a.businessId, startsAt: new Date(from), endsAt: new Date(to), now: NOW };
        const mine = await jsonRows(tx, sql`select f.id, f.resolution_type, f.handoff_category, f.csat_rating from (${conversationFacts(scope)}) f order by f.id`);
        const theirs = await jsonRows(tx, referenceFacts(scope));
        expect(mine).toEqual(theirs);
        const types = new Set((mine as { resolution_type: string }[]).map((r) => r.resolution_type));
        if (from.startsWith("2026-11-12")) expect([...types].sort()).toEqual(["ai", "handed_off", "pending", "returned", "staff", "unanswered"]);
      }
    });
  });
});

// ---------------------------------------------------------------- the migration's backfill

/** An empty database, no migrations applied, on this project's engine. */
async function emptyDatabase(): Promise<DbHandle> {
  if (testEngine() === "postgres") {
    const name = `rollups_${process.pid}`;
    await onServer(async (admin) => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.unsafe(`create database ${name}`);
    });
    const handle = openPostgres(withDatabase(testServerUrl(), name));
    const close = handle.close;
    return {
      ...handle,
      close: async () => {
        await close();
        await onServer((admin) => admin.unsafe(`drop database ${name} with (force)`));
      },
    };
  }
  const client = await openPglite();
  const db = drizzle({ client }) as unknown as Db;
  return { db, kind: "pglite", exec: async (s: string) => void (await client.exec(s)), close: () => client.close() };
}

describe("the migration", () => {
  it("backfills the channel of every cost, the days and the facts of what was stored before it", async () => {
    const entries = journal().entries;
    const at = entries.findIndex((e) => e.tag.endsWith("_report_rollups"));
    expect(at).toBeGreaterThan(0);
    const before = fs.mkdtempSync(path.join(os.tmpdir(), "prismai-migrations-"));
    fs.mkdirSync(path.join(before, "meta"));
    for (const e of entries.slice(0, at)) fs.copyFileSync(path.join(MIGRATIONS_FOLDER, `${e.tag}.sql`), path.join(before, `${e.tag}.sql`));
    const full = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, "meta/_journal.json"), "utf8")) as { entries: unknown[] };
    fs.writeFileSync(path.join(before, "meta/_journal.json"), JSON.stringify({ ...full, entries: full.entries.slice(0, at) }));
    const handle = await emptyDatabase();
    try {
      await migrate(handle, before);
      const db = handle.db;
      const B = "00000000-0000-4000-8000-0000000000b1";
      await db.execute(sql`insert into businesses (id, slug, name, time_zone) values (${B}, 'old', 'Old', 'Asia/Kolkata'),
                             ('00000000-0000-4000-8000-0000000000b2', 'bad-zone', 'Bad zone', 'Mars/Olympus')`);
      await db.execute(sql`insert into channels (id, business_id, kind, name, address) values
                             ('00000000-0000-4000-8000-0000000000c1', ${B}, 'web', 'Web', 'old'), ('00000000-0000-4000-8000-0000000000c2', ${B}, 'whatsapp', 'WA', 'wa:old')`);
      await db.execute(sql`insert into customers (id, business_id) select ('00000000-0000-4000-8000-0000000001' || lpad(i::text, 2, '0'))::uuid, ${B} from generate_series(1, 20) i`);
      await db.execute(sql`insert into conversations (id, business_id, customer_id, channel_id, status, created_at)
                           select ('00000000-0000-4000-8000-0000000002' || lpad(i::text, 2, '0'))::uuid, ${B}, ('00000000-0000-4000-8000-0000000001' || lpad((i % 20 + 1)::text, 2, '0'))::uuid,
                                  case when i % 2 = 0 then '00000000-0000-4000-8000-0000000000c1' else '00000000-0000-4000-8000-0000000000c2' end::uuid,
                                  (array['open', 'waiting_human', 'closed'])[i % 3 + 1]::conversation_status, '2026-11-01T18:00:00Z'::timestamptz + make_interval(hours => 5 * i)
                           from generate_series(1, 40) i`);
      await db.execute(sql`insert into messages (business_id, conversation_id, customer_id, channel_id, role, source, content, metadata, cost_usd, created_at)
                           select c.business_id, c.id, c.customer_id, c.channel_id, v.role::message_role, v.source::answer_source, 'x', v.metadata::jsonb, v.cost, c.created_at + v.after
                           from conversations c cross join lateral (values
                             ('customer', null, '{}', 0, interval '0 s'),
                             ('assistant', (array['model', 'cache', 'faq', 'fallback'])[extract(hour from c.created_at)::int % 4 + 1], '{"trace": {"cache": {"tier": "kv"}}}', 0.0021, interval '3 s'),
                             ('assistant', 'fallback', '{"handoff": {"category": "person"}}', 0, interval '9 s'),
                             ('agent', 'human', '{}', 0, interval '5 min')) v(role, source, metadata, cost, after)
                           where v.role = 'customer' or right(c.id::text, 1)::int % (case v.role when 'assistant' then 1 else 3 end) = 0`);
      await db.execute(sql`insert into cost_events (business_id, kind, model, cost_usd, conversation_id, created_at)
                           select ${B}, (array['model', 'whatsapp', 'embedding', 'voice_outbound'])[i % 4 + 1], case when i % 4 in (0, 2) then 'gemini' end, 0.000007 * i,
                                  case when i % 3 <> 0 then ('00000000-0000-4000-8000-0000000002' || lpad((i % 40 + 1)::text, 2, '0'))::uuid end,
                                  '2026-11-01T18:00:00Z'::timestamptz + make_interval(mins => 97 * i)
                           from generate_series(1, 300) i`);
      await db.execute(sql`insert into cost_events (business_id, kind, cost_usd, created_at) values ('00000000-0000-4000-8000-0000000000b2', 'sms', 0.0083, '2026-11-02T00:00:00Z')`);
      await db.execute(sql`insert into audit_log (business_id, action, target_id, created_at) values (${B}, 'conversation.taken_over', '00000000-0000-4000-8000-000000000204', '2026-11-02T16:00:00Z')`);
      await db.execute(sql`insert into csat_surveys (business_id, conversation_id, customer_id, channel_kind, token, rating)
                           select business_id, id, customer_id, 'web', 'old-' || id, 5 from conversations where id = '00000000-0000-4000-8000-000000000206'`);
      await migrate(handle);
      await expectInStep(db, B);
      await expectInStep(db, "00000000-0000-4000-8000-0000000000b2");
      const channels = await rows<{ channel: string; n: number }>(db, sql`select channel, count(*)::int as n from cost_events where business_id = ${B} group by 1 order by 1`);
      expect(channels.map((c) => c.channel)).toEqual(["none", "voice", "web", "whatsapp"]);
      // and from here the triggers keep them
      await db.execute(sql`insert into cost_events (business_id, kind, cost_usd, conversation_id) values (${B}, 'model', 0.5, '00000000-0000-4000-8000-000000000201')`);
      await db.execute(sql`insert into messages (business_id, conversation_id, customer_id, channel_id, role, source, content)
                           select business_id, id, customer_id, channel_id, 'assistant', 'faq', 'y' from conversations where id = '00000000-0000-4000-8000-000000000201'`);
      await expectInStep(db, B);
    } finally {
      await handle.close();
      fs.rmSync(before, { recursive: true, force: true });
    }
  });
});
