// The in-process side of the kv port (embedded mode): a bounded map with per-key expiry.
// Synchronous on purpose: JavaScript runs one callback at a time, so every method here is atomic,
// which is what lets the in-process rate limiter mirror @upstash/ratelimit's Lua scripts exactly.
import "server-only";
import type { Kv, KvIncrOptions, KvSetOptions } from "./types";

type Entry = { value: unknown; expiresAt: number | null };

export class MemoryStore {
  private readonly map = new Map<string, Entry>();

  constructor(private readonly maxEntries = 100_000) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string, now = Date.now()): unknown {
    const entry = this.map.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== null && entry.expiresAt <= now) {
      this.map.delete(key);
      return undefined;
    }
    return entry.value;
  }

  has(key: string, now = Date.now()): boolean {
    return this.get(key, now) !== undefined;
  }

  /** Stores a value; ttlMs null keeps no expiry, undefined keeps the key's current expiry (like Redis KEEPTTL). */
  set(key: string, value: unknown, ttlMs?: number | null, now = Date.now()): void {
    const existing = this.map.get(key);
    const keep = ttlMs === undefined && existing && (existing.expiresAt === null || existing.expiresAt > now);
    const expiresAt = keep ? existing!.expiresAt : ttlMs == null ? null : now + ttlMs;
    this.map.delete(key); // re-insert so Map order approximates least-recently-written for eviction
    this.map.set(key, { value, expiresAt });
    if (this.map.size > this.maxEntries) this.evict(now);
  }

  delete(key: string): boolean {
    return this.map.delete(key);
  }

  /** Milliseconds to live: -2 when missing, -1 when the key has no expiry. */
  pttl(key: string, now = Date.now()): number {
    if (!this.has(key, now)) return -2;
    const { expiresAt } = this.map.get(key)!;
    return expiresAt === null ? -1 : expiresAt - now;
  }

  expire(key: string, ttlMs: number, now = Date.now()): boolean {
    if (!this.has(key, now)) return false;
    this.map.get(key)!.expiresAt = now + ttlMs;
    return true;
  }

  clear(): void {
    this.map.clear();
  }

  private evict(now: number): void {
    for (const [key, entry] of this.map) {
      if (entry.expiresAt !== null && entry.expiresAt <= now) this.map.delete(key);
    }
    // Still full: drop the oldest tenth rather than one key per write.
    let excess = this.map.size - Math.floor(this.maxEntries * 0.9);
    for (const key of this.map.keys()) {
      if (excess-- <= 0) break;
      this.map.delete(key);
    }
  }
}

/** Values are stored as JSON text, so callers get copies back — the same as they would from Redis. */
export class MemoryKv implements Kv {
  readonly kind = "memory" as const;

  constructor(readonly store: MemoryStore = new MemoryStore()) {}

  async get<T = unknown>(key: string): Promise<T | null> {
    const raw = this.store.get(key);
    if (raw === undefined) return null;
    return parseStored<T>(raw);
  }

  async set(key: string, value: unknown, options: KvSetOptions = {}): Promise<boolean> {
    if (options.nx && this.store.has(key)) return false;
    this.store.set(key, JSON.stringify(value), options.ttlSeconds ? options.ttlSeconds * 1000 : null);
    return true;
  }

  async del(...keys: string[]): Promise<number> {
    let n = 0;
    for (const key of keys) if (this.store.has(key) && this.store.delete(key)) n++;
    return n;
  }

  async incr(key: string, options: KvIncrOptions = {}): Promise<number> {
    const raw = this.store.get(key);
    const current = raw === undefined ? 0 : Number(raw);
    if (!Number.isInteger(current)) throw new Error("ERR value is not an integer or out of range");
    const next = current + (options.by ?? 1);
    this.store.set(key, String(next), options.ttlSeconds ? options.ttlSeconds * 1000 : undefined);
    return next;
  }

  async expire(key: string, ttlSeconds: number): Promise<boolean> {
    return this.store.expire(key, ttlSeconds * 1000);
  }

  async ttl(key: string): Promise<number> {
    const ms = this.store.pttl(key);
    return ms < 0 ? ms : Math.ceil(ms / 1000);
  }
}

export function parseStored<T>(raw: unknown): T {
  if (typeof raw !== "string") return raw as T;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return raw as T; // written by something other than this port: hand back the text
  }
}
