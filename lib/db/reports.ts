// Costs and Analytics in SQL: every figure is an aggregate the database computes over cost_events,
// conversations and messages, grouped by day in the business's time zone. Money leaves the database
// as whole micro-dollars (numeric(14,6) × 10⁶ is exact), so sums made of sums never drift a cent.
//
// At scale (a million cost events, a hundred thousand conversations) the pages read what triggers keep
// beside the ledger in the same transaction as every write (supabase/migrations/*_report_rollups.sql):
// cost_daily and answer_daily (per local day of the business's time zone) and conversation_facts (one
// row per conversation). When a period does not start and end at local midnights, or the days are not
// (yet) those of the zone asked for, the same figures are summed from the ledger itself.
import { sql, type SQL } from "drizzle-orm";
import { localDate, zonedMidnight } from "@/lib/billing/period";
import { rows, type Executor } from "./client";

export type ReportScope = {
  businessId: string;
  timeZone: string;
  startsAt: Date;
  endsAt: Date;
  /** a channel kind; cost events without a conversation or channel of their own then drop out */
  channel?: string;
  /** the instant "72 hours have passed" is judged against */
  now: Date;
};

/** How a figure is summed: from the daily rows (when the scope allows) or from the ledger itself. */
export type SumOptions = { ledger?: boolean };

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
const micros = (expr: SQL) => sql`(coalesce(${expr}, 0) * 1000000)::bigint::text`;
const toMicros = (v: string | number | null) => (v === null ? 0 : Number(v));

/** The local days [from, until) a scope covers, when both of its ends are local midnights. */
export function localDays(s: Pick<ReportScope, "startsAt" | "endsAt" | "timeZone">): { from: string; until: string } | null {
  const from = localDate(s.startsAt, s.timeZone);
  const until = localDate(s.endsAt, s.timeZone);
  const midnight = (d: string) => {
    const [y, m, dd] = d.split("-").map(Number) as [number, number, number];
    return zonedMidnight(y, m, dd, s.timeZone).getTime();
  };
  return midnight(from) === s.startsAt.getTime() && midnight(until) === s.endsAt.getTime() ? { from, until } : null;
}

/**
 * Whether cost_daily and answer_daily hold the business's days in this zone. Rows in another zone mean
 * the business's time zone was changed: the days are summed again from the ledger, once (the writers
 * wait meanwhile; app.rebuild_report_days). A zone the database reads differently from the app (one of
 * them does not know it): no, the ledger answers.
 */
export async function dailyRowsReady(ex: Executor, businessId: string, timeZone: string): Promise<boolean> {
  const other = (table: string) =>
    sql`exists (select 1 from ${sql.identifier(table)} where business_id = b.id and time_zone < ${timeZone})
        or exists (select 1 from ${sql.identifier(table)} where business_id = b.id and time_zone > ${timeZone})`;
  const [r] = await rows<{ zone: string; stray: boolean }>(
    ex,
    sql`select app.valid_zone(b.time_zone) as zone, (${other("cost_daily")} or ${other("answer_daily")}) as stray
        from businesses b where b.id = ${businessId}`,
  );
  if (!r || r.zone !== timeZone) return false;
  if (r.stray) await ex.execute(sql`select app.rebuild_report_days(${businessId})`);
  return true;
}

/** The days to read from the daily rows, or null: the ledger answers. */
function dailyScope(s: Pick<ReportScope, "startsAt" | "endsAt" | "timeZone">, opts: SumOptions) {
  return opts.ledger ? null : localDays(s);
}

/** Cost events of the scope, read from the ledger itself (alias ce); their channel is stored on each. */
function costFrom(s: ReportScope): SQL {
  return sql`from cost_events ce
    where ce.business_id = ${s.businessId} and ce.created_at >= ${ts(s.startsAt)} and ce.created_at < ${ts(s.endsAt)}
    ${s.channel ? sql`and ce.channel = ${s.channel}` : sql``}`;
}

export type CostGroup = { day: string; kind: string; channel: string; model: string | null; events: number; micros: number };

