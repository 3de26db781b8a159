// Long-term memory: every message embedded per customer, the most relevant recalled for the model.
import { and, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import { getDb, rows, type Executor } from "@/lib/db/client";
import { memories, messages } from "@/lib/db/schema";
import { getEmbedder, toVectorLiteral } from "@/lib/ai/embeddings";

export type RecalledMemory = { id: string; content: string; similarity: number; messageId: string | null };

type RecallInput = {
  businessId: string;
  customerId: string;
  embedding: number[];
  /** the embedding as an expression of the caller's statement; its literal by default */
  vectorSql?: SQL;
  excludeMessageIds?: string[];
  limit?: number;
  minSimilarity?: number;
};

/** The customer's memories closest to the question, excluding the messages already in the history. */
export async function recallMemories(ex: Executor, input: RecallInput): Promise<RecalledMemory[]> {
  return recalled(await rows(ex, recallQuery(input)), input.minSimilarity);
}

/** recallMemories' select, for a caller that reads it inside a bigger statement (then `recalled`). */
export function recallQuery(input: RecallInput): SQL {
  const q = input.vectorSql ?? sql`${toVectorLiteral(input.embedding)}::vector`;
  const exclude = input.excludeMessageIds ?? [];
  return sql`select id, content, message_id, 1 - (embedding <=> ${q}) as similarity from memories
      where business_id = ${input.businessId} and customer_id = ${input.customerId} and embedding is not null
      ${exclude.length ? sql`and (message_id is null or message_id not in ${sql`(${sql.join(exclude.map((id) => sql`${id}::uuid`), sql`, `)})`})` : sql``}
      order by similarity desc limit ${input.limit ?? 3}`;
}

/** The rows recallQuery returned, closest first, the weak ones left out. */
export function recalled(found: Record<string, unknown>[], minSimilarity = 0.2): RecalledMemory[] {
  return found
    .map((m) => ({ id: String(m.id), content: String(m.content), similarity: Number(m.similarity), messageId: (m.message_id as string | null) ?? null }))
    .filter((m) => m.similarity >= minSimilarity)
    .sort((a, b) => b.similarity - a.similarity);
}

type Rememberable = { id: string; businessId: string; role: string; content: string };

/** Embeds messages that have no memory yet (by the sweeper for any missed, or by id): one read, then rememberMessages. */
export async function embedMessagesIntoMemories(messageIds: string[] | "pending", limit = 100): Promise<number> {
  const db = await getDb();
  const base = db
    .select({ id: messages.id, businessId: messages.businessId, role: messages.role, content: messages.content })
    .from(messages)
    .leftJoin(memories, eq(memories.messageId, messages.id));
  const where = and(isNull(memories.id), inArray(messages.role, ["customer", "assistant", "agent"]));
  const pending =
    messageIds === "pending" ? await base.where(where).limit(limit) : messageIds.length ? await base.where(and(where, inArray(messages.id, messageIds))) : [];
  return rememberMessages(pending);
}

/**
 * Messages the caller holds, embedded and remembered in one insert (after each answer: the question
 * and the reply, never read back). A message that already has its memory keeps it.
 */
export async function rememberMessages(list: Rememberable[]): Promise<number> {
  const usable = list.filter((m) => m.content.trim().length > 0);
  if (!usable.length) return 0;
  const { vectors } = await getEmbedder().embed(
    usable.map((m) => `${m.role === "customer" ? "Customer" : "Us"}: ${m.content}`),
    "document",
  );
  // The customer is read at insert time: a merge since the message was read moved it.
  const embedded = sql.join(
    usable.map((m, i) => sql`(${m.id}::uuid, ${m.businessId}::uuid, ${toVectorLiteral(vectors[i]!)}::vector)`),
    sql`, `,
  );
  await (await getDb()).execute(
    sql`insert into memories (business_id, customer_id, kind, content, message_id, embedding)
        select m.business_id, m.customer_id, 'message', left(m.content, 4000), m.id, v.embedding
        from (values ${embedded}) as v(id, business_id, embedding)
        join messages m on m.id = v.id and m.business_id = v.business_id
        on conflict (message_id) do nothing`,
  );
  return usable.length;
}
