import "server-only";
// The Costs page and its CSV: spend by day (by operation, channel or model), this month against the
// budget with the month-end projection and what degrades first, what FAQ and cache answers saved, and
// the cost per conversation the AI resolved. Owners and admins only, like Settings → Limits & budget:
// the loader and the CSV check the role themselves, not only the page. Every sum comes from SQL over
// cost_events in micro-dollars (or over the daily sums its trigger keeps beside it, lib/db/reports.ts),
// so the page reconciles with the ledger to the cent.
import type { Tx } from "@/lib/db/client";
import { aiResolvedCost, answerTiers, costEventRows, costGroups, costTotal, dailyRowsReady, type CostGroup, type SumOptions } from "@/lib/db/reports";
import { budgetState } from "@/lib/billing/budgets";
import { localDate, monthPeriod } from "@/lib/billing/period";
import { WARM_DEFAULTS } from "@/lib/jobs/warm-cache";
import { toCsv } from "@/lib/knowledge/csv";
import { audit } from "./audit";
import { MANAGERS, requireStaffRole, type Ctx } from "./context";
import type { ResolvedFilters } from "./report-filters";
import { runReport } from "./reports";

/** What an assistant priced per resolution would charge, for the comparison beside our own cost. */
export const PER_RESOLUTION_PRICE_USD = 0.99;

export const OPERATION_OF: Record<string, string> = {
  model: "model",
  embedding: "embedding",
  sms: "sms",
  whatsapp: "whatsapp",
  voice: "call",
  voice_outbound: "call",
  email: "email",
  telegram: "other",
  instagram: "other",
  web: "other",
};
export const OPERATION_LABEL: Record<string, string> = {
  model: "Model calls",
  embedding: "Embeddings",
  sms: "SMS segments",
  whatsapp: "WhatsApp messages",
  call: "Call minutes",
  email: "Emails",
  other: "Other messages (free)",
};
export const CHANNEL_LABEL: Record<string, string> = {
  web: "Web chat",
  sms: "SMS",
  whatsapp: "WhatsApp",
  voice: "Phone",
  email: "Email",
  telegram: "Telegram",
  instagram: "Instagram",
  none: "No conversation (knowledge, cache warming)",
};
export const TIER_LABEL: Record<string, string> = {
  faq: "FAQ",
  "cache:memory": "Cache (this server's memory)",
  "cache:kv": "Cache (Redis)",
  "cache:redis": "Cache (Redis)",
  "cache:postgres": "Cache (database)",
  "cache:unknown": "Cache",
  model: "Model",
  offline: "Offline responder",
  fallback: "Fallback and hand-off notices",
};
const NO_MODEL = "none";

export type Dimension = "operation" | "channel" | "model";
export type Series = {
  keys: { key: string; label: string; micros: number; events: number }[];
  /** one entry per local day of the period: the day's micro-dollars per key */
  days: { day: string; values: Record<string, number> }[];
};

export type DegradationStep = {
  share: number;
  atMicros: number;
  what: string;
  reached: boolean;
  /** the local day it is reached at this month's pace, when that is before the month ends */
  projectedOn: string | null;
};

export type CostsReport = {
  filters: Omit<ResolvedFilters, "startsAt" | "endsAt"> & { startsAt: string; endsAt: string };
  totalMicros: number;
  events: number;
  series: Record<Dimension, Series>;
  budget: {
    periodStart: string;
    limitMicros: number;
    /** cost_events recorded this calendar month, every channel */
    monthToDateMicros: number;
    autoPause: boolean;
    dailyPaceMicros: number;
    projectedMicros: number;
    /** days until the budget is used up at this pace; null when nothing is being spent */
    runwayDays: number | null;
    runsOutOn: string | null;
    steps: DegradationStep[];
  };
  savings: {
    tiers: { tier: string; label: string; answers: number; share: number }[];
    answers: number;
    servedWithoutModel: number;
    modelAnswers: number;
    /** what one model answer cost on average in the period; null when none was paid for */
    avgModelAnswerMicros: number | null;
    savedMicros: number;
  };
  perResolution: { conversations: number; micros: number; perConversationMicros: number | null; perResolutionPriceMicros: number };
};

