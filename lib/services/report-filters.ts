// The filters Costs and Analytics share (period, channel), read from a URL: a bad one is a 400 that
// says what to send, never a 500. Periods are whole local days in the business's time zone.
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { CHANNEL_KINDS } from "@/lib/ai/prompts";
import { localDate, safeTimeZone, zonedMidnight } from "@/lib/billing/period";
import { readDate } from "@/lib/validation/dates";

export const PERIODS = ["7d", "30d", "90d", "this_month", "last_month", "custom"] as const;
export type PeriodKey = (typeof PERIODS)[number];
export const PERIOD_LABEL: Record<PeriodKey, string> = {
  "7d": "Last 7 days",
  "30d": "Last 30 days",
  "90d": "Last 90 days",
  this_month: "This month",
  last_month: "Last month",
  custom: "Custom dates",
};
/** The longest custom period, in days: a year and a day covers "the same month last year". */
export const MAX_DAYS = 366;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export const ReportFilters = z.object({
  period: z
    .enum(PERIODS, { message: `period must be one of ${PERIODS.join(", ")}` })
    .default("30d"),
  from: z.string().optional(),
  to: z.string().optional(),
  channel: z
    .enum(CHANNEL_KINDS, { message: `channel must be one of ${CHANNEL_KINDS.join(", ")} (or left out for every channel)` })
    .optional(),
});
export type ReportFilters = z.infer<typeof ReportFilters>;

export type ResolvedFilters = {
  period: PeriodKey;
  /** first and last local day, inclusive */
  from: string;
  to: string;
  channel?: (typeof CHANNEL_KINDS)[number];
  timeZone: string;
  startsAt: Date;
  endsAt: Date;
  /** every local day of the period, for zero-filled charts */
  days: string[];
};

function day(value: string | undefined, field: "from" | "to"): string {
  if (!value) throw new AppError("bad_request", `A custom period needs both dates: ${field} is missing (YYYY-MM-DD, e.g. 2026-11-30).`);
  const d = DAY.test(value.trim()) ? readDate(value.trim()) : null;
  if (!d) throw new AppError("bad_request", `${field} must be a date between 2000 and 2100 written YYYY-MM-DD, e.g. 2026-11-30.`);
  const s = value.trim();
  // readDate accepts 2026-02-31 as March 3rd; a date that does not exist is refused instead
  if (d.toISOString().slice(0, 10) !== s) throw new AppError("bad_request", `${field} is not a real date: ${s}.`);
  return s;
}

const parts = (d: string) => d.split("-").map(Number) as [number, number, number];
function addDays(d: string, n: number): string {
  const [y, m, dd] = parts(d);
  return new Date(Date.UTC(y, m - 1, dd + n)).toISOString().slice(0, 10);
}

/** Empty strings (a form's "All channels") count as absent; anything else must be valid. */
function clean(input: unknown): Record<string, unknown> {
  if (!input || typeof input !== "object") return {};
  return Object.fromEntries(Object.entries(input as Record<string, unknown>).filter(([, v]) => typeof v === "string" && v.trim() !== ""));
}

/** The filters, and the instants they cover in the business's time zone. */
export function resolveFilters(input: unknown, timeZone: string, now: Date = new Date()): ResolvedFilters {
  const parsed = ReportFilters.safeParse(clean(input));
  if (!parsed.success) throw new AppError("bad_request", parsed.error.issues.map((i) => i.message).join("; "));
  const f = parsed.data;
  const tz = safeTimeZone(timeZone);
  const today = localDate(now, tz);
  let from: string;
  let to = today;
  switch (f.period) {
    case "7d":
      from = addDays(today, -6);
      break;
    case "30d":
      from = addDays(today, -29);
      break;
    case "90d":
      from = addDays(today, -89);
      break;
    case "this_month":
      from = `${today.slice(0, 8)}01`;
      break;
    case "last_month": {
      to = addDays(`${today.slice(0, 8)}01`, -1);
      from = `${to.slice(0, 8)}01`;
      break;
    }
    case "custom":
      from = day(f.from, "from");
      to = day(f.to, "to");
      if (from > to) throw new AppError("bad_request", `from (${from}) must not be after to (${to}).`);
      break;
  }
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) {
    days.push(d);
    if (days.length > MAX_DAYS) throw new AppError("bad_request", `A period can be at most ${MAX_DAYS} days; choose a shorter one.`);
  }
  const [fy, fm, fd] = parts(from);
  const [ty, tm, td] = parts(addDays(to, 1));
  return {
    period: f.period,
    from,
    to,
    ...(f.channel ? { channel: f.channel } : {}),
    timeZone: tz,
    startsAt: zonedMidnight(fy, fm, fd, tz),
    endsAt: zonedMidnight(ty, tm, td, tz),
    days,
  };
}

/** The query string of the filters, for links and downloads. */
export function filterQuery(f: Pick<ResolvedFilters, "period" | "from" | "to" | "channel">): string {
  const p = new URLSearchParams({ period: f.period });
  if (f.period === "custom") {
    p.set("from", f.from);
    p.set("to", f.to);
  }
  if (f.channel) p.set("channel", f.channel);
  return p.toString();
}
