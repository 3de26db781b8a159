// Knowledge documents and their chunks. Every query names the business it is about.
import { createHash } from "node:crypto";
import { and, asc, desc, eq, ne, sql } from "drizzle-orm";
import { AppError } from "@/lib/errors";
import { requestCacheWarming } from "./cache-warming";
import type { Executor } from "./client";
import { businesses, knowledgeChunks, knowledgeDocuments } from "./schema";

export type KnowledgeDocument = typeof knowledgeDocuments.$inferSelect;
export type ChunkInsert = { ordinal: number; heading: string | null; content: string; tokenCount: number; embedding: number[] | null };

export async function listDocuments(ex: Executor, businessId: string) {
  return ex
    .select({
      id: knowledgeDocuments.id,
      title: knowledgeDocuments.title,
      sourceType: knowledgeDocuments.sourceType,
      filename: knowledgeDocuments.filename,
      status: knowledgeDocuments.status,
      /** why a failed upload could not be read */
      error: knowledgeDocuments.error,
      chars: sql<number>`length(${knowledgeDocuments.content})::int`,
      // Spelled out: drizzle leaves single-table columns unqualified, and "id" inside the subquery would be the chunk's.
      chunks: sql<number>`(select count(*)::int from knowledge_chunks c where c.document_id = knowledge_documents.id and c.business_id = knowledge_documents.business_id)`,
      embedded: sql<number>`(select count(*)::int from knowledge_chunks c where c.document_id = knowledge_documents.id and c.business_id = knowledge_documents.business_id and c.embedding is not null)`,
      updatedAt: knowledgeDocuments.updatedAt,
    })
    .from(knowledgeDocuments)
    .where(eq(knowledgeDocuments.businessId, businessId))
    .orderBy(desc(knowledgeDocuments.updatedAt));
}

export async function findDocument(ex: Executor, businessId: string, id: string) {
  const [row] = await ex
    .select()
    .from(knowledgeDocuments)
    .where(and(eq(knowledgeDocuments.businessId, businessId), eq(knowledgeDocuments.id, id)))
    .limit(1);
  return row;
}

export async function listChunks(ex: Executor, businessId: string, documentId: string) {
  return ex
    .select({ id: knowledgeChunks.id, ordinal: knowledgeChunks.ordinal, heading: knowledgeChunks.heading, content: knowledgeChunks.content, tokenCount: knowledgeChunks.tokenCount })
    .from(knowledgeChunks)
    .where(and(eq(knowledgeChunks.businessId, businessId), eq(knowledgeChunks.documentId, documentId)))
    .orderBy(asc(knowledgeChunks.ordinal));
}

/** A document's text as its identity: sha256 of the UTF-8 text (the migration's backfill computes the same). */
export function contentHash(content: string): string {
  return createHash("sha256").update(content, "utf8").digest("hex");
}

/** The business's document holding exactly this text, other than `exceptId`. */
export async function findDocumentByContent(ex: Executor, businessId: string, content: string, exceptId?: string) {
  const [row] = await ex
    .select({ id: knowledgeDocuments.id, title: knowledgeDocuments.title })
    .from(knowledgeDocuments)
    .where(
      and(
        eq(knowledgeDocuments.businessId, businessId),
        eq(knowledgeDocuments.contentHash, contentHash(content)),
        ...(exceptId ? [ne(knowledgeDocuments.id, exceptId)] : []),
      ),
    )
    .limit(1);
  return row;
}

/**
 * Stores a document; a ready one carries its text's hash, and undefined comes back when the business
 * already holds that text (the unique key decides, so two uploads of one file at once store it once).
 */
export async function insertDocument(ex: Executor, values: typeof knowledgeDocuments.$inferInsert) {
  const ready = (values.status ?? "ready") === "ready";
  const [row] = await ex
    .insert(knowledgeDocuments)
    .values({ ...values, contentHash: ready ? contentHash(values.content) : null })
    .onConflictDoNothing({ target: [knowledgeDocuments.businessId, knowledgeDocuments.contentHash] })
    .returning();
  return row;
}

/** Earlier failed uploads of a file name: replaced by the next attempt, whether it fails again or not. */
export async function deleteFailedUploads(ex: Executor, businessId: string, filename: string) {
  await ex
    .delete(knowledgeDocuments)
    .where(and(eq(knowledgeDocuments.businessId, businessId), eq(knowledgeDocuments.filename, filename), eq(knowledgeDocuments.status, "failed")));
}

/** An upload that could not be read: kept as a failed document with the reason and none of its text. */
export async function insertFailedUpload(
  ex: Executor,
  values: { businessId: string; title: string; filename: string; sourceType: string; error: string; createdBy: string | null },
) {
  await deleteFailedUploads(ex, values.businessId, values.filename);
  return (await insertDocument(ex, { ...values, content: "", status: "failed" }))!;
}

export async function updateDocument(ex: Executor, businessId: string, id: string, values: { title: string; content: string }) {
  const [row] = await ex
    .update(knowledgeDocuments)
    .set({ ...values, contentHash: contentHash(values.content), status: "ready", error: null, updatedAt: new Date() })
    .where(and(eq(knowledgeDocuments.businessId, businessId), eq(knowledgeDocuments.id, id)))
    .returning();
  return row;
}

export async function deleteDocument(ex: Executor, businessId: string, id: string) {
  const [row] = await ex
    .delete(knowledgeDocuments)
    .where(and(eq(knowledgeDocuments.businessId, businessId), eq(knowledgeDocuments.id, id)))
    .returning({ id: knowledgeDocuments.id, title: knowledgeDocuments.title });
  return row;
}

/** Replaces a document's chunks (an edit re-chunks the whole document). */
export async function replaceChunks(ex: Executor, businessId: string, documentId: string, chunks: ChunkInsert[]) {
  await ex.delete(knowledgeChunks).where(and(eq(knowledgeChunks.businessId, businessId), eq(knowledgeChunks.documentId, documentId)));
  // Batches keep each statement well under the bind-parameter limit.
  for (let i = 0; i < chunks.length; i += 200) {
    await ex.insert(knowledgeChunks).values(chunks.slice(i, i + 200).map((c) => ({ ...c, businessId, documentId })));
  }
}

/**
 * Bumps the knowledge version in the caller's transaction, so cached answers built on the old
 * knowledge stop serving the moment the change commits, and asks for the cache to be warmed again
 * once the edits settle (a request the warm-cache job picks up, never work in the owner's save).
 * Under RLS only owners and admins may.
 */
export async function bumpKnowledgeVersion(ex: Executor, businessId: string): Promise<number> {
  const [row] = await ex
    .update(businesses)
    .set({ knowledgeVersion: sql`${businesses.knowledgeVersion} + 1`, updatedAt: new Date() })
    .where(eq(businesses.id, businessId))
    .returning({ version: businesses.knowledgeVersion });
  if (!row) throw new AppError("forbidden", "Only owners and admins can change the knowledge base.");
  await requestCacheWarming(ex, businessId);
  return row.version;
}

export async function knowledgeVersion(ex: Executor, businessId: string): Promise<number> {
  const [row] = await ex.select({ v: businesses.knowledgeVersion }).from(businesses).where(eq(businesses.id, businessId));
  return row?.v ?? 0;
}
