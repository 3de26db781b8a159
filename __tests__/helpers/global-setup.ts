// Migrates a PGlite template once per run; suites clone it (see helpers/db.ts).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export default async function globalSetup(): Promise<void> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { vector } = await import("@electric-sql/pglite-pgvector");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  const client = await PGlite.create({ extensions: { vector } });
  await migrate(drizzle({ client }), { migrationsFolder: path.resolve(__dirname, "../../supabase/migrations") });
  const dump = await client.dumpDataDir("none");
  const file = path.join(os.tmpdir(), `prismai-template-${process.pid}.tar`);
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await client.close();
  process.env.PRISMAI_TEMPLATE_DB = file;
}