/** Cost events of the scope summed per local day, kind, channel and model. */
export async function costGroups(ex: Executor, s: ReportScope, opts: SumOptions = {}): Promise<CostGroup[]> {
  const days = dailyScope(s, opts);
  const grouped = days
    ? sql`select r.day as d, r.kind, r.channel, nullif(r.model, '') as model, sum(r.events)::int as events, sum(r.micros) as micros
          from cost_daily r
          where r.business_id = ${s.businessId} and r.time_zone = ${s.timeZone} and r.day >= ${days.from}::date and r.day < ${days.until}::date
            ${s.channel ? sql`and r.channel = ${s.channel}` : sql``}
          group by 1, 2, 3, 4 having sum(r.events) <> 0`
    : // grouped by the local date first: formatting each event's day as text costs more than the sum
      sql`select (ce.created_at at time zone ${s.timeZone})::date as d, ce.kind, ce.channel, ce.model,
                 count(*)::int as events, sum((ce.cost_usd * 1000000)::bigint) as micros
          ${costFrom(s)}
          group by 1, 2, 3, 4`;
  const out = await rows<{ day: string; kind: string; channel: string; model: string | null; events: number; micros: string }>(
    ex,
    sql`select to_char(g.d, 'YYYY-MM-DD') as day, g.kind, g.channel, g.model, g.events, g.micros::text as micros
        from (${grouped}) g
        order by 1, 2, 3, 4`,
  );
  return out.map((r) => ({ ...r, micros: toMicros(r.micros) }));
}

/**
 * Everything recorded between two instants, whatever the channel: the budget's month to date, the
 * digest's day or week. From the daily rows when the zone is given and the instants are its midnights.
 */
export async function costTotal(ex: Executor, businessId: string, startsAt: Date, endsAt: Date, opts: SumOptions & { timeZone?: string } = {}): Promise<number> {
  const days = opts.timeZone ? dailyScope({ startsAt, endsAt, timeZone: opts.timeZone }, opts) : null;
  const [r] = await rows<{ micros: string }>(
    ex,
    days
      ? sql`select coalesce(sum(micros), 0)::text as micros from cost_daily
            where business_id = ${businessId} and time_zone = ${opts.timeZone!} and day >= ${days.from}::date and day < ${days.until}::date`
      : sql`select ${micros(sql`sum(cost_usd)`)} as micros from cost_events
            where business_id = ${businessId} and created_at >= ${ts(startsAt)} and created_at < ${ts(endsAt)}`,
  );
  return toMicros(r?.micros ?? null);
}

export type CostEventRow = {
  id: string;
  created_at: string;
  kind: string;
  channel: string;
  model: string | null;
  units: number;
  tokens_in: number;
  tokens_out: number;
  micros: number;
  conversation_id: string | null;
  message_id: string | null;
};

/** One row per billable operation, oldest first (the CSV export). */
export async function costEventRows(ex: Executor, s: ReportScope, limit = 200_000): Promise<CostEventRow[]> {
  const out = await rows<Omit<CostEventRow, "micros"> & { micros: string }>(
    ex,
    sql`select ce.id, to_char(ce.created_at at time zone ${s.timeZone}, 'YYYY-MM-DD"T"HH24:MI:SS') as created_at, ce.kind,
               ce.channel, ce.model, ce.units::float8 as units, ce.tokens_in, ce.tokens_out,
               ${micros(sql`ce.cost_usd`)} as micros, ce.conversation_id, ce.message_id
        ${costFrom(s)}
        order by ce.created_at, ce.id limit ${limit}`,
  );
  return out.map((r) => ({ ...r, micros: toMicros(r.micros) }));
}

/** The tier an AI answer came from: faq, cache:<tier>, model, offline, fallback (app.answer_tier). */
const answerTier = sql`app.answer_tier(m.source, m.metadata)`;

export type AnswerTierRow = { tier: string; answers: number; micros: number };

/** The AI's answers in the scope per tier, with what they cost. */
export async function answerTiers(ex: Executor, s: ReportScope, opts: SumOptions = {}): Promise<AnswerTierRow[]> {
  const days = dailyScope(s, opts);
  const byChannel = s.channel ? sql`and ch.kind::text = ${s.channel}` : sql``;
  const out = await rows<{ tier: string; answers: number; micros: string }>(
    ex,
    days
      ? sql`select r.tier, sum(r.answers)::int as answers, sum(r.micros)::text as micros
            from answer_daily r join channels ch on ch.id = r.channel_id and ch.business_id = r.business_id
            where r.business_id = ${s.businessId} and r.time_zone = ${s.timeZone} and r.day >= ${days.from}::date and r.day < ${days.until}::date
              ${byChannel}
            group by 1 having sum(r.answers) <> 0 order by 1`
      : sql`select ${answerTier} as tier, count(*)::int as answers, ${micros(sql`sum(m.cost_usd)`)} as micros
            from messages m join channels ch on ch.id = m.channel_id and ch.business_id = m.business_id
            where m.business_id = ${s.businessId} and m.role = 'assistant' and m.source is not null
              and m.created_at >= ${ts(s.startsAt)} and m.created_at < ${ts(s.endsAt)} ${byChannel}
            group by 1 order by 1`,
  );
  return out.map((r) => ({ ...r, micros: toMicros(r.micros) }));
}

