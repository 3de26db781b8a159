// npm run db:migrate — applies supabase/migrations to the embedded database or DATABASE_URL.
import { env } from "@/lib/env";
import { closeDb, getDbHandle } from "@/lib/db/client";
import { migrate, migrationStatus } from "@/lib/db/migrate";

async function main() {
  const e = env();
  const handle = await getDbHandle();
  await migrate(handle);
  const status = await migrationStatus(handle);
  console.log(`[prismai] ${e.adapters.database}: ${status.applied}/${status.expected} migrations applied (latest ${status.latest})`);
  await closeDb();
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
