// Rate limits before money is spent: per customer (interval and day), per IP for web visitors, per business
// per calendar month. @upstash/ratelimit in production, the in-process mirror in embedded mode.
import "server-only";
import { AppError } from "@/lib/errors";
import { monthPeriod } from "@/lib/billing/period";
import type { Executor } from "@/lib/db/client";
import { keyedHash } from "@/lib/security/crypto";
import { getKv, MemoryKv, MemoryStore, UpstashKv, type Kv } from "@/lib/kv";
import { MemoryLimiter, UpstashLimiter, type Algorithm, type Limiter } from "./limiter";
import { loadLimits, tightenForTrust, type LimitRule, type LimitScope, type ResolvedLimits } from "./rules";

export {
  BusinessLimits,
  DEFAULT_LIMITS,
  LIMIT_SCOPES,
  LOW_TRUST_BELOW,
  loadLimits,
  readBusinessLimits,
  resolveLimits,
  tightenForTrust,
  type LimitRule,
  type LimitRules,
  type LimitScope,
  type ResolvedLimits,
} from "./rules";
export { MemoryLimiter, UpstashLimiter, type Algorithm, type Limiter, type LimitResult } from "./limiter";

export type CheckLimitsInput = {
  businessId: string;
  /** the resolved customer; omit for a visitor not yet identified */
  customerId?: string | null;
  /** the client IP of a web visitor (hashed before it is used as a key) */
  ip?: string | null;
  /** the customer's trust score; below LOW_TRUST_BELOW the customer's limits tighten */
  trustScore?: number | null;
  /**
   * The channel the message came on. A call is paced by the call itself (each turn waits for the
   * spoken answer), so the per-customer interval does not apply to voice; the daily cap still does.
   */
  channelKind?: string | null;
};

export type LimitDecision =
  | { ok: true }
  | {
      ok: false;
      scope: LimitScope;
      retryAfterSeconds: number;
      /** safe to show the customer */
      message: string;
      /** the limit that applied (after any tightening for low trust) */
      limit: number;
      windowSeconds: number;
    };

const MESSAGES: Record<LimitScope, string> = {
  customer_interval: "You're sending messages a little fast. Please wait a couple of seconds and try again.",
  customer_day: "You've reached today's message limit. Please try again tomorrow.",
  ip_minute: "Too many messages from your network. Please wait a minute and try again.",
  business_month: "We can't take more messages right now. Please try again later.",
};

const PREFIX = "prism:rl";

/** The keyed hash used for an IP everywhere (rate-limit keys, abuse_events.ip_hash); raw IPs are never stored. */
export function hashIp(ip: string): string {
  return keyedHash(`ip:${ip.trim().toLowerCase()}`);
}

type Holder = { limiter?: Limiter; kv?: Kv; forTests?: boolean };
const holder: Holder = ((globalThis as { __prismLimiter?: Holder }).__prismLimiter ??= {});

/** The limiter over the process's kv: Upstash when configured, else in-process. */
export function getLimiter(): Limiter {
  const kv = getKv();
  if (holder.limiter && (holder.forTests || holder.kv === kv)) return holder.limiter;
  holder.kv = kv;
  holder.forTests = false;
  if (kv instanceof UpstashKv) holder.limiter = new UpstashLimiter(kv.redis, kv);
  else if (kv instanceof MemoryKv) holder.limiter = new MemoryLimiter(kv.store, kv);
  else holder.limiter = new MemoryLimiter(new MemoryStore(), kv);
  return holder.limiter;
}

/** Tests install their own limiter (or undefined to build one over getKv() again). */
export function setLimiterForTests(limiter: Limiter | undefined): void {
  holder.limiter = limiter;
  holder.forTests = limiter !== undefined;
}

type Check = { scope: LimitScope; identifier: string; rule: LimitRule; algorithm: Algorithm };

function plan(input: CheckLimitsInput, limits: ResolvedLimits, now: Date): Check[] {
  const { rules, timeZone } = limits;
  const checks: Check[] = [];
  const add = (scope: LimitScope, identifier: string, rule: LimitRule, algorithm: (r: LimitRule) => Algorithm) => {
    if (rule.limit > 0) checks.push({ scope, identifier, rule, algorithm: algorithm(rule) });
  };
  // Cheapest denial first; a message counts against each limit it reaches.
  if (input.customerId) {
    const id = `${input.businessId}:${input.customerId}`;
    // A token bucket, not a window: "one every 2 s" must hold across window edges.
    if (input.channelKind !== "voice") {
      add("customer_interval", id, tightenForTrust(rules.customer_interval, input.trustScore), (r) => ({
        kind: "tokenBucket",
        refillRate: r.limit,
        intervalMs: r.windowSeconds * 1000,
        maxTokens: r.limit,
      }));
    }
    add("customer_day", id, tightenForTrust(rules.customer_day, input.trustScore), (r) => ({
      kind: "slidingWindow",
      tokens: r.limit,
      windowMs: r.windowSeconds * 1000,
    }));
  }
  if (input.ip) {
    add("ip_minute", `${input.businessId}:${hashIp(input.ip)}`, tightenForTrust(rules.ip_minute, input.trustScore), (r) => ({
      kind: "slidingWindow",
      tokens: r.limit,
      windowMs: r.windowSeconds * 1000,
    }));
  }
  const period = monthPeriod(timeZone, now);
  add("business_month", input.businessId, rules.business_month, (r) => ({
    kind: "calendar",
    tokens: r.limit,
    period: period.start,
    resetAt: period.endsAt.getTime(),
  }));
  return checks;
}

/**
 * Counts one inbound message against every limit that applies and says whether it may be answered.
 * Fails open (and logs) when the limiter's store is unreachable: a Redis outage must not drop customers.
 */
export async function checkLimits(
  ex: Executor,
  input: CheckLimitsInput,
  deps: { limiter?: Limiter; limits?: ResolvedLimits } = {},
): Promise<LimitDecision> {
  const limits = deps.limits ?? (await loadLimits(ex, input.businessId));
  if (!limits) throw new AppError("not_found", "That business does not exist.");
  const limiter = deps.limiter ?? getLimiter();
  for (const check of plan(input, limits, new Date())) {
    let result;
    try {
      result = await limiter.limit(`${PREFIX}:${check.scope}`, check.identifier, check.algorithm);
    } catch (err) {
      console.warn(`[prismai] rate limiter unavailable for ${check.scope}; letting the message through`, err instanceof Error ? err.name : "");
      continue;
    }
    if (!result.success) {
      return {
        ok: false,
        scope: check.scope,
        retryAfterSeconds: Math.max(1, Math.ceil((result.reset - Date.now()) / 1000)),
        message: MESSAGES[check.scope],
        limit: check.rule.limit,
        windowSeconds: check.rule.windowSeconds,
      };
    }
  }
  return { ok: true };
}
