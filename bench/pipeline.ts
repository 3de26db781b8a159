// npm run bench:pipeline — N messages at concurrency C through the whole pipeline on the embedded
// database (PGlite), the model answering instantly; beside it the floor of one insert plus one
// select on the same database, so the pipeline's overhead reads as a ratio. Writes
// bench/results/pipeline.json. Options: --n 400 --c 8
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg("n", 400);
const C = arg("c", 8);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "prismai-bench-pipeline-"));
process.env.PGLITE_DATA_DIR = path.join(dataDir, "pglite");
process.env.DISABLE_SCHEDULER = "1";

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : 0;
};
const round = (x: number) => Math.round(x * 100) / 100;

async function main() {
  const { sql } = await import("drizzle-orm");
  const { getDbHandle, rows, closeDb } = await import("@/lib/db/client");
  const { migrate } = await import("@/lib/db/migrate");
  const { seedDemo } = await import("@/lib/db/seed");
  const { DEMO_BUSINESS_ID } = await import("@/lib/db/seed-data");
  const { embedPending } = await import("@/lib/knowledge/indexing");
  const { handleInbound } = await import("@/lib/pipeline/inbound");
  type LanguageModel = import("@/lib/ai/model").LanguageModel;

  const handle = await getDbHandle();
  await migrate(handle);
  await seedDemo(handle);
  await embedPending(DEMO_BUSINESS_ID);
  // Room for the benchmark's volume: it measures the pipeline, not the limits.
  await handle.db.execute(sql`update businesses set limits = limits || '{"monthlyBudgetUsd": 100000, "messagesPerMonth": 10000000}'::jsonb where id = ${DEMO_BUSINESS_ID}`);

  const instant: LanguageModel = {
    provider: "gemini",
    async generate(req) {
      return { text: `Instant answer to: ${req.messages.at(-1)?.text.slice(0, 40)}`, handoff: { needed: false }, tokensIn: 900, tokensOut: 40, model: req.model, provider: "gemini" };
    },
    async *stream(req) {
      const result = await this.generate(req);
      yield { type: "delta", text: result.text };
      yield { type: "result", result };
    },
  };

  const texts = fs
    .readFileSync(path.resolve("../shared/data/banking77/test.csv"), "utf8")
    .split("\n")
    .slice(1)
    .map((l) => l.replace(/,[a-z_]+$/, "").replace(/^"|"$/g, ""))
    .filter(Boolean);

  // Floor: one insert plus one select on the same database.
  const floor: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t0 = performance.now();
    const [row] = await rows<{ id: string }>(handle.db, sql`insert into audit_log (business_id, action) values (${DEMO_BUSINESS_ID}, 'bench') returning id`);
    await rows(handle.db, sql`select * from audit_log where id = ${row!.id}`);
    floor.push(performance.now() - t0);
  }

  const latencies: number[] = [];
  const sources: Record<string, number> = {};
  let errors = 0;
  let next = 0;
  const deferred: Promise<unknown>[] = [];
  const started = performance.now();
  let lastReport = started;
  async function worker() {
    while (next < N) {
      const i = next++;
      const t0 = performance.now();
      try {
        const r = await handleInbound(
          { businessId: DEMO_BUSINESS_ID, channelId: "00000000-0000-4000-8000-00000000c001", channelKind: "web", from: { kind: "web", value: `bench-${i}` }, text: texts[i % texts.length]! },
          { model: instant, defer: (task) => void deferred.push(task().catch(() => undefined)) },
        );
        const src = r.reply?.source ?? `no_reply:${r.noReply?.reason}`;
        sources[src] = (sources[src] ?? 0) + 1;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
      if (performance.now() - lastReport > 2000) {
        lastReport = performance.now();
        process.stdout.write(`\r  ${latencies.length}/${N} messages…`);
      }
    }
  }
  await Promise.all(Array.from({ length: C }, worker));
  const elapsed = (performance.now() - started) / 1000;
  await Promise.allSettled(deferred);
  process.stdout.write("\n");

  const [counts] = await rows<{ customer: number; answered: number; doubled: number }>(
    handle.db,
    sql`select
          (select count(*)::int from messages where role = 'customer' and customer_id in (select id from customers where name is null or true) and metadata->>'test' is null) as customer,
          (select count(distinct reply_to_id)::int from messages where reply_to_id is not null) as answered,
          (select count(*)::int from (select reply_to_id from messages where reply_to_id is not null group by 1 having count(*) > 1) d) as doubled`,
  );

  const floorP50 = pct(floor, 50);
  const result = {
    benchmark: "pipeline",
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.version },
    config: { messages: N, concurrency: C, database: "pglite (embedded)", model: "instant stub", embedder: "local" },
    throughputPerSecond: round(N / elapsed),
    latencyMs: { p50: round(pct(latencies, 50)), p95: round(pct(latencies, 95)), p99: round(pct(latencies, 99)), max: round(Math.max(...latencies)) },
    floorInsertSelectMs: { p50: round(floorP50), p95: round(pct(floor, 95)) },
    overheadRatioP50: round(pct(latencies, 50) / floorP50),
    errors,
    sources,
    database: counts,
  };
  fs.mkdirSync("bench/results", { recursive: true });
  fs.writeFileSync("bench/results/pipeline.json", JSON.stringify(result, null, 2) + "\n");
  console.log(JSON.stringify(result, null, 2));
  await closeDb();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
