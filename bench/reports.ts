// npm run bench:reports — the server time of the Costs page's loader, the Analytics page's loader and
// the inbox filtered to the conversations behind an Analytics number, for one business with 100,000
// conversations over 90 days (several channels; answered by the AI, handed off by a rule or the model,
// taken over by staff, unanswered, some rated) and 1,000,000 cost events, on each database engine
// (--db pglite|postgres|both, default both). The data is written by set-based SQL (generate_series),
// through the same triggers every writer goes through. Each loader runs twice to warm up, then --runs
// times; p50/p95 in milliseconds. Each engine is a child process on a fresh database. PGlite runs the
// same volume unless --pglite-scale says otherwise (its seeding takes a few minutes); the JSON gives each
// run's scale. Writes bench/results/reports.json (or --out).
// Options: --conversations 100000 --costs 1000000 --days 90 --runs 20 --db both --pglite-scale 1 --out FILE --label TEXT --keep
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { enginesFromArgs, freshDatabase, machine, type BenchEngine, numberArg } from "./engines";

const textArg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const CONVERSATIONS = numberArg("conversations", 100_000);
const COSTS = numberArg("costs", 1_000_000);
const DAYS = numberArg("days", 90);
const RUNS = numberArg("runs", 20);
const PGLITE_SCALE = numberArg("pglite-scale", 1);
const OUT = textArg("out", "bench/results/reports.json");
/** what the code under test is, for the JSON (e.g. "before: 2c9b61f") */
const LABEL = textArg("label", "");
const TIME_ZONE = "America/New_York";
/** keep the PostgreSQL database afterwards (bench_reports), to look at plans */
const KEEP = process.argv.includes("--keep");
const CHILD = process.argv.includes("--child");
process.env.DISABLE_SCHEDULER = "1";

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : 0;
};
const round = (x: number) => Math.round(x * 10) / 10;

const CHANNELS = {
  web: "00000000-0000-4000-8000-00000000c001", // the demo's web chat
  sms: "00000000-0000-4000-8000-0000000be002",
  whatsapp: "00000000-0000-4000-8000-0000000be003",
  email: "00000000-0000-4000-8000-0000000be004",
  voice: "00000000-0000-4000-8000-0000000be005",
};

/**
 * One business's history, set-based. Conversation i starts at now − days × (1 − i/n) and follows one of
 * these paths ((i·37) mod 100): the AI answers (50 %), the AI answers twice (10 %), a rule hands over
 * and staff usually reply (12 %), the model hands over (8 %), staff take over after the AI (10 %),
 * nobody answers (6 %), staff answer alone (3 %), staff's own test (1 %). Every twentieth conversation
 * is the previous one's customer writing again a minute later (a return within 72 hours). Cost event j
 * belongs to conversation ⌈j·n/m⌉ at the same point in time: model calls, embeddings, SMS, WhatsApp,
 * call minutes, emails.
 */
