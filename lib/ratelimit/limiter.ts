// Two limiters with one meaning: @upstash/ratelimit on Upstash Redis (production) and an in-process mirror
// of its Lua scripts (embedded). The mirror copies the scripts' arithmetic line for line, so a limit
// behaves the same on a laptop as on Vercel; the shared test table in __tests__ holds both to it.
import "server-only";
import { Ratelimit } from "@upstash/ratelimit";
import type { Redis } from "@upstash/redis";
import { MemoryStore, type Kv } from "@/lib/kv";

export type Algorithm =
  /** every request in a fixed window counts, denied ones too (INCR first, compare after) */
  | { kind: "fixedWindow"; tokens: number; windowMs: number }
  /** weighted current + previous window; denied requests do not count */
  | { kind: "slidingWindow"; tokens: number; windowMs: number }
  /** `maxTokens` burst, refilled by `refillRate` every `intervalMs` */
  | { kind: "tokenBucket"; refillRate: number; intervalMs: number; maxTokens: number }
  /** a fixed window aligned to a calendar period (e.g. '2026-03' in the business's zone), ending at resetAt */
  | { kind: "calendar"; tokens: number; period: string; resetAt: number };

export type LimitResult = {
  success: boolean;
  limit: number;
  remaining: number;
  /** epoch ms when the window (or next token) resets */
  reset: number;
};

export interface Limiter {
  readonly kind: "upstash" | "memory";
  limit(prefix: string, identifier: string, algorithm: Algorithm): Promise<LimitResult>;
}

// ---------------------------------------------------------------- shared: calendar windows on the kv port

async function calendarLimit(kv: Kv, key: string, a: Extract<Algorithm, { kind: "calendar" }>): Promise<LimitResult> {
  // The expiry is relative so clock skew between this host and Redis cannot delete the counter early.
  const ttlSeconds = Math.max(1, Math.ceil((a.resetAt - Date.now()) / 1000)) + 3600;
  const used = await kv.incr(`${key}:${a.period}`, { ttlSeconds });
  return { success: used <= a.tokens, limit: a.tokens, remaining: Math.max(0, a.tokens - used), reset: a.resetAt };
}

// ---------------------------------------------------------------- in-process

type Bucket = { refilledAt: number; tokens: number };

export class MemoryLimiter implements Limiter {
  readonly kind = "memory" as const;

  constructor(
    private readonly store: MemoryStore,
    private readonly kv: Kv,
  ) {}

  async limit(prefix: string, identifier: string, a: Algorithm): Promise<LimitResult> {
    const key = `${prefix}:${identifier}`;
    switch (a.kind) {
      case "fixedWindow":
        return this.fixedWindow(key, a);
      case "slidingWindow":
        return this.slidingWindow(key, a);
      case "tokenBucket":
        return this.tokenBucket(key, a);
      case "calendar":
        return calendarLimit(this.kv, key, a);
    }
  }

  private count(key: string, now: number): number {
    return Number(this.store.get(key, now) ?? 0);
  }

  // fixedWindowLimitScript
  private fixedWindow(key: string, { tokens, windowMs }: { tokens: number; windowMs: number }): LimitResult {
    const now = Date.now();
    const bucket = Math.floor(now / windowMs);
    const k = `${key}:${bucket}`;
    const used = this.count(k, now) + 1;
    this.store.set(k, used, used === 1 ? windowMs : undefined, now);
    return { success: used <= tokens, limit: tokens, remaining: Math.max(0, tokens - used), reset: (bucket + 1) * windowMs };
  }

  // slidingWindowLimitScript
  private slidingWindow(key: string, { tokens, windowMs }: { tokens: number; windowMs: number }): LimitResult {
    const now = Date.now();
    const current = Math.floor(now / windowMs);
    const currentKey = `${key}:${current}`;
    const inCurrent = this.count(currentKey, now);
    const inPrevious = Math.floor((1 - (now % windowMs) / windowMs) * this.count(`${key}:${current - 1}`, now));
    const reset = (current + 1) * windowMs;
    if (inPrevious + inCurrent >= tokens) return { success: false, limit: tokens, remaining: 0, reset };
    const used = inCurrent + 1;
    this.store.set(currentKey, used, used === 1 ? windowMs * 2 + 1000 : undefined, now);
    return { success: true, limit: tokens, remaining: Math.max(0, tokens - (used + inPrevious)), reset };
  }

  // tokenBucketLimitScript
  private tokenBucket(
    key: string,
    { refillRate, intervalMs, maxTokens }: { refillRate: number; intervalMs: number; maxTokens: number },
  ): LimitResult {
    const now = Date.now();
    const stored = this.store.get(key, now) as Bucket | undefined;
    let refilledAt = stored ? stored.refilledAt : now;
    let tokens = stored ? stored.tokens : maxTokens;
    if (now >= refilledAt + intervalMs) {
      const refills = Math.floor((now - refilledAt) / intervalMs);
      tokens = Math.min(maxTokens, tokens + refills * refillRate);
      refilledAt += refills * intervalMs;
    }
    if (tokens < 1) return { success: false, limit: maxTokens, remaining: 0, reset: refilledAt + intervalMs };
    const remaining = tokens - 1;
    const expireMs = Math.ceil((maxTokens - remaining) / refillRate) * intervalMs;
    this.store.set(key, { refilledAt, tokens: remaining }, expireMs > 0 ? expireMs : undefined, now);
    return { success: true, limit: maxTokens, remaining, reset: refilledAt + intervalMs };
  }
}

// ---------------------------------------------------------------- Upstash

export class UpstashLimiter implements Limiter {
  readonly kind = "upstash" as const;
  private readonly instances = new Map<string, Ratelimit>();

  constructor(
    private readonly redis: Redis,
    private readonly kv: Kv,
    private readonly timeoutMs = 2000,
  ) {}

  async limit(prefix: string, identifier: string, a: Algorithm): Promise<LimitResult> {
    if (a.kind === "calendar") return calendarLimit(this.kv, `${prefix}:${identifier}`, a);
    const r = await this.instance(prefix, a).limit(identifier);
    // On timeout the SDK lets the request through (reason "timeout"): a slow Redis must not silence customers.
    return { success: r.success, limit: r.limit, remaining: r.remaining, reset: r.reset };
  }

  private instance(prefix: string, a: Exclude<Algorithm, { kind: "calendar" }>): Ratelimit {
    const id = `${prefix}|${JSON.stringify(a)}`;
    let rl = this.instances.get(id);
    if (!rl) {
      const limiter =
        a.kind === "fixedWindow"
          ? Ratelimit.fixedWindow(a.tokens, `${a.windowMs} ms`)
          : a.kind === "slidingWindow"
            ? Ratelimit.slidingWindow(a.tokens, `${a.windowMs} ms`)
            : Ratelimit.tokenBucket(a.refillRate, `${a.intervalMs} ms`, a.maxTokens);
      rl = new Ratelimit({
        redis: this.redis,
        limiter,
        prefix,
        // No per-instance block cache: it would make a denial stick until the window ends even where the
        // sliding window would already allow, so serverless instances and the mirror would disagree.
        ephemeralCache: false,
        analytics: false,
        enableProtection: false,
        timeout: this.timeoutMs,
      });
      if (this.instances.size > 1000) this.instances.clear(); // distinct configured limits are few
      this.instances.set(id, rl);
    }
    return rl;
  }
}
