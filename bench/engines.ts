// The database engines a benchmark runs on: `--db pglite`, `--db postgres` or both (the default), so
// one run reports both side by side. PostgreSQL is the server scripts/test-services.sh starts (the
// npm bench scripts run through it) or PRISMAI_BENCH_PG_URL; each run gets a fresh database on it.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import type { DbHandle } from "@/lib/db/client";

export type BenchEngine = "pglite" | "postgres";

export function enginesFromArgs(argv = process.argv.slice(2)): BenchEngine[] {
  const i = argv.indexOf("--db");
  const value = i >= 0 ? argv[i + 1] : "both";
  if (value === "both") return ["pglite", "postgres"];
  if (value === "pglite" || value === "postgres") return [value];
  throw new Error(`--db takes pglite, postgres or both (got ${value ?? "nothing"})`);
}

function serverUrl(): string {
  const url = process.env.PRISMAI_BENCH_PG_URL ?? process.env.PRISMAI_TEST_PG_URL;
  if (!url) throw new Error("PostgreSQL benchmarks need a server: run the npm bench script (it starts one) or set PRISMAI_BENCH_PG_URL");
  return url;
}

export type BenchDatabase = {
  engine: BenchEngine;
  /** what the app's environment needs to use this database (PGLITE_DATA_DIR or DATABASE_URL) */
  env: Record<string, string>;
  describe: string;
  /** opens a handle of its own (the benchmark's set-up and counting, outside the server) */
  open(): Promise<DbHandle>;
  drop(): Promise<void>;
};

/** A fresh, empty database on the engine; migrate it through the handle `open()` gives. */
export async function freshDatabase(engine: BenchEngine, label: string): Promise<BenchDatabase> {
  const { openPglite, openPostgres } = await import("@/lib/db/client");
  if (engine === "pglite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `prismai-bench-${label}-`));
    const dataDir = path.join(dir, "pglite");
    return {
      engine,
      env: { PGLITE_DATA_DIR: dataDir },
      describe: "PGlite (embedded, in-process WebAssembly)",
      async open() {
        const { drizzle } = await import("drizzle-orm/pglite");
        const schema = await import("@/lib/db/schema");
        const client = await openPglite({ dataDir });
        const db = drizzle({ client, schema }) as unknown as DbHandle["db"];
        return { db, kind: "pglite", exec: async (s) => void (await client.exec(s)), close: () => client.close() };
      },
      async drop() {
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const server = serverUrl();
  const name = `bench_${label.replace(/[^a-z0-9_]/gi, "_")}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name}`);
  const [version] = await admin.unsafe<{ v: string }[]>(`select current_setting('server_version') as v`);
  await admin.end({ timeout: 5 });
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    engine,
    env: { DATABASE_URL: url.toString() },
    describe: `PostgreSQL ${version?.v ?? ""} + pgvector on 127.0.0.1 through postgres.js (prepare: false, pool of 10)`,
    async open() {
      return openPostgres(url.toString());
    },
    async drop() {
      const a = postgres(server, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end({ timeout: 5 });
    },
  };
}

/** The machine's load when a figure was measured, for the JSON beside it. */
export function machine() {
  return { cpus: os.cpus().length, node: process.version, loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100 };
}

/**
 * Runs this benchmark's own file again as a child (`--child` plus `args`: fresh modules and a fresh
 * database per run) and returns the result it printed on its `RESULT {json}` line.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each benchmark reads its own result's fields
export function runChild<T = Record<string, any>>(args: string[], label: string): T {
  const out = execFileSync(process.execPath, [...process.execArgv, process.argv[1]!, "--child", ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = out.split("\n").find((l: string) => l.startsWith("RESULT "));
  if (!line) throw new Error(`the ${label} run printed no result:\n${out.slice(-2000)}`);
  return JSON.parse(line.slice(7)) as T;
}

/** Writes bench/results/<name>.json and prints it. */
export function writeResult(name: string, result: unknown): void {
  fs.mkdirSync("bench/results", { recursive: true });
  fs.writeFileSync(path.join("bench/results", `${name}.json`), JSON.stringify(result, null, 2) + "\n");
  console.log(JSON.stringify(result, null, 2));
}

/** A numeric `--name value` option of this benchmark, or `fallback`. */
export function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/**
 * CPU seconds the local PostgreSQL server has spent so far: the postmaster, its live processes
 * (backends, WAL writer, checkpointer…) and the processes it has reaped (their time is in its
 * cutime/cstime). Read from /proc, so only for a server on this machine (the bench scripts start
 * one); null when it is elsewhere or /proc cannot be read. Beside wall time it says what a message
 * costs the server whatever else the machine is doing.
 */
export function serverCpuSeconds(backendPid: number): number | null {
  const stat = (pid: number) => {
    try {
      // fields after the command's closing parenthesis: state is field 3, so index i here is field i + 3
      const s = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      return s.slice(s.lastIndexOf(")") + 2).split(" ");
    } catch {
      return null;
    }
  };
  const backend = stat(backendPid);
  if (!backend) return null;
  const postmaster = Number(backend[1]);
  const own = stat(postmaster);
  if (!own) return null;
  const ticks = (f: string[], ...fields: number[]) => fields.reduce((sum, n) => sum + Number(f[n - 3]), 0);
  let total = ticks(own, 14, 15, 16, 17);
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const f = stat(Number(entry));
    if (f && Number(f[1]) === postmaster) total += ticks(f, 14, 15);
  }
  return total / 100;
}
