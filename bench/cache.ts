// npm run bench:cache — the semantic cache's decision (lib/cache/decision.ts) on Banking77
// (../shared/data/banking77/README.md) and on questions it must never answer (bench/data/out-of-scope.csv),
// on each database engine (--db pglite|postgres|both, default both).
//
// No leakage: the parameters are chosen on a validation split and reported on data they never saw.
//  1. Banking77's train set is split per intent: every 5th question → validation, the rest → fill.
//     The out-of-scope set is split in two (even rows: validation, odd rows: test).
//  2. Tenant "validation" is filled with the fill questions; tenant "test" with the whole train set.
//     Each question is stored through SemanticCache.store with an answer tagged with its intent (as the
//     pipeline stores a model's answer), so questions of one intent share an answer group.
//  3. On the validation tenant, the evidence of every validation question (its 20 nearest entries,
//     through the real Postgres tier) is collected, and decide() is replayed on it over a grid:
//     - `alone`: the lowest similarity at which one lone entry may serve with a validation false-hit
//       rate ≤ 0.25 % (what the cache keeps when no two answers are worded alike);
//     - the agreement parameters: the most validation hits with a false-hit rate ≤ 0.4 % (under half
//       the 1 % goal: another sample may double it) and no hit at all on the out-of-scope half.
//     The business threshold stays at its default (AiSettings.cacheThreshold).
//  4. On the test tenant, Banking77's test set and the out-of-scope set are replayed through
//     SemanticCache.lookup — every tier, on a cold instance — with the chosen parameters: hits,
//     false hits (another intent's answer, or any answer to an out-of-scope question), tiers, latency.
//     Beside it, from the same evidence: the old rule (nearest entry ≥ threshold), the chosen rule if
//     no two cached answers were worded alike, and the chosen rule across thresholds.
//
//   npm run bench:cache -- [--db both] [--train N] [--test N] [--out FILE]
// --train/--test subsample evenly (default: the full sets). Writes bench/results/cache.json.
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import { rows, type DbHandle } from "@/lib/db/client";
import { migrate } from "@/lib/db/migrate";
import { DEFAULT_LOCAL_WEIGHTS, LocalEmbedder } from "@/lib/ai/embeddings";
import { DEFAULT_CACHE_THRESHOLD } from "@/lib/ai/prompts";
import { answerKeyOf, MemoryKv, SemanticCache } from "@/lib/cache";
import { CACHE_DECISION, decide, questionTerms, type DecisionParams, type Neighbour, type TermStats } from "@/lib/cache/decision";
import { forgetTenantStats } from "@/lib/cache/postgres-tier";
import { BANKING77_DIR, parseCsv, readRows, type Row } from "./banking77";
import { enginesFromArgs, freshDatabase, machine, type BenchEngine } from "./engines";

process.env.DISABLE_SCHEDULER = "1";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** An even subsample that keeps every category represented (deterministic: every k-th row). */
function subsample<T>(all: T[], n: number | undefined): T[] {
  if (!n || n >= all.length) return all;
  const step = all.length / n;
  return Array.from({ length: n }, (_, i) => all[Math.floor(i * step)]!);
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0);
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

let lastProgress = 0;
function progress(label: string, done: number, total: number, started: number): void {
  const now = performance.now();
  if (done !== total && now - lastProgress < 10_000) return;
  lastProgress = now;
  const rate = done / ((now - started) / 1000);
  process.stderr.write(`${label} ${done}/${total} (${rate.toFixed(0)}/s, ~${(rate > 0 ? (total - done) / rate : 0).toFixed(0)} s left)\n`);
}

// ---------------------------------------------------------------- data

const OUT_OF_SCOPE = "__out_of_scope__";
type Query = { text: string; category: string; kind?: string };

