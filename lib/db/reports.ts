// Costs and Analytics in SQL: every figure is an aggregate the database computes over cost_events,
// conversations and messages, grouped by day in the business's time zone. Money leaves the database
// as whole micro-dollars (numeric(14,6) × 10⁶ is exact), so sums made of sums never drift a cent.
import { sql, type SQL } from "drizzle-orm";
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

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
const micros = (expr: SQL) => sql`(coalesce(${expr}, 0) * 1000000)::bigint::text`;
const toMicros = (v: string | number | null) => (v === null ? 0 : Number(v));

/** Channel kinds whose cost events name the channel themselves (a call minute, an SMS segment…). */
const CHANNEL_COST_KINDS = ["sms", "whatsapp", "voice", "email", "telegram", "instagram", "web"];

/** The channel a cost event belongs to: its conversation's, else the channel its kind names, else 'none'. */
const costChannel = sql`coalesce(ch.kind::text,
  case when ce.kind in (${sql.join(CHANNEL_COST_KINDS.map((k) => sql`${k}`), sql`, `)}) then ce.kind
       when ce.kind = 'voice_outbound' then 'voice' end,
  'none')`;

function costFrom(s: ReportScope): SQL {
  return sql`from cost_events ce
    left join conversations co on co.id = ce.conversation_id and co.business_id = ce.business_id
    left join channels ch on ch.id = co.channel_id and ch.business_id = ce.business_id
    where ce.business_id = ${s.businessId} and ce.created_at >= ${ts(s.startsAt)} and ce.created_at < ${ts(s.endsAt)}
    ${s.channel ? sql`and ${costChannel} = ${s.channel}` : sql``}`;
}

const localDay = (col: SQL, timeZone: string) => sql`to_char(${col} at time zone ${timeZone}, 'YYYY-MM-DD')`;

export type CostGroup = { day: string; kind: string; channel: string; model: string | null; events: number; micros: number };

/** Cost events of the scope summed per local day, kind, channel and model. */
export async function costGroups(ex: Executor, s: ReportScope): Promise<CostGroup[]> {
  const out = await rows<{ day: string; kind: string; channel: string; model: string | null; events: number; micros: string }>(
    ex,
    // grouped by the local date first: formatting each event's day as text costs more than the sum
    sql`select to_char(g.d, 'YYYY-MM-DD') as day, g.kind, g.channel, g.model, g.events, ${micros(sql`g.cost_usd`)} as micros
        from (select (ce.created_at at time zone ${s.timeZone})::date as d, ce.kind, ${costChannel} as channel, ce.model,
                     count(*)::int as events, sum(ce.cost_usd) as cost_usd
              ${costFrom(s)}
              group by 1, 2, 3, 4) g
        order by 1, 2, 3, 4`,
  );
  return out.map((r) => ({ ...r, micros: toMicros(r.micros) }));
}

/** Everything recorded between two instants, whatever the channel: the budget's month to date. */
export async function costTotal(ex: Executor, businessId: string, startsAt: Date, endsAt: Date): Promise<number> {
  const [r] = await rows<{ micros: string }>(
    ex,
    sql`select ${micros(sql`sum(cost_usd)`)} as micros from cost_events
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
               ${costChannel} as channel, ce.model, ce.units::float8 as units, ce.tokens_in, ce.tokens_out,
               ${micros(sql`ce.cost_usd`)} as micros, ce.conversation_id, ce.message_id
        ${costFrom(s)}
        order by ce.created_at, ce.id limit ${limit}`,
  );
  return out.map((r) => ({ ...r, micros: toMicros(r.micros) }));
}

/** The tier an AI answer came from: faq, cache:<tier>, model, offline, fallback. */
const answerTier = sql`case when m.source = 'cache' then 'cache:' || coalesce(m.metadata->'trace'->'cache'->>'tier', 'unknown') else m.source::text end`;

export type AnswerTierRow = { tier: string; answers: number; micros: number };

/** The AI's answers in the scope per tier, with what they cost. */
export async function answerTiers(ex: Executor, s: ReportScope): Promise<AnswerTierRow[]> {
  const out = await rows<{ tier: string; answers: number; micros: string }>(
    ex,
    sql`select ${answerTier} as tier, count(*)::int as answers, ${micros(sql`sum(m.cost_usd)`)} as micros
        from messages m join channels ch on ch.id = m.channel_id and ch.business_id = m.business_id
        where m.business_id = ${s.businessId} and m.role = 'assistant' and m.source is not null
          and m.created_at >= ${ts(s.startsAt)} and m.created_at < ${ts(s.endsAt)}
          ${s.channel ? sql`and ch.kind::text = ${s.channel}` : sql``}
        group by 1 order by 1`,
  );
  return out.map((r) => ({ ...r, micros: toMicros(r.micros) }));
}

// ---------------------------------------------------------------- conversations and their outcome

