// Conversations for the inbox: the filtered list, one conversation, the customer's whole timeline
// across channels. Every query names the business it is about (RLS is the second lock).
import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import { rows, type Executor } from "./client";
import { customerIdentities, customers } from "./schema";
import { conversationSet, type ReportScope, type ReportSet } from "./reports";

export type InboxStatus = "active" | "open" | "waiting_human" | "closed" | "all";

export type InboxQuery = {
  status: InboxStatus;
  channel?: string;
  /** "me", "unassigned" or a user id */
  assignee?: string;
  unread?: boolean;
  /** name or message text (substring), or an identity (exact, by keyed hash) */
  text?: string;
  identityHashes?: { kind: string; hash: string }[];
  /** conversations with a customer message read as this intent (an intent's id, or "other") */
  intent?: string;
  /** the signed-in member, for assignee "me" (an API key has none) */
  userId: string | null;
  /** one customer's conversations (the public API) */
  customerId?: string;
  /** keyset cursor of the public API, which lists by creation: rows strictly after this one */
  after?: { at: string; id: string };
  /** the conversations behind one of Analytics' numbers (lib/db/reports.ts) */
  report?: { scope: Omit<ReportScope, "businessId" | "timeZone">; set: ReportSet; reason?: string };
};

export type InboxRow = {
  id: string;
  status: "open" | "waiting_human" | "closed";
  assignee_id: string | null;
  assignee_name: string | null;
  unread: boolean;
  last_message_at: string | Date;
  channel_kind: string;
  customer_id: string;
  customer_name: string | null;
  subject: string | null;
  last_text: string | null;
  last_role: string | null;
  /** the intent of the newest customer message read so far (null: none read, or "other") */
  intent_name: string | null;
  intent_read: boolean;
  /** sentiment of the first and the newest customer message read (-2…2) */
  sentiment_start: number | null;
  sentiment_now: number | null;
  lead_score: number;
  lead_stage: string | null;
  created_at: string | Date;
  /** created_at to the microsecond, for a keyset cursor (a JS Date keeps only milliseconds) */
  cursor_at: string;
};

/** A uuid[] parameter both drivers bind the same way. */
const uuidList = (ids: string[]) => sql`string_to_array(${ids.join(",")}, ',')::uuid[]`;

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Conversations staff had with the agent from Settings → Test your agent are not customers' (alias c). */
const notTestConversation = sql`not exists (select 1 from messages t where t.business_id = c.business_id and t.conversation_id = c.id
                                            and t.role = 'customer' and t.metadata->>'test' = 'true')`;

function where(businessId: string, q: InboxQuery): SQL {
  const parts: SQL[] = [sql`c.business_id = ${businessId}`];
  if (q.status === "active") parts.push(sql`c.status <> 'closed'`);
  else if (q.status !== "all") parts.push(sql`c.status = ${q.status}`);
  if (q.channel) parts.push(sql`ch.kind::text = ${q.channel}`);
  if (q.assignee === "me") parts.push(q.userId ? sql`c.assignee_id = ${q.userId}` : sql`false`);
  else if (q.assignee === "unassigned") parts.push(sql`c.assignee_id is null`);
  else if (q.assignee) parts.push(sql`c.assignee_id = ${q.assignee}`);
  if (q.unread) parts.push(sql`c.unread`);
  if (q.intent) {
    parts.push(sql`exists (select 1 from message_insights mi where mi.business_id = c.business_id and mi.conversation_id = c.id
                           and ${q.intent === "other" ? sql`mi.intent_id is null` : sql`mi.intent_id = ${q.intent}`})`);
  }
  if (q.customerId) parts.push(sql`c.customer_id = ${q.customerId}`);
  if (q.after) parts.push(sql`(c.created_at, c.id) < (${q.after.at}::timestamptz, ${q.after.id}::uuid)`);
  parts.push(notTestConversation);
  // Worked out once into a hash (a sub-query inside coalesce stays a hashed sub-plan rather than becoming
  // a join): the newest conversations are then checked against it until the page is full, instead of
  // the whole set (tens of thousands at scale) being joined and sorted first.
  if (q.report) parts.push(sql`coalesce(c.id in ${conversationSet({ ...q.report.scope, businessId }, q.report.set, q.report.reason)}, false)`);
  if (q.text) {
    const like = `%${likeEscape(q.text)}%`;
    const match: SQL[] = [
      sql`cu.name ilike ${like}`,
      sql`exists (select 1 from messages s where s.business_id = c.business_id and s.conversation_id = c.id
                  and s.content ilike ${like})`,
    ];
    for (const h of q.identityHashes ?? []) {
      match.push(sql`exists (select 1 from customer_identities i where i.business_id = c.business_id and i.customer_id = c.customer_id
                             and i.kind::text = ${h.kind} and i.value_hash = ${h.hash})`);
    }
    parts.push(sql`(${sql.join(match, sql` or `)})`);
  }
  return sql.join(parts, sql` and `);
}