function inputs() {
  const train = subsample(readRows(path.join(BANKING77_DIR, "train.csv")), arg("train") ? Number(arg("train")) : undefined);
  const test = subsample(readRows(path.join(BANKING77_DIR, "test.csv")), arg("test") ? Number(arg("test")) : undefined);
  const [header, ...records] = parseCsv(fs.readFileSync(path.resolve("bench/data/out-of-scope.csv"), "utf8"));
  const oos: Query[] = records.map((r) => ({ text: r[header!.indexOf("text")]!, category: OUT_OF_SCOPE, kind: r[header!.indexOf("kind")]! }));
  // every 5th question of each intent is validation; the rest fills the validation tenant
  const seen = new Map<string, number>();
  const fill: Row[] = [];
  const validation: Row[] = [];
  for (const r of train) {
    const n = seen.get(r.category) ?? 0;
    seen.set(r.category, n + 1);
    (n % 5 === 4 ? validation : fill).push(r);
  }
  return { train, test, fill, validation, oos, oosValidation: oos.filter((_, i) => i % 2 === 0), oosTest: oos.filter((_, i) => i % 2 === 1) };
}

const answerOf = (category: string) => `answer for category ${category}`;

// ---------------------------------------------------------------- evidence and the grid

type Evidence = { category: string; kind?: string; terms: string[]; neighbours: Neighbour[]; stats: TermStats; neighbourCategory: Map<string, string> };

/** The evidence decide() sees for each question (its 20 nearest entries and the tenant's term statistics). */
async function collect(cache: SemanticCache, businessId: string, queries: Query[], categoryOf: Map<string, string>, label: string): Promise<Evidence[]> {
  const out: Evidence[] = [];
  const started = performance.now();
  for (let i = 0; i < queries.length; i++) {
    const q = queries[i]!;
    const { vector } = await cache.embedQuestion(q.text);
    const { neighbours, stats } = await cache.evidence({ businessId, knowledgeVersion: 1, channelStyle: "chat", embedding: vector }, 20);
    out.push({
      category: q.category,
      kind: q.kind,
      terms: questionTerms(q.text),
      neighbours: neighbours.map((n) => ({ id: n.id, answerKey: n.answerKey, similarity: n.similarity, terms: n.terms })),
      stats,
      neighbourCategory: new Map(neighbours.map((n) => [n.id, categoryOf.get(n.answerKey) ?? "?"])),
    });
    progress(`${label}`, i + 1, queries.length, started);
  }
  return out;
}

type Score = { queries: number; hits: number; falseHits: number; hitRate: number; falseHitRate: number; precision: number };

function score(evidence: Evidence[], params: DecisionParams, threshold = DEFAULT_CACHE_THRESHOLD, transform?: (n: Neighbour) => Neighbour): Score {
  let hits = 0;
  let falseHits = 0;
  for (const e of evidence) {
    const d = decide({ neighbours: transform ? e.neighbours.map(transform) : e.neighbours, queryTerms: e.terms, stats: e.stats, threshold, params });
    if (!d.serve) continue;
    hits++;
    if (e.neighbourCategory.get(d.entryId!) !== e.category) falseHits++;
  }
  const n = evidence.length;
  return { queries: n, hits, falseHits, hitRate: r4(hits / n), falseHitRate: r4(falseHits / n), precision: r4(hits ? (hits - falseHits) / hits : 1) };
}

/** The old rule: the nearest entry alone, at the threshold. */
const LEGACY: DecisionParams = { neighbours: 1, floor: 2, agreementBonus: 0, minShare: 0, minMargin: -1, maxNovelty: 1, alone: 0 };
/** No two cached answers alike: every entry is its own group. */
const singleton = (n: Neighbour): Neighbour => ({ ...n, answerKey: n.id });

const ALONE_TARGET = 0.0025;
const VALIDATION_TARGET = 0.004;

