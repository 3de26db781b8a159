import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import { openPglite, openPostgres, rows, type Db, type DbHandle } from "@/lib/db/client";
import { journal, migrate, migrationStatus, MIGRATIONS_FOLDER } from "@/lib/db/migrate";
import { TENANT_TABLES } from "@/lib/db/schema";
import { contentHash } from "@/lib/db/knowledge";
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
      // none on memories: a customer's memories are found by memories_customer_idx and ranked exactly
      "response_cache_embedding_idx",
    ]);
    const dims = await rows<{ t: string }>(
      db,
      sql`select format_type(atttypid, atttypmod) as t from pg_attribute where attrelid = 'memories'::regclass and attname = 'embedding'`,
    );
    expect(dims[0]?.t).toBe("vector(768)");
    // a customer's memories are read row by row for recall: their 3 KB vectors stay in the row, not in TOAST
    const storage = await rows<{ s: string }>(db, sql`select attstorage as s from pg_attribute where attrelid = 'memories'::regclass and attname = 'embedding'`);
    expect(storage[0]?.s).toBe("p");
    await handle.close();
  });

  it("knowledge_content_hash keeps every document: the oldest copy of a text takes the hash, later copies none", async () => {
    const fs = require("node:fs") as typeof import("node:fs");
    const os = require("node:os") as typeof import("node:os");
    const entries = journal().entries;
    const at = entries.findIndex((e) => e.tag.endsWith("_knowledge_content_hash"));
    expect(at).toBeGreaterThan(0);
    // The migrations before it, as a folder of their own.
    const before = fs.mkdtempSync(path.join(os.tmpdir(), "prismai-migrations-"));
    fs.mkdirSync(path.join(before, "meta"));
    for (const e of entries.slice(0, at)) fs.copyFileSync(path.join(MIGRATIONS_FOLDER, `${e.tag}.sql`), path.join(before, `${e.tag}.sql`));
    const full = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, "meta/_journal.json"), "utf8")) as { entries: unknown[] };
    fs.writeFileSync(path.join(before, "meta/_journal.json"), JSON.stringify({ ...full, entries: full.entries.slice(0, at) }));

    const handle = await emptyDatabase();
    try {
      await migrate(handle, before);
      const db = handle.db;
      await db.execute(sql`insert into businesses (id, slug, name) values ('00000000-0000-4000-8000-0000000000b1', 'one', 'One'), ('00000000-0000-4000-8000-0000000000b2', 'two', 'Two')`);
      await db.execute(sql`insert into knowledge_documents (id, business_id, title, content, status, created_at) values
        ('00000000-0000-4000-8000-0000000000d1', '00000000-0000-4000-8000-0000000000b1', 'Fees', 'A check-up is £55.', 'ready', now() - interval '2 days'),
        ('00000000-0000-4000-8000-0000000000d2', '00000000-0000-4000-8000-0000000000b1', 'Fees (again)', 'A check-up is £55.', 'ready', now() - interval '1 day'),
        ('00000000-0000-4000-8000-0000000000d3', '00000000-0000-4000-8000-0000000000b1', 'Hours', 'Open 8 to 6.', 'ready', now()),
        ('00000000-0000-4000-8000-0000000000d4', '00000000-0000-4000-8000-0000000000b1', 'scan', '', 'failed', now()),
        ('00000000-0000-4000-8000-0000000000d5', '00000000-0000-4000-8000-0000000000b2', 'Fees', 'A check-up is £55.', 'ready', now())`);
      await migrate(handle);
      const docs = await rows<{ id: string; content_hash: string | null }>(db, sql`select id, content_hash from knowledge_documents order by id`);
      const hash = contentHash("A check-up is £55.");
      expect(docs).toEqual([
        { id: "00000000-0000-4000-8000-0000000000d1", content_hash: hash },
        { id: "00000000-0000-4000-8000-0000000000d2", content_hash: null },
        { id: "00000000-0000-4000-8000-0000000000d3", content_hash: contentHash("Open 8 to 6.") },
        { id: "00000000-0000-4000-8000-0000000000d4", content_hash: null },
        { id: "00000000-0000-4000-8000-0000000000d5", content_hash: hash },
      ]);
      await expect(
        db.execute(sql`insert into knowledge_documents (business_id, title, content, content_hash) values ('00000000-0000-4000-8000-0000000000b1', 'Copy', 'A check-up is £55.', ${hash})`),
      ).rejects.toThrow();
    } finally {
      await handle.close();
      fs.rmSync(before, { recursive: true, force: true });
    }
  });

  it("keep the folder and the journal in step", () => {
    const fs = require("node:fs") as typeof import("node:fs");
    const files = fs.readdirSync(MIGRATIONS_FOLDER).filter((f) => f.endsWith(".sql")).sort();
    expect(files.map((f) => path.basename(f, ".sql"))).toEqual(journal().entries.map((e) => e.tag));
  });

  it("fold duplicate pending invitations into the newest before allowing one per address", async () => {
    // The migrations up to the one that adds the unique index, in a folder of their own.
    const entries = journal().entries;
    const at = entries.findIndex((e) => e.tag.endsWith("_invitations_pending_unique"));
    expect(at).toBeGreaterThan(0);
    const before = fs.mkdtempSync(path.join(os.tmpdir(), "prismai-migrations-"));
    fs.mkdirSync(path.join(before, "meta"));
    for (const e of entries.slice(0, at)) fs.copyFileSync(path.join(MIGRATIONS_FOLDER, `${e.tag}.sql`), path.join(before, `${e.tag}.sql`));
    const full = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, "meta/_journal.json"), "utf8"));
    fs.writeFileSync(path.join(before, "meta/_journal.json"), JSON.stringify({ ...full, entries: full.entries.slice(0, at) }));

    const handle = await emptyDatabase();
    await migrate(handle, before);
    const [biz] = await rows<{ id: string }>(handle.db, sql`insert into businesses (slug, name) values ('dupes', 'Dupes') returning id`);
    const invite = (token: string, email: string, createdAt: string, accepted = false) =>
      handle.db.execute(
        sql`insert into invitations (business_id, email, role, token_hash, expires_at, created_at, accepted_at)
            values (${biz!.id}, ${email}, 'agent', ${token}, now() + interval '7 days', ${createdAt}::timestamptz, ${accepted ? sql`now()` : sql`null`})`,
      );
    await invite("old", "dup@example.test", "2026-11-01T00:00:00Z");
    await invite("newest", "dup@example.test", "2026-11-03T00:00:00Z");
    await invite("middle", "dup@example.test", "2026-11-02T00:00:00Z");
    await invite("accepted", "dup@example.test", "2026-10-01T00:00:00Z", true);
    await invite("single", "one@example.test", "2026-11-01T00:00:00Z");

    await migrate(handle);
    const left = await rows<{ token_hash: string }>(handle.db, sql`select token_hash from invitations order by token_hash`);
    expect(left.map((r) => r.token_hash)).toEqual(["accepted", "newest", "single"]);
    await expect(invite("again", "dup@example.test", "2026-11-04T00:00:00Z")).rejects.toThrow();
    await handle.close();
    fs.rmSync(before, { recursive: true, force: true });
  });
});
