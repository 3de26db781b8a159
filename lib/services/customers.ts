import "server-only";
// Customers in the dashboard. Roles: every member reads customers and may tag, note, rename,
// verify, block and unblock them (the everyday work of an agent); owners and admins alone merge,
// delete and export, because those move or release personal data in bulk. Every change is audited,
// with ids and counts only, never a customer's personal data.
import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { isUniqueViolation, rows, type Tx } from "@/lib/db/client";
import {
  abuseEventsOf,
  conversationsOf,
  customerIds as matchingCustomerIds,
  customerRowsIn,
  existingCustomerIds,
  findCustomer,
  identitiesOf,
  listCustomers,
  listCustomersByCreation,
  retagCustomers,
  setCustomersBlocked,
  tablesWithCustomerId,
  tagsInUse,
  updateCustomerRow,
  uuidArray,
  type CustomerQuery,
} from "@/lib/db/customers";
import { CHANNEL_KINDS } from "@/lib/ai/prompts";
import { bumpKnowledgeVersion } from "@/lib/db/knowledge";
import { AppError } from "@/lib/errors";
import { toCsv } from "@/lib/knowledge/csv";
import { identityHash, normaliseIdentity, sealIdentity, type IdentityKind } from "@/lib/pipeline/identities";
import { findCustomerByIdentity, mergeCustomerInto } from "@/lib/pipeline/customers";
import { customerIdentities, customers } from "@/lib/db/schema";
import { decrypt } from "@/lib/security/crypto";
import { audit } from "./audit";
import { MANAGERS, requireStaff, requireStaffRole, type Ctx } from "./context";
import { inTenant } from "./tenant";
import { parseId } from "./knowledge";
import { text } from "@/lib/validation/text";
import { leadEvidence } from "@/lib/db/schema";
import { LEAD_STAGES, stageOf } from "@/lib/intel/leads";

export { CHANNEL_KINDS };
export const PAGE_SIZE = 25;
export const LAST_SEEN = { "24h": 24, "7d": 24 * 7, "30d": 24 * 30, "90d": 24 * 90 } as const;

// ---------------------------------------------------------------- the list

/** Query-string values: "" and missing mean "no filter"; a repeated parameter uses its first value. */
const param = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => {
    const first = Array.isArray(v) ? v[0] : v;
    return first === "" || first === null ? undefined : first;
  }, schema.optional());

export const CustomerFilters = z.object({
  q: param(text().trim().max(200, "Keep the search under 200 characters")),
  tag: param(text().trim().max(40)),
  channel: param(z.enum(CHANNEL_KINDS, { message: "Unknown channel" })),
  trustMin: param(z.coerce.number({ message: "Trust must be a number" }).int().min(0).max(100)),
  trustMax: param(z.coerce.number({ message: "Trust must be a number" }).int().min(0).max(100)),
  blocked: param(z.enum(["yes", "no"])),
  verified: param(z.enum(["yes", "no"])),
  lastSeen: param(z.enum(["24h", "7d", "30d", "90d", "older", "never"])),
  stage: param(z.enum(LEAD_STAGES, { message: "Unknown lead stage" })),
  sort: param(z.enum(["recent", "lead"], { message: "Sort by recent or lead" })),
  page: param(z.coerce.number().int().min(1).max(100000)),
});
export type CustomerFilters = z.infer<typeof CustomerFilters>;

/** How a search box's text is matched: identities exactly through their keyed hash, names by substring. */
export function searchTerms(q: string): Pick<CustomerQuery, "name" | "identityHashes"> {
  const hashes: { kind: string; hash: string }[] = [];
  const tryKind = (kind: IdentityKind) => {
    try {
      const n = normaliseIdentity({ kind, value: q });
      hashes.push({ kind: n.kind, hash: identityHash(n) });
    } catch {
      // not that kind of identity
    }
  };
  if (q.includes("@")) tryKind("email");
  if (/^\+?[\d\s().-]{6,}$/.test(q)) tryKind("phone");
  for (const kind of ["web", "telegram", "instagram"] as const) tryKind(kind);
  return { name: q, identityHashes: hashes };
}