function choose(validation: Evidence[], oosValidation: Evidence[]) {
  // 1. alone: the lowest similarity at which one entry serves by itself within ALONE_TARGET
  let alone = 1;
  for (let a = 0.99; a >= 0.899; a = Math.round((a - 0.01) * 100) / 100) {
    const s = score(validation, { ...LEGACY, alone: a, floor: 2, minMargin: 0, neighbours: 20 }, DEFAULT_CACHE_THRESHOLD);
    if (s.falseHitRate > ALONE_TARGET) break;
    alone = a;
  }
  // 2. agreement: most validation hits within VALIDATION_TARGET and none out of scope
  const grid: DecisionParams[] = [];
  for (const neighbours of [10, 20])
    for (const floor of [0.5, 0.55, 0.6, 0.65])
      for (const agreementBonus of [0, 0.05, 0.1, 0.15, 0.2])
        for (const minShare of [0.6, 0.7, 0.8, 0.9, 1])
          for (const minMargin of [0, 0.03, 0.06, 0.1])
            for (const maxNovelty of [0.15, 0.25, 0.35, 0.5, 1]) grid.push({ neighbours, floor, agreementBonus, minShare, minMargin, maxNovelty, alone });
  let best: { params: DecisionParams; validation: Score; oosValidation: Score } | undefined;
  let feasible = 0;
  const started = performance.now();
  grid.forEach((params, i) => {
    const v = score(validation, params);
    if (v.falseHitRate <= VALIDATION_TARGET) {
      const o = score(oosValidation, params);
      if (o.hits === 0) {
        feasible++;
        if (!best || v.hits > best.validation.hits || (v.hits === best.validation.hits && v.falseHits < best.validation.falseHits)) best = { params, validation: v, oosValidation: o };
      }
    }
    progress("grid", i + 1, grid.length, started);
  });
  return { alone, grid: grid.length, feasible, best };
}

// ---------------------------------------------------------------- one engine

async function fillTenant(cache: SemanticCache, businessId: string, entries: Row[], label: string) {
  const started = performance.now();
  for (let i = 0; i < entries.length; i++) {
    const r = entries[i]!;
    await cache.store({ businessId, knowledgeVersion: 1, channelStyle: "chat", question: r.text, answer: answerOf(r.category), sourceMessageIds: [], ttlSeconds: 30 * 24 * 3600 });
    progress(label, i + 1, entries.length, started);
  }
}

type Replay = Score & { correct: number; tiers: Record<string, number>; reasons: Record<string, number>; latencyMs: { p50: number; p95: number; mean: number }; falseHitExamples: { query: string; category: string; servedFor: string; servedCategory: string; similarity: number; agreeing: number }[] };

/** The real lookup, every tier, on a cold instance with the chosen parameters. */
async function replay(db: DbHandle["db"], businessId: string, queries: Query[], params: DecisionParams, categoryOf: Map<string, string>, label: string): Promise<Replay> {
  const cache = new SemanticCache({ embedder: new LocalEmbedder(), kv: new MemoryKv(), db });
  const latencies: number[] = [];
  const tiers: Record<string, number> = { memory: 0, kv: 0, postgres: 0 };
  const reasons: Record<string, number> = {};
  const examples: Replay["falseHitExamples"] = [];
  let hits = 0;
  let correct = 0;
  const started = performance.now();
  for (let i = 0; i < queries.length; i++) {
    const q = queries[i]!;
    const t0 = performance.now();
    const r = await cache.resolve({ businessId, knowledgeVersion: 1, channelStyle: "chat", question: q.text, threshold: DEFAULT_CACHE_THRESHOLD, params });
    latencies.push(performance.now() - t0);
    const reason = r.decision?.reason ?? (r.hit ? "remembered" : "none");
    reasons[reason] = (reasons[reason] ?? 0) + 1;
    if (r.hit) {
      hits++;
      tiers[r.hit.tier] = (tiers[r.hit.tier] ?? 0) + 1;
      const served = categoryOf.get(r.hit.answerKey) ?? "?";
      if (served === q.category) correct++;
      else if (examples.length < 15) examples.push({ query: q.text, category: q.category, servedFor: r.hit.question, servedCategory: served, similarity: r4(r.hit.similarity), agreeing: r.hit.agreeing });
    }
    progress(label, i + 1, queries.length, started);
  }
  latencies.sort((a, b) => a - b);
  const n = queries.length;
  return {
    queries: n,
    hits,
    correct,
    falseHits: hits - correct,
    hitRate: r4(hits / n),
    falseHitRate: r4((hits - correct) / n),
    precision: r4(hits ? correct / hits : 1),
    tiers,
    reasons,
    latencyMs: { p50: r4(pct(latencies, 50)), p95: r4(pct(latencies, 95)), mean: r4(latencies.reduce((a, b) => a + b, 0) / n) },
    falseHitExamples: examples,
  };
}