// ---------------------------------------------------------------- conversations and their outcome

// An answer from the AI itself is an assistant message from the model, the cache, an FAQ or the offline
// responder (a hand-off notice or budget fallback is not one): conversation_facts.ai_answers and
// last_ai_at count those (app.messages_reports in supabase/migrations/*_report_rollups.sql).
export const RETURN_WINDOW_HOURS = 72;

/**
 * One row per conversation started in the scope (staff's tests from Settings → Test your agent left
 * out), with the moments that define every metric and its resolution type:
 *   ai         the AI answered, no person replied or took over, nothing was handed off, and the same
 *              customer wrote nothing on any channel within 72 hours of the AI's last answer
 *   returned   as ai, but the customer came back within those 72 hours
 *   pending    as ai, and 72 hours have not yet passed
 *   staff      a person replied and the conversation is closed
 *   handed_off handed to a person (by the AI, a rule, or staff taking over) and not closed by a reply
 *   unanswered neither the AI nor a person answered (blocked, rate-limited, empty…)
 */
export function conversationFacts(s: Omit<ReportScope, "timeZone">): SQL {
  return sql`with ${factsSteps(s)}
    select g.*, returned.returned_at, ${resolutionType(s)} as resolution_type
    from g left join returned on returned.id = g.id`;
}

/**
 * conversationFacts in steps, for a statement of its own to build on: g, the conversations (one row
 * each, kept by triggers: conversation_facts in lib/db/schema.ts); returned, those among them whose
 * customer came back within 72 hours.
 */
function factsSteps(s: Omit<ReportScope, "timeZone">): SQL {
  return sql`g as materialized (
      select x.conversation_id as id, x.business_id, x.customer_id, x.status, x.created_at, x.closed_at, x.channel,
        x.first_customer_at, x.first_ai_at, x.last_ai_at, x.ai_answers, x.first_human_at, x.handoff_at, x.handoff_category,
        x.cost_micros, x.taken_over_at, x.csat_sent_at, x.csat_rating,
        (x.handoff_at is not null or x.taken_over_at is not null or x.first_human_at is not null or x.status = 'waiting_human') as handed
      from conversation_facts x
      where x.business_id = ${s.businessId} and x.created_at >= ${ts(s.startsAt)} and x.created_at < ${ts(s.endsAt)}
        ${s.channel ? sql`and x.channel = ${s.channel}` : sql``}
        and not x.test
    ),
    -- where it decides anything (answered by the AI, not handed over): the customer's first message on
    -- any channel within 72 hours of the AI's last answer, for all of them at once over the customers'
    -- messages of those hours (an index holds exactly those: messages_customer_returns_idx)
    candidate as (select id, customer_id, last_ai_at from g where not handed and ai_answers > 0),
    returned as (
      select c.id, min(r.created_at) as returned_at
      from candidate c
      join messages r on r.business_id = ${s.businessId} and r.customer_id = c.customer_id
      where r.role = 'customer'
        -- a rating sent back to the satisfaction survey is not the customer coming back
        and not (r.metadata ? 'csatRating')
        and r.created_at > c.last_ai_at and r.created_at <= c.last_ai_at + ${returnWindow}
        and r.created_at > (select min(last_ai_at) from candidate) and r.created_at <= (select max(last_ai_at) from candidate) + ${returnWindow}
      group by c.id
    )`;
}

const returnWindow = sql`make_interval(hours => ${RETURN_WINDOW_HOURS})`;

/** The resolution type of a row of g joined to returned (see conversationFacts). */
const resolutionType = (s: Pick<ReportScope, "now">) => sql`case
    when g.handed then case when g.first_human_at is not null and g.status = 'closed' then 'staff' else 'handed_off' end
    when g.ai_answers = 0 then 'unanswered'
    when returned.returned_at is not null then 'returned'
    when g.last_ai_at + ${returnWindow} > ${ts(s.now)} then 'pending'
    else 'ai'
  end`;

