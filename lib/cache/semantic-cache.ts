// The semantic response cache: in-process LRU → shared KV (Upstash, or in-process) → Postgres
// pgvector. An entry serves only its own business, channel style and knowledge version, and only
// until it expires; store and lookup normalise and embed a question the same way. A wording seen
// before is answered from the LRU or the KV; a new wording is decided on the nearest entries in
// Postgres by lib/cache/decision.ts, and the decision is remembered for that wording.
import "server-only";
import { randomUUID } from "node:crypto";
import { getDb, rows, type Executor } from "@/lib/db/client";
import { digest, getEmbedder, type Embedder } from "@/lib/ai/embeddings";
import { normalizeText } from "@/lib/ai/text";
import { CACHE_DECISION, decide, questionTerms, type Decision, type DecisionParams, type TermStats } from "./decision";
import { createCacheKv, type CacheKv } from "./kv";
import { MemoryTier, type MemoryEntry, type MemoryTierOptions } from "./memory-tier";
import { countHit, exactLookup, insertEntry, nearestEntries, nearestQuery, neighboursOf, tenantStats, type Nearest, type PgNeighbour } from "./postgres-tier";
import { track } from "@/lib/pipeline/defer";

export type CacheTier = "memory" | "kv" | "postgres";
export type CacheOrigin = "model" | "warmed";

export type CacheLookup = {
  businessId: string;
  question: string;
  /** the business's current knowledge version: entries of any other version never serve */
  knowledgeVersion: number;
  channelStyle: string;
  /** the business's threshold (AiSettings.cacheThreshold), compared with the decision's score */
  threshold: number;
  /** the question's embedding if the caller already has it (embedQuestion), to avoid embedding twice */
  embedding?: number[];
  /** the decision's parameters (the benchmark tries others); CACHE_DECISION by default */
  params?: DecisionParams;
  /** false: only look (the warm-cache job checking what is warm; the pipeline, which counts what it serves), a hit is not counted */
  count?: boolean;
};

export type CacheHit = {
  answer: string;
  /** of the asked wording to the entry's question (1 for a repeat of it) */
  similarity: number;
  /** the decision's score: similarity plus the agreement of other paraphrases */
  score: number;
  /** paraphrases of this answer that agreed (0 when a remembered wording was served) */
  agreeing: number;
  tier: CacheTier;
  entryId: string;
  answerKey: string;
  origin: CacheOrigin;
  /** the question the entry was stored for (normalised) */
  question: string;
};

/** A lookup's outcome with its evidence: on a miss, the answer that came closest (if any). */
export type CacheResolution = {
  hit: CacheHit | null;
  decision?: Decision;
  nearMiss?: { entryId: string; answerKey: string; question: string; answer: string; similarity: number };
};

export type CacheStore = {
  businessId: string;
  question: string;
  answer: string;
  knowledgeVersion: number;
  channelStyle: string;
  /** the customer messages the answer was built from (deleting a customer deletes their entries) */
  sourceMessageIds: string[];
  ttlSeconds: number;
  language?: string | null;
  embedding?: number[];
  /** the answer group to join (the model confirmed this answer says what that group's does); by default the answer's own digest */
  answerKey?: string;
  origin?: CacheOrigin;
};

export type SemanticCacheOptions = {
  embedder?: Embedder;
  kv?: CacheKv;
  /** the database (or a transaction) the durable tier uses; getDb() by default */
  db?: Executor | (() => Promise<Executor>);
  memory?: MemoryTierOptions;
  /** the clock, in milliseconds (tests move it to expire entries) */
  now?: () => number;
  /** entries from which a business's Postgres lookups use HNSW rather than an exact scan */
  hnswMinEntries?: number;
};

/** What a wording was decided to, shared by every instance (score: the decision's, 1 for the entry's own question). */
type KvValue = {
  id: string;
  question: string;
  answer: string;
  answerKey: string;
  origin: CacheOrigin;
  knowledgeVersion: number;
  expiresAt: number;
  similarity: number;
  score: number;
};