export function toCustomerQuery(f: CustomerFilters): CustomerQuery {
  const lastSeen = f.lastSeen === "older" || f.lastSeen === "never" ? f.lastSeen : f.lastSeen ? { withinHours: LAST_SEEN[f.lastSeen] } : undefined;
  return {
    ...(f.q ? searchTerms(f.q) : {}),
    tag: f.tag?.toLowerCase(),
    channel: f.channel,
    trustMin: f.trustMin,
    trustMax: f.trustMax,
    blocked: f.blocked === undefined ? undefined : f.blocked === "yes",
    verified: f.verified === undefined ? undefined : f.verified === "yes",
    lastSeen,
    stage: f.stage,
    sort: f.sort,
  };
}

export type IdentityView = { id: string; kind: string; value: string; undeliverable: boolean };

function openValue(sealed: string): string {
  try {
    return decrypt(sealed);
  } catch {
    return "(unreadable)";
  }
}

/**
 * A web visitor's id is a bearer secret (whoever holds it writes as them), so staff never see it:
 * they see "visitor #4821", a number made from the id's keyed hash — the same visitor always has the
 * same number, and it says nothing about the id.
 */
export function visitorLabel(valueHash: string): string {
  const n = Buffer.from(valueHash, "base64url").readUInt32BE(0) % 9000;
  return `visitor #${1000 + n}`;
}

/** An identity as staff see it: the value decrypted, except a web visitor's (see visitorLabel). */
export function identityValue(row: { kind: string; value_hash?: string; valueHash?: string; value_encrypted?: string; valueEncrypted?: string }): string {
  if (row.kind === "web") return visitorLabel((row.value_hash ?? row.valueHash)!);
  return openValue((row.value_encrypted ?? row.valueEncrypted)!);
}

/**
 * What a customer is called on screen: their name, else an address staff can reach them at, else
 * the id of the channel they wrote on, else "Web visitor #4821" for someone who only chatted.
 */
export function customerDisplayName(name: string | null | undefined, identities: { kind: string; value: string }[], channel?: string): string {
  if (name?.trim()) return name.trim();
  const reachable = identities.find((i) => i.kind === "email") ?? identities.find((i) => i.kind === "phone");
  if (reachable) return reachable.value;
  const visitor = identities.find((i) => i.kind === "web");
  if (visitor) return `Web ${visitor.value}`;
  const other = identities.find((i) => i.kind === "telegram" || i.kind === "instagram");
  if (other) return `${other.kind === "telegram" ? "Telegram" : "Instagram"} ${other.value}`;
  return channel === "web" ? "Web visitor" : "Customer";
}

const iso = (d: string | Date | null) => (d === null ? null : d instanceof Date ? d.toISOString() : new Date(d).toISOString());

type ListRow = Awaited<ReturnType<typeof listCustomers>>["rows"][number];

/** One row of a customer list as staff and the API see it. */
function toListRow(c: ListRow, identities: Awaited<ReturnType<typeof identitiesOf>>) {
  const ids = identities
    .filter((i) => i.customer_id === c.id)
    .map((i) => ({ id: i.id, kind: i.kind, value: identityValue(i), undeliverable: i.undeliverable }));
  return {
    id: c.id,
    name: c.name,
    displayName: customerDisplayName(c.name, ids),
    trustScore: c.trust_score,
    verified: c.verified,
    blocked: c.blocked,
    tags: c.tags,
    lastSeenAt: iso(c.last_seen_at),
    createdAt: iso(c.created_at)!,
    leadScore: Number(c.lead_score),
    leadStage: stageOf(Number(c.lead_score), c.lead_stage),
    channels: c.channels ?? [],
    conversations: c.conversations,
    identities: ids,
  };
}

