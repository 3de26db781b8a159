import "server-only";
// Turning text into stored, searchable knowledge: chunk, embed (in batches, reporting progress),
// and embedPending for rows stored without a vector (the seed, or an embedder that was down).
import { sql } from "drizzle-orm";
import { getEmbedder, type Embedder } from "@/lib/ai/embeddings";
import { getDb, rows, type Executor } from "@/lib/db/client";
import type { ChunkInsert } from "@/lib/db/knowledge";
import { chunkDocument } from "./chunk";

/** Texts per embedding call: small enough for steady progress, large enough to keep calls few. */
export const EMBED_BATCH = 50;

/** What a chunk is embedded as: the document title and heading path give the words context. */
export function chunkEmbeddingText(title: string, heading: string | null, content: string): string {
  return [title, heading, content].filter(Boolean).join("\n");
}

/** What an FAQ is embedded as: its question, so a customer's question meets it question to question. */
export function faqEmbeddingText(question: string): string {
  return question;
}

export type IndexProgress = { stage: "chunking" } | { stage: "embedding"; done: number; total: number };

/** Embeds texts in batches; onBatch sees how many are done. */
export async function embedTexts(
  texts: string[],
  options: { embedder?: Embedder; onBatch?: (done: number, total: number) => void | Promise<void> } = {},
): Promise<{ vectors: number[][]; tokens: number; model: string }> {
  const embedder = options.embedder ?? getEmbedder();
  const vectors: number[][] = [];
  let tokens = 0;
  await options.onBatch?.(0, texts.length);
  for (let i = 0; i < texts.length; i += EMBED_BATCH) {
    const r = await embedder.embed(texts.slice(i, i + EMBED_BATCH), "document");
    vectors.push(...r.vectors);
    tokens += r.tokens;
    await options.onBatch?.(vectors.length, texts.length);
  }
  return { vectors, tokens, model: embedder.model };
}

/** Chunks a document and embeds every chunk, before any transaction opens (embedding may be slow). */
export async function prepareChunks(
  title: string,
  markdown: string,
  options: { embedder?: Embedder; onProgress?: (p: IndexProgress) => void | Promise<void> } = {},
): Promise<{ chunks: ChunkInsert[]; tokens: number; model: string }> {
  await options.onProgress?.({ stage: "chunking" });
  const chunks = chunkDocument(markdown);
  const { vectors, tokens, model } = await embedTexts(
    chunks.map((c) => chunkEmbeddingText(title, c.heading, c.content)),
    { embedder: options.embedder, onBatch: (done, total) => options.onProgress?.({ stage: "embedding", done, total }) },
  );
  return { chunks: chunks.map((c, i) => ({ ...c, embedding: vectors[i]! })), tokens, model };
}

export type EmbedPendingResult = { chunks: number; faqs: number; tokens: number };

/**
 * Embeds every knowledge chunk and FAQ whose embedding is NULL — of one business, or of all when
 * no id is given. Runs on the service path (start-up, jobs); safe to run while people edit: a row
 * changed or deleted meanwhile is simply skipped. Call it at start-up after seeding.
 */
export async function embedPending(
  businessId?: string,
  options: { embedder?: Embedder; db?: Executor; batch?: number } = {},
): Promise<EmbedPendingResult> {
  const db = options.db ?? (await getDb());
  const embedder = options.embedder ?? getEmbedder();
  const batch = options.batch ?? 100;
  const scope = businessId ? sql`and c.business_id = ${businessId}` : sql``;
  const faqScope = businessId ? sql`and f.business_id = ${businessId}` : sql``;
  const result: EmbedPendingResult = { chunks: 0, faqs: 0, tokens: 0 };
  const FIRST = "00000000-0000-0000-0000-000000000000";

  // Keyset pages by id: a row skipped below is never read again.
  for (let after = FIRST; ; ) {
    const pending = await rows<{ id: string; title: string; heading: string | null; content: string }>(
      db,
      sql`select c.id, d.title, c.heading, c.content from knowledge_chunks c
          join knowledge_documents d on d.id = c.document_id and d.business_id = c.business_id
          where c.embedding is null and c.id > ${after} ${scope} order by c.id limit ${batch}`,
    );
    const todo = pending;
    if (!todo.length) break;
    after = todo.at(-1)!.id;
    const r = await embedder.embed(todo.map((p) => chunkEmbeddingText(p.title, p.heading, p.content)), "document");
    result.tokens += r.tokens;
    for (let i = 0; i < todo.length; i++) {
      // Only if still unembedded and unchanged: an edit meanwhile replaced the row anyway.
      const updated = await rows(
        db,
        sql`update knowledge_chunks set embedding = ${JSON.stringify(r.vectors[i])}::vector
            where id = ${todo[i]!.id} and embedding is null and content = ${todo[i]!.content} returning id`,
      );
      result.chunks += updated.length;
    }
  }

  for (let after = FIRST; ; ) {
    const pending = await rows<{ id: string; question: string }>(
      db,
      sql`select f.id, f.question from faqs f where f.embedding is null and f.id > ${after} ${faqScope} order by f.id limit ${batch}`,
    );
    const todo = pending;
    if (!todo.length) break;
    after = todo.at(-1)!.id;
    const r = await embedder.embed(todo.map((p) => faqEmbeddingText(p.question)), "document");
    result.tokens += r.tokens;
    for (let i = 0; i < todo.length; i++) {
      const updated = await rows(
        db,
        sql`update faqs set embedding = ${JSON.stringify(r.vectors[i])}::vector
            where id = ${todo[i]!.id} and embedding is null and question = ${todo[i]!.question} returning id`,
      );
      result.faqs += updated.length;
    }
  }
  return result;
}
