// npm run bench:webhooks — signed Twilio SMS webhooks at a fixed rate against a production build
// (`next build`, then `next start` on 127.0.0.1 with a temporary PGlite data directory, embedded
// adapters: offline responder, local embedder, dev outbox). Open loop: a request leaves every 1/rate
// seconds whatever the previous ones are doing, and its latency counts from the moment it was due,
// so a slow server cannot hide its queue. The floor is GET /api/health (one `select 1` plus the
// migration check) at the same rate in the same run, interleaved. Writes bench/results/webhooks.json.
//
// With --provider meta (npm run bench:meta) the webhooks are Meta's instead: WhatsApp Cloud API and
// Instagram DM notifications alternately, signed with X-Hub-Signature-256 (META_APP_SECRET set on the
// server), to the routes that store the message and acknowledge before answering. Meta asks for a
// median acknowledgement under 250 ms. Writes bench/results/meta-webhooks.json.
//
//   npm run bench:webhooks -- [--rate 3] [--duration 60] [--customers 100] [--warmup 20] [--provider twilio|meta]
//                             [--in-place]   build in this checkout instead of a scratch copy
//                             [--url URL]    bench a server already running (skips build and start)
//
// The build happens in a scratch copy of the app under .data/ so a bench never replaces the .next of
// someone's running server or e2e run; the copy is removed afterwards.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

const argv = process.argv.slice(2);
const opt = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const flag = (name: string) => argv.includes(`--${name}`);
const RATE = Number(opt("rate") ?? 3);
const DURATION_S = Number(opt("duration") ?? 60);
const CUSTOMERS = Number(opt("customers") ?? 100);
const WARMUP = Number(opt("warmup") ?? 20);
const EXTERNAL_URL = opt("url");
const IN_PLACE = flag("in-place");
const PROVIDER = opt("provider") === "meta" ? "meta" : "twilio";
const META_APP_SECRET = crypto.randomBytes(16).toString("hex");
const META = { whatsappPhoneNumberId: "106540352242922", whatsappDisplay: "+15550783881", instagramAccount: "17841405822304914" };
const META_ACK_TARGET_MS = 250;

const ROOT = path.resolve(__dirname, "..");
const OUR_NUMBER = "+15017122661";
const ACCOUNT = { accountSid: `AC${crypto.randomBytes(16).toString("hex")}`, authToken: crypto.randomBytes(16).toString("hex") };
const QUESTIONS = [
  "What are your opening hours?",
  "Where is the clinic?",
  "Do you treat children?",
  "How much is a check-up?",
  "Can I drink alcohol after my tooth extraction?",
  "Do you have parking?",
  "I think I chipped a tooth, what should I do?",
  "Can I book a hygienist appointment for next week?",
];

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : 0);
const r2 = (x: number) => Math.round(x * 100) / 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/**
 * The app's files (tracked and new, .gitignore respected) copied under .data/ (ignored by git, lint
 * and tsc). No lockfile is copied, so Turbopack takes this checkout as the workspace root and
 * resolves packages from its node_modules, as a linked node_modules would not be allowed.
 */
function scratchCopy(dir: string): void {
  const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard", "-z"], { cwd: ROOT, encoding: "utf8" })
    .split("\0")
    .filter(Boolean)
    // Tests, e2e specs and other benches are not part of the app (and must not block its type check).
    .filter((f) => !/^(__tests__|e2e|bench|playwright-report|test-results)\//.test(f) && f !== "package-lock.json");
  for (const f of files) {
    const from = path.join(ROOT, f);
    if (!fs.existsSync(from) || fs.statSync(from).isDirectory()) continue;
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(from, path.join(dir, f));
  }
}

type Sample = { due: number; ms: number; status: number; replied: boolean; error?: string };

function summarise(samples: Sample[]) {
  const ok = samples.filter((s) => s.status === 200);
  const sorted = ok.map((s) => s.ms).sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const s of samples) statuses[s.error ? "network" : String(s.status)] = (statuses[s.error ? "network" : String(s.status)] ?? 0) + 1;
  return {
    sent: samples.length,
    ok: ok.length,
    errors: samples.length - ok.length,
    statuses,
    latencyMs: {
      p50: r2(pct(sorted, 50)),
      p95: r2(pct(sorted, 95)),
      p99: r2(pct(sorted, 99)),
      max: r2(sorted.at(-1) ?? 0),
      mean: r2(sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1)),
    },
  };
}

