// Calendar months in a business's time zone: budgets and the monthly message cap reset at local midnight
// on the 1st, not at UTC midnight. Pure functions over Intl, so no date library is needed.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone if Intl knows it, else UTC (a bad value in the database must not stop billing). */
export function safeTimeZone(timeZone: string | null | undefined): string {
  if (!timeZone) return "UTC";
  try {
    formatter(timeZone);
    return timeZone;
  } catch {
    return "UTC";
  }
}

type Parts = { year: number; month: number; day: number; hour: number; minute: number; second: number };

export function localParts(instant: Date, timeZone: string): Parts {
  const parts: Record<string, number> = {};
  for (const p of formatter(safeTimeZone(timeZone)).formatToParts(instant)) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour! % 24,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** Milliseconds the zone is ahead of UTC at that instant. */
function offsetMs(instant: number, timeZone: string): number {
  const p = localParts(new Date(instant), timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The instant of local midnight on the given date (month 1-12) in the zone. */
export function zonedMidnight(year: number, month: number, day: number, timeZone: string): Date {
  const tz = safeTimeZone(timeZone);
  const guess = Date.UTC(year, month - 1, day);
  let instant = guess - offsetMs(guess, tz);
  instant = guess - offsetMs(instant, tz); // second pass settles DST edges
  return new Date(instant);
}

const pad = (n: number) => String(n).padStart(2, "0");

export type Period = {
  /** 'YYYY-MM-01' — budgets.period_start */
  start: string;
  startsAt: Date;
  endsAt: Date;
};

/** The calendar month containing `now` in the business's time zone. */
export function monthPeriod(timeZone: string | null | undefined, now: Date = new Date()): Period {
  const tz = safeTimeZone(timeZone);
  const { year, month } = localParts(now, tz);
  const next = month === 12 ? { year: year + 1, month: 1 } : { year, month: month + 1 };
  return {
    start: `${year}-${pad(month)}-01`,
    startsAt: zonedMidnight(year, month, 1, tz),
    endsAt: zonedMidnight(next.year, next.month, 1, tz),
  };
}

/** 'YYYY-MM-DD' of the instant in the zone. */
export function localDate(instant: Date, timeZone: string): string {
  const p = localParts(instant, timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}
