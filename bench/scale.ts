// npm run bench:scale — how the cost of a message grows with what one business has stored: the same
// pipeline (instant model, local embedder) at 0, 1,000, 10,000 and 100,000 stored messages, each with
// its memory (an embedded vector in the memories table, found by the customer's index and ranked exactly), on each database engine
// (--db pglite|postgres|both, default both). At every level: the pipeline per message at c=1 for
// returning customers (they have memories to recall), and the two retrieval statements alone — the
// customer's memories (recallMemories) and the knowledge/FAQ candidates (retrieveKnowledge) — p50/p95.
// Twenty "regular" customers hold a fifth of the memories (1,000 each at 100k), the rest sit with
// customers of twenty each. Each engine runs in a child process on a fresh database; PGlite stops at
// 10,000 by default (see PGLITE_LEVELS).
// Writes bench/results/scale.json. Options: --levels 0,1000,10000,100000 --n 100 --db both
import { enginesFromArgs, freshDatabase, machine, type BenchEngine, runChild, writeResult } from "./engines";
import { customerTexts, instantModel } from "./instant-model";

const argOf = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const LEVELS = (argOf("levels") ?? "0,1000,10000,100000").split(",").map(Number);
// PGlite stores rows several times slower than the server, so by default it stops at 10,000
// (--pglite-levels to change it).
const PGLITE_LEVELS = (argOf("pglite-levels") ?? "0,1000,10000").split(",").map(Number);
const N = Number(argOf("n") ?? 100);
const CHILD = process.argv.includes("--child");
const REGULARS = 20;
process.env.DISABLE_SCHEDULER = "1";
process.env.PRISMAI_COUNT_STATEMENTS = "1";

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : 0;
};
const round = (x: number) => Math.round(x * 100) / 100;
const stats = (xs: number[]) => ({ p50: round(pct(xs, 50)), p95: round(pct(xs, 95)), max: round(Math.max(...xs)) });

