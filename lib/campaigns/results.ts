import "server-only";
// What happened to each recipient, read from where it is recorded: our row (queued, skipped and why),
// the outbox row the message left by (sent, or failed with the provider's reason), the message's
// delivery status from the provider's callbacks (delivered, read), the customer's next message
// (replied) and the owner's goal (converted). Then the A/B comparison with a two-proportion test.
import { sql } from "drizzle-orm";
import { rows, type Executor } from "@/lib/db/client";
import type { Campaign } from "./send";

export type RecipientStatus = "queued" | "sent" | "delivered" | "read" | "failed" | "skipped" | "replied" | "converted";

export type RecipientView = {
  id: string;
  customerId: string;
  name: string | null;
  variant: "A" | "B" | "holdout";
  channel: string | null;
  status: RecipientStatus;
  reason: string | null;
  dueAt: string;
  sentAt: string | null;
  conversationId: string | null;
  estimateUsd: number;
  actualUsd: number;
};

type Row = {
  id: string;
  customer_id: string;
  name: string | null;
  variant: "A" | "B" | "holdout";
  channel: string | null;
  status: string;
  error: string | null;
  due_at: string | Date;
  sent_at: string | Date | null;
  conversation_id: string | null;
  estimate_usd: string | number;
  outbox_status: string | null;
  outbox_error: string | null;
  delivery_status: string | null;
  replied: boolean;
  converted: boolean;
  actual_usd: string | number;
};

const iso = (d: string | Date | null) => (d === null ? null : new Date(d).toISOString());

function statusOf(r: Row): { status: RecipientStatus; reason: string | null } {
  if (r.status === "skipped") {
    // a holdout customer is never sent to, yet counts as converted when the goal is met anyway
    return { status: r.error === "holdout" && r.converted ? "converted" : "skipped", reason: r.error };
  }
  if (r.status === "queued" || r.status === "sending") return { status: "queued", reason: null };
  if (r.status === "failed") return { status: "failed", reason: r.error };
  if (r.outbox_status === "failed") return { status: "failed", reason: r.outbox_error ?? "The provider refused the message." };
  if (r.delivery_status === "failed" || r.delivery_status === "undelivered") return { status: "failed", reason: r.outbox_error ?? `The provider reported it ${r.delivery_status}.` };
  if (r.converted) return { status: "converted", reason: null };
  if (r.replied) return { status: "replied", reason: null };
  if (r.delivery_status === "read") return { status: "read", reason: null };
  if (r.delivery_status === "delivered") return { status: "delivered", reason: null };
  if (r.outbox_status === "sent") return { status: "sent", reason: null };
  return { status: "queued", reason: null };
}

/** Every recipient of a campaign with their status as a person would describe it. */
export async function campaignRecipientViews(ex: Executor, campaign: Campaign, opts: { limit?: number } = {}): Promise<RecipientView[]> {
  const windowDays = campaign.goalWindowDays;
  const list = await rows<Row>(
    ex,
    sql`select r.id, r.customer_id, cu.name, r.variant, ch.kind::text as channel, r.status, r.error, r.due_at, r.sent_at, r.conversation_id, r.estimate_usd,
          o.status as outbox_status, o.error as outbox_error, m.delivery_status,
          exists (select 1 from messages x where x.business_id = r.business_id and x.customer_id = r.customer_id and x.role = 'customer'
                  and x.created_at > coalesce(r.sent_at, ${campaign.startedAt ?? new Date(0)}::timestamptz)
                  and x.created_at <= coalesce(r.sent_at, ${campaign.startedAt ?? new Date(0)}::timestamptz) + make_interval(days => ${windowDays})
                  and (r.sent_at is not null or r.error = 'holdout')) as replied,
          case when ${campaign.goal} = 'tag_added' then (not r.goal_met_before and ${campaign.goalTag ?? ""} = any(cu.tags) and (r.sent_at is not null or r.error = 'holdout'))
               when ${campaign.goal} = 'booked' then exists (select 1 from bookings b where b.business_id = r.business_id and b.customer_id = r.customer_id
                  and b.status in ('confirmed', 'no_show')
                  and b.created_at > coalesce(r.sent_at, ${campaign.startedAt ?? new Date(0)}::timestamptz)
                  and b.created_at <= coalesce(r.sent_at, ${campaign.startedAt ?? new Date(0)}::timestamptz) + make_interval(days => ${windowDays})
                  and (r.sent_at is not null or r.error = 'holdout'))
               else exists (select 1 from messages x where x.business_id = r.business_id and x.customer_id = r.customer_id and x.role = 'customer'
                  and x.created_at > coalesce(r.sent_at, ${campaign.startedAt ?? new Date(0)}::timestamptz)
                  and x.created_at <= coalesce(r.sent_at, ${campaign.startedAt ?? new Date(0)}::timestamptz) + make_interval(days => ${windowDays})
                  and (r.sent_at is not null or r.error = 'holdout')) end as converted,
          coalesce((select sum(e.cost_usd) from cost_events e where e.business_id = r.business_id and e.message_id = r.message_id), 0) as actual_usd
        from campaign_recipients r
        join customers cu on cu.id = r.customer_id
        left join channels ch on ch.id = r.channel_id
        left join messages m on m.id = r.message_id
        left join lateral (select status, error from outbox where outbox.message_id = r.message_id and outbox.business_id = r.business_id order by created_at desc limit 1) o on true
        where r.campaign_id = ${campaign.id} and r.business_id = ${campaign.businessId}
        order by r.due_at, r.id
        ${opts.limit ? sql`limit ${opts.limit}` : sql``}`,
  );
  return list.map((r) => {
    const { status, reason } = statusOf(r);
    return {
      id: r.id,
      customerId: r.customer_id,
      name: r.name,
      variant: r.variant,
      channel: r.channel,
      status,
      reason,
      dueAt: iso(r.due_at)!,
      sentAt: iso(r.sent_at),
      conversationId: r.conversation_id,
      estimateUsd: Number(r.estimate_usd),
      actualUsd: Number(r.actual_usd),
    };
  });
}