function seedStatements(b: string, n: number, m: number, days: number): string[] {
  const customers = Math.round(n * 0.7);
  const span = `${days * 86400}`;
  return [
    `insert into channels (id, business_id, kind, name, address) values
       ('${CHANNELS.sms}', '${b}', 'sms', 'SMS', '+15550100001'),
       ('${CHANNELS.whatsapp}', '${b}', 'whatsapp', 'WhatsApp', 'whatsapp:+15550100002'),
       ('${CHANNELS.email}', '${b}', 'email', 'Email', 'bench@demo-dental.test'),
       ('${CHANNELS.voice}', '${b}', 'voice', 'Phone', '+15550100003')`,
    `update businesses set time_zone = '${TIME_ZONE}', limits = limits || '{"monthlyBudgetUsd": 100000}'::jsonb where id = '${b}'`,
    `insert into customers (id, business_id, name, tags, created_at, last_seen_at)
       select md5('bench-customer:' || i)::uuid, '${b}', 'Customer ' || i, case when i % 10 = 0 then array['vip'] else '{}'::text[] end,
              now() - interval '${days + 10} days', now()
       from generate_series(1, ${customers}) i`,
    `create table bench_conv as
       select i, md5('bench-conv:' || i)::uuid as id,
              md5('bench-customer:' || ((case when i % 20 = 0 then i - 1 else i end) % ${customers} + 1))::uuid as customer_id,
              (array['${CHANNELS.web}', '${CHANNELS.web}', '${CHANNELS.web}', '${CHANNELS.web}', '${CHANNELS.web}',
                     '${CHANNELS.sms}', '${CHANNELS.sms}', '${CHANNELS.whatsapp}', '${CHANNELS.email}', '${CHANNELS.voice}'])[i % 10 + 1]::uuid as channel_id,
              now() - make_interval(secs => ${span} * (1 - i::float8 / ${n})) - interval '15 minutes' as t,
              case when (i * 37) % 100 < 50 then 'ai' when (i * 37) % 100 < 60 then 'ai2' when (i * 37) % 100 < 72 then 'rule'
                   when (i * 37) % 100 < 80 then 'model' when (i * 37) % 100 < 90 then 'takeover' when (i * 37) % 100 < 96 then 'unanswered'
                   when (i * 37) % 100 < 99 then 'staff' else 'test' end as k
       from generate_series(1, ${n}) i`,
    `insert into conversations (id, business_id, customer_id, channel_id, status, unread, created_at, last_message_at, closed_at)
       select id, '${b}', customer_id, channel_id,
              (case when k in ('model', 'unanswered') or (k = 'rule' and i % 3 = 0) then 'waiting_human'
                    when k in ('ai', 'ai2') and i % 2 = 0 then 'open' else 'closed' end)::conversation_status,
              false, t, t + interval '5 minutes',
              case when k in ('model', 'unanswered') or (k = 'rule' and i % 3 = 0) or (k in ('ai', 'ai2') and i % 2 = 0) then null else t + interval '10 minutes' end
       from bench_conv`,
    // the customer's first message, and the rest of each path
    `insert into messages (business_id, conversation_id, customer_id, channel_id, role, source, content, metadata, created_at)
       select '${b}', c.id, c.customer_id, c.channel_id, v.role::message_role, v.source::answer_source, v.content, v.metadata::jsonb, c.t + v.after
       from bench_conv c
       cross join lateral (values
         ('customer', null, 'Hello, question ' || c.i, case when c.k = 'test' then '{"test": true}' else '{}' end, interval '0 seconds', true),
         ('assistant', (array['model', 'model', 'model', 'model', 'model', 'model', 'cache', 'cache', 'faq', 'faq'])[c.i % 10 + 1],
            'An answer', case when c.i % 10 = 6 then '{"trace": {"cache": {"tier": "memory"}}}' when c.i % 10 = 7 then '{"trace": {"cache": {"tier": "postgres"}}}' else '{}' end,
            interval '3 seconds', c.k in ('ai', 'ai2', 'takeover', 'test')),
         ('assistant', 'fallback', 'Let me get a person',
            '{"handoff": {"category": "' || (array['person', 'complaint', 'owner_rule'])[c.i % 3 + 1] || '", "reason": "a rule"}}', interval '1 second', c.k = 'rule'),
         ('assistant', 'model', 'A person will help', '{"handoff": {"category": "model", "reason": "needs a person"}}', interval '4 seconds', c.k = 'model'),
         ('customer', null, 'One more thing', '{}', interval '2 minutes', c.k = 'ai2'),
         ('assistant', 'model', 'Another answer', '{}', interval '2 minutes 3 seconds', c.k = 'ai2'),
         ('agent', 'human', 'Staff here', '{}', interval '5 minutes', c.k in ('takeover', 'staff') or (c.k = 'rule' and c.i % 3 <> 0))
       ) v(role, source, content, metadata, after, present)
       where v.present`,
    `insert into audit_log (business_id, action, target_type, target_id, created_at)
       select '${b}', 'conversation.taken_over', 'conversation', id::text, t + interval '4 minutes' from bench_conv where k = 'takeover'`,
    `insert into csat_surveys (business_id, conversation_id, customer_id, channel_kind, token, sent_at, rating, answered_at)
       select '${b}', c.id, c.customer_id, ch.kind, 'bench-' || c.i, c.t + interval '1 hour',
              case when c.i % 8 = 0 then c.i % 5 + 1 end, case when c.i % 8 = 0 then c.t + interval '2 hours' end
       from bench_conv c join channels ch on ch.id = c.channel_id
       where c.i % 4 = 0 and c.k in ('ai', 'ai2', 'rule', 'takeover', 'staff')`,
    `insert into cost_events (business_id, kind, model, units, tokens_in, tokens_out, cost_usd, conversation_id, created_at)
       select '${b}', e.kind,
              case when e.kind = 'model' then (case when e.j % 5 = 0 then 'gemini-2.5-pro' else 'gemini-2.5-flash' end)
                   when e.kind = 'embedding' then 'gemini-embedding-001' end,
              1, case when e.kind in ('model', 'embedding') then 900 else 0 end, case when e.kind = 'model' then 40 else 0 end,
              ((e.j * 7919) % 5000 + 1) / 1000000.0,
              case when e.kind <> 'embedding' or e.j % 2 = 0 then md5('bench-conv:' || ((e.j - 1) * ${n}::bigint / ${m} + 1))::uuid end,
              now() - make_interval(secs => ${span} * (1 - e.j::float8 / ${m})) - interval '10 minutes'
       from (select j, case when (j * 13) % 100 < 55 then 'model' when (j * 13) % 100 < 70 then 'embedding' when (j * 13) % 100 < 80 then 'sms'
                            when (j * 13) % 100 < 88 then 'whatsapp' when (j * 13) % 100 < 92 then 'voice' when (j * 13) % 100 < 97 then 'email' else 'web' end as kind
             from generate_series(1::bigint, ${m}) j) e`,
    `drop table bench_conv`,
    `analyze`,
  ];
}

