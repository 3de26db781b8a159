// The shared key-value tier of the semantic cache, behind the smallest interface it needs, so it
// takes an @upstash/redis client in production and a Map in embedded mode (lib/kv is a separate port).
import "server-only";
import { Redis } from "@upstash/redis";
import { LRUCache } from "lru-cache";
import { env } from "@/lib/env";

export interface CacheKv {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, options: { ex: number }): Promise<void>;
}

/** The slice of @upstash/redis the cache uses (a structural type, so tests can pass a real client). */
export type RedisLike = {
  get(key: string): Promise<unknown>;
  set(key: string, value: string, options: { ex: number }): Promise<unknown>;
};

/** Upstash Redis over REST: shared by every instance, so one instance's answer serves all. */
export class UpstashKv implements CacheKv {
  constructor(private readonly redis: RedisLike) {}

  async get(key: string): Promise<string | null> {
    const value = await this.redis.get(key);
    if (value === null || value === undefined) return null;
    // A client built with automatic deserialisation hands back the parsed JSON: re-serialise.
    return typeof value === "string" ? value : JSON.stringify(value);
  }

  async set(key: string, value: string, options: { ex: number }): Promise<void> {
    await this.redis.set(key, value, { ex: Math.max(1, Math.ceil(options.ex)) });
  }
}

/** In-process stand-in with the same expiry semantics; bounded so it cannot grow without limit. */
export class MemoryKv implements CacheKv {
  private readonly map: LRUCache<string, { value: string; expiresAt: number }>;
  constructor(private readonly options: { max?: number; now?: () => number } = {}) {
    this.map = new LRUCache({ max: options.max ?? 10_000 });
  }
  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }
  async get(key: string): Promise<string | null> {
    const hit = this.map.get(key);
    if (!hit) return null;
    if (hit.expiresAt <= this.now()) {
      this.map.delete(key);
      return null;
    }
    return hit.value;
  }
  async set(key: string, value: string, options: { ex: number }): Promise<void> {
    this.map.set(key, { value, expiresAt: this.now() + options.ex * 1000 });
  }
}

/** The environment's KV tier: Upstash when UPSTASH_REDIS_REST_URL is set, in-process otherwise. */
export function createCacheKv(options: { now?: () => number } = {}): CacheKv {
  const e = env();
  if (e.adapters.cache === "upstash") {
    return new UpstashKv(
      new Redis({
        url: e.UPSTASH_REDIS_REST_URL!,
        token: e.UPSTASH_REDIS_REST_TOKEN!,
        automaticDeserialization: false,
        enableTelemetry: false,
      }),
    );
  }
  return new MemoryKv(options);
}
