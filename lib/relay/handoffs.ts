import "server-only";
// A hand-off as the owner's phone sees it: a short code (#A7) unique among the business's open
// hand-offs, what the notice says (the customer, the channel, a two-line summary, the AI's suggested
// reply), and the text of that notice. Opened in the transaction that hands the conversation over
// (lib/pipeline/notify), closed when the conversation stops waiting for a person.
import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import { rows, type Executor } from "@/lib/db/client";
import { retrieveKnowledge } from "@/lib/knowledge/retrieve";
import type { Embedder } from "@/lib/ai/embeddings";

// Letters and digits a person reads back without confusing them (no I/O, no 0/1): 24 × 8 codes.
const LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ";
const DIGITS = "23456789";
export const ALL_CODES = [...LETTERS].flatMap((l) => [...DIGITS].map((d) => l + d));

export const CHANNEL_NAME: Record<string, string> = {
  web: "web chat",
  sms: "SMS",
  whatsapp: "WhatsApp",
  voice: "phone",
  email: "email",
  telegram: "Telegram",
  instagram: "Instagram",
};

const clip = (s: string, n: number) => {
  const flat = s.replace(/\s+/g, " ").trim();
  return flat.length > n ? `${flat.slice(0, n - 1).trimEnd()}…` : flat;
};

export type OpenHandoff = {
  id: string;
  code: string;
  conversationId: string;
  customerName: string | null;
  channelKind: string;
  summary: string | null;
  suggestion: string | null;
  reason: string | null;
  openedAt: Date;
};

/**
 * Closes the business's hand-offs whose conversation no longer waits for a person (a staff member
 * handed it back or closed it in the dashboard), so their codes are free again.
 */
export async function closeSettledHandoffs(ex: Executor, businessId: string): Promise<void> {
  await ex.execute(
    sql`update relay_handoffs h set closed_at = now()
        from conversations c
        where h.business_id = ${businessId} and h.closed_at is null and c.id = h.conversation_id and c.business_id = h.business_id
          and c.status <> 'waiting_human'`,
  );
}

/** The two lines a phone shows of the conversation: its summary when one was written, else the customer's last two messages. */
async function summaryOf(ex: Executor, businessId: string, conversationId: string): Promise<string | null> {
  const [row] = await rows<{ summary: string | null; lines: string[] | null }>(
    ex,
    sql`select c.summary,
               (select array_agg(m.content order by m.created_at) from (
                  select content, created_at from messages
                  where business_id = ${businessId} and conversation_id = ${conversationId} and role = 'customer'
                  order by created_at desc limit 2) m) as lines
        from conversations c where c.id = ${conversationId} and c.business_id = ${businessId}`,
  );
  if (!row) return null;
  if (row.summary?.trim()) {
    const lines = row.summary.trim().split(/\n+/).slice(0, 2);
    return lines.map((l) => clip(l, 120)).join("\n");
  }
  const lines = (row.lines ?? []).filter((l) => l.trim());
  return lines.length ? lines.map((l) => `"${clip(l, 110)}"`).join("\n") : null;
}

/**
 * Opens the conversation's hand-off (or returns the one already open) with a code no other open
 * hand-off of the business has. Concurrent hand-offs of one business take turns on an advisory lock
 * for the length of their transaction, so two never draw the same code.
 */
export async function openHandoff(ex: Executor, input: { businessId: string; conversationId: string; reason?: string | null }): Promise<{ id: string; code: string } | null> {
  const { businessId, conversationId } = input;
  await ex.execute(sql`select pg_advisory_xact_lock(hashtext(${`relay-codes:${businessId}`}))`);
  await closeSettledHandoffs(ex, businessId);
  const open = await rows<{ id: string; code: string; conversation_id: string }>(
    ex,
    sql`select id, code, conversation_id from relay_handoffs where business_id = ${businessId} and closed_at is null`,
  );
  const mine = open.find((h) => h.conversation_id === conversationId);
  if (mine) return { id: mine.id, code: mine.code };
  const taken = new Set(open.map((h) => h.code));
  const free = ALL_CODES.filter((c) => !taken.has(c));
  // every code in use: the conversation still waits in the dashboard, it just cannot be answered by code
  if (!free.length) return null;
  const code = free[crypto.randomInt(0, free.length)]!;
  const summary = await summaryOf(ex, businessId, conversationId);
  const [row] = await rows<{ id: string }>(
    ex,
    sql`insert into relay_handoffs (business_id, conversation_id, code, reason, summary)
        values (${businessId}, ${conversationId}, ${code}, ${input.reason ?? null}, ${summary}) returning id`,
  );
  return { id: row!.id, code };
}

