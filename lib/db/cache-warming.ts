// cache_warming: one row per business saying when its cache was asked to be warmed and when the
// warm-cache job (lib/jobs/warm-cache.ts) last ran for it.
import { sql } from "drizzle-orm";
import type { Executor } from "./client";

/**
 * Asks for the business's cache to be warmed again (in the caller's transaction, so a change and its
 * request commit together). Repeated requests just move the time: the job waits until edits settle.
 */
export async function requestCacheWarming(ex: Executor, businessId: string): Promise<void> {
  await ex.execute(
    sql`insert into cache_warming (business_id, requested_at) values (${businessId}, now())
        on conflict (business_id) do update set requested_at = now()`,
  );
}
