// npm run bench:pipeline — N messages at concurrency C through the whole pipeline, the model
// answering instantly, on each database engine (--db pglite|postgres|both, default both) at c=1 and
// c=C; beside each, the floor of one insert plus one select on the same database, so the pipeline's
// overhead reads as a ratio, and on PostgreSQL the commits per message the server counted. Each run
// is a child process on a fresh database. Statements per message are counted in the client on both engines. Writes bench/results/pipeline.json.
// On PostgreSQL it also runs with DATABASE_PREPARED_STATEMENTS=1 (a direct or session-mode
// connection: each statement planned once per connection), beside production's pooler setting.
// Options: --n 400 --c 8 --db both
import { enginesFromArgs, freshDatabase, machine, type BenchEngine, runChild, writeResult, numberArg, serverCpuSeconds } from "./engines";
import { customerTexts, instantModel } from "./instant-model";

const N = numberArg("n", 400);
const C = numberArg("c", 8);
const CHILD = process.argv.includes("--child");
const PREPARED = process.argv.includes("--prepared");
if (PREPARED) process.env.DATABASE_PREPARED_STATEMENTS = "1";
process.env.DISABLE_SCHEDULER = "1";
// the database client counts every statement it sends (begin and commit included)
process.env.PRISMAI_COUNT_STATEMENTS = "1";

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : 0;
};
const round = (x: number) => Math.round(x * 100) / 100;

/** One engine at one concurrency, in this process. */
async function runOne(engine: BenchEngine) {
  const database = await freshDatabase(engine, `pipeline_c${C}`);
  Object.assign(process.env, database.env);
  const { sql } = await import("drizzle-orm");
  const { getDbHandle, rows, closeDb, statementCount } = await import("@/lib/db/client");
  const { migrate } = await import("@/lib/db/migrate");
  const { seedDemo } = await import("@/lib/db/seed");
  const { DEMO_BUSINESS_ID } = await import("@/lib/db/seed-data");
  const { embedPending } = await import("@/lib/knowledge/indexing");
  const { handleInbound } = await import("@/lib/pipeline/inbound");

  const handle = await getDbHandle();
  await migrate(handle);
  await seedDemo(handle);
  await embedPending(DEMO_BUSINESS_ID);
  // Room for the benchmark's volume: it measures the pipeline, not the limits.
  await handle.db.execute(sql`update businesses set limits = limits || '{"monthlyBudgetUsd": 100000, "messagesPerMonth": 10000000}'::jsonb where id = ${DEMO_BUSINESS_ID}`);


  const texts = customerTexts();

  // Floor: one insert plus one select on the same database.
  const floor: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t0 = performance.now();
    const [row] = await rows<{ id: string }>(handle.db, sql`insert into audit_log (business_id, action) values (${DEMO_BUSINESS_ID}, 'bench') returning id`);
    await rows(handle.db, sql`select * from audit_log where id = ${row!.id}`);
    floor.push(performance.now() - t0);
  }

  const commits = async () =>
    engine === "postgres"
      ? Number((await rows<{ n: string }>(handle.db, sql`select xact_commit::text as n from pg_stat_database where datname = current_database()`))[0]!.n)
      : 0;
  await handle.db.execute(sql`select pg_stat_force_next_flush()`);
  const commitsBefore = await commits();
  const statementsBefore = statementCount.n;
  // CPU time per message: this process (the app; on PGlite the database too) and, on PostgreSQL, the server
  const backendPid = engine === "postgres" ? Number((await rows<{ pid: number }>(handle.db, sql`select pg_backend_pid() as pid`))[0]!.pid) : 0;
  const serverCpuBefore = engine === "postgres" ? serverCpuSeconds(backendPid) : null;
  const appCpuBefore = process.cpuUsage();

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
          { model: instantModel, defer: (task) => void deferred.push(task().catch(() => undefined)) },
        );
        const src = r.reply?.source ?? `no_reply:${r.noReply?.reason}`;
        sources[src] = (sources[src] ?? 0) + 1;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
      if (performance.now() - lastReport > 2000) {
        lastReport = performance.now();
        process.stderr.write(`\r  ${latencies.length}/${N} messages…`);
      }
    }
  }
  await Promise.all(Array.from({ length: C }, worker));
  const elapsed = (performance.now() - started) / 1000;
  await Promise.allSettled(deferred);
  const statementsPerMessage = round((statementCount.n - statementsBefore) / N);
  const appCpu = process.cpuUsage(appCpuBefore);
  const serverCpuAfter = engine === "postgres" ? serverCpuSeconds(backendPid) : null;
  const cpuMsPerMessage = {
    app: round((appCpu.user + appCpu.system) / 1000 / N),
    server: serverCpuBefore !== null && serverCpuAfter !== null ? round(((serverCpuAfter - serverCpuBefore) * 1000) / N) : null,
  };
  process.stderr.write("\n");

  const [counts] = await rows<{ customer: number; answered: number; doubled: number }>(
    handle.db,
    sql`select
          (select count(*)::int from messages where role = 'customer' and customer_id in (select id from customers where name is null or true) and metadata->>'test' is null) as customer,
          (select count(distinct reply_to_id)::int from messages where reply_to_id is not null) as answered,
          (select count(*)::int from (select reply_to_id from messages where reply_to_id is not null group by 1 having count(*) > 1) d) as doubled`,
  );

  const floorP50 = pct(floor, 50);
  await closeDb();
  let commitsPerMessage: number | null = null;
  if (engine === "postgres") {
    // the pool's backends have exited and flushed their counters; read them on a connection of its own
    const reader = await database.open();
    await new Promise((r) => setTimeout(r, 200));
    const after = Number((await rows<{ n: string }>(reader.db, sql`select xact_commit::text as n from pg_stat_database where datname = current_database()`))[0]!.n);
    commitsPerMessage = round((after - commitsBefore) / N);
    await reader.close();
  }
  await database.drop();
  return {
    engine,
    database: PREPARED ? database.describe.replace("prepare: false", "prepared statements: DATABASE_PREPARED_STATEMENTS=1") : database.describe,
    preparedStatements: engine === "postgres" ? PREPARED : null,
    concurrency: C,
    messages: N,
    throughputPerSecond: round(N / elapsed),
    latencyMs: { p50: round(pct(latencies, 50)), p95: round(pct(latencies, 95)), p99: round(pct(latencies, 99)), max: round(Math.max(...latencies)) },
    floorInsertSelectMs: { p50: round(floorP50), p95: round(pct(floor, 95)) },
    overheadRatioP50: round(pct(latencies, 50) / floorP50),
    commitsPerMessage,
    /** statements the client sent per message, begin/commit and the deferred memory and cache writes included */
    statementsPerMessage,
    /** CPU milliseconds per message, deferred work included: the app process (on PGlite, the database in it too) and the PostgreSQL server's processes; steadier than wall time on a shared machine */
    cpuMsPerMessage,
    errors,
    sources,
    stored: counts,
  };
}

