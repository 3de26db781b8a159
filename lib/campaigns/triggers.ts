import "server-only";
// Event triggers: a campaign that runs instead of being sent once enrols each customer of its
// audience when an event happens to them — no contact for N days, a date kept on the customer (a
// "checkup_due:2026-03-14" tag) N days before, on or after it, the day after one of their
// conversations was resolved. Each occurrence has a key (campaign_recipients.occurrence), so a
// customer is enrolled at most once per occurrence however often the job looks. Only occurrences
// from the day the campaign started count: customers already past it are a one-off campaign's job.
import { sql } from "drizzle-orm";
import { z } from "zod";
import { rows, type Executor } from "@/lib/db/client";
import { localDate, zonedMidnight } from "@/lib/billing/period";
import { text } from "@/lib/validation/text";

export const TRIGGER_KINDS = ["no_contact", "date_field", "resolved"] as const;

const Days = (what: string, min: number, max: number) =>
  z.coerce
    .number({ message: `${what} is a number of days.` })
    .int(`${what} is a whole number of days.`)
    .min(min, `${what} is at least ${min} ${min === 1 ? "day" : "days"}.`)
    .max(max, `${what} is at most ${max} days.`);

export const CampaignTrigger = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("no_contact"), days: Days("The silence", 1, 730) }),
    z.object({
      kind: z.literal("date_field"),
      field: text({ message: "Name the customer's date field." })
        .trim()
        .toLowerCase()
        .regex(/^[a-z_][a-z0-9_]{0,39}$/, "Name the date field as it appears in the customers' tags, such as checkup_due."),
      /** negative: days before the date; 0: on it; positive: days after */
      offsetDays: Days("The offset", -365, 365),
    }),
    z.object({ kind: z.literal("resolved") }),
  ],
  { message: "Choose what starts the campaign: no contact, a date on the customer, or a resolved conversation." },
);
export type CampaignTrigger = z.output<typeof CampaignTrigger>;

/** The trigger in the owner's words. */
export function describeTrigger(t: CampaignTrigger): string {
  switch (t.kind) {
    case "no_contact":
      return `When a customer has not written for ${t.days} ${t.days === 1 ? "day" : "days"}`;
    case "date_field": {
      const n = Math.abs(t.offsetDays);
      const days = `${n} ${n === 1 ? "day" : "days"}`;
      const when = t.offsetDays === 0 ? "On" : t.offsetDays < 0 ? `${days} before` : `${days} after`;
      return `${when} the date in each customer's “${t.field}” field`;
    }
    case "resolved":
      return "The day after one of a customer's conversations is resolved";
  }
}

export function readTrigger(value: unknown): CampaignTrigger | null {
  if (value === null || value === undefined) return null;
  const parsed = CampaignTrigger.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** One customer's occurrence of the event: its key, and when it fired (their message waits for their allowed hours after it). */
export type Occurrence = { customerId: string; occurrence: string; firesAt: Date };

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Local midnight, in the zone, of the calendar day `date` shifted by `days`. */
function midnightOf(date: string, days: number, zone: string): Date | null {
  const m = DATE.exec(date);
  if (!m) return null;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  // 2026-02-31 is not a date
  if (d.toISOString().slice(0, 10) !== date) return null;
  const shifted = new Date(d.getTime() + days * DAY_MS);
  return zonedMidnight(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate(), zone);
}

/**
 * The occurrences that have fired by `now` since the day the campaign started, the latest one per
 * customer (two conversations resolved the same day are one occurrence). Blocked customers never.
 */
export async function dueOccurrences(
  ex: Executor,
  input: { businessId: string; trigger: CampaignTrigger; startedAt: Date; timeZone: string; now: Date },
): Promise<Occurrence[]> {
  const { businessId, trigger, timeZone, now } = input;
  const since = midnightOf(localDate(input.startedAt, timeZone), 0, timeZone)!;
  const found: Occurrence[] = [];
  if (trigger.kind === "no_contact") {
    const list = await rows<{ id: string; last: string | Date }>(
      ex,
      sql`select c.id, coalesce(c.last_seen_at, c.created_at) as last from customers c
          where c.business_id = ${businessId} and not c.blocked
            and coalesce(c.last_seen_at, c.created_at) <= ${new Date(now.getTime() - trigger.days * DAY_MS)}
            and coalesce(c.last_seen_at, c.created_at) >= ${new Date(since.getTime() - trigger.days * DAY_MS)}`,
    );
    for (const r of list) {
      const last = new Date(r.last);
      found.push({ customerId: r.id, occurrence: `no_contact:${last.toISOString()}`, firesAt: new Date(last.getTime() + trigger.days * DAY_MS) });
    }
  } else if (trigger.kind === "date_field") {
    const prefix = `${trigger.field}:`;
    const list = await rows<{ id: string; tag: string }>(
      ex,
      sql`select c.id, t.tag from customers c cross join lateral unnest(c.tags) as t(tag)
          where c.business_id = ${businessId} and not c.blocked and lower(t.tag) like ${`${prefix.replace(/_/g, "\\_")}%`}`,
    );
    for (const r of list) {
      const date = r.tag.slice(prefix.length).trim();
      const firesAt = midnightOf(date, trigger.offsetDays, timeZone);
      if (!firesAt || firesAt > now || firesAt < since) continue;
      found.push({ customerId: r.id, occurrence: `date:${trigger.field}:${date}`, firesAt });
    }
  } else {
    // closed since the day before the campaign started: their "day after" is the start day or later
    const list = await rows<{ customer_id: string; closed_at: string | Date }>(
      ex,
      sql`select v.customer_id, v.closed_at from conversations v join customers c on c.id = v.customer_id and c.business_id = v.business_id
          where v.business_id = ${businessId} and v.status = 'closed' and v.closed_at is not null and not c.blocked
            and v.closed_at >= ${new Date(since.getTime() - 2 * DAY_MS)} and v.closed_at <= ${now}`,
    );
    for (const r of list) {
      const day = localDate(new Date(r.closed_at), timeZone);
      const firesAt = midnightOf(day, 1, timeZone)!;
      if (firesAt > now || firesAt < since) continue;
      found.push({ customerId: r.customer_id, occurrence: `resolved:${day}`, firesAt });
    }
  }
  const latest = new Map<string, Occurrence>();
  for (const o of found) {
    const seen = latest.get(o.customerId);
    if (!seen || o.firesAt > seen.firesAt) latest.set(o.customerId, o);
  }
  return [...latest.values()];
}