type Target = { url: string; init: RequestInit; bucket: string };

/**
 * Warm-up (not counted: routes compiled and cached, the PGlite instance open), then the run: a webhook
 * at t = i/rate, the floor half an interval later. `answered` says whether a response carried an answer.
 */
async function openLoop(base: string, next: () => Target, answered: (text: string) => boolean, label: string) {
  const fire = async (url: string, init: RequestInit | undefined, due: number, out: Sample[]) => {
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
      const text = await res.text();
      out.push({ due, ms: performance.now() - due, status: res.status, replied: answered(text) });
    } catch (err) {
      out.push({ due, ms: performance.now() - due, status: 0, replied: false, error: err instanceof Error ? err.message : String(err) });
    }
  };
  const warm: Sample[] = [];
  for (let i = 0; i < WARMUP; i++) {
    const t = next();
    await fire(t.url, t.init, performance.now(), warm);
    await fire(`${base}/api/health`, undefined, performance.now(), warm);
  }
  const warmFailures = warm.filter((x) => x.status !== 200);
  if (warmFailures.length) throw new Error(`warm-up failed: ${JSON.stringify(warmFailures.slice(0, 3))}`);

  const loadBefore = os.loadavg()[0]!;
  const samples: Record<string, Sample[]> = {};
  const floor: Sample[] = [];
  const interval = 1000 / RATE;
  const total = Math.round(RATE * DURATION_S);
  const t0 = performance.now() + 50;
  const inflight: Promise<void>[] = [];
  console.log(`[bench] ${total} ${label} webhooks + ${total} floor requests at ${RATE}/s each for ${DURATION_S} s`);
  for (let i = 0; i < total; i++) {
    const due = t0 + i * interval;
    const dueFloor = due + interval / 2;
    const t = next();
    await sleep(Math.max(0, due - performance.now()));
    inflight.push(fire(t.url, t.init, due, (samples[t.bucket] ??= [])));
    await sleep(Math.max(0, dueFloor - performance.now()));
    inflight.push(fire(`${base}/api/health`, undefined, dueFloor, floor));
  }
  await Promise.all(inflight);
  const wall = (performance.now() - t0) / 1000;
  return { samples, floor, wall, loadBefore };
}

/** What every result file starts with: the benchmark, the machine, the server, the load. */
function header(benchmark: string, run: { wall: number; loadBefore: number }, server: Record<string, unknown>) {
  return {
    benchmark,
    date: new Date().toISOString(),
    machine: {
      node: process.version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? null,
      platform: `${os.platform()} ${os.arch()}`,
      // Other work on the machine moves these figures: the 1-minute load average before and after the run.
      loadAverage: { before: r2(run.loadBefore), after: r2(os.loadavg()[0]!) },
    },
    server: EXTERNAL_URL ? { url: EXTERNAL_URL } : server,
    load: { ratePerSecond: RATE, durationSeconds: DURATION_S, customers: CUSTOMERS, warmup: WARMUP, openLoop: true, wallSeconds: r2(run.wall) },
  };
}

function writeResult(file: string, result: Record<string, unknown>, shown: Record<string, unknown>) {
  const out = path.join(ROOT, "bench", "results", file);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
  console.log(JSON.stringify(shown, null, 2));
  console.log(`[bench] wrote ${path.relative(ROOT, out)}`);
}

