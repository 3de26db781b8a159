// The in-process tier: a small LRU of recent entries per business and channel style, searched by
// brute force (a few hundred dot products are cheaper than a round trip to Postgres).
import "server-only";
import { LRUCache } from "lru-cache";

export type MemoryEntry = {
  id: string;
  businessId: string;
  channelStyle: string;
  knowledgeVersion: number;
  /** normalised question */
  question: string;
  answer: string;
  vector: Float32Array;
  expiresAt: number;
};

export type MemoryTierOptions = {
  /** entries kept per business and style (most recently used win) */
  perBucket?: number;
  /** business × style buckets kept */
  maxBuckets?: number;
};

const bucketKey = (businessId: string, style: string) => `${businessId}\u0000${style}`;

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export class MemoryTier {
  private readonly buckets: LRUCache<string, MemoryEntry[]>;
  private readonly perBucket: number;

  constructor(options: MemoryTierOptions = {}) {
    this.perBucket = options.perBucket ?? 256;
    this.buckets = new LRUCache({ max: options.maxBuckets ?? 2_000 });
  }

  /** The live entries of a bucket; entries of another knowledge version or past expiry are dropped. */
  private live(businessId: string, style: string, version: number, now: number): MemoryEntry[] | undefined {
    const key = bucketKey(businessId, style);
    const bucket = this.buckets.get(key);
    if (!bucket) return undefined;
    // An entry of another version can never serve this version: drop it rather than skip it.
    const kept = bucket.filter((e) => e.knowledgeVersion === version && e.expiresAt > now);
    if (kept.length === bucket.length) return bucket; // the stored array: recency updates must stick
    this.buckets.set(key, kept);
    return kept;
  }

  private touch(bucket: MemoryEntry[], entry: MemoryEntry): void {
    const i = bucket.indexOf(entry);
    if (i >= 0 && i !== bucket.length - 1) {
      bucket.splice(i, 1);
      bucket.push(entry);
    }
  }

  exact(businessId: string, style: string, version: number, question: string, now: number): MemoryEntry | undefined {
    const bucket = this.live(businessId, style, version, now);
    const entry = bucket?.find((e) => e.question === question);
    if (bucket && entry) this.touch(bucket, entry);
    return entry;
  }

  nearest(businessId: string, style: string, version: number, vector: Float32Array, now: number): { entry: MemoryEntry; similarity: number } | undefined {
    const bucket = this.live(businessId, style, version, now);
    if (!bucket?.length) return undefined;
    let best: MemoryEntry | undefined;
    let bestSim = -Infinity;
    for (const e of bucket) {
      const s = dot(vector, e.vector);
      if (s > bestSim) {
        bestSim = s;
        best = e;
      }
    }
    if (!best) return undefined;
    this.touch(bucket, best);
    return { entry: best, similarity: bestSim };
  }

  put(entry: MemoryEntry, now: number): void {
    const key = bucketKey(entry.businessId, entry.channelStyle);
    const bucket = (this.buckets.get(key) ?? []).filter(
      (e) => e.id !== entry.id && e.knowledgeVersion >= entry.knowledgeVersion && e.expiresAt > now,
    );
    bucket.push(entry);
    if (bucket.length > this.perBucket) bucket.splice(0, bucket.length - this.perBucket);
    this.buckets.set(key, bucket);
  }

  /** Drops everything a business has here (for tests and for an explicit purge). */
  forget(businessId: string): void {
    for (const key of [...this.buckets.keys()]) if (key.startsWith(`${businessId}\u0000`)) this.buckets.delete(key);
  }

  get size(): number {
    let n = 0;
    for (const b of this.buckets.values()) n += b.length;
    return n;
  }
}