/** A decision about a new wording is remembered at most this long (the neighbourhood changes). */
const DECISION_TTL_SECONDS = 24 * 3600;

/** How a question is compared: store and lookup both go through this. */
export function normalizeQuestion(question: string): string {
  return normalizeText(question);
}

/** Answers that read the same once normalised are one group unless the caller names another. */
export function answerKeyOf(answer: string): string {
  return `a:${digest(normalizeText(answer))}`;
}

export class SemanticCache {
  readonly embedder: Embedder;
  readonly kv: CacheKv;
  readonly memory: MemoryTier;
  private readonly db: () => Promise<Executor>;
  private readonly now: () => number;
  private readonly hnswMinEntries: number | undefined;

  constructor(options: SemanticCacheOptions = {}) {
    this.hnswMinEntries = options.hnswMinEntries;
    this.embedder = options.embedder ?? getEmbedder();
    this.now = options.now ?? Date.now;
    this.kv = options.kv ?? createCacheKv({ now: this.now });
    this.memory = new MemoryTier(options.memory);
    const db = options.db;
    this.db = typeof db === "function" ? db : db ? async () => db : getDb;
  }

  /** The embedding a question is looked up and stored with (purpose "query" on both sides). */
  async embedQuestion(question: string): Promise<{ vector: number[]; tokens: number; model: string }> {
    const r = await this.embedder.embed([normalizeQuestion(question)], "query");
    return { vector: r.vectors[0]!, tokens: r.tokens, model: r.model };
  }

  private kvKey(businessId: string, version: number, style: string, normalized: string): string {
    // the question is hashed: no customer text in key names
    return `prismai:rc:v2:${businessId}:${version}:${style}:${digest(normalized)}`;
  }

  async lookup(q: CacheLookup): Promise<CacheHit | null> {
    return (await this.resolve(q)).hit;
  }

  /** The lookup, with the evidence a miss was decided on. */
  async resolve(q: CacheLookup): Promise<CacheResolution> {
    const lookup = await this.prepare(q);
    if ("resolution" in lookup) return lookup.resolution;
    let found: Record<string, unknown>[] | undefined;
    if (lookup.nearest) {
      try {
        found = await rows(await this.db(), nearestQuery(lookup.nearest));
      } catch (err) {
        warn("postgres", err);
        return { hit: null };
      }
    }
    return lookup.finish(found);
  }

  /**
   * The lookup in two halves, for a caller that reads the durable tier inside a statement of its own
   * (the pipeline reads it beside knowledge and memories): the memory and KV tiers, and the
   * business's statistics, answer here (`resolution`); otherwise `nearest` is what the nearest
   * entries' select (nearestQuery) is built from (null for a large business, whose HNSW walk needs
   * settings and runs in `finish`) and `finish` decides on the rows it returned.
   */
  async prepare(q: CacheLookup): Promise<
    { resolution: CacheResolution } | { nearest: Nearest | null; finish: (found?: Record<string, unknown>[]) => Promise<CacheResolution> }
  > {
    const normalized = normalizeQuestion(q.question);
    if (!normalized) return { resolution: { hit: null } };
    const now = this.now();

    // 1. a wording answered here recently
    const known = this.memory.exact(q.businessId, q.channelStyle, q.knowledgeVersion, normalized, now);
    if (known && known.score >= q.threshold) return { resolution: { hit: this.counted(q, fromMemory(known)) } };

    // 2. a wording answered on any instance
    const key = this.kvKey(q.businessId, q.knowledgeVersion, q.channelStyle, normalized);
    const shared = await this.kvGet(key);
    if (shared && shared.knowledgeVersion === q.knowledgeVersion && shared.expiresAt > now && shared.score >= q.threshold) {
      this.memory.put({ ...shared, businessId: q.businessId, channelStyle: q.channelStyle, question: normalized, entryQuestion: shared.question }, now);
      return { resolution: { hit: this.counted(q, { ...fromKv(shared), tier: "kv" }) } };
    }

    // 3. a new wording: decided on the nearest entries in Postgres
    let vector: number[];
    let nearest: Nearest;
    try {
      vector = q.embedding ?? (await this.embedQuestion(q.question)).vector;
    } catch (err) {
      warn("embedding", err);
      return { resolution: { hit: null } };
    }
    let stats: TermStats;
    try {
      ({ stats, nearest } = await this.nearest({ ...q, embedding: vector }, q.params?.neighbours));
    } catch (err) {
      warn("postgres", err);
      return { resolution: { hit: null } };
    }
    const finish = async (found?: Record<string, unknown>[]): Promise<CacheResolution> => {
      let neighbours: PgNeighbour[];
      try {
        neighbours = found ? neighboursOf(found) : await nearestEntries(await this.db(), nearest);
      } catch (err) {
        warn("postgres", err);
        return { hit: null };
      }
      return this.decided(q, { key, normalized, now }, { neighbours, stats });
    };
    return { nearest: exactLookup(nearest) ? nearest : null, finish };
  }

