// Local dates and wall-clock minutes in a business's time zone → instants, and back. Pure functions
// over Intl (lib/billing/period), so no date library: a wall time inside a spring-forward gap does not
// exist and gives null; an ambiguous one in the autumn hour resolves to one of its two instants.
import { localParts, safeTimeZone } from "@/lib/billing/period";

export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;

/** 'YYYY-MM-DD' */
export type LocalDate = string;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseLocalDate(date: LocalDate): { year: number; month: number; day: number } | null {
  const m = DATE_RE.exec(date);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return { year, month, day };
}

const pad = (n: number) => String(n).padStart(2, "0");

export function formatLocalDate(year: number, month: number, day: number): LocalDate {
  return `${year}-${pad(month)}-${pad(day)}`;
}

/** The date n days after `date` (calendar days, whatever the clocks do). */
export function addDays(date: LocalDate, n: number): LocalDate {
  const p = parseLocalDate(date)!;
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day + n));
  return formatLocalDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** 0 = Monday … 6 = Sunday, like the business hours. */
export function weekdayOf(date: LocalDate): number {
  const p = parseLocalDate(date)!;
  return (new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay() + 6) % 7;
}

/** The business's date at that instant. */
export function localDateOf(instant: Date, timeZone: string): LocalDate {
  const p = localParts(instant, timeZone);
  return formatLocalDate(p.year, p.month, p.day);
}

/** Minutes after local midnight at that instant. */
export function localMinuteOf(instant: Date, timeZone: string): number {
  const p = localParts(instant, timeZone);
  return p.hour * 60 + p.minute;
}

function offsetMs(instant: number, timeZone: string): number {
  const p = localParts(new Date(instant), timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant the clocks of `timeZone` read `minute` minutes after midnight on `date` (minute may be
 * 1440: the next midnight). Null when that wall time does not exist (the hour skipped in spring).
 */
export function zonedInstant(date: LocalDate, minute: number, timeZone: string): Date | null {
  const p = parseLocalDate(date);
  if (!p) return null;
  const tz = safeTimeZone(timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, 0, minute);
  let instant = wall - offsetMs(wall, tz);
  instant = wall - offsetMs(instant, tz);
  const back = localParts(new Date(instant), tz);
  if (Date.UTC(back.year, back.month - 1, back.day, back.hour, back.minute) !== wall) return null;
  return new Date(instant);
}

const readbackFormats = new Map<string, { date: Intl.DateTimeFormat; zone: Intl.DateTimeFormat }>();

/**
 * "Tuesday, 8 December 2026 at 10:00 (Greenwich Mean Time, Europe/London)": date, time and time zone
 * written out, for read-backs and reminders.
 */
export function describeInstant(instant: Date, timeZone: string): string {
  const tz = safeTimeZone(timeZone);
  let f = readbackFormats.get(tz);
  if (!f) {
    f = {
      date: new Intl.DateTimeFormat("en-GB", { timeZone: tz, weekday: "long", day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }),
      zone: new Intl.DateTimeFormat("en-GB", { timeZone: tz, timeZoneName: "long" }),
    };
    readbackFormats.set(tz, f);
  }
  const parts = f.date.formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const zoneName = f.zone.formatToParts(instant).find((p) => p.type === "timeZoneName")?.value ?? tz;
  return `${get("weekday")}, ${get("day")} ${get("month")} ${get("year")} at ${get("hour")}:${get("minute")} (${zoneName === tz ? tz : `${zoneName}, ${tz}`})`;
}

/** "10:00" */
export function describeClock(instant: Date, timeZone: string): string {
  const m = localMinuteOf(instant, timeZone);
  return `${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
}
