// Free start times for a service on one local day: the resource's working hours (else the business's
// opening hours, else Mon–Fri 09:00–17:00), minus holidays, time off, blocked time and live bookings,
// within the lead time and the booking horizon. Pure: the loader in bookings.ts reads the rows.
import { DAY_MS, MINUTE_MS, weekdayOf, zonedInstant, type LocalDate } from "./time";

export type Interval = { opens: number; closes: number };
export type Span = { start: number; end: number };

export type SlotResource = {
  id: string;
  name: string;
  /** its own working hours by weekday (0 = Monday); null = the business's */
  hours: Interval[][] | null;
  /** bookings and the resource's own time off, as epoch-millisecond spans */
  busy: Span[];
};

export type SlotQuery = {
  date: LocalDate;
  timeZone: string;
  durationMinutes: number;
  bufferMinutes: number;
  stepMinutes: number;
  leadMinutes: number;
  horizonDays: number;
  /** the business's opening hours by weekday (0 = Monday) */
  businessHours: Interval[][];
  /** holidays and closures of the whole business */
  closed: Span[];
  resources: SlotResource[];
  /** only starts within these local minutes of the day (a part of the day asked for) */
  window?: { from: number; to: number };
  now: Date;
};

export type Slot = { start: Date; end: Date; resourceId: string; resourceName: string };

const overlaps = (a: Span, b: Span) => a.start < b.end && b.start < a.end;

/** Every free (start, resource) on the day, earliest first; a start offered by several resources appears once per resource. */
export function computeSlots(q: SlotQuery): Slot[] {
  const weekday = weekdayOf(q.date);
  const earliest = q.now.getTime() + q.leadMinutes * MINUTE_MS;
  const latest = q.now.getTime() + q.horizonDays * DAY_MS;
  const slots: Slot[] = [];
  for (const r of q.resources) {
    const intervals = (r.hours ?? q.businessHours)[weekday] ?? [];
    for (const iv of intervals) {
      for (let m = iv.opens; m + q.durationMinutes <= iv.closes; m += q.stepMinutes) {
        if (q.window && (m < q.window.from || m >= q.window.to)) continue;
        const start = zonedInstant(q.date, m, q.timeZone);
        const close = zonedInstant(q.date, iv.closes, q.timeZone);
        if (!start) continue; // the hour the clocks skip
        const end = start.getTime() + q.durationMinutes * MINUTE_MS;
        // across a DST change the wall-clock arithmetic and the real one differ: the appointment must end by closing time
        if (close && end > close.getTime()) continue;
        if (start.getTime() < earliest || start.getTime() > latest) continue;
        const span = { start: start.getTime(), end: end + q.bufferMinutes * MINUTE_MS };
        if (q.closed.some((c) => overlaps(c, span)) || r.busy.some((b) => overlaps(b, span))) continue;
        slots.push({ start, end: new Date(end), resourceId: r.id, resourceName: r.name });
      }
    }
  }
  return slots.sort((a, b) => a.start.getTime() - b.start.getTime() || a.resourceName.localeCompare(b.resourceName));
}

/** One entry per start time (the first free resource), for offering times to a customer. */
export function distinctStarts(slots: Slot[]): Slot[] {
  const seen = new Set<number>();
  return slots.filter((s) => (seen.has(s.start.getTime()) ? false : (seen.add(s.start.getTime()), true)));
}