/**
 * Why a conversation went to a person, from the first hand-off's category: person (asked, or said yes
 * to an offer), rule (emergency, complaint, legal, medical, the owner's rules), low_confidence (the AI
 * could not answer), budget, paused, ai (the model's own judgement or no model answering); else staff
 * stepping in.
 */
const handoffReason = sql`case when not f.handed then null
  when f.handoff_category in ('person', 'offer_accepted') then 'person'
  when f.handoff_category in ('emergency', 'complaint', 'legal', 'medical', 'owner_rule') then 'rule'
  when f.handoff_category in ('low_confidence', 'budget', 'paused') then f.handoff_category
  when f.handoff_category is not null then 'ai'
  when f.taken_over_at is not null or f.first_human_at is not null then 'staff'
  else 'unknown' end`;

/** The sets of conversations a number on the Analytics page stands for (and the inbox can show). */
export const REPORT_SETS = ["conversations", "ai_answered", "ai_resolved", "handed_off", "staff_replied", "returned", "pending", "resolved", "csat_answered"] as const;
export type ReportSet = (typeof REPORT_SETS)[number];

export function setCondition(set: ReportSet, reason?: string): SQL {
  const byReason = reason ? sql` and ${handoffReason} = ${reason}` : sql``;
  switch (set) {
    case "conversations":
      return sql`true`;
    case "ai_answered":
      return sql`f.first_ai_at is not null and f.first_customer_at is not null`;
    case "ai_resolved":
      return sql`f.resolution_type = 'ai'`;
    case "handed_off":
      return sql`f.handed${byReason}`;
    case "staff_replied":
      return sql`f.first_human_at is not null`;
    case "returned":
      return sql`f.resolution_type = 'returned'`;
    case "pending":
      return sql`f.resolution_type = 'pending'`;
    case "resolved":
      return sql`f.resolution_type in ('ai', 'staff')`;
    case "csat_answered":
      return sql`f.csat_rating is not null`;
  }
}

/** The ids of one set, as a subquery the inbox filters by. */
export function conversationSet(s: Omit<ReportScope, "timeZone">, set: ReportSet, reason?: string): SQL {
  return sql`(select f.id from (${conversationFacts(s)}) f where ${setCondition(set, reason)})`;
}

const seconds = (a: SQL, b: SQL) => sql`extract(epoch from (${a} - ${b}))`;
const median = (expr: SQL, where: SQL) => sql`percentile_cont(0.5) within group (order by ${expr}) filter (where ${where})`;

export type ConversationSummary = {
  conversations: number;
  ai_answered: number;
  ai_resolved: number;
  returned: number;
  pending: number;
  handed_off: number;
  staff_replied: number;
  staff_resolved: number;
  ai_frt_median_s: number | null;
  ai_frt_count: number;
  staff_frt_median_s: number | null;
  staff_frt_count: number;
  resolution_median_s: number | null;
  resolution_count: number;
  /** satisfaction surveys sent, answered, their average rating and how many rated 4 or 5 */
  csat_sent: number;
  csat_answered: number;
  csat_average: number | null;
  csat_satisfied: number;
  /** conversations a campaign's message went out in (lib/campaigns), counted apart from those customers began */
  campaign_conversations: number;
};

const aiFrt = sql`f.first_ai_at is not null and f.first_customer_at is not null and f.first_ai_at >= f.first_customer_at`;
const staffStart = sql`coalesce(f.handoff_at, f.taken_over_at, f.first_customer_at)`;
const staffFrt = sql`f.first_human_at is not null and ${staffStart} is not null and f.first_human_at >= ${staffStart}`;
const resolutionEnd = sql`case f.resolution_type when 'ai' then f.last_ai_at when 'staff' then f.closed_at end`;
const resolvedTimed = sql`f.resolution_type in ('ai', 'staff') and f.first_customer_at is not null and ${resolutionEnd} >= f.first_customer_at`;

