// The database port: PGlite + pgvector in-process by default, postgres.js when DATABASE_URL is set.
// One PGlite instance per process (a second one on the same data directory corrupts it).
import path from "node:path";
import fs from "node:fs";
import { sql, type SQL, type ExtractTablesWithRelations } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { env } from "@/lib/env";
export { dataRoot } from "@/lib/env";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Either the database or a transaction: queries take this first. */
export type Executor = Db | Tx;

export type DbHandle = {
  db: Db;
  kind: "pglite" | "postgres";
  /** Runs a multi-statement SQL script (seed files) with the simple protocol. */
  exec: (script: string) => Promise<void>;
  close: () => Promise<void>;
};

type Holder = { handle?: Promise<DbHandle> };
const holder: Holder = ((globalThis as { __prismDb?: Holder }).__prismDb ??= {});

export async function openPglite(options: { dataDir?: string; loadDataDir?: Blob | File } = {}) {
  const { PGlite } = await import("@electric-sql/pglite");
  const { vector } = await import("@electric-sql/pglite-pgvector");
  // btree_gist: the bookings' exclusion constraint (resource_id with =, during with &&)
  const { btree_gist } = await import("@electric-sql/pglite/contrib/btree_gist");
  const dataDir = options.dataDir;
  if (dataDir && !dataDir.startsWith("memory://")) fs.mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create({ dataDir, loadDataDir: options.loadDataDir, extensions: { vector, btree_gist } });
  return yieldBeforeQueries(client);
}

/**
 * Statements this process sent to the database, begin and commit included: counted only when
 * PRISMAI_COUNT_STATEMENTS=1 (bench:pipeline reports them per message), so production pays nothing.
 */
export const statementCount: { n: number } = ((globalThis as { __prismStatements?: { n: number } }).__prismStatements ??= { n: 0 });
const counting = () => process.env.PRISMAI_COUNT_STATEMENTS === "1";

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * PGlite runs in this process and settles its queries as microtasks, so a chain of queries never
 * lets Node's event loop turn: no timers, no socket reads, no other request until the chain ends.
 * Waiting one turn before each query keeps the server responsive under load (a 1 ms timer fired 0
 * times during 900 chained queries without this, and about 300 times with it).
 */
function yieldBeforeQueries<C extends { query: unknown; exec: unknown; transaction: unknown }>(client: C): C {
  const wrap = (target: object, name: "query" | "exec") => {
    const original = (target as Record<string, (...args: unknown[]) => Promise<unknown>>)[name]!.bind(target);
    return async (...args: unknown[]) => {
      if (counting()) statementCount.n++;
      await nextTurn();
      return original(...args);
    };
  };
  const c = client as unknown as Record<string, unknown>;
  c.query = wrap(client, "query");
  c.exec = wrap(client, "exec");
  const transaction = (client.transaction as (fn: (tx: object) => Promise<unknown>) => Promise<unknown>).bind(client);
  c.transaction = (fn: (tx: object) => Promise<unknown>) => {
    // PGlite sends begin and commit (or rollback) itself
    if (counting()) statementCount.n += 2;
    return transaction((tx) => {
      const query = wrap(tx, "query");
      const exec = wrap(tx, "exec");
      return fn(
        new Proxy(tx, {
          get(target, prop) {
            if (prop === "query") return query;
            if (prop === "exec") return exec;
            const value = Reflect.get(target, prop, target) as unknown;
            return typeof value === "function" ? value.bind(target) : value;
          },
        }),
      );
    });
  };
  return client;
}

/** Pool size per process: Supabase's transaction pooler multiplexes these onto its own. */
export const POSTGRES_POOL_SIZE = 10;

/**
 * postgres.js exactly as production connects: a pool of POSTGRES_POOL_SIZE connections and, by
 * default, `prepare: false` (Supabase's transaction pooler does not keep prepared statements), so
 * the server parses and plans every statement again. `prepared` (DATABASE_PREPARED_STATEMENTS=1, for
 * a direct or session-mode connection): every statement with parameters is a named prepared
 * statement, planned once per connection.
 */
export function openPostgres(url: string, { max = POSTGRES_POOL_SIZE, prepared = false }: { max?: number; prepared?: boolean } = {}): DbHandle {
  const raw = postgres(url, {
    prepare: prepared,
    max,
    onnotice: () => {},
    ...(counting() ? { debug: () => void statementCount.n++ } : {}),
  });
  const client = prepared ? preparingEveryStatement(raw) : raw;
  const db = drizzlePostgres({ client, schema }) as unknown as Db;
  acceptValuesLikePglite(client.options.serializers);
  return {
    db,
    kind: "postgres",
    exec: async (script) => void (await client.unsafe(script).simple()),
    close: () => client.end({ timeout: 5 }),
  };
}

/**
 * Drizzle asks postgres.js for a prepared statement only for a query given a name (`.prepare(name)`);
 * every other query says `prepare: false` itself. This hands drizzle the client with each query's
 * `prepare` turned on, in transactions and savepoints too. A plan the schema invalidated is
 * prepared again by postgres.js (its retry of RevalidateCachedQuery); connections are replaced after
 * postgres.js's max_lifetime, which bounds the statements each one keeps.
 */