/** One engine, in this process: migrate, seed, time each loader. */
async function runOne(engine: BenchEngine, scale: number) {
  const n = Math.round(CONVERSATIONS * scale);
  const m = Math.round(COSTS * scale);
  const database = await freshDatabase(engine, "reports");
  Object.assign(process.env, database.env);
  const { sql } = await import("drizzle-orm");
  const { getDbHandle, rows, closeDb } = await import("@/lib/db/client");
  const { migrate } = await import("@/lib/db/migrate");
  const { seedDemo } = await import("@/lib/db/seed");
  const { DEMO_BUSINESS_ID } = await import("@/lib/db/seed-data");
  const { getCostsReport } = await import("@/lib/services/costs");
  const { getAnalyticsReport } = await import("@/lib/services/analytics");
  const { listConversations } = await import("@/lib/services/conversations");
  const { localDate } = await import("@/lib/billing/period");

  const handle = await getDbHandle();
  await migrate(handle);
  await seedDemo(handle);
  const seedStarted = performance.now();
  const seedSteps: Record<string, number> = {};
  for (const statement of seedStatements(DEMO_BUSINESS_ID, n, m, DAYS)) {
    const t0 = performance.now();
    await handle.exec(statement);
    const label = statement.trim().split(/\s+/).slice(0, 3).join(" ");
    seedSteps[label] = round((performance.now() - t0) / 1000);
    process.stderr.write(`  ${label}: ${seedSteps[label]} s\n`);
  }
  const seedSeconds = round((performance.now() - seedStarted) / 1000);
  const [owner] = await rows<{ user_id: string }>(handle.db, sql`select user_id from members where business_id = ${DEMO_BUSINESS_ID} and role = 'owner'`);
  const [counts] = await rows<{ conversations: number; messages: number; cost_events: number; csat: number }>(
    handle.db,
    sql`select (select count(*)::int from conversations where business_id = ${DEMO_BUSINESS_ID}) as conversations,
               (select count(*)::int from messages where business_id = ${DEMO_BUSINESS_ID}) as messages,
               (select count(*)::int from cost_events where business_id = ${DEMO_BUSINESS_ID}) as cost_events,
               (select count(*)::int from csat_surveys where business_id = ${DEMO_BUSINESS_ID}) as csat`,
  );
  const ctx = { businessId: DEMO_BUSINESS_ID, actor: { type: "member" as const, userId: owner!.user_id, role: "owner" as const } };
  const today = localDate(new Date(), TIME_ZONE);
  const daysAgo = (d: number) => localDate(new Date(Date.now() - d * 86_400_000), TIME_ZONE);

  const loaders: Record<string, () => Promise<unknown>> = {
    costs30d: () => getCostsReport({ ctx, input: { period: "30d" } }),
    analytics30d: () => getAnalyticsReport({ ctx, input: { period: "30d" } }),
    inboxAiResolved30d: () => listConversations({ ctx, input: { status: "all", set: "ai_resolved", from: daysAgo(29), to: today } }),
    inboxHandedOffPerson30d: () => listConversations({ ctx, input: { status: "all", set: "handed_off", reason: "person", from: daysAgo(29), to: today } }),
    costs90d: () => getCostsReport({ ctx, input: { period: "90d" } }),
    analytics90d: () => getAnalyticsReport({ ctx, input: { period: "90d" } }),
    costs30dSms: () => getCostsReport({ ctx, input: { period: "30d", channel: "sms" } }),
  };
  const loadBefore = os.loadavg()[0]!;
  const timings: Record<string, { p50: number; p95: number; min: number; max: number }> = {};
  const sample: Record<string, unknown> = {};
  for (const [name, load] of Object.entries(loaders)) {
    for (let i = 0; i < 2; i++) await load();
    const times: number[] = [];
    let last: unknown;
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      last = await load();
      times.push(performance.now() - t0);
    }
    timings[name] = { p50: round(pct(times, 50)), p95: round(pct(times, 95)), min: round(Math.min(...times)), max: round(Math.max(...times)) };
    sample[name] = summarise(name, last);
    process.stderr.write(`  ${name}: p50 ${timings[name].p50} ms, p95 ${timings[name].p95} ms\n`);
  }
  const loadAfter = os.loadavg()[0]!;
  await closeDb();
  if (!KEEP) await database.drop();
  return {
    engine,
    database: database.describe,
    scale,
    volume: { conversations: n, costEvents: m, days: DAYS, timeZone: TIME_ZONE, stored: counts },
    seedSeconds,
    seedSteps,
    runs: RUNS,
    /** the machine's 1-minute load average when the timings began and ended (other work shares the CPUs) */
    loadAverage1m: { atStart: Math.round(loadBefore * 100) / 100, atEnd: Math.round(loadAfter * 100) / 100 },
    timingsMs: timings,
    figures: sample,
  };
}