async function runEngine(engine: BenchEngine, data: ReturnType<typeof inputs>) {
  const t0 = performance.now();
  const database = await freshDatabase(engine, "cache");
  const handle = await database.open();
  try {
    await migrate(handle);
    const db = handle.db;
    const made = await rows<{ id: string; slug: string }>(db, sql`insert into businesses (slug, name) values ('validation', 'Banking77 validation'), ('test', 'Banking77 test') returning id, slug`);
    const validationId = made.find((b) => b.slug === "validation")!.id;
    const testId = made.find((b) => b.slug === "test")!.id;
    const embedder = new LocalEmbedder();
    const categoryOf = new Map(data.train.map((r) => [answerKeyOf(answerOf(r.category)), r.category]));

    // Like any bulk load, the HNSW index is dropped first and built once afterwards from the migration's own definition.
    const [index] = await rows<{ indexdef: string }>(db, sql`select indexdef from pg_indexes where indexname = 'response_cache_embedding_idx'`);
    await handle.exec("drop index response_cache_embedding_idx");
    const loader = new SemanticCache({ embedder, kv: new MemoryKv(), db });
    const fillStart = performance.now();
    await fillTenant(loader, validationId, data.fill, `[${engine}] fill validation tenant`);
    await fillTenant(loader, testId, data.train, `[${engine}] fill test tenant`);
    const fillSeconds = (performance.now() - fillStart) / 1000;
    const indexStart = performance.now();
    process.stderr.write(`[${engine}] building the HNSW index…\n`);
    await handle.exec(index!.indexdef);
    await handle.exec("analyze response_cache");
    const indexSeconds = (performance.now() - indexStart) / 1000;
    forgetTenantStats();

    // validation: evidence, then the grid
    const probe = new SemanticCache({ embedder, kv: new MemoryKv(), db });
    const validation = await collect(probe, validationId, data.validation, categoryOf, `[${engine}] validation evidence`);
    const oosValidation = await collect(probe, validationId, data.oosValidation, categoryOf, `[${engine}] out-of-scope validation evidence`);
    const chosen = choose(validation, oosValidation);
    if (!chosen.best) throw new Error("no parameters on the grid meet the validation targets");
    const params = chosen.best.params;

    // test: the same evidence for the comparisons, then the real lookup
    const test = await collect(probe, testId, data.test, categoryOf, `[${engine}] test evidence`);
    const oosAll = await collect(probe, testId, data.oos, categoryOf, `[${engine}] out-of-scope evidence`);
    const byKind = (kind: string) => oosAll.filter((e) => e.kind === kind);
    const oosTestEvidence = oosAll.filter((_, i) => i % 2 === 1);
    const lookups = await replay(db, testId, data.test, params, categoryOf, `[${engine}] test replay`);
    const oosLookups = await replay(db, testId, data.oos, params, categoryOf, `[${engine}] out-of-scope replay`);
    const thresholds = [0.8, 0.82, 0.84, 0.86, 0.88, 0.9, 0.92, 0.94, 0.96];

    return {
      engine,
      database: database.describe,
      seconds: { fill: r4(fillSeconds), hnswBuild: r4(indexSeconds), total: r4((performance.now() - t0) / 1000) },
      entries: { validationTenant: data.fill.length, testTenant: data.train.length },
      selection: {
        rule: `alone: lowest similarity with a validation false-hit rate ≤ ${ALONE_TARGET * 100} % for one entry alone; then, on a grid of ${chosen.grid}, the most validation hits with a false-hit rate ≤ ${VALIDATION_TARGET * 100} % and no out-of-scope validation hit (${chosen.feasible} feasible)`,
        threshold: DEFAULT_CACHE_THRESHOLD,
        params,
        sameAsDefault: JSON.stringify(params) === JSON.stringify(CACHE_DECISION),
        validation: chosen.best.validation,
        outOfScopeValidation: chosen.best.oosValidation,
      },
      test: {
        banking77: lookups,
        outOfScope: { all: { ...oosLookups, falseHitExamples: oosLookups.falseHitExamples }, testHalf: score(oosTestEvidence, params), nearMiss: score(byKind("near_miss"), params), unrelated: score(byKind("unrelated"), params) },
        fromEvidence: { banking77: score(test, params), outOfScope: score(oosAll, params) },
      },
      comparison: {
        oldRuleNearestAtThreshold: { banking77: score(test, LEGACY), outOfScope: score(oosAll, LEGACY) },
        chosenIfNoTwoAnswersAlike: { banking77: score(test, params, DEFAULT_CACHE_THRESHOLD, singleton), outOfScope: score(oosAll, params, DEFAULT_CACHE_THRESHOLD, singleton) },
        chosenAcrossThresholds: thresholds.map((t) => ({ threshold: t, banking77: score(test, params, t), outOfScope: score(oosAll, params, t) })),
      },
      machine: machine(),
    };
  } finally {
    await handle.close();
    await database.drop();
  }
}