function preparingEveryStatement(client: postgres.Sql): postgres.Sql {
  type Fn = (...args: unknown[]) => unknown;
  const scoped = (method: "begin" | "savepoint", target: postgres.Sql): Fn => (...args) => {
    const fn = args.pop() as (tx: postgres.Sql) => unknown;
    return (target as unknown as Record<typeof method, Fn>)[method]!(...args, (tx: postgres.Sql) => fn(preparingEveryStatement(tx)));
  };
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === "unsafe") {
        return (query: string, args?: unknown[], options?: Record<string, unknown>) =>
          target.unsafe(query, args as postgres.ParameterOrJSON<never>[], args?.length ? { ...options, prepare: true } : options);
      }
      if (prop === "begin" || prop === "savepoint") return scoped(prop, target);
      return Reflect.get(target, prop, receiver);
    },
  });
}

/** Postgres type oids: timestamp, timestamptz, date; json, jsonb. */
const DATE_OIDS = [1114, 1184, 1082] as const;
const JSON_OIDS = [114, 3802] as const;

/**
 * Drizzle makes postgres.js pass dates and json through untouched, because its own columns hand it
 * strings already. Raw `sql` templates hand it whatever the code has: a JS Date (which postgres.js
 * then cannot write: "Received an instance of Date") or a plain object (sent as JSON by PGlite).
 * The server describes each parameter's type before the bind, so serialising by type here makes
 * every raw template accept what PGlite accepts, once, for the whole class. Strings still pass
 * through unchanged, as drizzle expects. Checked value by value on both engines in
 * __tests__/lib/db/values.test.ts.
 */
export function acceptValuesLikePglite(serializers: Record<number, (x: unknown) => unknown>): void {
  for (const oid of DATE_OIDS) {
    serializers[oid] = (x) => (x instanceof Date ? x.toISOString() : x);
  }
  for (const oid of JSON_OIDS) {
    serializers[oid] = (x) => (typeof x === "string" ? x : JSON.stringify(x));
  }
}

async function open(): Promise<DbHandle> {
  const e = env();
  if (e.DATABASE_URL) return openPostgres(e.DATABASE_URL, { prepared: e.DATABASE_PREPARED_STATEMENTS === "1" });
  const dataDir = e.PGLITE_DATA_DIR ?? path.resolve(".data/pglite");
  const client = await openPglite({ dataDir });
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  return { db, kind: "pglite", exec: async (script) => void (await client.exec(script)), close: () => client.close() };
}

/** The process's database, opened on first use. */
export function getDbHandle(): Promise<DbHandle> {
  holder.handle ??= open().catch((err) => {
    holder.handle = undefined;
    throw err;
  });
  return holder.handle;
}

export async function getDb(): Promise<Db> {
  return (await getDbHandle()).db;
}

/** Tests install their own database (a clone of the migrated template). */
export function setDbHandleForTests(handle: DbHandle | undefined): void {
  holder.handle = handle ? Promise.resolve(handle) : undefined;
}

export async function closeDb(): Promise<void> {
  const h = holder.handle;
  holder.handle = undefined;
  if (h) await (await h).close();
}

/** Raw SQL returning rows, the same shape on both drivers. */
export async function rows<T extends Record<string, unknown>>(ex: Executor, query: SQL): Promise<T[]> {
  const result = (await ex.execute(query)) as unknown;
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** A unique key refused the write (23505), as either driver reports it through drizzle (the cause's message). */
export function isUniqueViolation(err: unknown): boolean {
  return /duplicate key|unique constraint/i.test(String((err as { cause?: Error })?.cause?.message ?? (err as Error)?.message ?? ""));
}

/**
 * PostgreSQL's "run it again" errors: a deadlock, where the server rolled back one of two transactions
 * that waited on each other (40P01), and a serialization failure (40001). Two paths that lock the same
 * rows in different orders (a message's triggers, a budget hold, a cost's rollup) can meet this way
 * under load; the transaction that lost is run again from the start instead of failing its request.
 */
const RETRYABLE = new Set(["40P01", "40001"]);
export const TRANSACTION_ATTEMPTS = 4;
/** transactions run again after a deadlock or serialization failure (for tests and benchmarks) */
export const transactionRetries: { n: number } = ((globalThis as { __prismTxRetries?: { n: number } }).__prismTxRetries ??= { n: 0 });

function retryable(err: unknown): boolean {
  let e = err as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++, e = e.cause as typeof e) {
    if (typeof e.code === "string" && RETRYABLE.has(e.code)) return true;
  }
  return false;
}

/**
 * Runs `run` again after a deadlock or serialization failure: a transaction's callback, or a single
 * statement sent on its own (it is a transaction of its own, rolled back whole when it loses).
 */
export async function withRetries<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (attempt >= TRANSACTION_ATTEMPTS || !retryable(err)) throw err;
      transactionRetries.n++;
      // a short, growing, jittered pause so the two do not meet again at once
      await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
    }
  }
}

/**
 * A dashboard transaction: runs as `authenticated` with the user's claims, so row-level security
 * applies on top of the business_id filters every query already has.
 */
export async function withTenant<T>(userId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const db = await getDb();
  return withRetries(() =>
    db.transaction(async (tx) => {
      const claims = JSON.stringify({ sub: userId, role: "authenticated" });
      await tx.execute(sql`select set_config('request.jwt.claims', ${claims}, true)`);
      await tx.execute(sql`set local role authenticated`);
      return fn(tx as Tx);
    }),
  );
}

/** The service path (webhooks, jobs, sign-in): no RLS; every query must filter by business_id itself. */
export async function withService<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  const db = await getDb();
  return withRetries(() => db.transaction(async (tx) => fn(tx as Tx)));
}
