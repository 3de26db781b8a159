// The customer's thread on a channel, and storing messages exactly once per provider id.
import { and, desc, eq, gt, ne, sql, type SQL } from "drizzle-orm";
import { rows, type Tx } from "@/lib/db/client";
import { rowFromJson } from "@/lib/db/json-rows";
import { conversations, messages } from "@/lib/db/schema";

export const DEFAULT_INACTIVITY_HOURS = 24;

/** The open conversation on this channel, or a new one after the inactivity window or a close. */
export async function resolveConversation(
  tx: Tx,
  input: { businessId: string; customerId: string; channelId: string; inactivityHours?: number; now?: Date },
) {
  const now = input.now ?? new Date();
  const since = new Date(now.getTime() - (input.inactivityHours ?? DEFAULT_INACTIVITY_HOURS) * 3600_000);
  const [open] = await tx
    .select()
    .from(conversations)
    .where(
      and(
        eq(conversations.businessId, input.businessId),
        eq(conversations.customerId, input.customerId),
        eq(conversations.channelId, input.channelId),
        ne(conversations.status, "closed"),
        // A thread waiting for a person stays open however long the wait.
        sql`(${conversations.lastMessageAt} > ${since} or ${conversations.status} = 'waiting_human')`,
      ),
    )
    .orderBy(desc(conversations.lastMessageAt))
    .limit(1);
  if (open) return { conversation: open, created: false };
  const [created] = await tx
    .insert(conversations)
    .values({ businessId: input.businessId, customerId: input.customerId, channelId: input.channelId, lastMessageAt: now })
    .returning();
  return { conversation: created!, created: true };
}

export type NewMessage = typeof messages.$inferInsert;

/**
 * Stores a message once: a provider id already seen on this channel returns the first row with
 * `duplicate: true` instead of a second message. (A customer's message stored claimed for its
 * answer: storeClaimed in answer.ts.)
 */
export async function storeMessage(tx: Tx, values: NewMessage, opts: { /** the conversation was created for this message with its time and unread flag */ conversationTouched?: boolean } = {}) {
  const [stored] = await rows<{ message: unknown }>(tx, sql`with ${storedMessage(tx, values, opts)} select row_to_json(stored) as message from stored`);
  const inserted = rowFromJson(messages, stored?.message);
  if (inserted) return { message: inserted, duplicate: false };
  return { message: await firstDelivery(tx, values), duplicate: true };
}

/**
 * Common table expressions for a statement that stores a message: `stored`, the message's row (none
 * when its provider id was stored already), and `conv`, its conversation's row, with its last
 * activity (and, for a customer's message, its unread flag) moved to the message's time when it was
 * stored. `conversationTouched`: the conversation was created for this message with both, and is
 * only read. `claim`: the stored customer message is claimed for answering (metadata.answering, as
 * answerMessage's claim sets it).
 */
export function storedMessage(tx: Tx, values: NewMessage, opts: { claim?: boolean; conversationTouched?: boolean } = {}): SQL {
  const insert = tx
    .insert(messages)
    .values(
      opts.claim
        ? { ...values, metadata: sql`${JSON.stringify(values.metadata ?? {})}::jsonb || jsonb_build_object('answering', now())` as unknown as Record<string, unknown> }
        : values,
    )
    .onConflictDoNothing({ target: [messages.channelId, messages.providerMessageId] });
  const conv = opts.conversationTouched
    ? sql`select c.* from conversations c where c.id = ${values.conversationId} and c.business_id = ${values.businessId}`
    : sql`update conversations c set last_message_at = stored.created_at, updated_at = now()${values.role === "customer" ? sql`, unread = true` : sql``}
          from stored where c.id = ${values.conversationId} and c.business_id = ${values.businessId}
          returning c.*`;
  // returning *: the table's own columns in its order, as a union with its rows needs (loadClaimed's history)
  return sql`stored as (${insert.getSQL()} returning *), conv as (${conv})`;
}

/** The message first stored under this provider id on this channel (a repeated delivery's). */
export async function firstDelivery(tx: Tx, values: NewMessage) {
  const [first] = await tx
    .select()
    .from(messages)
    .where(and(eq(messages.channelId, values.channelId), eq(messages.providerMessageId, values.providerMessageId!)))
    .limit(1);
  return first!;
}

/** The answer already given to a customer message, if any. */
export async function findReply(tx: Tx, businessId: string, messageId: string) {
  const [reply] = await tx
    .select()
    .from(messages)
    .where(and(eq(messages.businessId, businessId), eq(messages.replyToId, messageId)))
    .limit(1);
  return reply;
}

/** A customer's last messages on every channel, oldest first: the model's short-term memory. */
export async function recentCustomerMessages(tx: Tx, businessId: string, customerId: string, limit = 10, before?: Date) {
  const list = await tx
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.businessId, businessId),
        eq(messages.customerId, customerId),
        ne(messages.role, "note"),
        ...(before ? [gt(sql`${before}::timestamptz`, messages.createdAt)] : []),
      ),
    )
    .orderBy(desc(messages.createdAt))
    .limit(limit);
  return list.reverse();
}