const summaryColumns = sql`count(*)::int as conversations,
  count(*) filter (where ${setCondition("ai_answered")})::int as ai_answered,
  count(*) filter (where f.resolution_type = 'ai')::int as ai_resolved,
  count(*) filter (where f.resolution_type = 'returned')::int as returned,
  count(*) filter (where f.resolution_type = 'pending')::int as pending,
  count(*) filter (where f.handed)::int as handed_off,
  count(*) filter (where f.first_human_at is not null)::int as staff_replied,
  count(*) filter (where f.resolution_type = 'staff')::int as staff_resolved,
  ${median(seconds(sql`f.first_ai_at`, sql`f.first_customer_at`), aiFrt)}::float8 as ai_frt_median_s,
  count(*) filter (where ${aiFrt})::int as ai_frt_count,
  ${median(seconds(sql`f.first_human_at`, staffStart), staffFrt)}::float8 as staff_frt_median_s,
  count(*) filter (where ${staffFrt})::int as staff_frt_count,
  ${median(seconds(resolutionEnd, sql`f.first_customer_at`), resolvedTimed)}::float8 as resolution_median_s,
  count(*) filter (where ${resolvedTimed})::int as resolution_count,
  count(*) filter (where f.csat_sent_at is not null)::int as csat_sent,
  count(*) filter (where f.csat_rating is not null)::int as csat_answered,
  avg(f.csat_rating)::float8 as csat_average,
  count(*) filter (where f.csat_rating >= 4)::int as csat_satisfied,
  count(*) filter (where exists (select 1 from campaign_recipients cr where cr.business_id = f.business_id and cr.conversation_id = f.id and cr.sent_at is not null))::int as campaign_conversations`;

function readSummary(r: Record<string, unknown> | undefined): ConversationSummary {
  const num = (k: string) => (r?.[k] === null || r?.[k] === undefined ? null : Number(r[k]));
  return {
    conversations: num("conversations") ?? 0,
    ai_answered: num("ai_answered") ?? 0,
    ai_resolved: num("ai_resolved") ?? 0,
    returned: num("returned") ?? 0,
    pending: num("pending") ?? 0,
    handed_off: num("handed_off") ?? 0,
    staff_replied: num("staff_replied") ?? 0,
    staff_resolved: num("staff_resolved") ?? 0,
    ai_frt_median_s: num("ai_frt_median_s"),
    ai_frt_count: num("ai_frt_count") ?? 0,
    staff_frt_median_s: num("staff_frt_median_s"),
    staff_frt_count: num("staff_frt_count") ?? 0,
    resolution_median_s: num("resolution_median_s"),
    resolution_count: num("resolution_count") ?? 0,
    csat_sent: num("csat_sent") ?? 0,
    csat_answered: num("csat_answered") ?? 0,
    csat_average: num("csat_average"),
    csat_satisfied: num("csat_satisfied") ?? 0,
    campaign_conversations: num("campaign_conversations") ?? 0,
  };
}

export async function conversationSummary(ex: Executor, s: ReportScope): Promise<ConversationSummary> {
  const [r] = await rows<Record<string, unknown>>(ex, sql`select ${summaryColumns} from (${conversationFacts(s)}) f`);
  return readSummary(r);
}

const json = <T>(v: unknown): T => (typeof v === "string" ? JSON.parse(v) : v) as T;

export type AnalyticsAggregates = {
  summary: ConversationSummary;
  /** conversations started per local day and channel */
  byDay: { day: string; channel: string; conversations: number }[];
  /** conversations handed to a person, by the reason of the first hand-off */
  reasons: { reason: string; conversations: number }[];
  /** conversations that ended in a booking (confirmed, or kept and missed: a no-show was still booked) — a conversion */
  booked: number;
};

/**
 * The Analytics page's figures in one statement, the conversations read once: conversations per day and
 * hand-off reasons straight from them, the summary once the 72 hours are judged.
 */