/** Two-sided two-proportion z-test: is conversion in group 1 different from group 2? */
export function twoProportion(x1: number, n1: number, x2: number, n2: number): { pValue: number; significant: boolean; z: number } {
  if (n1 === 0 || n2 === 0) return { pValue: 1, significant: false, z: 0 };
  const p = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  if (se === 0) return { pValue: 1, significant: false, z: 0 };
  const z = (x1 / n1 - x2 / n2) / se;
  const pValue = 2 * (1 - normalCdf(Math.abs(z)));
  // at least five conversions and five non-conversions per group before the normal approximation holds
  const enough = [x1, n1 - x1, x2, n2 - x2].every((v) => v >= 5);
  return { pValue, significant: enough && pValue < 0.05, z };
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 through erf). */
function normalCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * (x / Math.SQRT2));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(x * x) / 2);
  return 0.5 * (1 + y);
}

export type GroupStats = { group: "A" | "B" | "holdout"; recipients: number; sent: number; converted: number; rate: number };

export type CampaignSummary = {
  counts: Record<RecipientStatus, number>;
  skippedReasons: Record<string, number>;
  groups: GroupStats[];
  /** the plain verdict of the comparison, or null with one group and no holdout */
  verdict: string | null;
  estimateUsd: number;
  actualUsd: number;
  /** actual against the estimate of what was sent, as a share (0.02 = 2 % over) */
  deviation: number | null;
};

export function summarise(campaign: Campaign, list: RecipientView[]): CampaignSummary {
  const counts = { queued: 0, sent: 0, delivered: 0, read: 0, failed: 0, skipped: 0, replied: 0, converted: 0 } as Record<RecipientStatus, number>;
  const skippedReasons: Record<string, number> = {};
  const groups = new Map<string, GroupStats>();
  let estimateUsd = 0;
  let actualUsd = 0;
  for (const r of list) {
    counts[r.status]++;
    if (r.status === "skipped" && r.reason) skippedReasons[r.reason] = (skippedReasons[r.reason] ?? 0) + 1;
    const g = groups.get(r.variant) ?? { group: r.variant, recipients: 0, sent: 0, converted: 0, rate: 0 };
    g.recipients++;
    const reached = r.sentAt !== null || r.variant === "holdout";
    if (reached && r.status !== "failed" && !(r.status === "skipped" && r.reason !== "holdout")) g.sent++;
    if (r.status === "converted") g.converted++;
    groups.set(r.variant, g);
    if (r.sentAt) {
      estimateUsd += r.estimateUsd;
      actualUsd += r.actualUsd;
    }
  }
  const stats = (["A", "B", "holdout"] as const).flatMap((k) => (groups.has(k) ? [groups.get(k)!] : []));
  for (const g of stats) g.rate = g.sent ? g.converted / g.sent : 0;
  const a = groups.get("A");
  const b = groups.get("B") ?? (campaign.holdoutPct > 0 ? groups.get("holdout") : undefined);
  let verdict: string | null = null;
  if (a && b) {
    const t = twoProportion(a.converted, a.sent, b.converted, b.sent);
    const name = b.group === "holdout" ? "the holdout (no message)" : "message B";
    if (!t.significant) verdict = `Too few recipients to tell: message A converted ${pct(a.rate)} and ${name} ${pct(b.rate)}, a difference chance could explain (p = ${t.pValue.toFixed(2)}).`;
    else verdict = `${a.rate > b.rate ? "Message A" : b.group === "holdout" ? "Sending nothing" : "Message B"} did better: ${pct(a.rate)} against ${pct(b.rate)} for ${name} (p = ${t.pValue < 0.001 ? "< 0.001" : t.pValue.toFixed(3)}).`;
  }
  return {
    counts,
    skippedReasons,
    groups: stats,
    verdict,
    estimateUsd: Math.round(estimateUsd * 1e6) / 1e6,
    actualUsd: Math.round(actualUsd * 1e6) / 1e6,
    deviation: estimateUsd > 0 ? actualUsd / estimateUsd - 1 : null,
  };
}

const pct = (r: number) => `${(r * 100).toFixed(1)} %`;
