// Which limits apply to a business: rate_limit_rules rows override businesses.limits, which overrides the defaults.
import "server-only";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { rows, type Executor } from "@/lib/db/client";

export const LIMIT_SCOPES = ["customer_interval", "customer_day", "ip_minute", "business_month"] as const;
export type LimitScope = (typeof LIMIT_SCOPES)[number];

/** `limit` requests per `windowSeconds`; a limit of 0 turns the scope off. */
export type LimitRule = { limit: number; windowSeconds: number };
export type LimitRules = Record<LimitScope, LimitRule>;

export const DEFAULT_LIMITS: LimitRules = {
  customer_interval: { limit: 1, windowSeconds: 2 }, // at most one message every 2 s
  customer_day: { limit: 50, windowSeconds: 86_400 },
  ip_minute: { limit: 30, windowSeconds: 60 }, // unidentified web visitors
  // Counted per calendar month in the business's time zone (with the budget); windowSeconds is informational.
  business_month: { limit: 10_000, windowSeconds: 30 * 86_400 },
};

/** Trust below this tightens a customer's limits (and the pipeline should answer more cheaply). */
export const LOW_TRUST_BELOW = 30;

const count = z.number().int().min(0);

/**
 * businesses.limits, as the dashboard writes it (Settings → Limits & budget). Budget settings live here
 * too so the whole column has one schema; lib/billing reads monthlyBudgetUsd and autoPause.
 */
export const BusinessLimits = z.object({
  customerPerDay: count.optional(),
  /** 0 turns the per-message interval off */
  customerMinIntervalSeconds: z.number().int().min(0).max(3600).optional(),
  ipPerMinute: count.optional(),
  businessPerMonth: count.optional(),
  monthlyBudgetUsd: z.number().min(0).max(1_000_000).optional(),
  /** on (default): model calls stop when the budget is spent; off: spending continues, alerts only */
  autoPause: z.boolean().optional(),
});
export type BusinessLimits = z.infer<typeof BusinessLimits>;

/** Reads the stored column leniently: a bad field falls back to its default instead of breaking every message. */
export function readBusinessLimits(raw: unknown): BusinessLimits {
  const source = raw && typeof raw === "object" ? (raw as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(BusinessLimits.shape)) {
    const parsed = schema.safeParse(source[key]);
    if (parsed.success && parsed.data !== undefined) out[key] = parsed.data;
  }
  return out as BusinessLimits;
}

function fromBusinessLimits(limits: BusinessLimits): Partial<LimitRules> {
  const out: Partial<LimitRules> = {};
  if (limits.customerPerDay !== undefined) out.customer_day = { limit: limits.customerPerDay, windowSeconds: 86_400 };
  if (limits.customerMinIntervalSeconds !== undefined) {
    out.customer_interval =
      limits.customerMinIntervalSeconds === 0
        ? { limit: 0, windowSeconds: 1 }
        : { limit: 1, windowSeconds: limits.customerMinIntervalSeconds };
  }
  if (limits.ipPerMinute !== undefined) out.ip_minute = { limit: limits.ipPerMinute, windowSeconds: 60 };
  if (limits.businessPerMonth !== undefined) {
    out.business_month = { limit: limits.businessPerMonth, windowSeconds: DEFAULT_LIMITS.business_month.windowSeconds };
  }
  return out;
}

export type ResolvedLimits = { timeZone: string; rules: LimitRules };

type RuleRow = { scope: string; limit: number; windowSeconds: number };

/** Merges defaults, the business's limits column and its rule rows (most specific wins). */
export function resolveLimits(limitsColumn: unknown, ruleRows: RuleRow[]): LimitRules {
  const rules: LimitRules = { ...DEFAULT_LIMITS, ...fromBusinessLimits(readBusinessLimits(limitsColumn)) };
  for (const row of ruleRows) {
    if (!(LIMIT_SCOPES as readonly string[]).includes(row.scope)) continue;
    const limit = Number(row.limit);
    const windowSeconds = Number(row.windowSeconds);
    if (!Number.isInteger(limit) || limit < 0 || !(windowSeconds > 0)) continue;
    rules[row.scope as LimitScope] = { limit, windowSeconds };
  }
  return rules;
}

/** One round trip: the business's zone, limits column and rule rows. */
export async function loadLimits(ex: Executor, businessId: string): Promise<ResolvedLimits | null> {
  const [row] = await rows<{ time_zone: string; limits: unknown; rules: unknown }>(
    ex,
    sql`select b.time_zone, b.limits,
          coalesce((select json_agg(json_build_object('scope', r.scope, 'limit', r."limit", 'windowSeconds', r.window_seconds))
                    from rate_limit_rules r where r.business_id = b.id), '[]'::json) as rules
        from businesses b where b.id = ${businessId}`,
  );
  if (!row) return null;
  const parse = (v: unknown) => (typeof v === "string" ? (JSON.parse(v) as unknown) : v);
  return {
    timeZone: row.time_zone,
    rules: resolveLimits(parse(row.limits), (parse(row.rules) as RuleRow[] | null) ?? []),
  };
}

/** Low trust halves a limit; a limit of one (the interval) gets a doubled window instead. */
export function tightenForTrust(rule: LimitRule, trustScore: number | null | undefined): LimitRule {
  if (trustScore === null || trustScore === undefined || trustScore >= LOW_TRUST_BELOW || rule.limit === 0) return rule;
  return rule.limit > 1
    ? { limit: Math.floor(rule.limit / 2), windowSeconds: rule.windowSeconds }
    : { limit: rule.limit, windowSeconds: rule.windowSeconds * 2 };
}
