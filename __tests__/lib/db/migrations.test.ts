import path from "node:path";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import { openPglite, openPostgres, rows, type Db, type DbHandle } from "@/lib/db/client";
import { journal, migrate, migrationStatus, MIGRATIONS_FOLDER } from "@/lib/db/migrate";
import { TENANT_TABLES } from "@/lib/db/schema";
import { onServer, testEngine, testServerUrl } from "../../helpers/db";
import { withDatabase } from "../../helpers/engines";

/** An empty database, no migrations applied, on this project's engine. */
async function emptyDatabase(): Promise<DbHandle> {
  if (testEngine() === "postgres") {
    const name = `empty_${process.pid}`;
    await onServer(async (admin) => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.unsafe(`create database ${name}`);
    });
    const handle = openPostgres(withDatabase(testServerUrl(), name));
    const close = handle.close;
    return { ...handle, close: async () => { await close(); await onServer((admin) => admin.unsafe(`drop database ${name} with (force)`)); } };
  }
  const client = await openPglite();
  const db = drizzle({ client }) as unknown as Db;
  return { db, kind: "pglite", exec: async (s: string) => void (await client.exec(s)), close: () => client.close() };
}

describe("migrations", () => {
  it("apply to an empty database from zero, then re-run as a no-op", async () => {
    const handle = await emptyDatabase();
    const db = handle.db;
    expect(await migrationStatus(handle)).toMatchObject({ applied: 0, current: false });
    await migrate(handle);
    const status = await migrationStatus(handle);
    expect(status.current).toBe(true);
    expect(status.applied).toBe(journal().entries.length);
    await migrate(handle); // re-run
    expect((await migrationStatus(handle)).applied).toBe(status.applied);

    const rls = await rows<{ relname: string; relrowsecurity: boolean }>(
      db,
      sql`select relname, relrowsecurity from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r'`,
    );
    const byName = new Map(rls.map((r) => [r.relname, r.relrowsecurity]));
    for (const table of TENANT_TABLES) expect([table, byName.get(table)]).toEqual([table, true]);

    const hnsw = await rows<{ indexname: string }>(
      db,
      sql`select indexname from pg_indexes where indexdef ilike '%using hnsw%vector_cosine_ops%' order by 1`,
    );
    expect(hnsw.map((r) => r.indexname)).toEqual([
      "faqs_embedding_idx",
      "knowledge_chunks_embedding_idx",
      "memories_embedding_idx",
      "response_cache_embedding_idx",
    ]);
    const dims = await rows<{ t: string }>(
      db,
      sql`select format_type(atttypid, atttypmod) as t from pg_attribute where attrelid = 'memories'::regclass and attname = 'embedding'`,
    );
    expect(dims[0]?.t).toBe("vector(768)");
    await handle.close();
  });

  it("keep the folder and the journal in step", () => {
    const fs = require("node:fs") as typeof import("node:fs");
    const files = fs.readdirSync(MIGRATIONS_FOLDER).filter((f) => f.endsWith(".sql")).sort();
    expect(files.map((f) => path.basename(f, ".sql"))).toEqual(journal().entries.map((e) => e.tag));
  });
});