/** Answers that came from the AI itself (a hand-off notice or budget fallback is not an answer). */
const AI_ANSWER = sql`m.role = 'assistant' and m.source in ('model', 'cache', 'faq', 'offline')`;
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
  return sql`select f.*,
      case
        when f.handed then case when f.first_human_at is not null and f.status = 'closed' then 'staff' else 'handed_off' end
        when f.ai_answers = 0 then 'unanswered'
        when f.returned_at is not null then 'returned'
        when f.last_ai_at + make_interval(hours => ${RETURN_WINDOW_HOURS}) > ${ts(s.now)} then 'pending'
        else 'ai'
      end as resolution_type
    from (
      select g.*,
        (g.handoff_at is not null or g.taken_over_at is not null or g.first_human_at is not null or g.status = 'waiting_human') as handed,
        (select min(r.created_at) from messages r
          where r.business_id = g.business_id and r.customer_id = g.customer_id and r.role = 'customer'
            and r.created_at > g.last_ai_at and r.created_at <= g.last_ai_at + make_interval(hours => ${RETURN_WINDOW_HOURS})
            -- a rating sent back to the satisfaction survey is not the customer coming back
            and not (r.metadata ? 'csatRating')) as returned_at
      from (
        select c.id, c.business_id, c.customer_id, c.status, c.created_at, c.closed_at, ch.kind::text as channel,
          mm.first_customer_at, mm.first_ai_at, mm.last_ai_at, mm.ai_answers, mm.first_human_at, mm.handoff_at, mm.handoff_category,
          t.taken_over_at, cs.sent_at as csat_sent_at, cs.rating as csat_rating
        from conversations c
        join channels ch on ch.id = c.channel_id and ch.business_id = c.business_id
        -- one pass over the business's take-overs since the period began (audit_log has no index on target_id)
        left join (select a.target_id, min(a.created_at) as taken_over_at from audit_log a
                   where a.business_id = ${s.businessId} and a.action = 'conversation.taken_over' and a.created_at >= ${ts(s.startsAt)}
                   group by a.target_id) t on t.target_id = c.id::text
        left join csat_surveys cs on cs.conversation_id = c.id and cs.business_id = c.business_id
        cross join lateral (
          select min(m.created_at) filter (where m.role = 'customer') as first_customer_at,
                 min(m.created_at) filter (where m.role = 'assistant') as first_ai_at,
                 max(m.created_at) filter (where ${AI_ANSWER}) as last_ai_at,
                 count(*) filter (where ${AI_ANSWER})::int as ai_answers,
                 min(m.created_at) filter (where m.role = 'agent') as first_human_at,
                 min(m.created_at) filter (where m.role = 'assistant' and m.metadata ? 'handoff') as handoff_at,
                 (array_agg(m.metadata->'handoff'->>'category' order by m.created_at) filter (where m.role = 'assistant' and m.metadata ? 'handoff'))[1] as handoff_category,
                 bool_or(m.role = 'customer' and m.metadata->>'test' = 'true') as test
          from messages m where m.business_id = c.business_id and m.conversation_id = c.id
        ) mm
        where c.business_id = ${s.businessId} and c.created_at >= ${ts(s.startsAt)} and c.created_at < ${ts(s.endsAt)}
          ${s.channel ? sql`and ch.kind::text = ${s.channel}` : sql``}
          and not coalesce(mm.test, false)
      ) g
    ) f`;
}

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
  count(*) filter (where f.csat_rating >= 4)::int as csat_satisfied`;

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
};

/** The Analytics page's figures in one statement: the conversations' facts are computed once. */
export async function analyticsAggregates(ex: Executor, s: ReportScope): Promise<AnalyticsAggregates> {
  const [r] = await rows<{ summary: unknown; days: unknown; reasons: unknown }>(
    ex,
    sql`with f as materialized (${conversationFacts(s)})
        select (select row_to_json(x) from (select ${summaryColumns} from f) x) as summary,
               (select coalesce(json_agg(d order by d.day, d.channel), '[]'::json)
                  from (select ${localDay(sql`f.created_at`, s.timeZone)} as day, f.channel, count(*)::int as conversations from f group by 1, 2) d) as days,
               (select coalesce(json_agg(h order by h.conversations desc, h.reason), '[]'::json)
                  from (select ${handoffReason} as reason, count(*)::int as conversations from f where f.handed group by 1) h) as reasons`,
  );
  return {
    summary: readSummary(json<Record<string, unknown>>(r?.summary)),
    byDay: json(r?.days ?? "[]"),
    reasons: json(r?.reasons ?? "[]"),
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

/**
 * Each conversation's costs (every kind, alias e), joined to facts f: one pass over the business's cost
 * events since the period began (a conversation's costs come after it started; cost_events has no
 * index on conversation_id).
 */
function conversationCosts(s: Pick<ReportScope, "businessId" | "startsAt">): SQL {
  return sql`left join (select ce.conversation_id, sum(ce.cost_usd) as cost_usd from cost_events ce
                        where ce.business_id = ${s.businessId} and ce.conversation_id is not null and ce.created_at >= ${ts(s.startsAt)}
                        group by ce.conversation_id) e on e.conversation_id = f.id`;
}

/** All costs (every kind) of the conversations the AI resolved in the scope. */
export async function aiResolvedCost(ex: Executor, s: ReportScope): Promise<{ conversations: number; micros: number }> {
  const [r] = await rows<{ conversations: number; micros: string }>(
    ex,
    sql`select count(*)::int as conversations, ${micros(sql`sum(e.cost_usd)`)} as micros
        from (${conversationFacts(s)}) f ${conversationCosts(s)}
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
               ${micros(sql`e.cost_usd`)} as micros,
               array_to_string(cu.tags, ' ') as tags, f.csat_rating
        from (${conversationFacts(s)}) f ${conversationCosts(s)}
        join customers cu on cu.id = f.customer_id and cu.business_id = f.business_id
        order by f.created_at, f.id limit ${limit}`,
  );
  return out.map((r) => ({ ...r, micros: toMicros(r.micros), tags: r.tags ?? "" }));
}