export async function analyticsAggregates(ex: Executor, s: ReportScope): Promise<AnalyticsAggregates> {
  const [r] = await rows<{ summary: unknown; days: unknown; reasons: unknown; booked: number }>(
    ex,
    sql`with ${factsSteps(s)},
        judged as (select g.*, ${resolutionType(s)} as resolution_type from g left join returned on returned.id = g.id)
        select (select row_to_json(x) from (select ${summaryColumns} from judged f) x) as summary,
               (select coalesce(json_agg(d order by d.day, d.channel), '[]'::json)
                  -- grouped by the local date first: formatting each conversation's day as text costs more than the count
                  from (select to_char(l.d, 'YYYY-MM-DD') as day, l.channel, l.conversations
                        from (select (f.created_at at time zone ${s.timeZone})::date as d, f.channel, count(*)::int as conversations from g f group by 1, 2) l) d) as days,
               (select coalesce(json_agg(h order by h.conversations desc, h.reason), '[]'::json)
                  from (select ${handoffReason} as reason, count(*)::int as conversations from g f where f.handed group by 1) h) as reasons,
               (select count(*)::int from g f where exists (
                  select 1 from bookings b where b.business_id = ${s.businessId} and b.conversation_id = f.id and b.status in ('confirmed', 'no_show'))) as booked`,
  );
  return {
    summary: readSummary(json<Record<string, unknown>>(r?.summary)),
    byDay: json(r?.days ?? "[]"),
    reasons: json(r?.reasons ?? "[]"),
    booked: Number(r?.booked ?? 0),
  };
}

/**
 * Conversations whose resolution by the AI was confirmed between two instants: the 72 hours after the
 * AI's last answer ended then with no word from the customer on any channel (the digest's count; the
 * conversations may have started up to 30 days earlier).
 */
export async function aiResolutionsConfirmed(ex: Executor, businessId: string, startsAt: Date, endsAt: Date): Promise<number> {
  const window = sql`make_interval(hours => ${RETURN_WINDOW_HOURS})`;
  const [r] = await rows<{ n: number }>(
    ex,
    sql`select count(*)::int as n from (${conversationFacts({ businessId, startsAt: new Date(startsAt.getTime() - 30 * 86_400_000), endsAt, now: endsAt })}) f
        where f.resolution_type = 'ai' and f.last_ai_at + ${window} >= ${ts(startsAt)} and f.last_ai_at + ${window} < ${ts(endsAt)}`,
  );
  return r?.n ?? 0;
}

/** All costs (every kind) of the conversations the AI resolved in the scope. */
export async function aiResolvedCost(ex: Executor, s: ReportScope): Promise<{ conversations: number; micros: number }> {
  const [r] = await rows<{ conversations: number; micros: string }>(
    ex,
    sql`select count(*)::int as conversations, coalesce(sum(f.cost_micros), 0)::text as micros
        from (${conversationFacts(s)}) f
        where f.resolution_type = 'ai'`,
  );
  return { conversations: r?.conversations ?? 0, micros: toMicros(r?.micros ?? null) };
}

export type ConversationExportRow = {
  id: string;
  channel: string;
  channels: string;
  customer_id: string;
  customer_name: string | null;
  created_at: string;
  first_ai_at: string | null;
  first_human_at: string | null;
  resolution_type: string;
  handoff_reason: string | null;
  micros: number;
  /** the customer's tags, space-separated */
  tags: string;
  /** the satisfaction rating (1–5), when the customer gave one */
  csat_rating: number | null;
};

const localTime = (col: SQL, timeZone: string) => sql`to_char(${col} at time zone ${timeZone}, 'YYYY-MM-DD"T"HH24:MI:SS')`;

/** One row per conversation for the Analytics CSV. */
export async function conversationExportRows(ex: Executor, s: ReportScope, limit = 100_000): Promise<ConversationExportRow[]> {
  const out = await rows<Omit<ConversationExportRow, "micros"> & { micros: string }>(
    ex,
    sql`select f.id, f.channel,
               (select string_agg(distinct k.kind::text, ' ' order by k.kind::text) from conversations x
                  join channels k on k.id = x.channel_id and k.business_id = x.business_id
                  where x.business_id = f.business_id and x.customer_id = f.customer_id) as channels,
               f.customer_id, cu.name as customer_name,
               ${localTime(sql`f.created_at`, s.timeZone)} as created_at,
               ${localTime(sql`f.first_ai_at`, s.timeZone)} as first_ai_at,
               ${localTime(sql`f.first_human_at`, s.timeZone)} as first_human_at,
               f.resolution_type, ${handoffReason} as handoff_reason,
               f.cost_micros::text as micros,
               array_to_string(cu.tags, ' ') as tags, f.csat_rating
        from (${conversationFacts(s)}) f
        join customers cu on cu.id = f.customer_id and cu.business_id = f.business_id
        order by f.created_at, f.id limit ${limit}`,
  );
  return out.map((r) => ({ ...r, micros: toMicros(r.micros), tags: r.tags ?? "" }));
}