/** Newest activity first (the inbox), or newest first by creation (the public API's stable pages): the page's conversations are chosen first, then their details are read. */
export async function listInbox(ex: Executor, businessId: string, q: InboxQuery, limit = 50, order: "activity" | "created" = "activity"): Promise<InboxRow[]> {
  const orderBy = order === "created" ? sql`c.created_at desc, c.id desc` : sql`c.last_message_at desc, c.id`;
  return rows<InboxRow>(
    ex,
    sql`with page as (
          select c.id from conversations c
          join channels ch on ch.id = c.channel_id and ch.business_id = c.business_id
          join customers cu on cu.id = c.customer_id and cu.business_id = c.business_id
          where ${where(businessId, q)}
          order by ${orderBy}
          limit ${limit}
        )
        select c.id, c.status, c.assignee_id, u.name as assignee_name, c.unread, c.last_message_at, ch.kind as channel_kind,
               c.customer_id, cu.name as customer_name, cu.lead_score, cu.lead_stage, c.subject, last.content as last_text, last.role as last_role,
               newest.intent_name, (newest.sentiment is not null) as intent_read, first.sentiment as sentiment_start, newest.sentiment as sentiment_now,
               c.created_at, to_char(c.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at
        from page p
        join conversations c on c.id = p.id and c.business_id = ${businessId}
        join channels ch on ch.id = c.channel_id and ch.business_id = c.business_id
        join customers cu on cu.id = c.customer_id and cu.business_id = c.business_id
        left join users u on u.id = c.assignee_id
        left join lateral (select m.content, m.role from messages m
                           where m.business_id = c.business_id and m.conversation_id = c.id and m.role <> 'note'
                           order by m.created_at desc limit 1) last on true
        left join lateral (select i.name as intent_name, mi.sentiment from message_insights mi
                           join messages m on m.id = mi.message_id and m.business_id = mi.business_id
                           left join intents i on i.id = mi.intent_id and i.business_id = mi.business_id
                           where mi.business_id = c.business_id and mi.conversation_id = c.id
                           order by m.created_at desc, m.id desc limit 1) newest on true
        left join lateral (select mi.sentiment from message_insights mi
                           join messages m on m.id = mi.message_id and m.business_id = mi.business_id
                           where mi.business_id = c.business_id and mi.conversation_id = c.id
                           order by m.created_at, m.id limit 1) first on true
        order by ${orderBy}`,
  );
}

export type WaitingRow = { id: string; customer_id: string; customer_name: string | null; channel_kind: string; last_message_at: string | Date };

/** Conversations waiting for a person nobody has picked up: the badge and the browser notification. */
export async function listWaiting(ex: Executor, businessId: string, limit = 20): Promise<WaitingRow[]> {
  return rows<WaitingRow>(
    ex,
    sql`select c.id, c.customer_id, cu.name as customer_name, ch.kind as channel_kind, c.last_message_at
        from conversations c
        join channels ch on ch.id = c.channel_id and ch.business_id = c.business_id
        join customers cu on cu.id = c.customer_id and cu.business_id = c.business_id
        where c.business_id = ${businessId} and c.status = 'waiting_human' and c.assignee_id is null and ${notTestConversation}
        order by c.last_message_at desc limit ${limit}`,
  );
}

export type ConversationRow = {
  id: string;
  status: "open" | "waiting_human" | "closed";
  assignee_id: string | null;
  assignee_name: string | null;
  unread: boolean;
  subject: string | null;
  summary: string | null;
  last_message_at: string | Date;
  closed_at: string | Date | null;
  created_at: string | Date;
  channel_id: string;
  channel_kind: string;
  channel_name: string;
  customer_id: string;
};