export async function listCustomerPage({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requireStaff(ctx);
  const filters = CustomerFilters.parse(input);
  if (filters.trustMin !== undefined && filters.trustMax !== undefined && filters.trustMin > filters.trustMax) {
    throw new AppError("bad_request", "The lowest trust must not be above the highest.");
  }
  const page = filters.page ?? 1;
  return inTenant(ctx, async (tx) => {
    const { rows: list, total } = await listCustomers(tx, ctx.businessId, toCustomerQuery(filters), { offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE });
    const identities = await identitiesOf(tx, ctx.businessId, list.map((c) => c.id));
    const tags = await tagsInUse(tx, ctx.businessId);
    return {
      filters,
      page,
      pageSize: PAGE_SIZE,
      total,
      pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
      tags,
      rows: list.map((c) => toListRow(c, identities)),
    };
  });
}

/** An opaque keyset cursor: the last row's created_at (to the microsecond) and id. */
export function encodeCursor(at: string, id: string): string {
  return Buffer.from(`${at}|${id}`).toString("base64url");
}

export function decodeCursor(cursor: string): { at: string; id: string } {
  const [at, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (!at || !id || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(at) || !z.guid().safeParse(id).success) {
    throw new AppError("bad_request", "The cursor is not one this API gave out: pass next_cursor from the previous page unchanged.");
  }
  return { at, id };
}

export const CursorPage = z.object({
  cursor: param(z.string().max(200)),
  limit: param(z.coerce.number({ message: "limit must be a number" }).int().min(1, "limit must be at least 1").max(100, "limit must be at most 100")),
});

export const CustomerCursorFilters = CustomerFilters.omit({ page: true }).extend(CursorPage.shape);

/** The customer list by creation, newest first, one keyset page at a time (the public API). */
export async function listCustomersByCursor({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requireStaff(ctx);
  const filters = CustomerCursorFilters.parse(input);
  if (filters.trustMin !== undefined && filters.trustMax !== undefined && filters.trustMin > filters.trustMax) {
    throw new AppError("bad_request", "The lowest trust must not be above the highest.");
  }
  const limit = filters.limit ?? PAGE_SIZE;
  const after = filters.cursor ? decodeCursor(filters.cursor) : undefined;
  return inTenant(ctx, async (tx) => {
    const list = await listCustomersByCreation(tx, ctx.businessId, { ...toCustomerQuery(filters), after }, limit + 1);
    const page = list.slice(0, limit);
    const identities = await identitiesOf(tx, ctx.businessId, page.map((c) => c.id));
    const last = page.at(-1);
    return { data: page.map((c) => toListRow(c, identities)), nextCursor: list.length > limit && last ? encodeCursor(last.cursor_at, last.id) : null };
  });
}

// ---------------------------------------------------------------- the profile

export type TrustPoint = { at: string; score: number; label: string };

/** The score over time, rebuilt backwards from today's score through each event's trust delta. */
export function trustHistory(current: number, createdAt: Date, events: { createdAt: Date; trustDelta: number; kind: string; action: string }[], now = new Date()): TrustPoint[] {
  let score = current - events.reduce((n, e) => n + e.trustDelta, 0);
  // Events imported from before the customer row existed still start the line.
  const start = events.length && events[0]!.createdAt < createdAt ? events[0]!.createdAt : createdAt;
  const points: TrustPoint[] = [{ at: start.toISOString(), score, label: "first seen" }];
  for (const e of events) {
    score += e.trustDelta;
    points.push({ at: e.createdAt.toISOString(), score, label: `${e.kind} (${e.action})` });
  }
  points.push({ at: now.toISOString(), score: current, label: "now" });
  return points;
}

export async function getCustomerProfile({ ctx, input }: { ctx: Ctx; input: { id: unknown } }) {
  requireStaff(ctx);
  const id = parseId(input.id, "Customer");
  return inTenant(ctx, async (tx) => {
    const customer = await findCustomer(tx, ctx.businessId, id);
    if (!customer) throw new AppError("not_found", "Customer not found.");
    const [identities, conversations, events] = [
      await identitiesOf(tx, ctx.businessId, [id]),
      await conversationsOf(tx, ctx.businessId, id),
      await abuseEventsOf(tx, ctx.businessId, id),
    ];
    const shown = identities.map((i) => ({ id: i.id, kind: i.kind, value: identityValue(i), undeliverable: i.undeliverable }));
    const evidence = await tx
      .select({ id: leadEvidence.id, kind: leadEvidence.kind, quote: leadEvidence.quote, points: leadEvidence.points, messageId: leadEvidence.messageId, createdAt: leadEvidence.createdAt })
      .from(leadEvidence)
      .where(and(eq(leadEvidence.businessId, ctx.businessId), eq(leadEvidence.customerId, id)))
      .orderBy(asc(leadEvidence.createdAt), asc(leadEvidence.id));
    const moods = await rows<{ at: string | Date; sentiment: number; intent: string | null; channel: string }>(
      tx,
      sql`select m.created_at as at, mi.sentiment, i.name as intent, ch.kind as channel from message_insights mi
          join messages m on m.id = mi.message_id and m.business_id = mi.business_id
          join channels ch on ch.id = m.channel_id and ch.business_id = m.business_id
          left join intents i on i.id = mi.intent_id and i.business_id = mi.business_id
          where mi.business_id = ${ctx.businessId} and m.customer_id = ${id}
          order by m.created_at desc limit 100`,
    );
    return {
      customer,
      displayName: customerDisplayName(customer.name, shown),
      identities: shown,
      conversations,
      events,
      trust: trustHistory(customer.trustScore, customer.createdAt, events),
      lead: {
        score: customer.leadScore,
        stage: stageOf(customer.leadScore, customer.leadStage),
        setByStaff: customer.leadStage !== null,
        evidence: evidence.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })),
      },
      // the customer's sentiment, message by message on every channel, oldest first
      sentiment: moods.reverse().map((m) => ({ at: iso(m.at)!, sentiment: Number(m.sentiment), intent: m.intent ?? "other", channel: m.channel })),
    };
  });
}