  private async decided(
    q: CacheLookup,
    w: { key: string; normalized: string; now: number },
    evidence: { neighbours: PgNeighbour[]; stats: TermStats },
  ): Promise<CacheResolution> {
    const { key, normalized, now } = w;
    const decision = decide({ neighbours: evidence.neighbours, queryTerms: questionTerms(q.question), stats: evidence.stats, threshold: q.threshold, params: q.params });
    const lead = evidence.neighbours.find((n) => n.id === decision.entryId);
    if (!decision.serve || !lead) {
      return {
        hit: null,
        decision,
        nearMiss: lead ? { entryId: lead.id, answerKey: lead.answerKey, question: lead.question, answer: lead.answer, similarity: lead.similarity } : undefined,
      };
    }

    const expiresAt = Math.min(lead.expiresAt.getTime(), now + DECISION_TTL_SECONDS * 1000);
    const value: KvValue = {
      id: lead.id,
      question: normalizeQuestion(lead.question),
      answer: lead.answer,
      answerKey: lead.answerKey,
      origin: lead.origin,
      knowledgeVersion: q.knowledgeVersion,
      expiresAt,
      similarity: lead.similarity,
      score: decision.score,
    };
    // this wording now maps to the entry, for every instance, until the entry expires (a day at most)
    this.memory.put({ ...value, businessId: q.businessId, channelStyle: q.channelStyle, question: normalized, entryQuestion: value.question }, now);
    await this.kvSet(key, value, (expiresAt - now) / 1000);
    return { hit: this.counted(q, { ...fromKv(value), tier: "postgres", agreeing: decision.agreeing }), decision };
  }

  /** The business's term statistics, and what its nearest entries are looked up by. */
  private async nearest(
    q: Pick<CacheLookup, "businessId" | "knowledgeVersion" | "channelStyle"> & { embedding: number[] },
    k: number = CACHE_DECISION.neighbours,
  ): Promise<{ stats: TermStats; nearest: Nearest }> {
    const now = this.now();
    const stats = await tenantStats(await this.db(), q.businessId, now);
    const nearest = {
      businessId: q.businessId,
      knowledgeVersion: q.knowledgeVersion,
      channelStyle: q.channelStyle,
      vector: q.embedding,
      now: new Date(now),
      k,
      entries: stats.entries,
      hnswMinEntries: this.hnswMinEntries,
    };
    return { stats, nearest };
  }

  /**
   * The nearest live entries of the business, version and style, and the business's term statistics:
   * everything the decision looks at (the benchmark replays decisions on it with other parameters).
   */
  async evidence(
    q: Pick<CacheLookup, "businessId" | "knowledgeVersion" | "channelStyle"> & { embedding: number[] },
    k: number = CACHE_DECISION.neighbours,
  ): Promise<{ neighbours: PgNeighbour[]; stats: TermStats }> {
    const { stats, nearest } = await this.nearest(q, k);
    return { neighbours: await nearestEntries(await this.db(), nearest), stats };
  }

  /** Counts a hit its caller served, having looked with `count: false`. */
  countServed(businessId: string, hit: CacheHit): void {
    this.counted({ businessId, question: hit.question, knowledgeVersion: 0, channelStyle: "", threshold: 0 }, hit);
  }

