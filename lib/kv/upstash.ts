// The production side of the kv port: Upstash Redis over its REST API.
import "server-only";
import { Redis } from "@upstash/redis";
import { parseStored } from "./memory";
import type { Kv, KvIncrOptions, KvSetOptions } from "./types";

export type UpstashConfig = { url: string; token: string };

/**
 * An Upstash client configured for this app. Serialisation is done here, not by the SDK: its automatic
 * deserialisation turns a stored "123" into a number, which the in-process adapter would not do.
 */
export function createUpstashRedis(config: UpstashConfig): Redis {
  return new Redis({
    url: config.url,
    token: config.token,
    automaticDeserialization: false,
    enableTelemetry: false,
  });
}

export class UpstashKv implements Kv {
  readonly kind = "upstash" as const;

  constructor(readonly redis: Redis) {}

  async get<T = unknown>(key: string): Promise<T | null> {
    const raw = await this.redis.get<string>(key);
    return raw === null || raw === undefined ? null : parseStored<T>(raw);
  }

  async set(key: string, value: unknown, options: KvSetOptions = {}): Promise<boolean> {
    const text = JSON.stringify(value);
    const result =
      options.ttlSeconds && options.nx
        ? await this.redis.set(key, text, { ex: options.ttlSeconds, nx: true })
        : options.ttlSeconds
          ? await this.redis.set(key, text, { ex: options.ttlSeconds })
          : options.nx
            ? await this.redis.set(key, text, { nx: true })
            : await this.redis.set(key, text);
    return result === "OK";
  }

  async del(...keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    return this.redis.del(...keys);
  }

  async incr(key: string, options: KvIncrOptions = {}): Promise<number> {
    const by = options.by ?? 1;
    if (!options.ttlSeconds) return this.redis.incrby(key, by);
    // One round trip, applied atomically: the counter never exists without its expiry.
    const [value] = await this.redis.multi().incrby(key, by).expire(key, options.ttlSeconds).exec<[number, number]>();
    return Number(value);
  }

  async expire(key: string, ttlSeconds: number): Promise<boolean> {
    return (await this.redis.expire(key, ttlSeconds)) === 1;
  }

  async ttl(key: string): Promise<number> {
    return this.redis.ttl(key);
  }
}