// ---------------------------------------------------------------- everyday changes (any member)

/** Staff mark a lead as won ("customer") or "lost"; null hands the stage back to the score. Any member. */
export async function setLeadStage({ ctx, input }: { ctx: Ctx; input: { id: unknown; stage: unknown } }) {
  requireStaff(ctx);
  const id = parseId(input.id, "Customer");
  const stage = z.enum(["customer", "lost"], { message: "Choose customer, lost, or none." }).nullable().parse(input.stage ?? null);
  return inTenant(ctx, async (tx) => {
    const updated = await updateCustomerRow(tx, ctx.businessId, id, { leadStage: stage });
    if (!updated) throw new AppError("not_found", "Customer not found.");
    await audit(tx, ctx, "customer.lead_stage_set", { type: "customer", id }, { stage });
    return { stage: stageOf(updated.leadScore, updated.leadStage) };
  });
}

export const Tag = text()
  .trim()
  .toLowerCase()
  .min(1, "A tag cannot be empty")
  .max(40, "Keep a tag under 40 characters")
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _.-]*$/u, "Tags use letters, numbers, spaces, dots, dashes and underscores")
  .transform((t) => t.replace(/\s+/g, " "));

export const CustomerDetails = z.object({
  name: text()
    .trim()
    .max(120, "Keep the name under 120 characters")
    .transform((v) => v || null)
    .optional(),
  notes: text()
    .max(5000, "Keep notes under 5000 characters")
    .transform((v) => v.trim() || null)
    .optional(),
  tags: z
    .array(Tag)
    .max(20, "At most 20 tags")
    .transform((t) => [...new Set(t)])
    .optional(),
});

export async function updateCustomerDetails({ ctx, input }: { ctx: Ctx; input: { id: unknown } & Record<string, unknown> }) {
  requireStaff(ctx);
  const id = parseId(input.id, "Customer");
  const values = CustomerDetails.parse(input);
  return inTenant(ctx, async (tx) => {
    const before = await findCustomer(tx, ctx.businessId, id);
    if (!before) throw new AppError("not_found", "Customer not found.");
    const row = await updateCustomerRow(tx, ctx.businessId, id, values);
    if (!row) throw new AppError("not_found", "Customer not found.");
    // Which fields changed, not what they say ("name" is how nameSetByStaff knows a person named them).
    const changed = (["name", "notes", "tags"] as const).filter((k) => values[k] !== undefined && JSON.stringify(values[k]) !== JSON.stringify(before[k]));
    await audit(tx, ctx, "customer.updated", { type: "customer", id }, { fields: changed });
    return row;
  });
}

export const NewCustomer = CustomerDetails.extend({
  email: text().trim().max(320).optional(),
  phone: text().trim().max(40).optional(),
});

/**
 * A customer added by staff (or the API) before they ever wrote: a name and, optionally, the email
 * and phone that will match them when they do. An email or phone that already belongs to a customer
 * is a 409 naming that customer, never a second record of one person.
 */
