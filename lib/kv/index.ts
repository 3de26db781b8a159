// The cache / rate-limit port: Upstash Redis in production, an in-process store in embedded mode.
// Only the production adapter may carry state between instances (ARCHITECTURE.md, "When one machine…").
import "server-only";
import type { Redis } from "@upstash/redis";
import { env } from "@/lib/env";
import { MemoryKv, MemoryStore } from "./memory";
import { UpstashKv, createUpstashRedis } from "./upstash";
import type { Kv } from "./types";

export type { Kv, KvIncrOptions, KvSetOptions } from "./types";
export { MemoryKv, MemoryStore } from "./memory";
export { UpstashKv, createUpstashRedis, type UpstashConfig } from "./upstash";

type Holder = { kv?: Kv };
// On globalThis so Next's dev reloads keep one store (and one client) per process.
const holder: Holder = ((globalThis as { __prismKv?: Holder }).__prismKv ??= {});

function open(): Kv {
  const e = env();
  if (e.adapters.cache === "upstash") {
    return new UpstashKv(createUpstashRedis({ url: e.UPSTASH_REDIS_REST_URL!, token: e.UPSTASH_REDIS_REST_TOKEN! }));
  }
  return new MemoryKv(new MemoryStore());
}

/** The process's kv, chosen by env().adapters.cache. */
export function getKv(): Kv {
  holder.kv ??= open();
  return holder.kv;
}

/** The Upstash client behind getKv(), or null in embedded mode (for @upstash/ratelimit). */
export function getRedis(): Redis | null {
  const kv = getKv();
  return kv instanceof UpstashKv ? kv.redis : null;
}

/** Tests install their own kv (or undefined to choose from the environment again). */
export function setKvForTests(kv: Kv | undefined): void {
  holder.kv = kv;
}
