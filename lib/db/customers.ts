// Customers for the dashboard: the filtered, paginated list and everything on a profile. Every query
// names the business it is about. Identity values are encrypted: search goes through keyed hashes.
import { and, asc, desc, eq, sql, type SQL } from "drizzle-orm";
import { rows, type Executor } from "./client";
import { abuseEvents, channels, conversations, customers } from "./schema";
import { HOT_FROM, QUALIFIED_FROM } from "@/lib/intel/leads";

export type Customer = typeof customers.$inferSelect;

export type CustomerQuery = {
  /** name substring (ILIKE) */
  name?: string;
  /** (kind, keyed hash) pairs: an exact identity match */
  identityHashes?: { kind: string; hash: string }[];
  tag?: string;
  channel?: string;
  trustMin?: number;
  trustMax?: number;
  blocked?: boolean;
  verified?: boolean;
  /** seen within this many hours; "older" = not within 90 days (or never); "never" = never seen */
  lastSeen?: { withinHours: number } | "older" | "never";
  ids?: string[];
  /** the lead stage: "customer"/"lost" as staff set it, the others from the score (lib/intel/leads.ts) */
  stage?: "new" | "qualified" | "hot" | "customer" | "lost";
  /** "lead": highest lead score first (else most recently seen first) */
  sort?: "recent" | "lead";
  /** keyset cursor of the public API, which lists by creation: rows strictly after this one */
  after?: { at: string; id: string };
};

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Staff testing from Settings → Test your agent are not customers: their messages are marked
 * { test: true } (the inbox leaves their conversations out the same way).
 */
export const notTestCustomer = (alias: string) =>
  sql`not exists (select 1 from messages t where t.business_id = ${sql.identifier(alias)}.business_id and t.customer_id = ${sql.identifier(alias)}.id
                  and t.role = 'customer' and t.metadata->>'test' = 'true')`;

function where(businessId: string, q: CustomerQuery): SQL {
  const parts: SQL[] = [sql`c.business_id = ${businessId}`, notTestCustomer("c")];
  const match: SQL[] = [];
  if (q.name) match.push(sql`c.name ilike ${`%${likeEscape(q.name)}%`}`);
  for (const h of q.identityHashes ?? []) {
    match.push(sql`exists (select 1 from customer_identities i where i.business_id = c.business_id and i.customer_id = c.id and i.kind::text = ${h.kind} and i.value_hash = ${h.hash})`);
  }
  if (q.name !== undefined || q.identityHashes !== undefined) parts.push(match.length ? sql`(${sql.join(match, sql` or `)})` : sql`false`);
  if (q.tag) parts.push(sql`${q.tag} = any(c.tags)`);
  if (q.channel) {
    parts.push(sql`exists (select 1 from conversations v join channels ch on ch.id = v.channel_id and ch.business_id = v.business_id
                           where v.business_id = c.business_id and v.customer_id = c.id and ch.kind::text = ${q.channel})`);
  }
  if (q.trustMin !== undefined) parts.push(sql`c.trust_score >= ${q.trustMin}`);
  if (q.trustMax !== undefined) parts.push(sql`c.trust_score <= ${q.trustMax}`);
  if (q.blocked !== undefined) parts.push(q.blocked ? sql`c.blocked` : sql`not c.blocked`);
  if (q.verified !== undefined) parts.push(q.verified ? sql`c.verified` : sql`not c.verified`);
  if (q.lastSeen === "never") parts.push(sql`c.last_seen_at is null`);
  else if (q.lastSeen === "older") parts.push(sql`(c.last_seen_at is null or c.last_seen_at < now() - interval '90 days')`);
  else if (q.lastSeen) parts.push(sql`c.last_seen_at >= now() - make_interval(hours => ${q.lastSeen.withinHours})`);
  if (q.ids) parts.push(q.ids.length ? sql`c.id = any(${uuidArray(q.ids)})` : sql`false`);
  if (q.stage === "customer" || q.stage === "lost") parts.push(sql`c.lead_stage = ${q.stage}`);
  else if (q.stage === "hot") parts.push(sql`c.lead_stage is null and c.lead_score >= ${HOT_FROM}`);
  else if (q.stage === "qualified") parts.push(sql`c.lead_stage is null and c.lead_score >= ${QUALIFIED_FROM} and c.lead_score < ${HOT_FROM}`);
  else if (q.stage === "new") parts.push(sql`c.lead_stage is null and c.lead_score < ${QUALIFIED_FROM}`);
  if (q.after) parts.push(sql`(c.created_at, c.id) < (${q.after.at}::timestamptz, ${q.after.id}::uuid)`);
  return sql.join(parts, sql` and `);
}

