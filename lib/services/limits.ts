// Settings → Limits & budget: rate limits per customer, IP and business, the monthly budget and
// auto-pause. Validated, audited; budget changes apply to the current period at once.
import { sql } from "drizzle-orm";
import { z } from "zod";
import { withTenant } from "@/lib/db/client";
import { findBusinessById } from "@/lib/db/businesses";
import { setMonthlyBudget, spendSummary, type SpendSummary } from "@/lib/billing/budgets";
import { DEFAULT_LIMITS, readBusinessLimits } from "@/lib/ratelimit/rules";
import { DigestFrequency, readDigestFrequency } from "@/lib/jobs/digest";
import { AppError } from "@/lib/errors";
import { audit } from "./audit";
import { MANAGERS, requireRole, type Ctx } from "./context";

/**
 * A number as the form sends it (the text typed) or as a caller passes it. Empty stays empty (undefined),
 * never 0: a cleared budget must not become "spend nothing" and a cleared limit must not turn it off.
 */
const typed = (v: unknown) => {
  if (typeof v !== "string") return v ?? undefined;
  const text = v.trim().replace(/^\$\s*/, "");
  return text === "" ? undefined : /^[-+]?(\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : Number.NaN;
};
const number = (empty: string, invalid: string) => z.number({ error: (issue) => (issue.input === undefined ? empty : invalid) });

const whole = (label: string, max: number) =>
  z.preprocess(
    typed,
    number("Enter a number; 0 turns this limit off", `${label} must be a number`)
      .int(`${label} must be a whole number`)
      .min(0, `${label} cannot be negative`)
      .max(max, `${label} is at most ${max.toLocaleString("en-US")}`),
  );

export const LimitsInput = z.object({
  customerPerDay: whole("Messages per customer per day", 100_000),
  customerMinIntervalSeconds: whole("Seconds between a customer's messages", 3600),
  ipPerMinute: whole("Messages per IP per minute", 100_000),
  businessPerMonth: whole("Messages per month", 100_000_000),
  monthlyBudgetUsd: z.preprocess(
    typed,
    number("Enter a monthly budget in dollars, e.g. 50 (0 pauses model answers)", "Enter the budget as a number of dollars, e.g. 50 or 12.50")
      .min(0, "The budget cannot be negative")
      .max(1_000_000, "The budget is at most $1,000,000 a month"),
  ),
  autoPause: z.boolean({ message: "Choose whether to pause model answers" }),
  /** the owners' digest by email; left out, it stays as it is */
  digest: DigestFrequency.optional(),
});
/** The form's fields: each problem is shown next to the field of the same name. */
export const LIMITS_FIELDS = Object.keys(LimitsInput.shape);
export type LimitsInput = z.infer<typeof LimitsInput>;

export async function updateLimits({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requireRole(ctx, MANAGERS);
  const v = LimitsInput.parse(input);
  return withTenant(ctx.actor.userId, async (tx) => {
    const rates = {
      customerPerDay: v.customerPerDay,
      customerMinIntervalSeconds: v.customerMinIntervalSeconds,
      ipPerMinute: v.ipPerMinute,
      businessPerMonth: v.businessPerMonth,
      ...(v.digest ? { digest: v.digest } : {}),
    };
    await tx.execute(sql`update businesses set limits = limits || ${JSON.stringify(rates)}::jsonb, updated_at = now() where id = ${ctx.businessId}`);
    // Rows in rate_limit_rules would override the column; the form is now the source of truth.
    await tx.execute(sql`delete from rate_limit_rules where business_id = ${ctx.businessId}`);
    const state = await setMonthlyBudget(tx, ctx.businessId, { limitUsd: v.monthlyBudgetUsd, autoPause: v.autoPause });
    await audit(tx, ctx, "limits.updated", { type: "business", id: ctx.businessId }, v);
    return state;
  });
}

export type LimitsSettings = {
  spend: SpendSummary;
  limits: { customerPerDay: number; customerMinIntervalSeconds: number; ipPerMinute: number; businessPerMonth: number };
  digest: DigestFrequency;
};

/** Settings → Limits & budget: this period's spend and the limits in force. Owners and admins only. */
export async function getLimitsSettings({ ctx }: { ctx: Ctx }): Promise<LimitsSettings> {
  requireRole(ctx, MANAGERS);
  return withTenant(ctx.actor.userId, async (tx) => {
    const business = await findBusinessById(tx, ctx.businessId);
    if (!business) throw new AppError("not_found", "Business not found.");
    const stored = readBusinessLimits(business.limits);
    return {
      spend: await spendSummary(ctx.businessId, { ex: tx }),
      limits: {
        customerPerDay: stored.customerPerDay ?? DEFAULT_LIMITS.customer_day.limit,
        customerMinIntervalSeconds: stored.customerMinIntervalSeconds ?? DEFAULT_LIMITS.customer_interval.windowSeconds,
        ipPerMinute: stored.ipPerMinute ?? DEFAULT_LIMITS.ip_minute.limit,
        businessPerMonth: stored.businessPerMonth ?? DEFAULT_LIMITS.business_month.limit,
      },
      digest: readDigestFrequency(business.limits),
    };
  });
}
