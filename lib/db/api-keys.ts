// API keys and the idempotency records of their POSTs. Every query names the business it is about,
// except the lookup by the key's hash, which is how a request finds its business.
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { rows, type Executor } from "./client";
import { apiIdempotencyKeys, apiKeys } from "./schema";

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export async function insertApiKey(ex: Executor, values: typeof apiKeys.$inferInsert): Promise<ApiKeyRow> {
  const [row] = await ex.insert(apiKeys).values(values).returning();
  return row!;
}

export async function apiKeysOf(ex: Executor, businessId: string): Promise<ApiKeyRow[]> {
  return ex.select().from(apiKeys).where(eq(apiKeys.businessId, businessId)).orderBy(desc(apiKeys.createdAt));
}

export async function revokeApiKeyRow(ex: Executor, businessId: string, id: string): Promise<ApiKeyRow | undefined> {
  const [row] = await ex
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.businessId, businessId), eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning();
  return row;
}

export type UsableKey = { id: string; business_id: string; scopes: string[]; rate_limit: number };

/** A live key by its hash, counting the request in the same statement (last used, requests). */
export async function useApiKey(ex: Executor, keyHash: string): Promise<UsableKey | undefined> {
  const [row] = await rows<UsableKey>(
    ex,
    sql`update api_keys k set last_used_at = now(), request_count = k.request_count + 1
        where k.key_hash = ${keyHash} and k.revoked_at is null and (k.expires_at is null or k.expires_at > now())
        returning k.id, k.business_id, k.scopes, k.rate_limit`,
  );
  return row;
}

/** Why a hash did not authenticate: unknown, revoked or expired (for the 401's message). */
export async function keyState(ex: Executor, keyHash: string): Promise<"unknown" | "revoked" | "expired"> {
  const [row] = await ex.select({ revokedAt: apiKeys.revokedAt, expiresAt: apiKeys.expiresAt }).from(apiKeys).where(eq(apiKeys.keyHash, keyHash));
  if (!row) return "unknown";
  return row.revokedAt ? "revoked" : "expired";
}

export type IdempotencyRow = typeof apiIdempotencyKeys.$inferSelect;

/** Claims an idempotency key for a request; undefined when another request holds it already. */
export async function claimIdempotencyKey(
  ex: Executor,
  values: { businessId: string; apiKeyId: string; key: string; method: string; path: string; requestHash: string },
): Promise<IdempotencyRow | undefined> {
  const [row] = await ex.insert(apiIdempotencyKeys).values(values).onConflictDoNothing().returning();
  return row;
}

export async function findIdempotencyKey(ex: Executor, businessId: string, apiKeyId: string, key: string): Promise<IdempotencyRow | undefined> {
  const [row] = await ex
    .select()
    .from(apiIdempotencyKeys)
    .where(and(eq(apiIdempotencyKeys.businessId, businessId), eq(apiIdempotencyKeys.apiKeyId, apiKeyId), eq(apiIdempotencyKeys.key, key)));
  return row;
}

export async function settleIdempotencyKey(ex: Executor, businessId: string, id: string, status: number, response: unknown): Promise<void> {
  await ex.update(apiIdempotencyKeys).set({ status, response }).where(and(eq(apiIdempotencyKeys.businessId, businessId), eq(apiIdempotencyKeys.id, id)));
}

export async function releaseIdempotencyKey(ex: Executor, businessId: string, id: string): Promise<void> {
  await ex.delete(apiIdempotencyKeys).where(and(eq(apiIdempotencyKeys.businessId, businessId), eq(apiIdempotencyKeys.id, id)));
}

/** Records older than a day are forgotten (a retry after that is a new request): the business's, all at once. */
export async function expireIdempotencyKeys(ex: Executor, businessId: string): Promise<void> {
  await ex.execute(sql`delete from api_idempotency_keys where business_id = ${businessId} and created_at < now() - interval '24 hours'`);
}