/** Every engine at c=1 and c=C, each run a child process with fresh modules and a fresh database. */
async function main() {
  if (CHILD) {
    const engine = enginesFromArgs()[0]!;
    const result = await runOne(engine);
    process.stdout.write(`\nRESULT ${JSON.stringify(result)}\n`);
    return;
  }
  const runs = [];
  const variants = enginesFromArgs().flatMap((engine): { engine: BenchEngine; prepared: boolean }[] => (engine === "postgres" ? [{ engine, prepared: false }, { engine, prepared: true }] : [{ engine, prepared: false }]));
  for (const { engine, prepared } of variants) {
    for (const c of [...new Set([1, C])]) {
      const n = c === 1 ? Math.min(N, 200) : N;
      const label = `${engine}${prepared ? " (prepared statements)" : ""}, c=${c}`;
      console.log(`[bench:pipeline] ${label}, ${n} messages…`);
      const result = runChild(["--db", engine, "--c", String(c), "--n", String(n), ...(prepared ? ["--prepared"] : [])], label);
      console.log(`  ${result.throughputPerSecond} msg/s, p50 ${result.latencyMs.p50} ms, p95 ${result.latencyMs.p95} ms${result.commitsPerMessage !== null ? `, ${result.commitsPerMessage} commits/message` : ""}, ${result.statementsPerMessage} statements/message, CPU per message ${result.cpuMsPerMessage.app} ms app${result.cpuMsPerMessage.server !== null ? ` + ${result.cpuMsPerMessage.server} ms server` : ""}, errors ${result.errors}`);
      runs.push(result);
    }
  }
  const result = {
    benchmark: "pipeline",
    at: new Date().toISOString(),
    machine: machine(),
    config: { model: "instant stub", embedder: "local", note: "c=1 runs min(n, 200) messages" },
    runs,
  };
  writeResult("pipeline", result);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
