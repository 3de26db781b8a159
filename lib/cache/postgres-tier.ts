// The durable tier: response_cache in Postgres, the nearest entries by pgvector cosine distance (HNSW).
import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { rows, type Executor } from "@/lib/db/client";
import { toVectorLiteral } from "@/lib/ai/embeddings";
import type { TermStats } from "./decision";

export type PgEntryInput = {
  id: string;
  businessId: string;
  question: string;
  answer: string;
  answerKey: string;
  terms: readonly string[];
  origin: "model" | "warmed";
  knowledgeVersion: number;
  channelStyle: string;
  language?: string | null;
  sourceMessageIds: string[];
  vector: ArrayLike<number>;
  expiresAt: Date;
};

export type PgNeighbour = {
  id: string;
  question: string;
  answer: string;
  answerKey: string;
  terms: string[];
  origin: "model" | "warmed";
  similarity: number;
  expiresAt: Date;
};

export async function insertEntry(ex: Executor, e: PgEntryInput): Promise<void> {
  const ids = `{${e.sourceMessageIds.join(",")}}`;
  await ex.execute(sql`
    insert into response_cache
      (id, business_id, question, answer, answer_key, terms, origin, knowledge_version, channel_style, language, source_message_ids, embedding, expires_at)
    values
      (${e.id}, ${e.businessId}, ${e.question}, ${e.answer}, ${e.answerKey}, ${textArray(e.terms)}::text[], ${e.origin}, ${e.knowledgeVersion},
       ${e.channelStyle}, ${e.language ?? null}, ${ids}::uuid[], ${toVectorLiteral(e.vector)}::vector, ${e.expiresAt.toISOString()}::timestamptz)`);
}

/** A text[] literal: terms are normalised words (letters and digits), quoted all the same. */
function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, "\\$&")}"`).join(",")}}`;
}

/** From this many entries a business's lookups walk the HNSW index instead of an exact scan. */
export const HNSW_MIN_ENTRIES = 2_000;
const STATS_TTL_MS = 60_000;
const stats = new Map<string, { value: TermStats; at: number }>();

/**
 * A business's entry count (it picks the plan) and how many of its cached questions use each term
 * (the decision's IDF weights), refreshed at most once a minute per process: both only weigh.
 */
export async function tenantStats(ex: Executor, businessId: string, now: number): Promise<TermStats> {
  const known = stats.get(businessId);
  if (known && now - known.at < STATS_TTL_MS) return known.value;
  const [count] = await rows<{ n: number }>(ex, sql`select count(*)::int as n from response_cache where business_id = ${businessId}`);
  const terms = await rows<{ term: string; n: number }>(
    ex,
    sql`select t as term, count(*)::int as n from response_cache rc cross join lateral unnest(rc.terms) t where rc.business_id = ${businessId} group by t`,
  );
  const value: TermStats = { entries: Number(count?.n ?? 0), df: new Map(terms.map((r) => [r.term, Number(r.n)])) };
  stats.set(businessId, { value, at: now });
  return value;
}

/** For tests and the benchmark: forget the cached tenant statistics. */
export function forgetTenantStats(): void {
  stats.clear();
}

export type Nearest = {
  businessId: string;
  knowledgeVersion: number;
  channelStyle: string;
  vector: ArrayLike<number>;
  /** the vector as an expression of the caller's statement (nearestQuery); its literal by default */
  vectorSql?: SQL;
  now: Date;
  k: number;
  entries: number;
  hnswMinEntries?: number;
};

/**
 * The k closest live entries of this business, version and style, closest first. The plan is chosen
 * here, not left to the planner, which does not cost detoasting the 3 KB vectors: from ~10k entries it
 * picks a full scan + sort that reads every vector (measured on PGlite: ~175 ms bitmap scan, ~800 ms
 * sequential, against ~7 ms through HNSW).
 * - Small tenants: an exact sort of the business's entries (nearestQuery), ordered by similarity so
 *   the HNSW index cannot serve it: exact recall, in one statement with no settings, which the
 *   pipeline reads beside its knowledge and memories.
 * - Large tenants: the HNSW index, forced with enable_sort off, and pgvector's iterative scan so the
 *   tenant filter runs inside the index walk (otherwise ef_search neighbours of any tenant come back
 *   and the filter can drop them all). Both settings are local to a transaction of its own.
 */
export async function nearestEntries(ex: Executor, q: Nearest): Promise<PgNeighbour[]> {
  if (exactLookup(q)) return neighboursOf(await rows(ex, nearestQuery(q)));
  const v = toVectorLiteral(q.vector);
  return ex.transaction(async (tx) => {
    await tx.execute(sql`select set_config('hnsw.iterative_scan', 'strict_order', true), set_config('enable_sort', 'off', true)`);
    return neighboursOf(
      await rows(
        tx,
        sql`select id, question, answer, answer_key, terms, origin, expires_at, 1 - (embedding <=> ${v}::vector) as similarity
            from response_cache
            where ${live(q)}
            order by embedding <=> ${v}::vector
            limit ${q.k}`,
      ),
    );
  });
}

/** A small tenant's lookup: an exact sort (nearestQuery), where a large one walks HNSW. */
export function exactLookup(q: Nearest): boolean {
  return q.entries < (q.hnswMinEntries ?? HNSW_MIN_ENTRIES);
}

/** The exact select of a small tenant's nearest entries (exactLookup). */
export function nearestQuery(q: Nearest): SQL {
  const v = q.vectorSql ?? sql`${toVectorLiteral(q.vector)}::vector`;
  return sql`select id, question, answer, answer_key, terms, origin, expires_at, 1 - (embedding <=> ${v}) as similarity
      from response_cache
      where ${live(q)}
      order by similarity desc
      limit ${q.k}`;
}

const live = (q: Nearest) =>
  sql`business_id = ${q.businessId} and knowledge_version = ${q.knowledgeVersion} and channel_style = ${q.channelStyle} and expires_at > ${q.now.toISOString()}::timestamptz`;

/** The rows either select returned (from the driver or as JSON), closest first. */
export function neighboursOf(found: Record<string, unknown>[]): PgNeighbour[] {
  return found
    .map((r) => ({
      id: String(r.id),
      question: String(r.question),
      answer: String(r.answer),
      answerKey: String(r.answer_key),
      terms: parseTextArray(r.terms as string[] | string),
      origin: r.origin === "warmed" ? ("warmed" as const) : ("model" as const),
      similarity: Number(r.similarity),
      expiresAt: new Date(r.expires_at as string | Date),
    }))
    .sort((a, b) => b.similarity - a.similarity);
}

/** text[] arrives as an array from postgres.js and PGlite alike; a literal is parsed just in case. */
function parseTextArray(v: string[] | string): string[] {
  if (Array.isArray(v)) return v;
  const inner = v.replace(/^\{|\}$/g, "");
  return inner ? inner.split(",").map((x) => x.replace(/^"|"$/g, "")) : [];
}

/** One more hit for an entry: a row of response_cache_hits, never an update of the vector-indexed row. */
export async function countHit(ex: Executor, businessId: string, entryId: string): Promise<void> {
  await ex.execute(
    // from the entry's own row: an entry pruned meanwhile (or of another business) counts nothing
    sql`insert into response_cache_hits (entry_id, business_id, hits, last_hit_at)
        select id, business_id, 1, now() from response_cache where id = ${entryId} and business_id = ${businessId}
        on conflict (entry_id) do update set hits = response_cache_hits.hits + 1, last_hit_at = now()`,
  );
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
