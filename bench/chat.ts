// npm run bench:chat — N simulated visitors (default 200) each send M messages (default 5) through
// the chat HTTP API of a production build (`next build` + `next start` on 127.0.0.1), once per
// database engine (--db pglite|postgres|both, default both: the embedded PGlite in a temp directory,
// and a fresh database on the PostgreSQL server the npm script starts), the language model answering after a fixed delay (the
// PRISMAI_BENCH_MODEL_DELAY_MS hook of lib/env.ts). Measures messages per second, time to first token
// and to the full answer (p50/p95/p99), errors, and in the same run the floor: a route that returns at
// once (Next's automatic OPTIONS on the chat route), idle and under load. Afterwards it counts in the
// database that no message was lost and none answered twice. Writes bench/results/chat.json.
//
// The build is made in a copy of the working tree under the system temp dir (node_modules hard-linked),
// so the checkout's own .next — a dev server, an e2e run — is left alone.
// Options: --visitors 200 --messages 5 --delay 250 (model ms) --think 300 (max ms between a visitor's
// messages) --think-min 0 (min ms between them) --ramp 2000 (ms over which visitors arrive) --port 3290
// --reuse-build --db both
// --paced: people typing (issue #14): 200 visitors × 5 messages, the model answering after 250 ms, each
// visitor pausing 3–10 s between messages (about 30 messages/s offered), arrivals spread over one mean
// pause (6.5 s); any option given explicitly still wins. Without --paced and with --think 0 the run is
// closed-loop: the saturated throughput.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ChatEventParser } from "@/lib/chat/protocol";
import { enginesFromArgs, freshDatabase, machine, type BenchDatabase } from "./engines";

const argv = process.argv.slice(2);
const num = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a number`);
  return v;
};
const PACED = argv.includes("--paced");
const VISITORS = num("visitors", 200);
const MESSAGES = num("messages", 5);
const DELAY_MS = num("delay", 250);
const THINK_MS = num("think", PACED ? 10_000 : 300);
const THINK_MIN_MS = Math.min(num("think-min", PACED ? 3_000 : 0), THINK_MS);
const RAMP_MS = num("ramp", PACED ? 6_500 : 2000);
const PORT = num("port", 3290);
const REUSE_BUILD = argv.includes("--reuse-build");
const SLUG = "demo-dental";
const BASE = `http://127.0.0.1:${PORT}`;