/** Meta's webhooks against the server at `base`: WhatsApp and Instagram notifications alternately. */
async function benchMeta(base: string, build: Record<string, unknown>) {
  const { whatsappNotification, instagramNotification } = await import("@/lib/channels/simulator");
  const { metaSignature } = await import("@/lib/channels/meta/app");
  const secret = opt("meta-app-secret") ?? META_APP_SECRET;
  const waChannel = { address: META.whatsappPhoneNumberId, settings: { displayPhoneNumber: META.whatsappDisplay } } as never;
  let seq = 0;
  const next = (): Target => {
    const n = seq++;
    const question = QUESTIONS[n % QUESTIONS.length]!;
    const bucket = n % 2 === 0 ? "whatsapp" : "instagram";
    const body = JSON.stringify(
      bucket === "whatsapp"
        ? whatsappNotification(waChannel, `+1415555${String(1000 + (n % CUSTOMERS)).padStart(4, "0")}`, "Bench customer", question)
        : instagramNotification(META.instagramAccount, String(1784140000000000 + (n % CUSTOMERS)), question),
    );
    const headers = { "content-type": "application/json", "x-hub-signature-256": metaSignature(secret, body), "user-agent": "facebookexternalua" };
    return { bucket, url: `${base}/api/webhooks/meta/${bucket}`, init: { method: "POST", headers, body } };
  };
  const run = await openLoop(base, next, (text) => /"stored":1/.test(text), "Meta");
  const every = [...(run.samples.whatsapp ?? []), ...(run.samples.instagram ?? [])];
  const all = summarise(every);
  const result = {
    ...header("meta-webhooks", run, { mode: "next start (production build), embedded adapters, PGlite in a temporary directory, META_APP_SECRET set", ...build }),
    ack: {
      route: "POST /api/webhooks/meta/{whatsapp,instagram} (X-Hub-Signature-256, Meta's documented payloads): verified, recorded, stored, 200; the answer follows after the response",
      ...all,
      storedInRequest: every.filter((x) => x.replied).length,
      targetMedianMs: META_ACK_TARGET_MS,
      medianUnderTarget: all.latencyMs.p50 < META_ACK_TARGET_MS,
    },
    whatsapp: { route: "POST /api/webhooks/meta/whatsapp", ...summarise(run.samples.whatsapp ?? []) },
    instagram: { route: "POST /api/webhooks/meta/instagram", ...summarise(run.samples.instagram ?? []) },
    floor: { route: "GET /api/health", ...summarise(run.floor) },
  };
  writeResult("meta-webhooks.json", result, { ack: result.ack, floor: result.floor });
}