  /** Counts the hit off the answer's path (bookkeeping, in its own table) and passes it on. */
  private counted(q: CacheLookup, hit: CacheHit): CacheHit {
    if (q.count === false) return hit;
    track(
      this.db()
        .then((db) => countHit(db, q.businessId, hit.entryId))
        .catch((err) => warn("hit counter", err)),
    );
    return hit;
  }

  /** Stores an answer in every tier. Postgres errors propagate (the caller logs them); KV errors do not. */
  async store(s: CacheStore): Promise<{ entryId: string; answerKey: string; embeddingTokens: number; embeddingModel: string }> {
    const normalized = normalizeQuestion(s.question);
    if (!normalized) throw new Error("Cannot cache an empty question.");
    if (!(s.ttlSeconds > 0)) throw new Error("A cache entry needs a positive TTL.");
    const now = this.now();
    const id = randomUUID();
    const embedded = s.embedding ? { vector: s.embedding, tokens: 0, model: this.embedder.model } : await this.embedQuestion(s.question);
    const expiresAt = now + s.ttlSeconds * 1000;
    const answerKey = s.answerKey ?? answerKeyOf(s.answer);
    const origin = s.origin ?? "model";

    await insertEntry(await this.db(), {
      id,
      businessId: s.businessId,
      question: s.question,
      answer: s.answer,
      answerKey,
      terms: questionTerms(s.question),
      origin,
      knowledgeVersion: s.knowledgeVersion,
      channelStyle: s.channelStyle,
      language: s.language,
      sourceMessageIds: s.sourceMessageIds,
      vector: embedded.vector,
      expiresAt: new Date(expiresAt),
    });
    const value: KvValue = { id, question: normalized, answer: s.answer, answerKey, origin, knowledgeVersion: s.knowledgeVersion, expiresAt, similarity: 1, score: 1 };
    this.memory.put({ ...value, businessId: s.businessId, channelStyle: s.channelStyle, entryQuestion: normalized }, now);
    await this.kvSet(this.kvKey(s.businessId, s.knowledgeVersion, s.channelStyle, normalized), value, s.ttlSeconds);
    return { entryId: id, answerKey, embeddingTokens: embedded.tokens, embeddingModel: embedded.model };
  }

  private async kvGet(key: string): Promise<KvValue | null> {
    try {
      const raw = await this.kv.get(key);
      return raw ? (JSON.parse(raw) as KvValue) : null;
    } catch (err) {
      warn("kv", err);
      return null;
    }
  }

  private async kvSet(key: string, value: KvValue, ttlSeconds: number): Promise<void> {
    if (ttlSeconds < 1) return;
    try {
      await this.kv.set(key, JSON.stringify(value), { ex: Math.floor(ttlSeconds) });
    } catch (err) {
      warn("kv", err);
    }
  }
}

function fromMemory(e: MemoryEntry): CacheHit {
  return { answer: e.answer, similarity: e.similarity, score: e.score, agreeing: 0, tier: "memory", entryId: e.id, answerKey: e.answerKey, origin: e.origin, question: e.entryQuestion };
}

function fromKv(v: KvValue): Omit<CacheHit, "tier"> & { tier: CacheTier } {
  return { answer: v.answer, similarity: v.similarity, score: v.score, agreeing: 0, tier: "kv", entryId: v.id, answerKey: v.answerKey, origin: v.origin, question: v.question };
}

function warn(tier: string, err: unknown): void {
  // a cache tier failing must not stop an answer; log the kind, never the question
  console.warn(`[prismai] semantic cache ${tier} tier failed: ${err instanceof Error ? err.name : typeof err}`);
}

let shared: SemanticCache | undefined;

/** The process's cache (its LRU lives as long as the process). */
export function getSemanticCache(): SemanticCache {
  shared ??= new SemanticCache();
  return shared;
}

/** For tests. */
export function resetSemanticCacheForTests(): void {
  shared = undefined;
}
