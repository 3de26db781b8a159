// npm run db:seed — adds the demo clinic (idempotent) and embeds its FAQs and knowledge, so the demo
// answers on a server database as it does embedded.
import { closeDb, getDbHandle } from "@/lib/db/client";
import { migrate } from "@/lib/db/migrate";
import { seedDemo } from "@/lib/db/seed";
import { DEMO_OWNER } from "@/lib/db/seed-data";
import { embedPending } from "@/lib/knowledge/indexing";

async function main() {
  const handle = await getDbHandle();
  await migrate(handle);
  const seeded = await seedDemo(handle);
  await embedPending();
  console.log(seeded ? `[prismai] seeded the demo clinic; owner ${DEMO_OWNER.email} / ${DEMO_OWNER.password}` : "[prismai] demo clinic already present");
  await closeDb();
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
