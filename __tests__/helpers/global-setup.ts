// Migrates a template once per run on each engine; suites clone it (see helpers/db.ts).
// PGlite: a dumped data directory. PostgreSQL: a database the suites name in `create database … template`.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PG_TEMPLATE_DB, selectedEngines, withDatabase } from "./engines";

const MIGRATIONS = path.resolve(__dirname, "../../supabase/migrations");

async function pgliteTemplate(): Promise<void> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { vector } = await import("@electric-sql/pglite-pgvector");
  const { btree_gist } = await import("@electric-sql/pglite/contrib/btree_gist");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  const client = await PGlite.create({ extensions: { vector, btree_gist } });
  await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS });
  const dump = await client.dumpDataDir("none");
  const file = path.join(os.tmpdir(), `prismai-template-${process.pid}.tar`);
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await client.close();
  process.env.PRISMAI_TEMPLATE_DB = file;
}

async function postgresTemplate(): Promise<void> {
  const url = process.env.PRISMAI_TEST_PG_URL;
  if (!url) {
    throw new Error(
      "The postgres half of the suite needs a PostgreSQL 15 server with pgvector: run `npm test`, which starts a " +
        "throw-away one (scripts/test-services.sh), or set PRISMAI_TEST_PG_URL, or PRISMAI_TEST_ENGINES=pglite for PGlite only.",
    );
  }
  const postgres = (await import("postgres")).default;
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const { migrate } = await import("drizzle-orm/postgres-js/migrator");
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${PG_TEMPLATE_DB} with (force)`);
    await admin.unsafe(`create database ${PG_TEMPLATE_DB}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const client = postgres(withDatabase(url, PG_TEMPLATE_DB), { max: 1, prepare: false, onnotice: () => {} });
  try {
    await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS });
  } finally {
    await client.end({ timeout: 5 });
  }
}

export default async function globalSetup(): Promise<void> {
  const engines = selectedEngines();
  if (engines.includes("pglite")) await pgliteTemplate();
  if (engines.includes("postgres")) await postgresTemplate();
}