const ROOT = process.cwd();
const BUILD_DIR = path.join(os.tmpdir(), "prismai-bench-chat-build");
const DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "prismai-bench-chat-data-"));
// In production mode a server database needs both; fixed values for the benchmark's own database.
const SECRETS = { ENCRYPTION_KEY: Buffer.alloc(32, 5).toString("base64"), APP_SECRET: "bench-app-secret-bench-app-secret-0123456789" };

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : 0;
};
const round = (x: number) => Math.round(x * 10) / 10;
const stats = (xs: number[]) => ({ n: xs.length, p50: round(pct(xs, 50)), p95: round(pct(xs, 95)), p99: round(pct(xs, 99)), max: round(xs.length ? Math.max(...xs) : 0) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => process.stdout.write(`[bench:chat] ${line}\n`);

// ---------------------------------------------------------------- build, database, server

function build() {
  if (REUSE_BUILD && fs.existsSync(path.join(BUILD_DIR, ".next", "BUILD_ID"))) {
    log(`reusing the build in ${BUILD_DIR}`);
    return;
  }
  log(`copying the working tree to ${BUILD_DIR} and building (next build)…`);
  fs.rmSync(BUILD_DIR, { recursive: true, force: true });
  fs.mkdirSync(BUILD_DIR, { recursive: true });
  execFileSync("sh", [
    "-c",
    `tar --exclude=./node_modules --exclude=./.next --exclude=./.data --exclude=./.git --exclude=./tsconfig.tsbuildinfo -cf - . | tar -xf - -C "${BUILD_DIR}" && cp -al node_modules "${BUILD_DIR}/node_modules"`,
  ], { cwd: ROOT, stdio: "inherit" });
  execFileSync("env", ["NEXT_TELEMETRY_DISABLED=1", process.execPath, "node_modules/next/dist/bin/next", "build"], { cwd: BUILD_DIR, stdio: "inherit" });
}

/** Migrates and seeds the demo clinic, with limits that leave room for the run (it measures throughput). */
async function prepareDatabase(database: BenchDatabase) {
  const { sql } = await import("drizzle-orm");
  const { migrate } = await import("@/lib/db/migrate");
  const { seedDemo } = await import("@/lib/db/seed");
  const { DEMO_BUSINESS_ID } = await import("@/lib/db/seed-data");
  const handle = await database.open();
  await migrate(handle);
  await seedDemo(handle);
  const limits = { customerPerDay: 1_000_000, customerMinIntervalSeconds: 0, ipPerMinute: 0, businessPerMonth: 100_000_000, monthlyBudgetUsd: 100_000, autoPause: true };
  await handle.db.execute(sql`update businesses set limits = ${JSON.stringify(limits)}::jsonb where id = ${DEMO_BUSINESS_ID}`);
  await handle.close();
}

function startServer(database: BenchDatabase): ChildProcess {
  const vars = [
    ...Object.entries({ ...database.env, ...(database.engine === "postgres" ? SECRETS : {}) }).map(([k, v]) => `${k}=${v}`),
    `APP_URL=${BASE}`,
    `PRISMAI_BENCH_MODEL_DELAY_MS=${DELAY_MS}`,
    "NEXT_TELEMETRY_DISABLED=1",
    "NODE_ENV=production",
  ];
  const child = spawn("env", [...vars, process.execPath, "node_modules/next/dist/bin/next", "start", "-p", String(PORT), "-H", "127.0.0.1"], {
    cwd: BUILD_DIR,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const out = fs.createWriteStream(path.join(DATA_DIR, "server.log"));
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  return child;
}

async function stopServer(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  process.kill(-child.pid!, "SIGTERM");
  await Promise.race([exited, sleep(15_000)]);
  if (child.exitCode === null) process.kill(-child.pid!, "SIGKILL");
}

async function waitHealthy() {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${BASE}/api/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(500);
  }
  throw new Error(`the server did not become healthy; see ${path.join(DATA_DIR, "server.log")}`);
}

// ---------------------------------------------------------------- the load

function questions(): string[] {
  const file = path.resolve(ROOT, "../shared/data/banking77/test.csv");
  const fallback = [
    "Do you have any appointments next Tuesday afternoon?",
    "My crown feels loose after eating, what should I do?",
    "Can my daughter come to the same appointment as me?",
    "Is the car park free on Saturdays?",
    "I need to move my hygienist visit to next month",
  ];
  if (!fs.existsSync(file)) return fallback;
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .slice(1)
    .map((l) => l.replace(/,[a-z_]+$/, "").replace(/^"|"$/g, "").trim())
    .filter((t) => t.length > 8);
}

type Outcome = { clientId: string; status: number; accepted: boolean; ttftMs: number | null; fullMs: number | null; error: string | null; source: string };

async function floorOnce(): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${BASE}/api/chat/${SLUG}/messages`, { method: "OPTIONS" });
  await res.arrayBuffer();
  if (res.status >= 400) throw new Error(`floor route answered ${res.status}`);
  return performance.now() - t0;
}

async function newSession(): Promise<{ token: string; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${BASE}/api/chat/${SLUG}/session`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  const body = (await res.json()) as { token?: string; error?: { message: string } };
  if (!res.ok || !body.token) throw new Error(`session: ${res.status} ${body.error?.message ?? ""}`);
  return { token: body.token, ms: performance.now() - t0 };
}

async function sendOne(token: string, text: string, clientId: string): Promise<Outcome> {
  const t0 = performance.now();
  const out: Outcome = { clientId, status: 0, accepted: false, ttftMs: null, fullMs: null, error: null, source: "none" };
  try {
    const res = await fetch(`${BASE}/api/chat/${SLUG}/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ text, clientId }),
    });
    out.status = res.status;
    if (!res.ok || !res.body) {
      const body = (await res.json().catch(() => null)) as { error?: { code: string } } | null;
      out.error = `http ${res.status}${body?.error ? ` ${body.error.code}` : ""}`;
      return out;
    }
    const parser = new ChatEventParser();
    const decoder = new TextDecoder();
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const e of parser.push(decoder.decode(value, { stream: true }))) {
        const now = performance.now() - t0;
        if (e.type === "accepted") out.accepted = true;
        else if (e.type === "delta" && out.ttftMs === null) out.ttftMs = now;
        else if (e.type === "error") out.error = "error event";
        else if (e.type === "done") {
          out.fullMs = now;
          if (out.ttftMs === null && e.reply) out.ttftMs = now;
          out.source = e.reply ? "answered" : `no_reply:${e.noReply?.reason ?? "unknown"}`;
        }
      }
    }
    if (out.fullMs === null && !out.error) out.error = "stream ended without done";
  } catch (err) {
    out.error = `network: ${err instanceof Error ? err.message : String(err)}`;
  }
  return out;
}

// ---------------------------------------------------------------- counting in the database

async function countInDatabase(database: BenchDatabase, sentIds: string[]) {
  const { sql } = await import("drizzle-orm");
  const { rows } = await import("@/lib/db/client");
  const handle = await database.open();
  const db = handle.db;
  try {
    const stored = await rows<{ id: string; client_id: string; outcome: string | null; replies: number; sources: string[] | null }>(
      db,
      sql`select m.id, split_part(m.provider_message_id, ':', 2) as client_id, m.metadata->>'outcome' as outcome,
                 (select count(*)::int from messages r where r.reply_to_id = m.id) as replies,
                 (select array_agg(r.source::text) from messages r where r.reply_to_id = m.id) as sources
          from messages m where m.role = 'customer' and m.provider_message_id like '%:bench-%'`,
    );
    const storedIds = new Set(stored.map((s) => s.client_id));
    const bySource: Record<string, number> = {};
    const noReply: Record<string, number> = {};
    for (const s of stored) {
      for (const src of s.sources ?? []) bySource[src] = (bySource[src] ?? 0) + 1;
      if (!s.replies) noReply[s.outcome ?? "none (never answered)"] = (noReply[s.outcome ?? "none (never answered)"] ?? 0) + 1;
    }
    const [costs] = await rows<{ events: number; usd: string }>(db, sql`select count(*)::int as events, coalesce(sum(cost_usd), 0) as usd from cost_events where kind = 'model'`);
    return {
      sentByVisitors: sentIds.length,
      storedCustomerMessages: stored.length,
      lost: sentIds.filter((id) => !storedIds.has(id)).length,
      storedTwice: stored.length - storedIds.size,
      answered: stored.filter((s) => s.replies === 1).length,
      answeredTwice: stored.filter((s) => s.replies > 1).length,
      withoutReply: noReply,
      answerSources: bySource,
      modelCostEvents: costs?.events ?? 0,
      modelCostUsd: Number(costs?.usd ?? 0),
    };
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------- main

async function main() {
  build();
  const runs = [];
  for (const engine of enginesFromArgs(argv)) {
    const database = await freshDatabase(engine, "chat");
    try {
      runs.push(await runOn(database));
    } finally {
      await database.drop();
    }
  }
  const result = { benchmark: "chat", at: new Date().toISOString(), machine: machine(), runs };
  fs.mkdirSync(path.join(ROOT, "bench/results"), { recursive: true });
  fs.writeFileSync(path.join(ROOT, "bench/results/chat.json"), JSON.stringify(result, null, 2) + "\n");
  console.log(JSON.stringify(result, null, 2));
  if (runs.some((r) => r.database.lost || r.database.answeredTwice || r.database.storedTwice)) process.exitCode = 1;
  fs.rmSync(DATA_DIR, { recursive: true, force: true });
}

async function runOn(db: BenchDatabase) {
  await prepareDatabase(db);
  log(`${db.engine}: starting next start on ${BASE} (model delay ${DELAY_MS} ms)…`);
  const server = startServer(db);
  const stop = () => void stopServer(server);
  process.once("SIGINT", stop);
  try {
    await waitHealthy();
    // warm up: the first requests compile nothing in production, but open the database and caches
    for (let i = 0; i < 20; i++) await floorOnce();
    const idleFloor: number[] = [];
    for (let i = 0; i < 200; i++) idleFloor.push(await floorOnce());

    log(`${VISITORS} visitors × ${MESSAGES} messages…`);
    const texts = questions();
    const sessions: number[] = [];
    const outcomes: Outcome[] = [];
    const sentIds: string[] = [];
    const loadFloor: number[] = [];
    const floorTimeline: { at: number; ms: number }[] = [];
    const sessionTimeline: { at: number; ms: number }[] = [];
    let running = true;
    let lastReport = 0;
    const started = performance.now();
    const sampler = (async () => {
      while (running) {
        const at = performance.now() - started;
        const ms = await floorOnce().catch(() => NaN);
        loadFloor.push(ms);
        floorTimeline.push({ at, ms });
        await sleep(250);
      }
    })();
    await Promise.all(
      Array.from({ length: VISITORS }, async (_, v) => {
        await sleep((RAMP_MS * v) / Math.max(1, VISITORS));
        let token: string;
        try {
          const at = performance.now() - started;
          const s = await newSession();
          sessions.push(s.ms);
          sessionTimeline.push({ at, ms: s.ms });
          token = s.token;
        } catch (err) {
          for (let m = 0; m < MESSAGES; m++) outcomes.push({ clientId: "", status: 0, accepted: false, ttftMs: null, fullMs: null, error: err instanceof Error ? err.message : String(err), source: "none" });
          return;
        }
        for (let m = 0; m < MESSAGES; m++) {
          const clientId = `bench-${v}-${m}-${Math.random().toString(36).slice(2, 8)}`;
          const text = texts[(v * MESSAGES + m) % texts.length]!;
          const o = await sendOne(token, text, clientId);
          if (o.accepted || o.status === 429) sentIds.push(clientId);
          outcomes.push(o);
          if (performance.now() - lastReport > 5000) {
            lastReport = performance.now();
            log(`${outcomes.length}/${VISITORS * MESSAGES} messages answered…`);
          }
          if (THINK_MS && m < MESSAGES - 1) await sleep(THINK_MIN_MS + Math.random() * (THINK_MS - THINK_MIN_MS));
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    running = false;
    await sampler;
    await stopServer(server);

    const ok = outcomes.filter((o) => !o.error);
    const errors: Record<string, number> = {};
    for (const o of outcomes.filter((x) => x.error)) errors[o.error!] = (errors[o.error!] ?? 0) + 1;
    const streamed: Record<string, number> = {};
    for (const o of ok) streamed[o.source] = (streamed[o.source] ?? 0) + 1;
    const database = await countInDatabase(db, sentIds);
    const floorUnderLoad = loadFloor.filter((x) => Number.isFinite(x));
    // the slowest floor request started in each 10-second window: where the server stalled
    const windows: Record<string, number> = {};
    for (const f of floorTimeline) {
      const key = `${Math.floor(f.at / 10_000) * 10}s`;
      windows[key] = round(Math.max(windows[key] ?? 0, Number.isFinite(f.ms) ? f.ms : 0));
    }
    fs.copyFileSync(path.join(DATA_DIR, "server.log"), path.join(os.tmpdir(), `prismai-bench-chat-server-${db.engine}.log`));
    fs.writeFileSync(path.join(os.tmpdir(), `prismai-bench-chat-timeline-${db.engine}.json`), JSON.stringify({ floorTimeline, sessionTimeline, outcomes }, null, 1));

    return {
      engine: db.engine,
      loadAverage1m: machine().loadAverage1m,
      config: {
        visitors: VISITORS,
        messagesPerVisitor: MESSAGES,
        modelDelayMs: DELAY_MS,
        mode: PACED ? "paced (people typing)" : THINK_MS ? "think time" : "closed loop (saturated)",
        thinkMsMin: THINK_MIN_MS,
        thinkMsMax: THINK_MS,
        rampMs: RAMP_MS,
        server: `next start (production build) on 127.0.0.1, ${db.describe}, in-process limiter and cache`,
        model: "delayed echo (PRISMAI_BENCH_MODEL_DELAY_MS), streamed word by word, priced as gemini-2.5-flash-lite",
        live: "HTTP POST streaming server-sent events; nothing else polled during the run",
      },
      messages: { sent: outcomes.length, ok: ok.length, errors: outcomes.length - ok.length, errorKinds: errors, outcomes: streamed },
      throughput: { elapsedSeconds: round(elapsed), messagesPerSecond: round(ok.length / elapsed) },
      timeToFirstTokenMs: stats(ok.flatMap((o) => (o.ttftMs === null ? [] : [o.ttftMs]))),
      fullAnswerMs: stats(ok.flatMap((o) => (o.fullMs === null ? [] : [o.fullMs]))),
      newSessionMs: stats(sessions),
      floor: {
        route: `OPTIONS /api/chat/${SLUG}/messages (answered by Next without app code)`,
        idleMs: stats(idleFloor),
        underLoadMs: stats(floorUnderLoad),
        slowestPer10s: windows,
      },
      database,
    };
  } finally {
    await stopServer(server);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
