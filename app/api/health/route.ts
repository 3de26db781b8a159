// GET /api/health — database reachable, migrations current, and which adapter serves each port.
import { sql } from "drizzle-orm";
import { env } from "@/lib/env";
import { getDbHandle, rows } from "@/lib/db/client";
import { migrationStatus } from "@/lib/db/migrate";

export const dynamic = "force-dynamic";

export async function GET() {
  const adapters = env().adapters;
  try {
    const handle = await getDbHandle();
    await rows(handle.db, sql`select 1 as ok`);
    const migrations = await migrationStatus(handle);
    const ok = migrations.current;
    return Response.json(
      {
        status: ok ? "ok" : "degraded",
        database: { reachable: true, driver: handle.kind },
        migrations,
        adapters,
        ...(ok ? {} : { reason: `migrations behind: ${migrations.applied}/${migrations.expected} applied` }),
      },
      { status: ok ? 200 : 503, headers: { "cache-control": "no-store" } },
    );
  } catch (err) {
    return Response.json(
      { status: "down", database: { reachable: false }, adapters, reason: `database unreachable: ${err instanceof Error ? err.message : String(err)}` },
      { status: 503, headers: { "cache-control": "no-store" } },
    );
  }
}
