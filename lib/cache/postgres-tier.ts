// The durable tier: response_cache in Postgres, nearest entry by pgvector cosine distance (HNSW).
import "server-only";
import { sql } from "drizzle-orm";
import { rows, type Executor } from "@/lib/db/client";
import { fromVectorLiteral, toVectorLiteral } from "@/lib/ai/embeddings";

export type PgEntryInput = {
  id: string;
  businessId: string;
  question: string;
  answer: string;
  knowledgeVersion: number;
  channelStyle: string;
  language?: string | null;
  sourceMessageIds: string[];
  vector: ArrayLike<number>;
  expiresAt: Date;
};

export type PgNearest = {
  id: string;
  question: string;
  answer: string;
  similarity: number;
  expiresAt: Date;
  vector: number[];
};

export async function insertEntry(ex: Executor, e: PgEntryInput): Promise<void> {
  const ids = `{${e.sourceMessageIds.join(",")}}`;
  await ex.execute(sql`
    insert into response_cache
      (id, business_id, question, answer, knowledge_version, channel_style, language, source_message_ids, embedding, expires_at)
    values
      (${e.id}, ${e.businessId}, ${e.question}, ${e.answer}, ${e.knowledgeVersion}, ${e.channelStyle}, ${e.language ?? null},
       ${ids}::uuid[], ${toVectorLiteral(e.vector)}::vector, ${e.expiresAt.toISOString()}::timestamptz)`);
}

/** From this many entries a business's lookups walk the HNSW index instead of an exact scan. */
export const HNSW_MIN_ENTRIES = 2_000;
const SIZE_TTL_MS = 60_000;
const sizes = new Map<string, { n: number; at: number }>();

/** A business's entry count, refreshed at most once a minute per process: it only picks the plan. */
async function tenantSize(ex: Executor, businessId: string, now: number): Promise<number> {
  const known = sizes.get(businessId);
  if (known && now - known.at < SIZE_TTL_MS) return known.n;
  const [row] = await rows<{ n: number }>(ex, sql`select count(*)::int as n from response_cache where business_id = ${businessId}`);
  const n = Number(row?.n ?? 0);
  sizes.set(businessId, { n, at: now });
  return n;
}

/** For tests and the benchmark: forget the cached tenant sizes. */
export function forgetTenantSizes(): void {
  sizes.clear();
}

/**
 * The closest live entry of this business, version and style. The plan is chosen here, not left to
 * the planner, which does not cost detoasting the 3 KB vectors: from ~10k entries it picks a full
 * scan + sort that reads every vector (measured on PGlite: ~175 ms bitmap scan, ~800 ms sequential,
 * against ~7 ms through HNSW).
 * - Small tenants: an exact scan through the (business_id, knowledge_version) index — exact recall
 *   (no sequential scan of every tenant's rows; iterative scan in case the planner still picks HNSW).
 * - Large tenants: the HNSW index, forced with enable_sort off, and pgvector's iterative scan so the
 *   tenant filter runs inside the index walk (otherwise ef_search neighbours of any tenant come back
 *   and the filter can drop them all).
 * Both settings are local to this transaction.
 */
export async function nearestEntry(
  ex: Executor,
  q: { businessId: string; knowledgeVersion: number; channelStyle: string; vector: ArrayLike<number>; now: Date; hnswMinEntries?: number },
): Promise<PgNearest | undefined> {
  const v = toVectorLiteral(q.vector);
  const large = (await tenantSize(ex, q.businessId, q.now.getTime())) >= (q.hnswMinEntries ?? HNSW_MIN_ENTRIES);
  return ex.transaction(async (tx) => {
    await tx.execute(
      large
        ? sql`select set_config('hnsw.iterative_scan', 'strict_order', true), set_config('enable_sort', 'off', true)`
        : sql`select set_config('hnsw.iterative_scan', 'strict_order', true), set_config('enable_seqscan', 'off', true)`,
    );
    const [row] = await rows<{ id: string; question: string; answer: string; distance: number; expires_at: string | Date; embedding: string }>(
      tx,
      sql`select id, question, answer, expires_at, embedding::text as embedding, embedding <=> ${v}::vector as distance
          from response_cache
          where business_id = ${q.businessId}
            and knowledge_version = ${q.knowledgeVersion}
            and channel_style = ${q.channelStyle}
            and expires_at > ${q.now.toISOString()}::timestamptz
          order by embedding <=> ${v}::vector
          limit 1`,
    );
    if (!row) return undefined;
    return {
      id: row.id,
      question: row.question,
      answer: row.answer,
      similarity: 1 - Number(row.distance),
      expiresAt: new Date(row.expires_at),
      vector: fromVectorLiteral(row.embedding),
    };
  });
}

export async function countHit(ex: Executor, id: string): Promise<void> {
  await ex.execute(sql`update response_cache set hits = hits + 1 where id = ${id}`);
}

/** For the sweeper job: drops expired entries and entries of an older knowledge version. */
export async function pruneResponseCache(ex: Executor, now: Date = new Date()): Promise<number> {
  const deleted = await rows<{ id: string }>(
    ex,
    sql`delete from response_cache rc
        using businesses b
        where b.id = rc.business_id
          and (rc.expires_at <= ${now.toISOString()}::timestamptz or rc.knowledge_version < b.knowledge_version)
        returning rc.id`,
  );
  return deleted.length;
}