/** The open hand-offs of a business whose conversation still waits for a person, oldest first. */
export async function listOpenHandoffs(ex: Executor, businessId: string): Promise<OpenHandoff[]> {
  const found = await rows<{
    id: string;
    code: string;
    conversation_id: string;
    customer_name: string | null;
    channel_kind: string;
    summary: string | null;
    suggestion: string | null;
    reason: string | null;
    opened_at: string | Date;
  }>(
    ex,
    sql`select h.id, h.code, h.conversation_id, cu.name as customer_name, ch.kind::text as channel_kind, h.summary, h.suggestion, h.reason, h.opened_at
        from relay_handoffs h
        join conversations c on c.id = h.conversation_id and c.business_id = h.business_id
        join customers cu on cu.id = c.customer_id and cu.business_id = h.business_id
        join channels ch on ch.id = c.channel_id and ch.business_id = h.business_id
        where h.business_id = ${businessId} and h.closed_at is null and c.status = 'waiting_human'
        order by h.opened_at, h.code`,
  );
  return found.map((r) => ({
    id: r.id,
    code: r.code,
    conversationId: r.conversation_id,
    customerName: r.customer_name,
    channelKind: r.channel_kind,
    summary: r.summary,
    suggestion: r.suggestion,
    reason: r.reason,
    openedAt: new Date(r.opened_at),
  }));
}

/**
 * The AI's suggested reply: what the business's own FAQ or knowledge says to the customer's last
 * message (the retrieval the answer pipeline uses), or null when nothing matches. Kept on the
 * hand-off so "1" sends exactly what the notice showed.
 */
export async function suggestionFor(ex: Executor, handoff: { id: string; conversationId: string; suggestion: string | null }, businessId: string, embedder?: Embedder): Promise<string | null> {
  if (handoff.suggestion) return handoff.suggestion;
  const [last] = await rows<{ content: string }>(
    ex,
    sql`select content from messages where business_id = ${businessId} and conversation_id = ${handoff.conversationId} and role = 'customer'
        order by created_at desc limit 1`,
  );
  if (!last?.content.trim()) return null;
  const found = await retrieveKnowledge(ex, { businessId, query: last.content, limit: 1, faqLimit: 1, embedder });
  const faq = found.faqs[0];
  const chunk = found.chunks[0];
  let suggestion: string | null = null;
  if (faq) suggestion = clip(faq.answer, 300);
  else if (chunk) {
    const sentences = chunk.content.replace(/^#+ .*$/gm, "").match(/[^.!?]+[.!?]+/g) ?? [chunk.content];
    suggestion = clip(sentences.slice(0, 2).join(" "), 300);
  }
  if (suggestion) await ex.execute(sql`update relay_handoffs set suggestion = ${suggestion} where id = ${handoff.id} and business_id = ${businessId}`);
  return suggestion;
}

/** The notice a member's phone receives: who, where, what, the suggestion and how to answer. */
export function noticeText(businessName: string, h: OpenHandoff, suggestion: string | null): string {
  const who = h.customerName?.trim() || "A customer";
  const lines = [`${businessName}: #${h.code} ${who} on ${CHANNEL_NAME[h.channelKind] ?? h.channelKind} needs a person.`];
  if (h.summary) lines.push(h.summary);
  if (suggestion) lines.push(`Suggested reply (send "#${h.code} 1"): ${suggestion}`);
  lines.push(`Reply "#${h.code} your answer" to answer, "#${h.code} done" to hand back to the AI.`);
  return lines.join("\n");
}