async function main() {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "prismai-bench-webhooks-"));
  const dataDir = path.join(scratch, "pglite");
  fs.mkdirSync(path.join(ROOT, ".data"), { recursive: true });
  const buildDir = fs.mkdtempSync(path.join(ROOT, ".data", "bench-webhooks-"));
  const secrets = { APP_SECRET: crypto.randomBytes(32).toString("hex"), ENCRYPTION_KEY: crypto.randomBytes(32).toString("base64") };
  // Embedded everything: nothing leaves 127.0.0.1.
  for (const k of Object.keys(process.env)) {
    if (/^(DATABASE_URL|NEXT_PUBLIC_SUPABASE|SUPABASE_|GEMINI_|UPSTASH_|QSTASH_|TWILIO_|RESEND_|EMAIL_FROM|TELEGRAM_|META_)/.test(k)) delete process.env[k];
  }
  Object.assign(process.env, { PGLITE_DATA_DIR: dataDir, DISABLE_SCHEDULER: "1", ...secrets });

  let server: ChildProcess | undefined;
  let base = EXTERNAL_URL?.replace(/\/$/, "");
  let authToken = ACCOUNT.authToken;
  const build: Record<string, unknown> = {};
  try {
    if (!base) {
      // ---- the database the server will open: migrated, the demo clinic, its SMS number
      const { sql } = await import("drizzle-orm");
      const { getDbHandle, closeDb } = await import("@/lib/db/client");
      const { migrate } = await import("@/lib/db/migrate");
      const { seedDemo } = await import("@/lib/db/seed");
      const { DEMO_BUSINESS_ID } = await import("@/lib/db/seed-data");
      const { embedPending } = await import("@/lib/knowledge/indexing");
      const { channels } = await import("@/lib/db/schema");
      const { sealCredentials } = await import("@/lib/channels/twilio/credentials");
      const handle = await getDbHandle();
      await migrate(handle);
      await seedDemo(handle);
      await embedPending(DEMO_BUSINESS_ID);
      // The bench measures the webhook, not the budget or the monthly cap.
      await handle.db.execute(sql`update businesses set limits = limits || '{"monthlyBudgetUsd": 100000, "businessPerMonth": 10000000}'::jsonb where id = ${DEMO_BUSINESS_ID}`);
      await handle.db.insert(channels).values({ businessId: DEMO_BUSINESS_ID, kind: "sms", name: "Bench SMS", address: OUR_NUMBER, credentialsEncrypted: sealCredentials(ACCOUNT) });
      if (PROVIDER === "meta") {
        // Simulated Meta channels (no access token): answers go to the dev outbox, nothing leaves the machine.
        await handle.db.insert(channels).values([
          { businessId: DEMO_BUSINESS_ID, kind: "whatsapp", name: "Bench WhatsApp (Cloud API)", address: META.whatsappPhoneNumberId, settings: { provider: "meta", displayPhoneNumber: META.whatsappDisplay } },
          { businessId: DEMO_BUSINESS_ID, kind: "instagram", name: "Bench Instagram", address: META.instagramAccount, settings: {} },
        ]);
      }
      await closeDb();

      // ---- a production build, then next start on 127.0.0.1
      const appDir = IN_PLACE ? ROOT : buildDir;
      if (!IN_PLACE) scratchCopy(appDir);
      const next = path.join(ROOT, "node_modules", ".bin", "next");
      const started = performance.now();
      console.log(`[bench] next build in ${appDir} …`);
      execFileSync(next, ["build"], { cwd: appDir, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
      build.buildSeconds = r2((performance.now() - started) / 1000);
      build.dir = IN_PLACE ? "in place" : "scratch copy";
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      server = spawn(next, ["start", "-H", "127.0.0.1", "-p", String(port)], {
        cwd: appDir,
        env: { ...process.env, NODE_ENV: "production", APP_URL: base, NEXT_TELEMETRY_DISABLED: "1", ...(PROVIDER === "meta" ? { META_APP_SECRET } : {}) },
        stdio: ["ignore", "pipe", "pipe"],
        detached: false,
      });
      server.stdout?.on("data", (d: Buffer) => process.stdout.write(`[server] ${d}`));
      server.stderr?.on("data", (d: Buffer) => process.stderr.write(`[server] ${d}`));
      const until = Date.now() + 120_000;
      for (;;) {
        const up = await fetch(`${base}/api/health`).then((r) => r.ok, () => false);
        if (up) break;
        if (Date.now() > until || server.exitCode !== null) throw new Error("the server did not become healthy");
        await sleep(500);
      }
    } else if (PROVIDER === "twilio") {
      authToken = opt("auth-token") ?? "";
      if (!authToken) throw new Error("--url needs --auth-token (the SMS channel's) to sign requests");
    }
    if (PROVIDER === "meta") {
      await benchMeta(base!, build);
      return;
    }

    const { twilioSignature, encodeForm } = await import("@/lib/channels/twilio/request");
    const { messagingPayload } = await import("@/lib/channels/simulator");
    const smsUrl = `${base}/api/webhooks/twilio/sms`;
    let seq = 0;
    const smsRequest = () => {
      const n = seq++;
      const fields = messagingPayload({
        kind: "sms",
        accountSid: ACCOUNT.accountSid,
        from: `+1415555${String(1000 + (n % CUSTOMERS)).padStart(4, "0")}`,
        fromCountry: "US",
        to: OUR_NUMBER,
        body: QUESTIONS[n % QUESTIONS.length]!,
      });
      return {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": twilioSignature(authToken, smsUrl, fields), "user-agent": "TwilioProxy/1.1" },
        body: encodeForm(fields),
      };
    };

    const run = await openLoop(base!, () => ({ bucket: "sms", url: smsUrl, init: smsRequest() }), (text) => text.includes("<Message"), "SMS");
    const sms = run.samples.sms ?? [];
    const smsSummary = summarise(sms);
    const floorSummary = summarise(run.floor);
    const result = {
      ...header("webhooks", run, { mode: "next start (production build), embedded adapters, PGlite in a temporary directory", ...build }),
      sms: {
        route: "POST /api/webhooks/twilio/sms (signed, Twilio's documented payload)",
        ...smsSummary,
        answeredInTwiml: sms.filter((x) => x.replied).length,
        acknowledgedWithoutReply: sms.filter((x) => x.status === 200 && !x.replied).length,
      },
      floor: { route: "GET /api/health", ...floorSummary },
      overheadMs: {
        p50: r2(smsSummary.latencyMs.p50 - floorSummary.latencyMs.p50),
        p95: r2(smsSummary.latencyMs.p95 - floorSummary.latencyMs.p95),
        p99: r2(smsSummary.latencyMs.p99 - floorSummary.latencyMs.p99),
      },
      twilioTimeoutMs: 15_000,
    };
    writeResult("webhooks.json", result, { sms: result.sms, floor: result.floor, overheadMs: result.overheadMs });
  } finally {
    if (server && server.exitCode === null) {
      server.kill("SIGTERM");
      await new Promise((r) => server!.once("exit", r));
    }
    fs.rmSync(scratch, { recursive: true, force: true });
    fs.rmSync(buildDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error("[bench] failed:", err instanceof Error ? err.message : err);
  process.exit(1);
});
