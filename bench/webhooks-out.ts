// npm run bench:webhooks-out — outbound webhooks under failure: 10,000 events (message.received, 20
// per conversation over 500 conversations, written by the database trigger as customers' messages are
// stored) delivered by the `webhooks` job's drain to a receiver on 127.0.0.1 that answers 500 to a
// random 20 % of requests (seeded) and checks every signature with svix. Events are written while
// the drain runs, 100 per transaction. The retry schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h)
// is compressed by TIME_SCALE = 1/1000 (5 ms, 300 ms, 1.8 s, 7.2 s, 18 s, 36 s, 36 s) so a run
// takes minutes, not a day; the delays measured are therefore in compressed time for retried events.
// Reports: delivered (distinct webhook-ids answered 2xx; every event unless one drew 8 failures in a
// row, p = 0.2^8 each, which the deliveries table then shows as failed), duplicates beyond
// at-least-once (a 2xx-acknowledged id sent again), order violations per conversation, bad signatures,
// delivery delay (event written → acknowledged) p50/p95/p99, attempts. Both engines, each in a child
// process with a fresh database; results in bench/results/webhooks-out.json.
//
//   npm run bench:webhooks-out -- [--db both] [--n 10000] [--fail 0.2]
import http from "node:http";
import { performance } from "node:perf_hooks";
import { Webhook } from "svix";
import { enginesFromArgs, freshDatabase, machine, type BenchEngine, runChild, writeResult, numberArg } from "./engines";

process.env.DISABLE_SCHEDULER = "1";
process.env.WEBHOOKS_ALLOW_PRIVATE_URLS = "1";

const N = numberArg("n", 10_000);
const FAIL = numberArg("fail", 0.2);
const PER_CONVERSATION = 20;
const BATCH = 100;
const TIME_SCALE = 1 / 1000;
const CONCURRENCY = 8;
const CHILD = process.argv.includes("--child");

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : 0;
};
const round = (x: number) => Math.round(x * 100) / 100;

/** mulberry32: the same failures on every run */
function prng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Receipt = { id: string; at: number; ok: boolean; conversation: string; content: string; signed: boolean };

