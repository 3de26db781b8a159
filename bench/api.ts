// npm run bench:api — GET /api/v1/customers?limit=50 (one page of 50 customers, each with an email and
// a phone identity decrypted for the response) on each database engine (--db pglite|postgres|both).
//
// The route handler is called in this process exactly as Next calls it (the API key checked and
// counted, the per-key rate limit, the page read through lib/services): no HTTP server, so the figures
// are the handler's own, without Next's or the network's overhead. A business of --customers (2,000)
// customers is seeded on a fresh database; --concurrency (8) clients send requests for --seconds (15)
// after a warm-up, each asking for the page after a random cursor so the keyset path is measured
// beside the first page.
//
//   npm run bench:api -- [--db both] [--customers 2000] [--concurrency 8] [--seconds 15]
// Writes bench/results/api.json.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import { enginesFromArgs, freshDatabase, machine, type BenchEngine } from "./engines";

process.env.DISABLE_SCHEDULER = "1";
process.env.ENCRYPTION_KEY ??= crypto.randomBytes(32).toString("base64");
process.env.APP_SECRET ??= crypto.randomBytes(32).toString("hex");

const ROOT = path.resolve(__dirname, "..");

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0);
const r2 = (x: number) => Math.round(x * 100) / 100;

async function run(engine: BenchEngine, opts: { customers: number; concurrency: number; seconds: number }) {
  const { setDbHandleForTests, withService, rows } = await import("@/lib/db/client");
  const { migrate } = await import("@/lib/db/migrate");
  const s = await import("@/lib/db/schema");
  const { sealIdentity } = await import("@/lib/pipeline/identities");
  const { createApiKey } = await import("@/lib/services/api-keys");
  const { GET } = await import("@/app/api/v1/customers/route");

  const database = await freshDatabase(engine, "api");
  const handle = await database.open();
  await migrate(handle);
  setDbHandleForTests(handle);
  try {
    const [user] = await withService((tx) => tx.insert(s.users).values({ email: "owner@bench.test", name: "Owner" }).returning());
    const [business] = await withService((tx) => tx.insert(s.businesses).values({ slug: "bench", name: "Bench" }).returning());
    const businessId = business!.id;
    await withService((tx) => tx.insert(s.members).values({ businessId, userId: user!.id, role: "owner" }));
    const [channel] = await withService((tx) => tx.insert(s.channels).values({ businessId, kind: "web", name: "Web", address: "bench" }).returning());
    const seedStarted = performance.now();
    for (let start = 0; start < opts.customers; start += 500) {
      const n = Math.min(500, opts.customers - start);
      await withService(async (tx) => {
        const made = await tx
          .insert(s.customers)
          .values(Array.from({ length: n }, (_, i) => ({ businessId, name: `Customer ${start + i}`, tags: (start + i) % 3 ? [] : ["vip"], lastSeenAt: new Date(Date.now() - (start + i) * 60_000) })))
          .returning({ id: s.customers.id });
        await tx.insert(s.customerIdentities).values(
          made.flatMap((c, i) => [
            { businessId, customerId: c.id, ...sealIdentity({ kind: "email", value: `customer${start + i}@bench.test` }) },
            { businessId, customerId: c.id, ...sealIdentity({ kind: "phone", value: `+4477009${String(start + i).padStart(5, "0")}` }) },
          ]),
        );
        await tx.insert(s.conversations).values(made.slice(0, Math.ceil(n / 2)).map((c) => ({ businessId, customerId: c.id, channelId: channel!.id })));
      });
    }
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const owner = { businessId, actor: { type: "member" as const, userId: user!.id, role: "owner" as const } };
    const { secret } = await createApiKey({ ctx: owner, input: { name: "Bench", scopes: ["customers:read"] } });
    await withService((tx) => tx.execute(sql`update api_keys set rate_limit = 100000 where business_id = ${businessId}`));

    // Cursors into the list, so clients ask for pages deep in it as well as the first.
    const page = async (cursor: string | null) => {
      const url = `http://localhost:3000/api/v1/customers?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const res = await GET(new Request(url, { headers: { authorization: `Bearer ${secret}` } }), { params: Promise.resolve({}) });
      const body = (await res.json()) as { data: unknown[]; nextCursor: string | null };
      if (res.status !== 200 || body.data.length === 0) throw new Error(`GET ${url}: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
      return body;
    };
    const cursors: (string | null)[] = [null];
    for (let c: string | null = null, i = 0; i < 10; i++) {
      c = (await page(c)).nextCursor;
      if (!c) break;
      cursors.push(c);
    }
    for (let i = 0; i < 30; i++) await page(cursors[i % cursors.length]!);

    const latencies: number[] = [];
    const until = performance.now() + opts.seconds * 1000;
    const started = performance.now();
    let errors = 0;
    await Promise.all(
      Array.from({ length: opts.concurrency }, async (_, client) => {
        for (let i = client; performance.now() < until; i++) {
          const t = performance.now();
          try {
            await page(cursors[i % cursors.length]!);
            latencies.push(performance.now() - t);
          } catch (err) {
            errors++;
            if (errors < 3) console.error(err);
          }
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const [counted] = await withService((tx) => rows<{ n: number }>(tx, sql`select request_count as n from api_keys where business_id = ${businessId}`));
    return {
      engine,
      database: database.describe,
      customers: opts.customers,
      seedSeconds: r2(seedSeconds),
      concurrency: opts.concurrency,
      seconds: r2(elapsed),
      requests: latencies.length,
      errors,
      requestsPerSecond: r2(latencies.length / elapsed),
      latencyMs: { p50: r2(pct(latencies, 50)), p95: r2(pct(latencies, 95)), p99: r2(pct(latencies, 99)), max: r2(latencies.at(-1) ?? 0) },
      keyRequestsCounted: Number(counted?.n ?? 0),
      loadAverage1mAfter: machine().loadAverage1m,
    };
  } finally {
    setDbHandleForTests(undefined);
    await handle.close();
    await database.drop();
  }
}

async function main() {
  const opts = { customers: arg("customers", 2000), concurrency: arg("concurrency", 8), seconds: arg("seconds", 15) };
  const before = machine();
  const runs = [];
  for (const engine of enginesFromArgs()) {
    process.stderr.write(`bench:api on ${engine}…\n`);
    const r = await run(engine, opts);
    process.stderr.write(`  ${r.requestsPerSecond} req/s, p95 ${r.latencyMs.p95} ms (${r.requests} requests, ${r.errors} errors)\n`);
    runs.push(r);
  }
  const result = { benchmark: "api", endpoint: "GET /api/v1/customers?limit=50", at: new Date().toISOString(), machine: before, note: "route handler in-process (no HTTP server)", runs };
  fs.mkdirSync(path.join(ROOT, "bench/results"), { recursive: true });
  fs.writeFileSync(path.join(ROOT, "bench/results/api.json"), JSON.stringify(result, null, 2) + "\n");
  console.log(JSON.stringify(result, null, 2));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
