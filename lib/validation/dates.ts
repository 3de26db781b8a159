// Dates from outside as PostgreSQL can store them. JavaScript accepts years 0 and 275760 and reads
// "99999" as a year; PostgreSQL refuses some of those and the driver others, so each came back as a
// 500. Dates people or clients send (cursors, "since" times) are checked once at the boundary and a
// bad one is a 400 that says what is expected; a provider's timestamp that cannot be read falls back
// to the time we received it, because failing the webhook would only make the provider retry it.
import { z } from "zod";
import { AppError } from "@/lib/errors";

/** The range a date from a request may take: wide enough for any real cursor or filter. */
export const EARLIEST = new Date("2000-01-01T00:00:00.000Z");
export const LATEST = new Date("2100-01-01T00:00:00.000Z");

export function inDateRange(d: Date): boolean {
  const t = d.getTime();
  return Number.isFinite(t) && t >= EARLIEST.getTime() && t < LATEST.getTime();
}

/** ISO 8601 with a four-digit year: a date, or a date and time with an optional offset. */
const ISO = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

const DATE_MESSAGE = "must be a date between 2000 and 2100 in ISO 8601, e.g. 2026-01-31T09:30:00Z";

/** A date sent as text (ISO 8601), or null when it is not one or lies outside 2000–2100. */
export function readDate(value: string): Date | null {
  const s = value.trim();
  if (s.length > 40 || !ISO.test(s)) return null;
  const d = new Date(s);
  return inDateRange(d) ? d : null;
}

/** zod: a date sent as text, e.g. a query filter or a cursor; a bad one fails with the rule. */
export const QueryDate = z.string().transform((value, ctx) => {
  const d = readDate(value);
  if (!d) {
    ctx.addIssue({ code: "custom", message: DATE_MESSAGE });
    return z.NEVER;
  }
  return d;
});

/** A date sent as text, checked where no schema reads it: `field` names it in the 400's message. */
export function parseQueryDate(value: string, field: string): Date {
  const d = readDate(value);
  if (!d) throw new AppError("bad_request", `${field} ${DATE_MESSAGE}.`);
  return d;
}

/**
 * A provider's timestamp (Unix time in seconds or milliseconds, as a number or digits): the Date it
 * names; the receive time when it is there but unreadable or outside 2000–2100; null when absent.
 */
export function providerTime(value: unknown, unit: "s" | "ms", receivedAt: Date = new Date()): Date | null {
  if (value === undefined || value === null || value === "") return null;
  const n = typeof value === "number" ? value : typeof value === "string" && /^\d{1,16}(?:\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isFinite(n)) return receivedAt;
  const d = new Date(unit === "s" ? n * 1000 : n);
  return inDateRange(d) ? d : receivedAt;
}

/** zod: a provider's timestamp read with providerTime; it never fails the payload. */
export const providerTimestamp = (unit: "s" | "ms") => z.unknown().transform((v): Date | null => providerTime(v, unit));