export async function createCustomer({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requireStaff(ctx);
  const values = NewCustomer.parse(input);
  const identities = [
    ...(values.email ? [normaliseIdentity({ kind: "email", value: values.email })] : []),
    ...(values.phone ? [normaliseIdentity({ kind: "phone", value: values.phone })] : []),
  ];
  return inTenant(ctx, async (tx) => {
    for (const identity of identities) {
      const owner = await findCustomerByIdentity(tx, ctx.businessId, identity);
      if (owner) throw new AppError("conflict", `A customer with this ${identity.kind} already exists: ${owner.id}.`, { customerId: owner.id });
    }
    const [row] = await tx
      .insert(customers)
      .values({ businessId: ctx.businessId, name: values.name ?? null, notes: values.notes ?? null, tags: values.tags ?? [] })
      .returning();
    for (const identity of identities) {
      // Created at the same instant by another request: the unique (business, kind, hash) key decides.
      await tx
        .insert(customerIdentities)
        .values({ businessId: ctx.businessId, customerId: row!.id, ...sealIdentity(identity) })
        .catch((err: unknown) => {
          if (isUniqueViolation(err)) {
            throw new AppError("conflict", `A customer with this ${identity.kind} already exists.`);
          }
          throw err;
        });
    }
    await audit(tx, ctx, "customer.created", { type: "customer", id: row!.id }, { identities: identities.map((i) => i.kind) });
    return row!;
  });
}

export async function setCustomerVerified({ ctx, input }: { ctx: Ctx; input: { id: unknown; verified: unknown } }) {
  requireStaff(ctx);
  const id = parseId(input.id, "Customer");
  const verified = z.boolean({ message: "verified must be true or false" }).parse(input.verified);
  return inTenant(ctx, async (tx) => {
    const row = await updateCustomerRow(tx, ctx.businessId, id, { verified });
    if (!row) throw new AppError("not_found", "Customer not found.");
    await audit(tx, ctx, verified ? "customer.verified" : "customer.unverified", { type: "customer", id });
    return row;
  });
}

export async function setCustomerBlocked({ ctx, input }: { ctx: Ctx; input: { id: unknown; blocked: unknown } }) {
  requireStaff(ctx);
  const id = parseId(input.id, "Customer");
  const blocked = z.boolean({ message: "blocked must be true or false" }).parse(input.blocked);
  return inTenant(ctx, async (tx) => {
    const row = await updateCustomerRow(tx, ctx.businessId, id, { blocked, blockedUntil: null });
    if (!row) throw new AppError("not_found", "Customer not found.");
    await audit(tx, ctx, blocked ? "customer.blocked" : "customer.unblocked", { type: "customer", id });
    return row;
  });
}

export const BulkInput = z.discriminatedUnion("action", [
  z.object({ action: z.enum(["tag", "untag"]), ids: z.array(z.guid("Unknown customer")).min(1, "Select at least one customer").max(500), tag: Tag }),
  z.object({ action: z.enum(["block", "unblock"]), ids: z.array(z.guid("Unknown customer")).min(1, "Select at least one customer").max(500) }),
]);

/** Tag, untag, block or unblock many customers at once; ids of other businesses are simply not found. */
export async function bulkUpdateCustomers({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requireStaff(ctx);
  const parsed = BulkInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("bad_request", issue?.code === "invalid_union" ? "Choose tag, untag, block or unblock." : (issue?.message ?? "Invalid request."));
  }
  const b = parsed.data;
  const ids = [...new Set(b.ids)];
  return inTenant(ctx, async (tx) => {
    const found = await existingCustomerIds(tx, ctx.businessId, ids);
    if (found.length !== ids.length) throw new AppError("not_found", `${ids.length - found.length} of the selected customers were not found.`);
    const changed =
      b.action === "tag" || b.action === "untag"
        ? await retagCustomers(tx, ctx.businessId, ids, b.tag, b.action === "tag")
        : await setCustomersBlocked(tx, ctx.businessId, ids, b.action === "block");
    await audit(tx, ctx, `customers.bulk_${b.action}`, { type: "customer" }, { ids, changed: changed.length, ...("tag" in b ? { tag: b.tag } : {}) });
    return { selected: ids.length, changed: changed.length };
  });
}

// ---------------------------------------------------------------- merge, export, delete (owners and admins)

async function countRows(tx: Tx, table: string, businessId: string, customerId: string): Promise<number> {
  const [r] = await rows<{ n: number }>(tx, sql`select count(*)::int as n from ${sql.identifier(table)} where business_id = ${businessId} and customer_id = ${customerId}`);
  return r?.n ?? 0;
}

/**
 * Merges `sourceId` into `targetId`: identities, conversations, messages, memories and every other
 * row with a customer_id move to the target; the source is deleted. Audited with the counts moved.
 */
export async function mergeCustomers({ ctx, input }: { ctx: Ctx; input: { sourceId: unknown; targetId: unknown } }) {
  requireStaffRole(ctx, MANAGERS);
  const sourceId = parseId(input.sourceId, "Customer");
  const targetId = parseId(input.targetId, "Customer");
  if (sourceId === targetId) throw new AppError("bad_request", "Choose two different customers to merge.");
  return inTenant(ctx, async (tx) => {
    const [source, target] = [await findCustomer(tx, ctx.businessId, sourceId), await findCustomer(tx, ctx.businessId, targetId)];
    if (!source || !target) throw new AppError("not_found", "Customer not found.");
    const moved: Record<string, number> = {};
    for (const table of await tablesWithCustomerId(tx)) {
      const n = await countRows(tx, table, ctx.businessId, sourceId);
      if (n) moved[table] = n;
    }
    await mergeCustomerInto(tx, ctx.businessId, sourceId, targetId);
    await audit(tx, ctx, "customer.merged", { type: "customer", id: targetId }, { from: sourceId, into: targetId, moved });
    return { targetId, moved };
  });
}

/** Everything stored about one customer, for a data-access request. */
export async function exportCustomer({ ctx, input }: { ctx: Ctx; input: { id: unknown } }) {
  requireStaffRole(ctx, MANAGERS);
  const id = parseId(input.id, "Customer");
  return inTenant(ctx, async (tx) => {
    const customer = await findCustomer(tx, ctx.businessId, id);
    if (!customer) throw new AppError("not_found", "Customer not found.");
    const identities = await identitiesOf(tx, ctx.businessId, [id]);
    const tables: Record<string, Record<string, unknown>[]> = {};
    for (const table of await tablesWithCustomerId(tx)) {
      if (table === "customer_identities") continue; // below, decrypted
      tables[table] = await customerRowsIn(tx, table, ctx.businessId, id);
    }
    const messageIds = (tables.messages ?? []).map((m) => String(m.id));
    const cachedAnswers = messageIds.length
      ? await rows<{ id: string; question: string; answer: string; created_at: string }>(
          tx,
          sql`select id, question, answer, created_at from response_cache where business_id = ${ctx.businessId} and source_message_ids && ${uuidArray(messageIds)}`,
        )
      : [];
    const outbound = messageIds.length
      ? await rows<Record<string, unknown>>(
          tx,
          sql`select id, channel_kind, subject, body, status, created_at, sent_at from outbox where business_id = ${ctx.businessId} and message_id = any(${uuidArray(messageIds)})`,
        )
      : [];
    await audit(tx, ctx, "customer.exported", { type: "customer", id }, { tables: Object.fromEntries(Object.entries(tables).map(([t, r]) => [t, r.length])) });
    return {
      exportedAt: new Date().toISOString(),
      businessId: ctx.businessId,
      customer,
      identities: identities.map((i) => ({ kind: i.kind, value: openValue(i.value_encrypted), undeliverable: i.undeliverable, createdAt: iso(i.created_at) })),
      ...tables,
      cachedAnswers,
      outbox: outbound,
    };
  });
}

/**
 * Deletes a customer and everything about them: every row with their customer_id (identities,
 * conversations, messages, memories, abuse events, campaign recipients, and any table added
 * later), cached answers built from their messages, outbound messages to them, and the webhook
 * events that carried their messages or identities. The business's knowledge version is bumped so
 * that no cache tier (memory, Redis) can serve an answer built from their messages again.
 */
export async function deleteCustomer({ ctx, input }: { ctx: Ctx; input: { id: unknown } }) {
  requireStaffRole(ctx, MANAGERS);
  const id = parseId(input.id, "Customer");
  return inTenant(ctx, async (tx) => {
    const customer = await findCustomer(tx, ctx.businessId, id);
    if (!customer) throw new AppError("not_found", "Customer not found.");
    const b = ctx.businessId;
    const msgs = await rows<{ id: string; provider_message_id: string | null }>(tx, sql`select id, provider_message_id from messages where business_id = ${b} and customer_id = ${id}`);
    const messageIds = msgs.map((m) => m.id);
    const identities = (await identitiesOf(tx, b, [id])).map((i) => openValue(i.value_encrypted));
    const removed: Record<string, number> = {};
    const count = async (table: string, q: ReturnType<typeof sql>) => {
      const r = await rows(tx, q);
      if (r.length) removed[table] = (removed[table] ?? 0) + r.length;
    };

    if (messageIds.length) {
      await count("response_cache", sql`delete from response_cache where business_id = ${b} and source_message_ids && ${uuidArray(messageIds)} returning 1`);
    }
    // Raw provider payloads and queued sends hold phone numbers, addresses and message text.
    const needles = [id, ...messageIds, ...msgs.map((m) => m.provider_message_id ?? ""), ...identities]
      .map((n) => n.toLowerCase())
      .filter((n) => n.length >= 6 && n !== "(unreadable)");
    const phoneDigits = identities.filter((v) => /^\+\d{6,}$/.test(v)).map((v) => v.slice(1));
    const mentions = (col: ReturnType<typeof sql>) =>
      [...needles, ...phoneDigits].length ? sql.join([...needles, ...phoneDigits].map((n) => sql`strpos(lower(${col}), ${n}) > 0`), sql` or `) : sql`false`;
    await count(
      "outbox",
      sql`delete from outbox where business_id = ${b} and (${messageIds.length ? sql`message_id = any(${uuidArray(messageIds)}) or ` : sql``}${mentions(sql`recipient`)} or ${mentions(sql`payload::text`)}) returning 1`,
    );
    await count("webhook_events", sql`delete from webhook_events where business_id = ${b} and (${mentions(sql`payload::text`)} or ${mentions(sql`coalesce(result::text, '')`)}) returning 1`);
    // The API's stored responses (replayed for a day to a retried POST) may hold their details too.
    await count("api_idempotency_keys", sql`delete from api_idempotency_keys where business_id = ${b} and ${mentions(sql`coalesce(response::text, '')`)} returning 1`);

    // Every table with a customer_id, children before the customer (most cascade anyway; a table
    // added later without a cascading key is still emptied).
    const tables = (await tablesWithCustomerId(tx)).filter((t) => t !== "messages" && t !== "conversations");
    for (const table of [...tables, "messages", "conversations"]) {
      await count(table, sql`delete from ${sql.identifier(table)} where business_id = ${b} and customer_id = ${id} returning 1`);
    }
    await count("customers", sql`delete from customers where business_id = ${b} and id = ${id} returning 1`);
    const version = await bumpKnowledgeVersion(tx, b);
    await audit(tx, ctx, "customer.deleted", { type: "customer", id }, { removed, version });
    return { removed };
  });
}

export const ExportCsvInput = z.object({ ids: z.array(z.guid("Unknown customer")).max(10000).optional() }).and(CustomerFilters);

/** The customer list as CSV: the selected ids, or everyone matching the filters. */
export async function exportCustomersCsv({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<{ csv: string; count: number }> {
  requireStaffRole(ctx, MANAGERS);
  const parsed = ExportCsvInput.parse(input);
  return inTenant(ctx, async (tx) => {
    const ids = parsed.ids?.length ? await existingCustomerIds(tx, ctx.businessId, parsed.ids) : await matchingCustomerIds(tx, ctx.businessId, toCustomerQuery(parsed));
    const { rows: list } = ids.length ? await listCustomers(tx, ctx.businessId, { ids }, { offset: 0, limit: ids.length }) : { rows: [] };
    // grouped once: an export may hold thousands of customers
    const identitiesByCustomer = new Map<string, Awaited<ReturnType<typeof identitiesOf>>>();
    for (const i of await identitiesOf(tx, ctx.businessId, ids)) {
      const list = identitiesByCustomer.get(i.customer_id);
      if (list) list.push(i);
      else identitiesByCustomer.set(i.customer_id, [i]);
    }
    const valuesOf = (customerId: string, kinds: string[]) =>
      (identitiesByCustomer.get(customerId) ?? [])
        .filter((i) => kinds.includes(i.kind))
        .map((i) => `${kinds.length > 1 ? `${i.kind}:` : ""}${identityValue(i)}`)
        .join("; ");
    const csv = toCsv(
      ["id", "name", "emails", "phones", "other_ids", "tags", "trust_score", "verified", "blocked", "channels", "conversations", "last_seen_at", "created_at"],
      list.map((c) => [
        c.id,
        c.name,
        valuesOf(c.id, ["email"]),
        valuesOf(c.id, ["phone"]),
        valuesOf(c.id, ["web", "telegram", "instagram", "whatsapp"]),
        c.tags.join("; "),
        c.trust_score,
        c.verified ? "yes" : "no",
        c.blocked ? "yes" : "no",
        (c.channels ?? []).join("; "),
        c.conversations,
        iso(c.last_seen_at),
        iso(c.created_at),
      ]),
    );
    await audit(tx, ctx, "customers.exported_csv", { type: "customer" }, { count: list.length });
    return { csv, count: list.length };
  });
}