/** A uuid[] parameter that both drivers bind the same way. */
export const uuidArray = (ids: string[]) => sql`string_to_array(${ids.join(",")}, ',')::uuid[]`;

export type CustomerListRow = {
  id: string;
  name: string | null;
  trust_score: number;
  verified: boolean;
  blocked: boolean;
  tags: string[];
  last_seen_at: string | Date | null;
  created_at: string | Date;
  lead_score: number;
  lead_stage: string | null;
  channels: string[] | null;
  conversations: number;
};

const LIST_COLUMNS = sql`c.id, c.name, c.trust_score, c.verified, c.blocked, c.tags, c.last_seen_at, c.created_at, c.lead_score, c.lead_stage,
               (select array_agg(distinct ch.kind::text) from conversations v join channels ch on ch.id = v.channel_id
                 where v.business_id = c.business_id and v.customer_id = c.id) as channels,
               (select count(*)::int from conversations v where v.business_id = c.business_id and v.customer_id = c.id) as conversations`;

/**
 * The public API's pages: newest first by creation, `limit` rows after the cursor (q.after), with
 * each row's created_at to the microsecond for the next cursor (a JS Date keeps only milliseconds).
 */
export async function listCustomersByCreation(ex: Executor, businessId: string, q: CustomerQuery, limit: number) {
  return rows<CustomerListRow & { cursor_at: string }>(
    ex,
    sql`select ${LIST_COLUMNS}, to_char(c.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at
        from customers c where ${where(businessId, q)}
        order by c.created_at desc, c.id desc
        limit ${limit}`,
  );
}

export async function listCustomers(ex: Executor, businessId: string, q: CustomerQuery, page: { offset: number; limit: number }) {
  const w = where(businessId, q);
  const list = await rows<CustomerListRow>(
    ex,
    sql`select ${LIST_COLUMNS}
        from customers c where ${w}
        order by ${q.sort === "lead" ? sql`c.lead_score desc, ` : sql``}c.last_seen_at desc nulls last, c.created_at desc, c.id
        limit ${page.limit} offset ${page.offset}`,
  );
  const [count] = await rows<{ n: number }>(ex, sql`select count(*)::int as n from customers c where ${w}`);
  return { rows: list, total: count?.n ?? 0 };
}

/** Every customer id matching the query (bulk actions on "all matching"), capped. */
export async function customerIds(ex: Executor, businessId: string, q: CustomerQuery, cap = 10000): Promise<string[]> {
  const r = await rows<{ id: string }>(ex, sql`select c.id from customers c where ${where(businessId, q)} order by c.id limit ${cap}`);
  return r.map((x) => x.id);
}

export async function findCustomer(ex: Executor, businessId: string, id: string) {
  const [row] = await ex
    .select()
    .from(customers)
    .where(and(eq(customers.businessId, businessId), eq(customers.id, id)))
    .limit(1);
  return row;
}

export async function identitiesOf(ex: Executor, businessId: string, customerIds: string[]) {
  if (!customerIds.length) return [];
  return rows<{
    id: string;
    customer_id: string;
    kind: "phone" | "email" | "web" | "telegram" | "instagram" | "whatsapp";
    value_hash: string;
    value_encrypted: string;
    undeliverable: boolean;
    created_at: string | Date;
  }>(
    ex,
    sql`select id, customer_id, kind, value_hash, value_encrypted, undeliverable, created_at from customer_identities
        where business_id = ${businessId} and customer_id = any(${uuidArray(customerIds)}) order by created_at`,
  );
}

export async function conversationsOf(ex: Executor, businessId: string, customerId: string) {
  return ex
    .select({
      id: conversations.id,
      status: conversations.status,
      subject: conversations.subject,
      summary: conversations.summary,
      lastMessageAt: conversations.lastMessageAt,
      createdAt: conversations.createdAt,
      channelKind: channels.kind,
      channelName: channels.name,
      messages: sql<number>`(select count(*)::int from messages m where m.conversation_id = conversations.id and m.business_id = conversations.business_id)`,
      lastMessage: sql<string | null>`(select left(m.content, 160) from messages m where m.conversation_id = conversations.id and m.business_id = conversations.business_id and m.role <> 'note' order by m.created_at desc limit 1)`,
    })
    .from(conversations)
    .innerJoin(channels, and(eq(channels.id, conversations.channelId), eq(channels.businessId, conversations.businessId)))
    .where(and(eq(conversations.businessId, businessId), eq(conversations.customerId, customerId)))
    .orderBy(desc(conversations.lastMessageAt));
}

