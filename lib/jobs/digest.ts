// The owner's digest: daily or weekly (Settings → Limits & budget; off until chosen), from 08:00 in the
// business's time zone, by email to owners and admins through the outbox: spend, conversations the AI
// resolved, hand-offs waiting now, and the questions the AI could not answer, each with a link that
// opens a new FAQ with the question filled in. One digest per business per period however often (and
// however concurrently) the job runs: each business's send holds a transaction-scoped advisory lock
// and looks for its period's digest in the outbox first.
import { sql } from "drizzle-orm";
import { z } from "zod";
import { rows, withService, type Tx } from "@/lib/db/client";
import { aiResolutionsConfirmed, conversationSummary, costTotal } from "@/lib/db/reports";
import { localDate, localParts, safeTimeZone, zonedMidnight } from "@/lib/billing/period";
import { enqueueEmail } from "@/lib/channels/outbox";
import { offersPerson } from "@/lib/ai/intents";
import { normalizeText } from "@/lib/ai/text";
import { env } from "@/lib/env";

export const DIGEST_FREQUENCIES = ["off", "daily", "weekly"] as const;
export const DigestFrequency = z.enum(DIGEST_FREQUENCIES, { message: "Choose off, daily or weekly" });
export type DigestFrequency = z.infer<typeof DigestFrequency>;
/** Local hour from which the day's (or, on Mondays, the week's) digest is due. */
export const DIGEST_HOUR = 8;
const TOP_QUESTIONS = 5;

/** The frequency stored in businesses.limits.digest; anything else is off. */
export function readDigestFrequency(limits: unknown): DigestFrequency {
  const raw = limits && typeof limits === "object" ? (limits as Record<string, unknown>).digest : undefined;
  const parsed = DigestFrequency.safeParse(raw);
  return parsed.success ? parsed.data : "off";
}

const parts = (d: string) => d.split("-").map(Number) as [number, number, number];
function addDays(d: string, n: number): string {
  const [y, m, dd] = parts(d);
  return new Date(Date.UTC(y, m - 1, dd + n)).toISOString().slice(0, 10);
}

export type DigestPeriod = { key: string; from: string; to: string; startsAt: Date; endsAt: Date };

/**
 * The period the digest due at `now` covers: yesterday (daily), or last Monday–Sunday (weekly, due from
 * Monday 08:00 until it is sent, so a job that was down at 08:00 still sends it). Null before 08:00.
 */
export function digestPeriod(frequency: DigestFrequency, timeZone: string, now: Date): DigestPeriod | null {
  if (frequency === "off") return null;
  const tz = safeTimeZone(timeZone);
  const today = localDate(now, tz);
  const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday 0
  const start = frequency === "daily" ? today : addDays(today, -weekday);
  if (start === today && localParts(now, tz).hour < DIGEST_HOUR) return null;
  const from = frequency === "daily" ? addDays(today, -1) : addDays(start, -7);
  const to = addDays(start, -1);
  const [fy, fm, fd] = parts(from);
  const [ey, em, ed] = parts(start);
  return { key: `${frequency}:${start}`, from, to, startsAt: zonedMidnight(fy, fm, fd, tz), endsAt: zonedMidnight(ey, em, ed, tz) };
}

type Candidate = { id: string; slug: string; name: string; time_zone: string; limits: unknown };

export type DigestContent = {
  spentMicros: number;
  /** conversations started in the period */
  conversations: number;
  /** conversations whose resolution by the AI was confirmed in the period (72 hours passed with no return) */
  aiResolved: number;
  waiting: number;
  unanswered: { question: string; count: number }[];
};

/** Customer questions whose answer offered a person instead (the AI did not know), most asked first. */
async function unansweredQuestions(tx: Tx, businessId: string, period: DigestPeriod) {
  const asked = await rows<{ question: string; reply: string }>(
    tx,
    sql`select m.content as question, r.content as reply from messages m
        join messages r on r.business_id = m.business_id and r.reply_to_id = m.id and r.role = 'assistant'
        where m.business_id = ${businessId} and m.role = 'customer' and not (r.metadata ? 'handoff')
          and m.created_at >= ${period.startsAt.toISOString()}::timestamptz and m.created_at < ${period.endsAt.toISOString()}::timestamptz
          and coalesce(m.metadata->>'test', 'false') <> 'true'
        order by m.created_at desc limit 500`,
  );
  const groups = new Map<string, { question: string; count: number }>();
  for (const a of asked) {
    if (!offersPerson(a.reply)) continue;
    const key = normalizeText(a.question);
    if (!key) continue;
    const g = groups.get(key) ?? { question: a.question.trim().slice(0, 300), count: 0 };
    g.count += 1;
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.question.localeCompare(b.question)).slice(0, TOP_QUESTIONS);
}

