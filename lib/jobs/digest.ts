// The owner's digest: daily or weekly (Settings → Limits & budget; off until chosen), from 08:00 in the
// business's time zone, by email to owners and admins through the outbox: spend, conversations the AI
// resolved, hand-offs waiting now, and the questions the AI could not answer, each with a link that
// opens a new FAQ with the question filled in. One digest per business per period however often (and
// however concurrently) the job runs: each business's send holds a transaction-scoped advisory lock
// and looks for its period's digest in the outbox first. When the owners set (and verified) a phone,
// a short text copy goes in the same transaction through the business's SMS or WhatsApp channel, so
// the same check covers it.
import { sql } from "drizzle-orm";
import { z } from "zod";
import { rows, withService, type Tx } from "@/lib/db/client";
import { aiResolutionsConfirmed, conversationSummary, costTotal } from "@/lib/db/reports";
import { localDate, localParts, monthPeriod, safeTimeZone, zonedMidnight } from "@/lib/billing/period";
import { enqueueEmail } from "@/lib/channels/outbox";
import { drainChannelOutbox } from "@/lib/channels/delivery";
import { budgetState } from "@/lib/billing/budgets";
import { outbox } from "@/lib/db/schema";
import { verifiedDigestPhone } from "@/lib/services/digest-phone";
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

/** Questions in the text copy, each cut to this many characters (SMS segments cost money). */
const TEXT_QUESTIONS = 3;
const TEXT_QUESTION_CHARS = 34;

/**
 * The text copy: the period's spend against the month's budget, AI resolutions, hand-offs waiting, the
 * top 3 unanswered questions and one link to add FAQs — two SMS segments for a typical day.
 */
export function digestText(
  business: { slug: string; name: string },
  frequency: DigestFrequency,
  c: DigestContent,
  month: { spentUsd: number; limitUsd: number },
): string {
  const clip = (q: string) => {
    const one = q.replace(/\s+/g, " ").trim();
    return one.length > TEXT_QUESTION_CHARS ? `${one.slice(0, TEXT_QUESTION_CHARS - 3).trimEnd()}...` : one;
  };
  const lines = [
    `${business.name} ${frequency === "daily" ? "yesterday" : "last week"}: spent ${money(c.spentMicros)} (month ${money(Math.round(month.spentUsd * 1e6))} of ${money(Math.round(month.limitUsd * 1e6))} budget). AI resolved ${c.aiResolved}; ${c.waiting} waiting for a person.`,
  ];
  const top = c.unanswered.slice(0, TEXT_QUESTIONS);
  if (top.length) {
    lines.push(`Unanswered: ${top.map((q) => `"${clip(q.question)}"${q.count > 1 ? ` x${q.count}` : ""}`).join("; ")}`);
    lines.push(`Add FAQs: ${env().appUrl}/${business.slug}/knowledge?tab=faqs`);
  } else {
    lines.push("Every question was answered.");
  }
  return lines.join("\n");
}

/** Sends the digest of one business for one period, unless it was sent already; returns what was queued. */
async function sendOne(business: Candidate, frequency: DigestFrequency, period: DigestPeriod, now: Date): Promise<{ emails: number; texts: number }> {
  return withService(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`digest:${business.id}:${period.key}`}))`);
    const [sent] = await rows(
      tx,
      sql`select 1 from outbox where business_id = ${business.id} and payload->>'kind' = 'digest' and payload->>'period' = ${period.key} limit 1`,
    );
    if (sent) return { emails: 0, texts: 0 };
    const recipients = await rows<{ email: string }>(
      tx,
      sql`select distinct u.email from members m join users u on u.id = m.user_id
          where m.business_id = ${business.id} and m.role in ('owner', 'admin') order by u.email`,
    );
    const phone = await verifiedDigestPhone(tx, business.id);
    if (!recipients.length && !phone) return { emails: 0, texts: 0 };
    const content = await digestContent(tx, business, period, now);
    const mail = digestEmail(business, frequency, period, content);
    for (const r of recipients) {
      await enqueueEmail(tx, { businessId: business.id, to: r.email, subject: mail.subject, body: mail.body, payload: { kind: "digest", period: period.key } });
    }
    if (phone) {
      // sent by the channel outbox drain (the dev outbox in embedded mode), priced like any send
      // this month so far from the ledger (as the Costs page counts it), against the month's budget
      const { limitUsd } = await budgetState(business.id, { ex: tx, now });
      const month = { spentUsd: (await costTotal(tx, business.id, monthPeriod(business.time_zone, now).startsAt, now)) / 1e6, limitUsd };
      await tx.insert(outbox).values({
        businessId: business.id,
        channelKind: phone.channel.kind,
        recipient: phone.masked,
        body: digestText(business, frequency, content, month),
        status: "pending",
        payload: { kind: "digest", period: period.key, channelId: phone.channel.id, toEncrypted: phone.phoneEncrypted },
      });
    }
    return { emails: recipients.length, texts: phone ? 1 : 0 };
  });
}

/** The job: every active business whose digest is due now and not yet sent. */
export async function sendDigests(opts: { now?: Date } = {}): Promise<{ businesses: number; emails: number; texts: number }> {
  const now = opts.now ?? new Date();
  const candidates = await withService((tx) =>
    rows<Candidate>(
      tx,
      sql`select id, slug, name, time_zone, limits from businesses where status = 'active' and limits->>'digest' in ('daily', 'weekly') order by id`,
    ),
  );
  let businesses = 0;
  let emails = 0;
  let texts = 0;
  for (const b of candidates) {
    const limits = typeof b.limits === "string" ? JSON.parse(b.limits) : b.limits;
    const frequency = readDigestFrequency(limits);
    const period = digestPeriod(frequency, b.time_zone, now);
    if (!period) continue;
    try {
      const queued = await sendOne(b, frequency, period, now);
      if (queued.emails || queued.texts) {
        businesses += 1;
        emails += queued.emails;
        texts += queued.texts;
      }
      // the text copy leaves now; the outbox job retries what this misses
      if (queued.texts) await drainChannelOutbox({ businessId: b.id });
    } catch (err) {
      console.error("[prismai] digest failed for a business", err instanceof Error ? err.message : String(err));
    }
  }
  return { businesses, emails, texts };
}