export async function findConversation(ex: Executor, businessId: string, id: string): Promise<ConversationRow | undefined> {
  const [row] = await rows<ConversationRow>(
    ex,
    sql`select c.id, c.status, c.assignee_id, u.name as assignee_name, c.unread, c.subject, c.summary, c.last_message_at, c.closed_at,
               c.created_at, c.channel_id, ch.kind as channel_kind, ch.name as channel_name, c.customer_id
        from conversations c
        join channels ch on ch.id = c.channel_id and ch.business_id = c.business_id
        left join users u on u.id = c.assignee_id
        where c.business_id = ${businessId} and c.id = ${id}`,
  );
  return row;
}

export type TimelineRow = {
  id: string;
  conversation_id: string;
  channel_kind: string;
  role: "customer" | "assistant" | "agent" | "system" | "note";
  source: string | null;
  content: string;
  author_name: string | null;
  model: string | null;
  tokens_in: number;
  tokens_out: number;
  cost_usd: string | number;
  latency_ms: number | null;
  delivery_status: string | null;
  reply_to_id: string | null;
  created_at: string | Date;
  /** what the insights job read in a customer message (null until it has) */
  insight_intent_id: string | null;
  insight_intent_name: string | null;
  insight_confidence: number | null;
  insight_corrected: boolean | null;
  insight_sentiment: number | null;
};

/** The customer's messages on every channel, oldest first (the newest `limit`, or those since `since`). */
export async function customerTimeline(ex: Executor, businessId: string, customerId: string, opts: { since?: Date | null; limit?: number } = {}): Promise<TimelineRow[]> {
  const list = await rows<TimelineRow>(
    ex,
    sql`select m.id, m.conversation_id, ch.kind as channel_kind, m.role, m.source, m.content, u.name as author_name, m.model,
               m.tokens_in, m.tokens_out, m.cost_usd, m.latency_ms, m.delivery_status, m.reply_to_id, m.created_at,
               mi.intent_id as insight_intent_id, it.name as insight_intent_name, mi.confidence as insight_confidence,
               mi.corrected as insight_corrected, mi.sentiment as insight_sentiment
        from messages m
        join channels ch on ch.id = m.channel_id and ch.business_id = m.business_id
        left join users u on u.id = m.author_id
        left join message_insights mi on mi.message_id = m.id and mi.business_id = m.business_id
        left join intents it on it.id = mi.intent_id and it.business_id = mi.business_id
        where m.business_id = ${businessId} and m.customer_id = ${customerId}
          ${opts.since ? sql`and m.created_at > ${opts.since}` : sql``}
        order by m.created_at desc, m.id desc
        limit ${opts.limit ?? 300}`,
  );
  return list.reverse();
}

export async function findCustomerRow(ex: Executor, businessId: string, customerId: string) {
  const [row] = await ex
    .select()
    .from(customers)
    .where(and(eq(customers.businessId, businessId), eq(customers.id, customerId)))
    .limit(1);
  return row;
}

export async function customerIdentityRows(ex: Executor, businessId: string, customerIds: string[]) {
  if (!customerIds.length) return [];
  return ex
    .select({
      id: customerIdentities.id,
      customerId: customerIdentities.customerId,
      kind: customerIdentities.kind,
      valueHash: customerIdentities.valueHash,
      valueEncrypted: customerIdentities.valueEncrypted,
      undeliverable: customerIdentities.undeliverable,
    })
    .from(customerIdentities)
    .where(and(eq(customerIdentities.businessId, businessId), sql`${customerIdentities.customerId} = any(${uuidList(customerIds)})`))
    .orderBy(asc(customerIdentities.createdAt));
}

export async function customerConversationCount(ex: Executor, businessId: string, customerId: string): Promise<number> {
  const [row] = await rows<{ n: number }>(ex, sql`select count(*)::int as n from conversations where business_id = ${businessId} and customer_id = ${customerId}`);
  return row?.n ?? 0;
}

/** Is this user a member of the business (assignees must be)? */
export async function isMember(ex: Executor, businessId: string, userId: string): Promise<boolean> {
  const [row] = await rows(ex, sql`select 1 from members where business_id = ${businessId} and user_id = ${userId} limit 1`);
  return Boolean(row);
}