const MICRO = 1_000_000;
const DAY_MS = 86_400_000;

function series(groups: CostGroup[], days: string[], keyOf: (g: CostGroup) => string, labelOf: (k: string) => string): Series {
  const totals = new Map<string, { micros: number; events: number }>();
  const perDay = new Map<string, Record<string, number>>(days.map((d) => [d, {}]));
  for (const g of groups) {
    const k = keyOf(g);
    const t = totals.get(k) ?? { micros: 0, events: 0 };
    t.micros += g.micros;
    t.events += g.events;
    totals.set(k, t);
    const day = perDay.get(g.day);
    if (day) day[k] = (day[k] ?? 0) + g.micros;
  }
  const keys = [...totals.entries()].map(([key, t]) => ({ key, label: labelOf(key), ...t })).sort((a, b) => b.micros - a.micros || a.key.localeCompare(b.key));
  return { keys, days: days.map((day) => ({ day, values: perDay.get(day)! })) };
}

function degradationSteps(autoPause: boolean): { share: number; what: string }[] {
  return [
    {
      share: WARM_DEFAULTS.budgetShare,
      what: "Cache warming stops: frequent questions are no longer answered in advance (the rest of the budget is kept for customers' own questions).",
    },
    {
      share: 1,
      what: autoPause
        ? "Model answers pause: FAQ and cached answers keep serving, every other message gets your fallback reply and is handed to a person (hand-off reason: budget), and summaries are written without the model."
        : "Auto-pause is off, so nothing stops: every answer after this point is spent over the budget.",
    },
  ];
}

async function loadBudget(tx: Tx, businessId: string, timeZone: string, now: Date, sum: SumOptions): Promise<CostsReport["budget"]> {
  const state = await budgetState(businessId, { ex: tx, now });
  const month = monthPeriod(timeZone, now);
  const mtd = await costTotal(tx, businessId, month.startsAt, month.endsAt, { ...sum, timeZone });
  const limitMicros = Math.round(state.limitUsd * MICRO);
  const elapsedDays = Math.max((now.getTime() - month.startsAt.getTime()) / DAY_MS, 1);
  const remainingDays = Math.max((month.endsAt.getTime() - now.getTime()) / DAY_MS, 0);
  const pace = Math.round(mtd / elapsedDays);
  const on = (micros: number): string | null => {
    if (mtd >= micros) return localDate(now, timeZone);
    if (pace <= 0) return null;
    const at = new Date(now.getTime() + ((micros - mtd) / pace) * DAY_MS);
    return at < month.endsAt ? localDate(at, timeZone) : null;
  };
  const runwayDays = pace > 0 ? Math.max(0, (limitMicros - mtd) / pace) : null;
  return {
    periodStart: month.start,
    limitMicros,
    monthToDateMicros: mtd,
    autoPause: state.autoPause,
    dailyPaceMicros: pace,
    projectedMicros: mtd + Math.round(pace * remainingDays),
    runwayDays: runwayDays === null ? null : Math.round(runwayDays * 10) / 10,
    runsOutOn: on(limitMicros),
    steps: degradationSteps(state.autoPause).map((s) => {
      const atMicros = Math.round(s.share * limitMicros);
      return { ...s, atMicros, reached: mtd >= atMicros, projectedOn: on(atMicros) };
    }),
  };
}

const view = (f: ResolvedFilters): CostsReport["filters"] => ({ ...f, startsAt: f.startsAt.toISOString(), endsAt: f.endsAt.toISOString() });

