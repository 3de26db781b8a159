// Start-up of the database port: the embedded database migrates and seeds itself; a production
// database is migrated by `npm run db:migrate` at deploy time and only checked here.
import { env } from "@/lib/env";
import { getDbHandle } from "./client";
import { migrate, migrationStatus } from "./migrate";
import { seedDemo } from "./seed";
import { DEMO_OWNER, DEMO_SLUG } from "./seed-data";

export async function prepareDatabase(log: (line: string) => void = console.log): Promise<void> {
  const handle = await getDbHandle();
  if (handle.kind === "pglite") {
    const started = Date.now();
    await migrate(handle);
    const seeded = await seedDemo(handle);
    // Seeded FAQs and chunks arrive without embeddings; anything left unembedded is caught up here.
    const { embedPending } = await import("@/lib/knowledge/indexing");
    await embedPending();
    log(`[prismai] embedded database ready in ${Date.now() - started} ms${seeded ? " (new: migrated and seeded)" : ""}`);
    log(`[prismai] demo business: ${env().appUrl}/${DEMO_SLUG}  — sign in as ${DEMO_OWNER.email} / ${DEMO_OWNER.password}`);
    return;
  }
  const status = await migrationStatus(handle);
  if (!status.current) {
    log(`[prismai] database migrations are behind (${status.applied}/${status.expected}): run npm run db:migrate`);
  }
}
