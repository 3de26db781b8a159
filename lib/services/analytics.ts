import "server-only";
// The Analytics page and its CSV: conversations over time by channel, the AI's resolution rate,
// hand-offs and their reasons, first response times of the AI and of staff, resolution time. Every
// metric is one SQL aggregate over lib/db/reports.ts's conversationFacts, whose header defines the
// resolution types; the inbox filters by the same sets, so a number and its conversations agree.
// Owners and admins only (analytics include costs), checked here as well as on the page.
import { analyticsAggregates, conversationExportRows, RETURN_WINDOW_HOURS, type ConversationSummary } from "@/lib/db/reports";
import { toCsv } from "@/lib/knowledge/csv";
import { audit } from "./audit";
import { MANAGERS, requireStaffRole, type Ctx } from "./context";
import { usdText } from "./costs";
import type { ResolvedFilters } from "./report-filters";
import { runReport } from "./reports";

/** Hand-off reasons in plain words (lib/db/reports.ts groups the categories); the page and the CSV say these. */
export const HANDOFF_REASON_LABEL: Record<string, string> = {
  person: "asked for a person",
  rule: "rule",
  low_confidence: "low confidence",
  budget: "budget",
  staff: "staff",
  paused: "AI paused",
  ai: "AI's judgement",
  unknown: "not recorded",
};

/** What each reason counts, for the page's definition. */
export const HANDOFF_REASON_DEFINITION: Record<string, string> = {
  person: "the customer asked for a person, or said yes to one offered on a topic the AI must not discuss",
  rule: "an emergency, a complaint, a legal or medical matter, or one of your hand-off rules",
  low_confidence: "the AI could not answer from your FAQs and knowledge, offered a person and the customer said yes (or the model handed over for that reason)",
  budget: "the monthly budget was spent, so the customer got your fallback reply and the conversation waits for a person",
  staff: "a person took over or replied without the AI handing the conversation over",
  paused: "the business was paused, so the customer got your fallback reply and the conversation waits for a person",
  ai: "the model judged a person was needed for another reason, or no model could answer",
  unknown: "waiting for a person with no reason recorded",
};

export const RESOLUTION_LABEL: Record<string, string> = {
  ai: "Resolved by the AI",
  staff: "Resolved by staff",
  returned: "Customer came back within 72 h",
  pending: "Too early to tell (under 72 h)",
  handed_off: "Handed to a person",
  unanswered: "Not answered",
};

export type AnalyticsReport = {
  filters: Omit<ResolvedFilters, "startsAt" | "endsAt"> & { startsAt: string; endsAt: string };
  summary: ConversationSummary & {
    /** ai_resolved / (conversations − pending); null when nothing can be judged yet */
    aiResolutionRate: number | null;
    /** conversations the AI replied to / conversations */
    aiInvolvement: number | null;
    handoffRate: number | null;
    /** the average satisfaction rating (1–5) of the surveys answered; null when none was */
    csatAverage: number | null;
    /** surveys rated 4 or 5 / surveys answered */
    csatSatisfiedShare: number | null;
    /** surveys answered / surveys sent */
    csatResponseRate: number | null;
    /** conversations that ended in a booking (a conversion), and their share of all conversations */
    booked: number;
    bookingRate: number | null;
  };
  /** one entry per local day: conversations started per channel */
  byDay: { day: string; values: Record<string, number> }[];
  channels: string[];
  reasons: { reason: string; label: string; conversations: number }[];
  returnWindowHours: number;
};

export async function getAnalyticsReport({ ctx, input }: { ctx: Ctx; input?: unknown }, opts: { now?: Date } = {}): Promise<AnalyticsReport> {
  requireStaffRole(ctx, MANAGERS);
  const now = opts.now ?? new Date();
  return runReport(ctx, input, now, async (tx, f) => {
    const scope = { businessId: ctx.businessId, timeZone: f.timeZone, startsAt: f.startsAt, endsAt: f.endsAt, channel: f.channel, now };
    const { summary, byDay: daily, reasons, booked } = await analyticsAggregates(tx, scope);
    const channels = [...new Set(daily.map((d) => d.channel))].sort();
    const perDay = new Map<string, Record<string, number>>(f.days.map((d) => [d, {}]));
    for (const d of daily) {
      const day = perDay.get(d.day);
      if (day) day[d.channel] = d.conversations;
    }
    const judged = summary.conversations - summary.pending;
    return {
      filters: { ...f, startsAt: f.startsAt.toISOString(), endsAt: f.endsAt.toISOString() },
      summary: {
        ...summary,
        aiResolutionRate: judged > 0 ? summary.ai_resolved / judged : null,
        aiInvolvement: summary.conversations > 0 ? summary.ai_answered / summary.conversations : null,
        handoffRate: summary.conversations > 0 ? summary.handed_off / summary.conversations : null,
        csatAverage: summary.csat_answered > 0 ? summary.csat_average : null,
        csatSatisfiedShare: summary.csat_answered > 0 ? summary.csat_satisfied / summary.csat_answered : null,
        csatResponseRate: summary.csat_sent > 0 ? summary.csat_answered / summary.csat_sent : null,
        booked,
        bookingRate: summary.conversations > 0 ? booked / summary.conversations : null,
      },
      byDay: f.days.map((day) => ({ day, values: perDay.get(day)! })),
      channels,
      reasons: reasons.map((r) => ({ ...r, label: HANDOFF_REASON_LABEL[r.reason] ?? r.reason })),
      returnWindowHours: RETURN_WINDOW_HOURS,
    };
  });
}

export const ANALYTICS_CSV_HEADER = [
  "id",
  "channel",
  "customer_channels",
  "customer_id",
  "customer",
  "created",
  "first_ai_response",
  "first_human_response",
  "resolved",
  "resolution_type",
  "handoff_reason",
  "cost_usd",
  "tags",
  "csat",
];

/** One row per conversation started in the period (and channel); audited. */
export async function exportAnalyticsCsv({ ctx, input }: { ctx: Ctx; input: unknown }, opts: { now?: Date } = {}): Promise<{ csv: string; rows: number; filename: string }> {
  requireStaffRole(ctx, MANAGERS);
  const now = opts.now ?? new Date();
  return runReport(ctx, input, now, async (tx, f) => {
    const list = await conversationExportRows(tx, { businessId: ctx.businessId, timeZone: f.timeZone, startsAt: f.startsAt, endsAt: f.endsAt, channel: f.channel, now });
    const csv = toCsv(
      ANALYTICS_CSV_HEADER,
      list.map((r) => [
        r.id,
        r.channel,
        r.channels,
        r.customer_id,
        r.customer_name,
        r.created_at,
        r.first_ai_at,
        r.first_human_at,
        r.resolution_type === "ai" || r.resolution_type === "staff" ? "yes" : "no",
        r.resolution_type,
        r.handoff_reason === null ? "" : (HANDOFF_REASON_LABEL[r.handoff_reason] ?? r.handoff_reason),
        usdText(r.micros),
        r.tags,
        r.csat_rating === null ? "" : String(r.csat_rating),
      ]),
    );
    await audit(tx, ctx, "analytics.exported_csv", { type: "business", id: ctx.businessId }, { from: f.from, to: f.to, channel: f.channel ?? null, rows: list.length });
    return { csv, rows: list.length, filename: `conversations-${f.from}-to-${f.to}${f.channel ? `-${f.channel}` : ""}.csv` };
  });
}
