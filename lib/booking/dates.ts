// "tomorrow at 10", "next Tuesday afternoon", "on the 14th" → a local day in the business's time zone,
// with a time or a part of the day when one was said. chrono-node does the parsing; it is handed the
// business's wall-clock "now" as if it were UTC, so its answers are wall-clock values in that zone.
import * as chrono from "chrono-node";
import { localParts, safeTimeZone } from "@/lib/billing/period";
import { formatLocalDate, type LocalDate } from "./time";

export type When = {
  date: LocalDate;
  /** minutes after local midnight, when a time was said */
  minute?: number;
  /** a part of the day ("afternoon"), as local minutes */
  window?: { from: number; to: number };
  /** the words that were understood */
  text: string;
  /** a day was named ("tomorrow", "Friday", "the 14th"), not only a time ("14:30" means the day under discussion) */
  dayNamed?: boolean;
};

export const PARTS_OF_DAY = {
  morning: { from: 0, to: 720 },
  afternoon: { from: 720, to: 1020 },
  evening: { from: 1020, to: 1440 },
} as const;

/** "the 14th", "on the 3rd": the next such day of a month, this month or the next. */
function dayOfMonthParser(): chrono.Parser {
  return {
    pattern: () => /\b(?:on\s+)?the\s+(\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))/i,
    extract: (context, match) => {
      const day = Number(match[1]);
      if (day < 1 || day > 31) return null;
      const ref = context.reference.instant;
      let year = ref.getUTCFullYear();
      let month = ref.getUTCMonth() + 1;
      if (day < ref.getUTCDate()) month += 1;
      // a month without that day (the 31st in a 30-day month): the next month that has it
      for (let i = 0; i < 3; i++, month++) {
        if (month > 12) {
          month = 1;
          year++;
        }
        if (new Date(Date.UTC(year, month - 1, day)).getUTCMonth() === month - 1) break;
      }
      if (month > 12) {
        month -= 12;
        year++;
      }
      return { day, month, year };
    },
  };
}

const parsers = new Map<string, chrono.Chrono>();

/** Day-first (en-GB) everywhere but the Americas, where 12/14 means December 14th. */
function parserFor(timeZone: string): chrono.Chrono {
  const key = timeZone.startsWith("America/") ? "us" : "gb";
  let p = parsers.get(key);
  if (!p) {
    p = (key === "us" ? chrono.en.casual : chrono.en.GB).clone();
    p.parsers.push(dayOfMonthParser());
    parsers.set(key, p);
  }
  return p;
}

/** The day (and time or part of the day) a customer asked for, or null when the text names none. */
export function parseWhen(text: string, now: Date, timeZone: string): When | null {
  const tz = safeTimeZone(timeZone);
  const p = localParts(now, tz);
  const wall = new Date(Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute));
  const [result] = parserFor(tz).parse(text, { instant: wall, timezone: 0 }, { forwardDate: true });
  if (!result) return null;
  const s = result.start;
  const date = formatLocalDate(s.get("year")!, s.get("month")!, s.get("day")!);
  const when: When = { date, text: result.text, dayNamed: s.isCertain("day") || s.isCertain("weekday") || s.isCertain("month") };
  const part = /\b(morning|afternoon|evening|tonight)\b/i.exec(text)?.[1]?.toLowerCase();
  if (s.isCertain("hour")) {
    let hour = s.get("hour")!;
    // "at 3" for an appointment means the afternoon, not three in the morning
    if (!s.isCertain("meridiem") && hour >= 1 && hour <= 7) hour += 12;
    when.minute = hour * 60 + (s.get("minute") ?? 0);
  } else if (part) {
    when.window = PARTS_OF_DAY[part === "tonight" ? "evening" : (part as keyof typeof PARTS_OF_DAY)];
  }
  return when;
}
