// Applies supabase/migrations (drizzle's journal) to whichever database the environment names.
import path from "node:path";
import fs from "node:fs";
import { sql } from "drizzle-orm";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import { rows, type DbHandle } from "./client";

export const MIGRATIONS_FOLDER = path.resolve(process.cwd(), "supabase/migrations");

type Journal = { entries: { tag: string; when: number }[] };

export function journal(folder = MIGRATIONS_FOLDER): Journal {
  return JSON.parse(fs.readFileSync(path.join(folder, "meta/_journal.json"), "utf8")) as Journal;
}

export async function migrate(handle: DbHandle, folder = MIGRATIONS_FOLDER): Promise<void> {
  if (handle.kind === "pglite") await migratePglite(handle.db as never, { migrationsFolder: folder });
  else await migratePostgres(handle.db as never, { migrationsFolder: folder });
}

export type MigrationStatus = { applied: number; expected: number; current: boolean; latest: string | null };

export async function migrationStatus(handle: DbHandle, folder = MIGRATIONS_FOLDER): Promise<MigrationStatus> {
  const entries = journal(folder).entries;
  let applied = 0;
  try {
    const r = await rows<{ n: number }>(handle.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    applied = Number(r[0]?.n ?? 0);
  } catch {
    applied = 0;
  }
  return {
    applied,
    expected: entries.length,
    current: applied >= entries.length,
    latest: entries.at(-1)?.tag ?? null,
  };
}