async function runOne(engine: BenchEngine) {
  const database = await freshDatabase(engine, "webhooks_out");
  Object.assign(process.env, database.env);
  const { sql } = await import("drizzle-orm");
  const { getDbHandle, rows, closeDb, withService } = await import("@/lib/db/client");
  const { migrate } = await import("@/lib/db/migrate");
  const { createWebhookEndpoint } = await import("@/lib/services/webhooks");
  const { drainWebhooks } = await import("@/lib/webhooks/deliver");

  const handle = await getDbHandle();
  await migrate(handle);
  const [setup] = await rows<{ business: string; owner: string; channel: string }>(
    handle.db,
    sql`with u as (insert into users (email, name) values ('owner@bench.test', 'Owner') returning id),
             b as (insert into businesses (slug, name) values ('bench', 'Bench') returning id),
             m as (insert into members (business_id, user_id, role) select b.id, u.id, 'owner' from b, u returning business_id),
             c as (insert into channels (business_id, kind, name, address) select b.id, 'web', 'Web', 'bench' from b returning id)
        select (select id from b) as business, (select id from u) as owner, (select id from c) as channel`,
  );
  const businessId = setup!.business;

  // the receiver
  const random = prng(42);
  const receipts: Receipt[] = [];
  let secret = "";
  let badSignatures = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let signed = true;
      try {
        new Webhook(secret).verify(body, req.headers as Record<string, string>);
      } catch {
        signed = false;
        badSignatures++;
      }
      const ok = random() >= FAIL;
      const { data } = JSON.parse(body) as { data: { conversation_id: string; content: string } };
      receipts.push({ id: String(req.headers["webhook-id"]), at: Date.now(), ok, conversation: data.conversation_id, content: data.content, signed });
      res.writeHead(ok ? 200 : 500).end(ok ? "ok" : "unlucky");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const ctx = { businessId, actor: { type: "member" as const, userId: setup!.owner, role: "owner" as const } };
  secret = (await createWebhookEndpoint({ ctx, input: { url: `http://127.0.0.1:${port}/hooks`, events: ["message.received"] } })).secret;

  // conversations and customers first (no events subscribed for them)
  const conversations = Math.ceil(N / PER_CONVERSATION);
  const convs = await rows<{ id: string; customer_id: string }>(
    handle.db,
    sql`with cu as (insert into customers (business_id, name) select ${businessId}, 'Customer ' || g from generate_series(1, ${conversations}) g returning id)
        insert into conversations (business_id, customer_id, channel_id) select ${businessId}, cu.id, ${setup!.channel} from cu returning id, customer_id`,
  );

  // the producer: message i of every conversation, round after round, 100 per transaction
  const started = performance.now();
  let produced = 0;
  const producer = (async () => {
    const all: { c: (typeof convs)[number]; n: number }[] = [];
    for (let n = 0; n < PER_CONVERSATION; n++) for (const c of convs) if (all.length < N) all.push({ c, n });
    for (let i = 0; i < all.length; i += BATCH) {
      const batch = all.slice(i, i + BATCH);
      await withService(async (tx) => {
        for (const { c, n } of batch) {
          await tx.execute(sql`insert into messages (business_id, conversation_id, customer_id, channel_id, role, content)
                               values (${businessId}, ${c.id}, ${c.customer_id}, ${setup!.channel}, 'customer', ${`message ${n}`})`);
        }
      });
      produced += batch.length;
    }
  })();
  let producing = true;
  void producer.finally(() => (producing = false));

  // the drain: the job's code, run again whenever it finds nothing due, until nothing is left open
  // (every event delivered, or failed after its 8 attempts)
  const open = async () =>
    (await rows<{ n: number }>(handle.db, sql`select count(*)::int as n from webhook_deliveries where status in ('pending', 'sending')`))[0]!.n;
  const deadline = Date.now() + 20 * 60_000;
  while (Date.now() < deadline) {
    const r = await drainWebhooks({ timeScale: TIME_SCALE, concurrency: CONCURRENCY, budgetMs: 5_000 });
    if (r.delivered + r.retrying + r.failed === 0) {
      if (!producing && (await open()) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  await producer;
  const lastAck = Math.max(...receipts.filter((r) => r.ok).map((r) => r.at));
  const elapsedS = (lastAck - (Date.now() - (performance.now() - started))) / 1000;

  // what was written, and when
  const written = await rows<{ id: string; created_ms: string; conversation: string; content: string }>(
    handle.db,
    sql`select replace(id::text, '-', '') as id, (extract(epoch from created_at) * 1000)::bigint::text as created_ms,
               payload->>'conversation_id' as conversation, payload->>'content' as content
        from webhook_messages where business_id = ${businessId}`,
  );
  const createdAt = new Map(written.map((w) => [`msg_${w.id}`, Number(w.created_ms)]));
  const firstAck = new Map<string, number>();
  let duplicates = 0;
  for (const r of receipts) {
    if (!r.ok) continue;
    if (firstAck.has(r.id)) duplicates++;
    else firstAck.set(r.id, r.at);
  }
  const delays = [...firstAck.entries()].map(([id, at]) => at - createdAt.get(id)!);
  // in order per conversation: the acknowledged messages of each conversation arrive as message 0, 1, 2…
  const nextExpected = new Map<string, number>();
  let orderViolations = 0;
  const seen = new Set<string>();
  for (const r of receipts) {
    if (!r.ok || seen.has(r.id)) continue;
    seen.add(r.id);
    const n = Number(r.content.split(" ")[1]);
    if ((nextExpected.get(r.conversation) ?? 0) !== n) orderViolations++;
    nextExpected.set(r.conversation, n + 1);
  }
  const [state] = await rows<{ delivered: number; failed: number; pending: number; attempts: number }>(
    handle.db,
    sql`select count(*) filter (where status = 'delivered')::int as delivered, count(*) filter (where status = 'failed')::int as failed,
               count(*) filter (where status in ('pending', 'sending'))::int as pending, coalesce(sum(attempts), 0)::int as attempts
        from webhook_deliveries where business_id = ${businessId}`,
  );
  server.closeAllConnections();
  server.close();
  await closeDb();
  await database.drop();
  return {
    engine,
    database: database.describe,
    events: written.length,
    produced,
    delivered: firstAck.size,
    undelivered: written.length - firstAck.size,
    duplicatesBeyondAtLeastOnce: duplicates,
    orderViolationsPerConversation: orderViolations,
    badSignatures,
    requests: receipts.length,
    failedRequests: receipts.filter((r) => !r.ok).length,
    deliveriesTable: state,
    timedOut: Date.now() >= deadline,
    elapsedSeconds: round(elapsedS),
    eventsPerSecond: round(firstAck.size / elapsedS),
    deliveryDelayMs: { p50: pct(delays, 50), p95: pct(delays, 95), p99: pct(delays, 99), max: pct(delays, 100) },
  };
}

async function main() {
  if (CHILD) {
    const result = await runOne(enginesFromArgs()[0]!);
    process.stdout.write(`\nRESULT ${JSON.stringify(result)}\n`);
    return;
  }
  const runs = [];
  for (const engine of enginesFromArgs()) {
    console.log(`[bench:webhooks-out] ${engine}, ${N} events, ${FAIL * 100} % of requests fail…`);
    const result = runChild(["--db", engine, "--n", String(N), "--fail", String(FAIL)], `${engine}`);
    console.log(`  delivered ${result.delivered}/${result.events}, duplicates ${result.duplicatesBeyondAtLeastOnce}, order violations ${result.orderViolationsPerConversation}, p95 delay ${result.deliveryDelayMs.p95} ms, ${result.eventsPerSecond} events/s`);
    runs.push(result);
  }
  const result = {
    benchmark: "webhooks-out",
    at: new Date().toISOString(),
    machine: machine(),
    config: {
      events: N,
      eventsPerConversation: PER_CONVERSATION,
      eventsPerTransaction: BATCH,
      receiverFailureRate: FAIL,
      retryScheduleTimeScale: TIME_SCALE,
      note: "retry delays compressed 1000x (5 s → 5 ms … 10 h → 36 s); delays of retried events are in compressed time",
      drainConcurrency: CONCURRENCY,
    },
    runs,
  };
  writeResult("webhooks-out", result);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