export async function digestContent(tx: Tx, business: { id: string; time_zone: string }, period: DigestPeriod, now: Date): Promise<DigestContent> {
  const spentMicros = await costTotal(tx, business.id, period.startsAt, period.endsAt);
  const summary = await conversationSummary(tx, { businessId: business.id, timeZone: safeTimeZone(business.time_zone), startsAt: period.startsAt, endsAt: period.endsAt, now });
  const [waiting] = await rows<{ n: number }>(tx, sql`select count(*)::int as n from conversations where business_id = ${business.id} and status = 'waiting_human'`);
  return {
    spentMicros,
    conversations: summary.conversations,
    aiResolved: await aiResolutionsConfirmed(tx, business.id, period.startsAt, period.endsAt),
    waiting: waiting?.n ?? 0,
    unanswered: await unansweredQuestions(tx, business.id, period),
  };
}

const money = (micros: number) => `$${(micros / 1_000_000).toFixed(2)}`;

export function digestEmail(business: { slug: string; name: string }, frequency: DigestFrequency, period: DigestPeriod, c: DigestContent): { subject: string; body: string } {
  const base = env().appUrl;
  const when = period.from === period.to ? period.from : `${period.from} to ${period.to}`;
  const lines = [
    `${business.name}, ${frequency === "daily" ? "yesterday" : "last week"} (${when}):`,
    "",
    `- Spent: ${money(c.spentMicros)}`,
    `- New conversations: ${c.conversations}`,
    `- Resolved by the AI: ${c.aiResolved} (the 72 hours after its answer passed with no word from the customer on any channel)`,
    `- Waiting for a person now: ${c.waiting}${c.waiting ? ` (${base}/${business.slug}/inbox?status=waiting_human)` : ""}`,
    "",
  ];
  if (c.unanswered.length) {
    lines.push("Questions the AI could not answer (add an answer as an FAQ and it will):");
    for (const q of c.unanswered) {
      lines.push(`- "${q.question}"${q.count > 1 ? ` (${q.count} times)` : ""}: ${base}/${business.slug}/knowledge?tab=faqs&question=${encodeURIComponent(q.question)}`);
    }
  } else {
    lines.push("The AI answered every question it was asked.");
  }
  lines.push("", `Costs: ${base}/${business.slug}/costs · Analytics: ${base}/${business.slug}/analytics`, `Change or stop this digest: ${base}/${business.slug}/settings/limits`);
  return { subject: `${business.name}: your ${frequency} digest for ${when}`, body: lines.join("\n") };
}

/** Sends the digest of one business for one period, unless it was sent already; returns the emails queued. */
async function sendOne(business: Candidate, frequency: DigestFrequency, period: DigestPeriod, now: Date): Promise<number> {
  return withService(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`digest:${business.id}:${period.key}`}))`);
    const [sent] = await rows(
      tx,
      sql`select 1 from outbox where business_id = ${business.id} and payload->>'kind' = 'digest' and payload->>'period' = ${period.key} limit 1`,
    );
    if (sent) return 0;
    const recipients = await rows<{ email: string }>(
      tx,
      sql`select distinct u.email from members m join users u on u.id = m.user_id
          where m.business_id = ${business.id} and m.role in ('owner', 'admin') order by u.email`,
    );
    if (!recipients.length) return 0;
    const mail = digestEmail(business, frequency, period, await digestContent(tx, business, period, now));
    for (const r of recipients) {
      await enqueueEmail(tx, { businessId: business.id, to: r.email, subject: mail.subject, body: mail.body, payload: { kind: "digest", period: period.key } });
    }
    return recipients.length;
  });
}

/** The job: every active business whose digest is due now and not yet sent. */
export async function sendDigests(opts: { now?: Date } = {}): Promise<{ businesses: number; emails: number }> {
  const now = opts.now ?? new Date();
  const candidates = await withService((tx) =>
    rows<Candidate>(
      tx,
      sql`select id, slug, name, time_zone, limits from businesses where status = 'active' and limits->>'digest' in ('daily', 'weekly') order by id`,
    ),
  );
  let businesses = 0;
  let emails = 0;
  for (const b of candidates) {
    const limits = typeof b.limits === "string" ? JSON.parse(b.limits) : b.limits;
    const frequency = readDigestFrequency(limits);
    const period = digestPeriod(frequency, b.time_zone, now);
    if (!period) continue;
    try {
      const queued = await sendOne(b, frequency, period, now);
      if (queued) {
        businesses += 1;
        emails += queued;
      }
    } catch (err) {
      console.error("[prismai] digest failed for a business", err instanceof Error ? err.message : String(err));
    }
  }
  return { businesses, emails };
}