export async function abuseEventsOf(ex: Executor, businessId: string, customerId: string) {
  return ex
    .select({ id: abuseEvents.id, kind: abuseEvents.kind, action: abuseEvents.action, trustDelta: abuseEvents.trustDelta, createdAt: abuseEvents.createdAt })
    .from(abuseEvents)
    .where(and(eq(abuseEvents.businessId, businessId), eq(abuseEvents.customerId, customerId)))
    .orderBy(asc(abuseEvents.createdAt));
}

export async function updateCustomerRow(ex: Executor, businessId: string, id: string, values: Partial<typeof customers.$inferInsert>) {
  const [row] = await ex
    .update(customers)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(customers.businessId, businessId), eq(customers.id, id)))
    .returning();
  return row;
}

/** Adds or removes one tag on many customers; returns the ids changed. */
export async function retagCustomers(ex: Executor, businessId: string, ids: string[], tag: string, add: boolean) {
  if (!ids.length) return [];
  const r = await rows<{ id: string }>(
    ex,
    add
      ? sql`update customers set tags = array_append(tags, ${tag}), updated_at = now()
            where business_id = ${businessId} and id = any(${uuidArray(ids)}) and not (${tag} = any(tags)) returning id`
      : sql`update customers set tags = array_remove(tags, ${tag}), updated_at = now()
            where business_id = ${businessId} and id = any(${uuidArray(ids)}) and ${tag} = any(tags) returning id`,
  );
  return r.map((x) => x.id);
}

export async function setCustomersBlocked(ex: Executor, businessId: string, ids: string[], blocked: boolean) {
  if (!ids.length) return [];
  const r = await rows<{ id: string }>(
    ex,
    sql`update customers set blocked = ${blocked}, blocked_until = null, updated_at = now()
        where business_id = ${businessId} and id = any(${uuidArray(ids)}) and blocked is distinct from ${blocked} returning id`,
  );
  return r.map((x) => x.id);
}

export async function existingCustomerIds(ex: Executor, businessId: string, ids: string[]): Promise<string[]> {
  if (!ids.length) return [];
  const r = await rows<{ id: string }>(ex, sql`select id from customers where business_id = ${businessId} and id = any(${uuidArray(ids)})`);
  return r.map((x) => x.id);
}

/** The tags in use, most used first (the filter's choices). */
export async function tagsInUse(ex: Executor, businessId: string): Promise<string[]> {
  const r = await rows<{ tag: string }>(
    ex,
    sql`select t as tag from customers, unnest(tags) t where business_id = ${businessId} group by t order by count(*) desc, t limit 100`,
  );
  return r.map((x) => x.tag);
}

/** Base tables holding a customer_id column, read from the database so a new table is never missed. */
export async function tablesWithCustomerId(ex: Executor): Promise<string[]> {
  const r = await rows<{ table_name: string }>(
    ex,
    sql`select c.table_name from information_schema.columns c join information_schema.tables t
        on t.table_name = c.table_name and t.table_schema = c.table_schema
        where c.table_schema = 'public' and c.column_name = 'customer_id' and t.table_type = 'BASE TABLE' order by 1`,
  );
  return r.map((x) => x.table_name);
}

/** The rows of one table that belong to a customer, as JSON, without embedding vectors. */
export async function customerRowsIn(ex: Executor, table: string, businessId: string, customerId: string): Promise<Record<string, unknown>[]> {
  const r = await rows<{ row: Record<string, unknown> }>(
    ex,
    sql`select to_jsonb(t) - 'embedding' as row from ${sql.identifier(table)} t
        where t.business_id = ${businessId} and t.customer_id = ${customerId} order by to_jsonb(t)->>'created_at' nulls first`,
  );
  return r.map((x) => (typeof x.row === "string" ? (JSON.parse(x.row) as Record<string, unknown>) : x.row));
}

/**
 * Whether a member of the team named this customer (their choice then stands over what the customer
 * or a channel's profile says): customer.updated audits list the fields that changed.
 */
export async function nameSetByStaff(ex: Executor, businessId: string, customerId: string): Promise<boolean> {
  const [row] = await rows<{ n: number }>(
    ex,
    sql`select count(*)::int as n from audit_log where business_id = ${businessId} and action = 'customer.updated'
        and target_type = 'customer' and target_id = ${customerId} and details->'fields' @> '["name"]'::jsonb`,
  );
  return (row?.n ?? 0) > 0;
}