/** A few figures of each loader's answer, so a run that returned nothing is visible. */
function summarise(name: string, value: unknown): unknown {
  const v = value as Record<string, unknown>;
  if (name.startsWith("costs")) {
    const r = v as { totalMicros: number; events: number; perResolution: { conversations: number }; savings: { answers: number } };
    return { totalMicros: r.totalMicros, events: r.events, aiResolved: r.perResolution.conversations, answers: r.savings.answers };
  }
  if (name.startsWith("analytics")) {
    const s = (v as { summary: Record<string, number> }).summary;
    return { conversations: s.conversations, ai_resolved: s.ai_resolved, returned: s.returned, handed_off: s.handed_off, csat_answered: s.csat_answered };
  }
  return { items: (v as { items: unknown[] }).items.length };
}

async function main() {
  if (CHILD) {
    const engine = enginesFromArgs()[0]!;
    const result = await runOne(engine, numberArg("scale", 1));
    process.stdout.write(`\nRESULT ${JSON.stringify(result)}\n`);
    return;
  }
  const runs = [];
  for (const engine of enginesFromArgs()) {
    const scale = engine === "pglite" ? PGLITE_SCALE : 1;
    console.log(`[bench:reports] ${engine}: ${Math.round(CONVERSATIONS * scale)} conversations, ${Math.round(COSTS * scale)} cost events…`);
    const out = execFileSync(
      process.execPath,
      [...process.execArgv, process.argv[1]!, "--child", "--db", engine, "--scale", String(scale), "--conversations", String(CONVERSATIONS), "--costs", String(COSTS), "--days", String(DAYS), "--runs", String(RUNS), ...(KEEP ? ["--keep"] : [])],
      { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 64 * 1024 * 1024 },
    );
    const line = out.split("\n").find((l) => l.startsWith("RESULT "));
    if (!line) throw new Error(`the ${engine} run printed no result:\n${out.slice(-2000)}`);
    runs.push(JSON.parse(line.slice(7)));
  }
  const result = {
    benchmark: "reports",
    ...(LABEL ? { label: LABEL } : {}),
    at: new Date().toISOString(),
    machine: machine(),
    goal: "each loader ≤ 300 ms server time on PostgreSQL at 100,000 conversations and 1,000,000 cost events",
    config: {
      conversations: CONVERSATIONS,
      costEvents: COSTS,
      days: DAYS,
      runs: RUNS,
      pgliteScale: PGLITE_SCALE,
      note: "loaders called in-process as the pages call them (membership check under RLS, then the aggregates); 2 warm-up calls each; PGlite at pgliteScale of the volume; the machine's load average is under machine",
    },
    runs,
  };
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, JSON.stringify(result, null, 2) + "\n");
  console.log(JSON.stringify(result, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