async function main(): Promise<void> {
  const out = path.resolve(arg("out") ?? "bench/results/cache.json");
  const data = inputs();
  console.log(
    `banking77: ${data.train.length} train (${data.fill.length} fill + ${data.validation.length} validation), ${data.test.length} test; ` +
      `out of scope: ${data.oos.length} (${data.oosValidation.length} validation); engines: ${enginesFromArgs().join(", ")}`,
  );
  const runs = [];
  for (const engine of enginesFromArgs()) {
    const run = await runEngine(engine, data);
    runs.push(run);
    const b = run.test.banking77;
    const o = run.test.outOfScope.all;
    const old = run.comparison.oldRuleNearestAtThreshold.banking77;
    const f = (x: number) => `${(x * 100).toFixed(2)} %`;
    console.log(`\n[${engine}] chosen on validation: ${JSON.stringify(run.selection.params)} (threshold ${run.selection.threshold})`);
    console.log(`  validation: ${f(run.selection.validation.hitRate)} hits, ${f(run.selection.validation.falseHitRate)} false; out-of-scope validation hits: ${run.selection.outOfScopeValidation.hits}`);
    console.log(`  test:       ${f(b.hitRate)} hits, ${f(b.falseHitRate)} false (precision ${f(b.precision)}); tiers ${JSON.stringify(b.tiers)}; p50 ${b.latencyMs.p50} ms, p95 ${b.latencyMs.p95} ms`);
    console.log(`  out of scope: ${o.hits} of ${o.queries} answered (${f(o.falseHitRate)}); the held-out half: ${run.test.outOfScope.testHalf.hits} of ${run.test.outOfScope.testHalf.queries}`);
    console.log(`  old rule (nearest ≥ ${DEFAULT_CACHE_THRESHOLD}): ${f(old.hitRate)} hits, ${f(old.falseHitRate)} false; no two answers alike: ${f(run.comparison.chosenIfNoTwoAnswersAlike.banking77.hitRate)} hits`);
    console.log(`  ${run.seconds.total.toFixed(0)} s; load average ${run.machine.loadAverage1m} on ${run.machine.cpus} cores`);
    if (!run.selection.sameAsDefault) console.log("  NOTE: CACHE_DECISION in lib/cache/decision.ts differs from this run's choice.");
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(
    out,
    JSON.stringify(
      {
        dataset: "banking77 (PolyAI, CC BY 4.0) + bench/data/out-of-scope.csv",
        protocol:
          "validation tenant = 4/5 of each train intent, validation = the other 1/5 and the even out-of-scope rows: parameters chosen there; " +
          "test tenant = all of train, probed with banking77's test set and every out-of-scope question through SemanticCache.lookup; a hit is correct iff the served answer's intent is the question's (never, out of scope)",
        embedder: { model: new LocalEmbedder().model, weights: DEFAULT_LOCAL_WEIGHTS },
        train: data.train.length,
        fill: data.fill.length,
        validation: data.validation.length,
        test: data.test.length,
        outOfScope: data.oos.length,
        defaultDecision: CACHE_DECISION,
        runs,
        at: new Date().toISOString(),
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
