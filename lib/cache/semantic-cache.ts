// The semantic response cache: in-process LRU → shared KV (Upstash, or in-process) → Postgres
// pgvector. An entry serves only its own business, channel style and knowledge version, and only
// until it expires; store and lookup normalise and embed a question the same way.
import "server-only";
import { randomUUID } from "node:crypto";
import { getDb, type Executor } from "@/lib/db/client";
import { digest, getEmbedder, type Embedder } from "@/lib/ai/embeddings";
import { normalizeText } from "@/lib/ai/text";
import { createCacheKv, type CacheKv } from "./kv";
import { MemoryTier, type MemoryTierOptions } from "./memory-tier";
import { countHit, insertEntry, nearestEntry } from "./postgres-tier";

export type CacheTier = "memory" | "kv" | "postgres";

export type CacheLookup = {
  businessId: string;
  question: string;
  /** the business's current knowledge version: entries of any other version never serve */
  knowledgeVersion: number;
  channelStyle: string;
  /** cosine similarity an entry needs to serve (AiSettings.cacheThreshold) */
  threshold: number;
  /** the question's embedding if the caller already has it (embedQuestion), to avoid embedding twice */
  embedding?: number[];
};

export type CacheHit = {
  answer: string;
  similarity: number;
  tier: CacheTier;
  entryId: string;
  /** the question the entry was stored for (normalised) */
  question: string;
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

/** similarity: of this wording to the entry (1 when it is the stored question itself) */
type KvValue = { id: string; question: string; answer: string; knowledgeVersion: number; expiresAt: number; similarity: number };

/** How a question is compared: store and lookup both go through this. */
export function normalizeQuestion(question: string): string {
  return normalizeText(question);
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
    return `prismai:rc:v1:${businessId}:${version}:${style}:${digest(normalized)}`;
  }

  async lookup(q: CacheLookup): Promise<CacheHit | null> {
    const normalized = normalizeQuestion(q.question);
    if (!normalized) return null;
    const now = this.now();

    // 1. the same question, asked here recently
    const exact = this.memory.exact(q.businessId, q.channelStyle, q.knowledgeVersion, normalized, now);
    if (exact) return { answer: exact.answer, similarity: 1, tier: "memory", entryId: exact.id, question: exact.question };

    // 2. the same question, asked on any instance
    const key = this.kvKey(q.businessId, q.knowledgeVersion, q.channelStyle, normalized);
    const shared = await this.kvGet(key);
    if (shared && shared.knowledgeVersion === q.knowledgeVersion && shared.expiresAt > now && shared.similarity >= q.threshold) {
      return { answer: shared.answer, similarity: shared.similarity, tier: "kv", entryId: shared.id, question: shared.question };
    }

    // 3. a question that means the same: the LRU's recent entries, then Postgres
    let vector: number[];
    try {
      vector = q.embedding ?? (await this.embedQuestion(q.question)).vector;
    } catch (err) {
      warn("embedding", err);
      return null;
    }
    const v32 = Float32Array.from(vector);
    const near = this.memory.nearest(q.businessId, q.channelStyle, q.knowledgeVersion, v32, now);
    if (near && near.similarity >= q.threshold) {
      return { answer: near.entry.answer, similarity: near.similarity, tier: "memory", entryId: near.entry.id, question: near.entry.question };
    }

    let found;
    try {
      const db = await this.db();
      found = await nearestEntry(db, { ...q, vector, now: new Date(now), hnswMinEntries: this.hnswMinEntries });
      // Off the answer's path: the hit counter is bookkeeping, and the update costs a write.
      if (found && found.similarity >= q.threshold) void countHit(db, found.id).catch((err) => warn("hit counter", err));
    } catch (err) {
      warn("postgres", err);
      return null;
    }
    if (!found || found.similarity < q.threshold) return null;

    const expiresAt = found.expiresAt.getTime();
    this.memory.put(
      {
        id: found.id,
        businessId: q.businessId,
        channelStyle: q.channelStyle,
        knowledgeVersion: q.knowledgeVersion,
        question: normalizeQuestion(found.question),
        answer: found.answer,
        vector: Float32Array.from(found.vector),
        expiresAt,
      },
      now,
    );
    // this wording now maps to the entry too, for every instance, until the entry expires
    await this.kvSet(
      key,
      { id: found.id, question: normalizeQuestion(found.question), answer: found.answer, knowledgeVersion: q.knowledgeVersion, expiresAt, similarity: found.similarity },
      (expiresAt - now) / 1000,
    );
    return { answer: found.answer, similarity: found.similarity, tier: "postgres", entryId: found.id, question: normalizeQuestion(found.question) };
  }

  /** Stores an answer in every tier. Postgres errors propagate (the caller logs them); KV errors do not. */
  async store(s: CacheStore): Promise<{ entryId: string; embeddingTokens: number; embeddingModel: string }> {
    const normalized = normalizeQuestion(s.question);
    if (!normalized) throw new Error("Cannot cache an empty question.");
    if (!(s.ttlSeconds > 0)) throw new Error("A cache entry needs a positive TTL.");
    const now = this.now();
    const id = randomUUID();
    const embedded = s.embedding ? { vector: s.embedding, tokens: 0, model: this.embedder.model } : await this.embedQuestion(s.question);
    const expiresAt = now + s.ttlSeconds * 1000;

    await insertEntry(await this.db(), {
      id,
      businessId: s.businessId,
      question: s.question,
      answer: s.answer,
      knowledgeVersion: s.knowledgeVersion,
      channelStyle: s.channelStyle,
      language: s.language,
      sourceMessageIds: s.sourceMessageIds,
      vector: embedded.vector,
      expiresAt: new Date(expiresAt),
    });
    this.memory.put(
      {
        id,
        businessId: s.businessId,
        channelStyle: s.channelStyle,
        knowledgeVersion: s.knowledgeVersion,
        question: normalized,
        answer: s.answer,
        vector: Float32Array.from(embedded.vector),
        expiresAt,
      },
      now,
    );
    await this.kvSet(
      this.kvKey(s.businessId, s.knowledgeVersion, s.channelStyle, normalized),
      { id, question: normalized, answer: s.answer, knowledgeVersion: s.knowledgeVersion, expiresAt, similarity: 1 },
      s.ttlSeconds,
    );
    return { entryId: id, embeddingTokens: embedded.tokens, embeddingModel: embedded.model };
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
