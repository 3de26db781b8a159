// The in-process tier: recent wordings and the entry each one was decided to (an entry's own
// question, or a paraphrase the decision served it for), per business and channel style, in an LRU.
// It answers exact repeats only: deciding a new wording needs the whole neighbourhood, which only
// Postgres has (an LRU of recent entries cannot see the conflicting answer it does not hold).
import "server-only";
import { LRUCache } from "lru-cache";

export type MemoryEntry = {
  id: string;
  businessId: string;
  channelStyle: string;
  knowledgeVersion: number;
  /** the normalised wording this maps */
  question: string;
  /** the entry's own question (normalised) */
  entryQuestion: string;
  answer: string;
  answerKey: string;
  origin: "model" | "warmed";
  /** of this wording to the entry's question, and the decision's score (1 and 1 for the entry's own question) */
  similarity: number;
  score: number;
  expiresAt: number;
};

export type MemoryTierOptions = {
  /** wordings kept per business and style (most recently used win) */
  perBucket?: number;
  /** business × style buckets kept */
  maxBuckets?: number;
};

const bucketKey = (businessId: string, style: string) => `${businessId}\u0000${style}`;

export class MemoryTier {
  private readonly buckets: LRUCache<string, LRUCache<string, MemoryEntry>>;
  private readonly perBucket: number;

  constructor(options: MemoryTierOptions = {}) {
    this.perBucket = options.perBucket ?? 512;
    this.buckets = new LRUCache({ max: options.maxBuckets ?? 2_000 });
  }

  /** The entry this wording maps to, if it is of this knowledge version and still live. */
  exact(businessId: string, style: string, version: number, question: string, now: number): MemoryEntry | undefined {
    const bucket = this.buckets.get(bucketKey(businessId, style));
    const entry = bucket?.get(question);
    if (!bucket || !entry) return undefined;
    // An entry of another version can never serve this version: drop it rather than skip it.
    if (entry.knowledgeVersion !== version || entry.expiresAt <= now) {
      bucket.delete(question);
      return undefined;
    }
    return entry;
  }

  put(entry: MemoryEntry, now: number): void {
    if (entry.expiresAt <= now) return;
    const key = bucketKey(entry.businessId, entry.channelStyle);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new LRUCache({ max: this.perBucket });
      this.buckets.set(key, bucket);
    }
    const known = bucket.get(entry.question);
    // a newer knowledge version's mapping is never replaced by an older one's
    if (known && known.knowledgeVersion > entry.knowledgeVersion && known.expiresAt > now) return;
    bucket.set(entry.question, entry);
  }

  /** Drops everything a business has here (for tests and for an explicit purge). */
  forget(businessId: string): void {
    for (const key of [...this.buckets.keys()]) if (key.startsWith(`${businessId}\u0000`)) this.buckets.delete(key);
  }

  get size(): number {
    let n = 0;
    for (const b of this.buckets.values()) n += b.size;
    return n;
  }
}
