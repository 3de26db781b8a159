// A fresh database per suite on the engine this jest project runs: PGlite cloned from the migrated
// template's dump, or a PostgreSQL database created from the migrated template database and opened
// through the production code path (DATABASE_URL → postgres.js, prepare: false, a pool of 10).
import fs from "node:fs";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { drizzle } from "drizzle-orm/pglite";
import * as schema from "@/lib/db/schema";
import { closeDb, getDbHandle, openPglite, setDbHandleForTests, type Db, type DbHandle } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { deferredIdle } from "@/lib/pipeline/defer";
import { PG_TEMPLATE_DB, withDatabase, type Engine } from "./engines";

/** The engine of the jest project this suite runs in. */
export function testEngine(): Engine {
  return process.env.PRISMAI_TEST_ENGINE === "postgres" ? "postgres" : "pglite";
}

/** The test server's admin URL (postgres project only). */
export function testServerUrl(): string {
  const url = process.env.PRISMAI_TEST_PG_URL;
  if (!url) throw new Error("PRISMAI_TEST_PG_URL is not set: run through `npm test` (scripts/test-services.sh)");
  return url;
}

/** Runs one statement on the server's maintenance database (create/drop database). */
export async function onServer<T>(fn: (admin: postgres.Sql) => Promise<T>): Promise<T> {
  const admin = postgres(testServerUrl(), { max: 1, onnotice: () => {} });
  try {
    return await fn(admin);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/** A new, migrated, empty database on the test server; its URL. */
export async function createServerDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `t_${process.pid}_${randomBytes(4).toString("hex")}`;
  for (let attempt = 0; ; attempt++) {
    try {
      await onServer((admin) => admin.unsafe(`create database ${name} template ${PG_TEMPLATE_DB}`));
      break;
    } catch (err) {
      // Two workers copying the template at the same instant: the second is told it is in use.
      if (attempt < 20 && /being accessed by other users/.test(String(err))) {
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
        continue;
      }
      throw err;
    }
  }
  return {
    url: withDatabase(testServerUrl(), name),
    name,
    drop: () => onServer((admin) => admin.unsafe(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

/** Suites close their database in their own afterAll and again in helpers/teardown.ts: once is enough. */
/** Work deferred past a response (answers' memories, cache writes) finishes before its database goes. */
function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= deferredIdle().then(fn));
}

export async function useTestDb(): Promise<DbHandle> {
  await closeDb();
  if (testEngine() === "postgres") {
    const database = await createServerDatabase();
    process.env.DATABASE_URL = database.url;
    resetEnvForTests();
    const handle = await getDbHandle();
    const close = handle.close;
    handle.close = once(async () => {
      await close();
      await database.drop();
    });
    return handle;
  }
  delete process.env.DATABASE_URL;
  resetEnvForTests();
  const file = process.env.PRISMAI_TEMPLATE_DB;
  if (!file) throw new Error("PRISMAI_TEMPLATE_DB is not set: run through jest's globalSetup");
  const client = await openPglite({ loadDataDir: new Blob([fs.readFileSync(file)]) });
  const db = drizzle({ client, schema }) as unknown as Db;
  const handle: DbHandle = { db, kind: "pglite", exec: async (s) => void (await client.exec(s)), close: once(() => client.close()) };
  setDbHandleForTests(handle);
  return handle;
}