async function runEngine(engine: BenchEngine) {
  const database = await freshDatabase(engine, "scale");
  Object.assign(process.env, database.env);
  const { sql } = await import("drizzle-orm");
  const { getDbHandle, rows, closeDb, statementCount, withService } = await import("@/lib/db/client");
  const { migrate } = await import("@/lib/db/migrate");
  const { seedDemo } = await import("@/lib/db/seed");
  const { DEMO_BUSINESS_ID } = await import("@/lib/db/seed-data");
  const { EMBEDDING_DIMENSIONS } = await import("@/lib/db/schema");
  const { embedPending } = await import("@/lib/knowledge/indexing");
  const { handleInbound } = await import("@/lib/pipeline/inbound");
  const { recallMemories } = await import("@/lib/pipeline/memories");
  const { retrieveKnowledge } = await import("@/lib/knowledge/retrieve");
  const { embedOne } = await import("@/lib/ai/embeddings");

  const handle = await getDbHandle();
  await migrate(handle);
  await seedDemo(handle);
  await embedPending(DEMO_BUSINESS_ID);
  // Room for the benchmark's volume: twenty regulars writing back to back would otherwise meet the
  // per-customer interval, and the run would time rate-limit refusals instead of answers.
  await handle.db.execute(sql`update businesses set limits = limits || '{"customerMinIntervalSeconds": 0, "customerPerDay": 1000000, "businessPerMonth": 10000000, "monthlyBudgetUsd": 100000, "messagesPerMonth": 10000000}'::jsonb where id = ${DEMO_BUSINESS_ID}`);
  const webChannel = "00000000-0000-4000-8000-00000000c001";

  const texts = customerTexts();

  const deferred: Promise<unknown>[] = [];
  // A regular writes again every few seconds of wall time here; on the message clock they write a
  // minute apart (ending before now), as people do, so the abuse gate's flood and repeat windows see
  // a customer, not a script.
  let clock = Date.now() - 14 * 86_400_000;
  const send = (visitor: string, text: string) =>
    handleInbound(
      { businessId: DEMO_BUSINESS_ID, channelId: webChannel, channelKind: "web", from: { kind: "web", value: visitor }, text, receivedAt: new Date((clock += 60_000)) },
      { model: instantModel, defer: (task) => void deferred.push(task().catch(() => undefined)) },
    );

  // the regulars come in once through the pipeline, so they are real customers with a web identity
  const regulars: { visitor: string; customerId: string; conversationId: string }[] = [];
  for (let r = 0; r < REGULARS; r++) {
    const out = await send(`scale-regular-${r}`, texts[r]!);
    regulars.push({ visitor: `scale-regular-${r}`, customerId: out.customerId, conversationId: out.conversationId });
  }
  await Promise.allSettled(deferred.splice(0));

  const queries = await Promise.all(texts.slice(100, 140).map(async (t) => ({ text: t, vector: (await embedOne(t, "query")).vector })));
  const count = async () => (await rows<{ n: number }>(handle.db, sql`select count(*)::int as n from memories where business_id = ${DEMO_BUSINESS_ID}`))[0]!.n;

  /** Adds `k` messages with their memories: a fifth to the regulars, the rest to new customers of twenty each. */
  async function grow(k: number, batch: number) {
    const regularIds = regulars.map((r) => r.customerId);
    const regularConvs = regulars.map((r) => r.conversationId);
    for (let done = 0; done < k; done += batch) {
      const size = Math.min(batch, k - done);
      const fillers = Math.ceil((size * 4) / 5 / 20);
      await handle.db.execute(sql`
        with fc as (
          insert into customers (business_id, name, last_seen_at)
          select ${DEMO_BUSINESS_ID}, 'Scale filler ' || g, now() - random() * interval '90 days' from generate_series(1, ${fillers}) g
          returning id
        ), fconv as (
          insert into conversations (business_id, customer_id, channel_id, status, last_message_at, created_at)
          select ${DEMO_BUSINESS_ID}, id, ${webChannel}, 'closed', now() - interval '1 day', now() - random() * interval '90 days' from fc
          returning id, customer_id
        ), owners as (
          select customer_id, id as conversation_id, row_number() over () - 1 as slot from fconv
        ), slots as (
          select g, case when g % 5 = 0 then (${sql.raw(`array['${regularIds.join("','")}']::uuid[]`)})[1 + (g / 5) % ${REGULARS}] end as regular,
                 case when g % 5 = 0 then (${sql.raw(`array['${regularConvs.join("','")}']::uuid[]`)})[1 + (g / 5) % ${REGULARS}] end as regular_conv
          from generate_series(0, ${size - 1}) g
        ), placed as (
          select s.g,
                 coalesce(s.regular, o.customer_id) as customer_id,
                 coalesce(s.regular_conv, o.conversation_id) as conversation_id
          from slots s left join owners o on s.regular is null and o.slot = ((s.g - s.g / 5 - 1) / 20)
        ), msgs as (
          insert into messages (business_id, conversation_id, customer_id, channel_id, role, source, content, created_at)
          select ${DEMO_BUSINESS_ID}, conversation_id, customer_id, ${webChannel},
                 (case when g % 2 = 0 then 'customer' else 'assistant' end)::message_role,
                 (case when g % 2 = 0 then null else 'model' end)::answer_source,
                 'Stored message ' || g || ' about ' || (array['opening hours','prices','parking','insurance','a refund','the booking'])[1 + g % 6],
                 now() - interval '2 days' - random() * interval '88 days'
          from placed
          returning id, customer_id, content
        )
        insert into memories (business_id, customer_id, kind, content, message_id, embedding)
        select ${DEMO_BUSINESS_ID}, m.customer_id, 'message', m.content, m.id,
               (select array_agg(random() - 0.5)::vector(${sql.raw(String(EMBEDDING_DIMENSIONS))}) from generate_series(1, ${EMBEDDING_DIMENSIONS}) d where d > 0 * length(m.content))
        from msgs m`);
      process.stderr.write(`\r  ${engine}: ${done + size}/${k} stored…`);
    }
    process.stderr.write("\n");
    // as autovacuum leaves a table that grew over months: statistics, and hint bits and the visibility
    // map set (a first read of freshly bulk-loaded rows would otherwise pay for setting them)
    for (const t of ["customers", "conversations", "messages", "memories"]) await handle.db.execute(sql.raw(`vacuum analyze ${t}`));
  }

  const levels = [];
  let stored = await count();
  for (const level of LEVELS) {
    const seedStarted = performance.now();
    if (level > stored) await grow(level - stored, engine === "pglite" ? 2000 : 5000);
    const seedSeconds = round((performance.now() - seedStarted) / 1000);
    stored = await count();

    // the two retrieval statements alone, as the answer step runs them (one transaction each)
    const recall: number[] = [];
    const recalled: number[] = [];
    const knowledge: number[] = [];
    for (let i = 0; i < 200; i++) {
      const q = queries[i % queries.length]!;
      const regular = regulars[i % REGULARS]!;
      let t0 = performance.now();
      const found = await withService((tx) => recallMemories(tx, { businessId: DEMO_BUSINESS_ID, customerId: regular.customerId, embedding: q.vector, limit: 3, minSimilarity: -1 }));
      recall.push(performance.now() - t0);
      recalled.push(found.length);
      t0 = performance.now();
      await withService((tx) => retrieveKnowledge(tx, { businessId: DEMO_BUSINESS_ID, query: q.text, embedding: q.vector }));
      knowledge.push(performance.now() - t0);
    }

    // the pipeline per message at c=1, returning customers
    const latencies: number[] = [];
    let errors = 0;
    const before = statementCount.n;
    // how each message ended: the run times answers, not refusals
    const sources: Record<string, number> = {};
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      try {
        const out = await send(regulars[i % REGULARS]!.visitor, texts[(i * 7 + level) % texts.length]!);
        const source = out.reply?.source ?? `no_reply:${out.noReply?.reason}`;
        sources[source] = (sources[source] ?? 0) + 1;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
    await Promise.allSettled(deferred.splice(0));
    const statementsPerMessage = round((statementCount.n - before) / N);
    stored = await count();
    const row = {
      storedMemories: stored,
      regularCustomerMemories: Math.round(stored / 5 / REGULARS),
      seedSeconds,
      pipelineC1Ms: stats(latencies),
      throughputC1: round(1000 / (latencies.reduce((a, b) => a + b, 0) / latencies.length)),
      statementsPerMessage,
      recallMemoriesMs: stats(recall),
      memoriesReturned: { min: Math.min(...recalled), max: Math.max(...recalled) },
      retrieveKnowledgeMs: stats(knowledge),
      errors,
      sources,
    };
    console.error(`  ${engine} @ ${stored} memories: pipeline p50 ${row.pipelineC1Ms.p50} ms p95 ${row.pipelineC1Ms.p95}; recall p95 ${row.recallMemoriesMs.p95} ms; knowledge p95 ${row.retrieveKnowledgeMs.p95} ms`);
    levels.push(row);
  }

  // the plan the memory recall takes at the top level (for the note)
  const plan = await rows<Record<string, string>>(
    handle.db,
    sql`explain select id from memories where business_id = ${DEMO_BUSINESS_ID} and customer_id = ${regulars[0]!.customerId} and embedding is not null
        order by embedding <=> ${`[${queries[0]!.vector.join(",")}]`}::vector limit 3`,
  );
  await closeDb();
  await database.drop();
  return { engine, database: database.describe, levels, recallPlan: plan.map((p) => Object.values(p)[0]) };
}

async function main() {
  if (CHILD) {
    const result = await runEngine(enginesFromArgs()[0]!);
    process.stdout.write(`\nRESULT ${JSON.stringify(result)}\n`);
    return;
  }
  const runs = [];
  const loadAtStart = machine().loadAverage1m;
  for (const engine of enginesFromArgs()) {
    const levels = engine === "pglite" ? PGLITE_LEVELS : LEVELS;
    console.log(`[bench:scale] ${engine}, levels ${levels.join(", ")}…`);
    const result = runChild(["--db", engine, "--levels", levels.join(","), "--n", String(N)], `${engine}`);
    runs.push(result);
  }
  const result = {
    benchmark: "scale",
    at: new Date().toISOString(),
    machine: { ...machine(), loadAverage1mAtStart: loadAtStart },
    goal: "retrieval p95 ≤ 20 ms at 100,000 memories (a customer's memories are read by their index, so the rest of the store does not count)",
    config: { levels: { postgres: LEVELS, pglite: PGLITE_LEVELS }, messagesPerLevel: N, regulars: REGULARS, model: "instant stub", embedder: "local", vectors: "stored memories carry random unit-scale vectors" },
    runs,
  };
  writeResult("scale", result);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