export async function getCostsReport({ ctx, input }: { ctx: Ctx; input?: unknown }, opts: { now?: Date } = {}): Promise<CostsReport> {
  requireStaffRole(ctx, MANAGERS);
  const now = opts.now ?? new Date();
  return runReport(ctx, input, now, async (tx, f) => {
    const scope = { businessId: ctx.businessId, timeZone: f.timeZone, startsAt: f.startsAt, endsAt: f.endsAt, channel: f.channel, now };
    // the daily rows when they hold this zone's days, else the ledger itself
    const sum: SumOptions = { ledger: !(await dailyRowsReady(tx, ctx.businessId, f.timeZone)) };
    const groups = await costGroups(tx, scope, sum);
    const tiers = await answerTiers(tx, scope, sum);
    const resolved = await aiResolvedCost(tx, scope);
    const budget = await loadBudget(tx, ctx.businessId, f.timeZone, now, sum);

    const answers = tiers.reduce((n, t) => n + t.answers, 0);
    const model = tiers.find((t) => t.tier === "model");
    const servedWithoutModel = tiers.filter((t) => t.tier === "faq" || t.tier.startsWith("cache:")).reduce((n, t) => n + t.answers, 0);
    const avg = model && model.answers > 0 && model.micros > 0 ? Math.round(model.micros / model.answers) : null;
    return {
      filters: view(f),
      totalMicros: groups.reduce((n, g) => n + g.micros, 0),
      events: groups.reduce((n, g) => n + g.events, 0),
      series: {
        operation: series(groups, f.days, (g) => OPERATION_OF[g.kind] ?? g.kind, (k) => OPERATION_LABEL[k] ?? k),
        channel: series(groups, f.days, (g) => g.channel, (k) => CHANNEL_LABEL[k] ?? k),
        model: series(groups, f.days, (g) => g.model ?? NO_MODEL, (k) => (k === NO_MODEL ? "No model (channel costs)" : k)),
      },
      budget,
      savings: {
        tiers: tiers.map((t) => ({ tier: t.tier, label: TIER_LABEL[t.tier] ?? t.tier, answers: t.answers, share: answers ? t.answers / answers : 0 })),
        answers,
        servedWithoutModel,
        modelAnswers: model?.answers ?? 0,
        avgModelAnswerMicros: avg,
        savedMicros: avg === null ? 0 : servedWithoutModel * avg,
      },
      perResolution: {
        conversations: resolved.conversations,
        micros: resolved.micros,
        perConversationMicros: resolved.conversations > 0 ? Math.round(resolved.micros / resolved.conversations) : null,
        perResolutionPriceMicros: Math.round(PER_RESOLUTION_PRICE_USD * MICRO) * resolved.conversations,
      },
    };
  });
}

export const COSTS_CSV_HEADER = ["id", "time", "date", "operation", "kind", "channel", "model", "units", "tokens_in", "tokens_out", "cost_usd", "conversation_id", "message_id"];

/** Six decimals, exactly as the ledger holds them. */
export const usdText = (micros: number) => `${micros < 0 ? "-" : ""}${Math.floor(Math.abs(micros) / MICRO)}.${String(Math.abs(micros) % MICRO).padStart(6, "0")}`;

/** One row per billable operation (cost event) in the period and channel; audited. */
export async function exportCostsCsv({ ctx, input }: { ctx: Ctx; input: unknown }, opts: { now?: Date } = {}): Promise<{ csv: string; rows: number; filename: string }> {
  requireStaffRole(ctx, MANAGERS);
  const now = opts.now ?? new Date();
  return runReport(ctx, input, now, async (tx, f) => {
    const list = await costEventRows(tx, { businessId: ctx.businessId, timeZone: f.timeZone, startsAt: f.startsAt, endsAt: f.endsAt, channel: f.channel, now });
    const csv = toCsv(
      COSTS_CSV_HEADER,
      list.map((r) => [
        r.id,
        r.created_at,
        r.created_at.slice(0, 10),
        OPERATION_LABEL[OPERATION_OF[r.kind] ?? ""] ?? r.kind,
        r.kind,
        r.channel,
        r.model,
        r.units,
        r.tokens_in,
        r.tokens_out,
        usdText(r.micros),
        r.conversation_id,
        r.message_id,
      ]),
    );
    await audit(tx, ctx, "costs.exported_csv", { type: "business", id: ctx.businessId }, { from: f.from, to: f.to, channel: f.channel ?? null, rows: list.length });
    return { csv, rows: list.length, filename: `costs-${f.from}-to-${f.to}${f.channel ? `-${f.channel}` : ""}.csv` };
  });
}
