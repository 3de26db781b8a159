import "server-only";
// Knowledge articles and uploads. Reading and the "what would the agent find?" box are open to every
// member; changes are for owners and admins, because they change what the agent tells every
// customer (and only they may bump the business's knowledge version under RLS). Each change is
// chunked and embedded before its transaction opens, then stored, version-bumped and audited in one
// transaction: a failure leaves nothing half-stored.
import { z } from "zod";
import type { Embedder } from "@/lib/ai/embeddings";
import { isUniqueViolation, type Tx } from "@/lib/db/client";
import {
  bumpKnowledgeVersion,
  deleteDocument as deleteDocumentRow,
  deleteFailedUploads,
  findDocument,
  findDocumentByContent,
  insertFailedUpload,
  insertDocument,
  listChunks,
  listDocuments,
  replaceChunks,
  updateDocument as updateDocumentRow,
} from "@/lib/db/knowledge";
import { AppError } from "@/lib/errors";
import { extractDocument, MAX_TEXT_CHARS, MAX_UPLOAD_BYTES, titleFromFilename, uploadType, type UploadType } from "@/lib/knowledge/extract";
import { prepareChunks, type IndexProgress } from "@/lib/knowledge/indexing";
import { chargeEmbedding } from "@/lib/pipeline/spend";
import { retrieveKnowledge, type Retrieval } from "@/lib/knowledge/retrieve";
import { audit } from "./audit";
import { MANAGERS, requireStaff, requireStaffRole, staffUserId, type Ctx, type StaffCtx } from "./context";
import { inTenant } from "./tenant";
import { stripNul, text } from "@/lib/validation/text";

export const KNOWLEDGE_EDITORS = MANAGERS;

/** An id from a URL or form: anything that is not a uuid cannot be one of this business's rows. */
export function parseId(value: unknown, what: string): string {
  const r = z.guid().safeParse(value);
  if (!r.success) throw new AppError("not_found", `${what} not found.`);
  return r.data;
}

export const ArticleInput = z.object({
  title: text().trim().min(1, "Give the article a title").max(200, "Keep the title under 200 characters"),
  content: text()
    .trim()
    .min(1, "Write the article's text")
    .max(MAX_TEXT_CHARS, `Keep an article under ${MAX_TEXT_CHARS.toLocaleString("en")} characters`),
});
export type ArticleInput = z.infer<typeof ArticleInput>;

export async function listKnowledge({ ctx }: { ctx: Ctx }) {
  requireStaff(ctx);
  return inTenant(ctx, (tx) => listDocuments(tx, ctx.businessId));
}

export async function getDocumentWithChunks({ ctx, input }: { ctx: Ctx; input: { id: unknown } }) {
  requireStaff(ctx);
  const id = parseId(input.id, "Document");
  return inTenant(ctx, async (tx) => {
    const doc = await findDocument(tx, ctx.businessId, id);
    if (!doc) throw new AppError("not_found", "Document not found.");
    return { document: doc, chunks: await listChunks(tx, ctx.businessId, id) };
  });
}

type IndexOptions = { embedder?: Embedder; onProgress?: (p: IndexProgress | { stage: "storing" }) => void | Promise<void> };

async function prepare(ctx: StaffCtx, title: string, content: string, options: IndexOptions) {
  const { chunks, tokens, model } = await prepareChunks(title, content, options);
  // The embedding call is made and paid for now, whatever happens to the document next: one cost event.
  if (tokens) await chargeEmbedding({ businessId: ctx.businessId, tokens, model, messageId: null, conversationId: null });
  if (!chunks.length) throw new AppError("unprocessable", "There is no text to index in this document.");
  return chunks;
}

/**
 * One business holds a text once: the same file uploaded twice, or an article pasted from a document
 * already there, would only make the agent find the same passage twice. The second is refused with a
 * 409 naming the document that has the text (details.documentId, for a link), and nothing is stored.
 */
function alreadyThere(existing: { id: string; title: string }, what: "upload" | "article"): AppError {
  const message =
    what === "upload"
      ? `Already uploaded as "${existing.title}": that document has exactly this text, so nothing was added.`
      : `"${existing.title}" already has exactly this text, so nothing was saved.`;
  return new AppError("conflict", message, { documentId: existing.id, title: existing.title });
}

/** Refuses a text the business already holds, before any chunking or embedding is paid for. */
async function refuseDuplicate(ctx: StaffCtx, content: string, what: "upload" | "article", exceptId?: string) {
  const existing = await inTenant(ctx, (tx) => findDocumentByContent(tx, ctx.businessId, content, exceptId));
  if (existing) throw alreadyThere(existing, what);
}

/** Inserts a ready document, or refuses it when an upload of the same text won the race meanwhile. */
async function insertNew(tx: Tx, values: Parameters<typeof insertDocument>[1], what: "upload" | "article") {
  const doc = await insertDocument(tx, values);
  if (doc) return doc;
  const existing = await findDocumentByContent(tx, values.businessId, values.content);
  throw existing ? alreadyThere(existing, what) : new AppError("conflict", "This text was just saved by someone else. Reload the page to see it.");
}


export async function createArticle({ ctx, input }: { ctx: Ctx; input: unknown }, options: IndexOptions = {}) {
  requireStaffRole(ctx, KNOWLEDGE_EDITORS);
  const { title, content } = ArticleInput.parse(input);
  await refuseDuplicate(ctx, content, "article");
  const chunks = await prepare(ctx, title, content, options);
  await options.onProgress?.({ stage: "storing" });
  return inTenant(ctx, async (tx) => {
    const doc = await insertNew(tx, { businessId: ctx.businessId, title, content, sourceType: "article", createdBy: staffUserId(ctx) }, "article");
    await replaceChunks(tx, ctx.businessId, doc.id, chunks);
    const version = await bumpKnowledgeVersion(tx, ctx.businessId);
    await audit(tx, ctx, "knowledge.article_created", { type: "knowledge_document", id: doc.id }, { title, chunks: chunks.length, version });
    return { document: doc, chunks: chunks.length, version };
  });
}

export async function updateDocument({ ctx, input }: { ctx: Ctx; input: { id: unknown } & Record<string, unknown> }, options: IndexOptions = {}) {
  requireStaffRole(ctx, KNOWLEDGE_EDITORS);
  const id = parseId(input.id, "Document");
  const { title, content } = ArticleInput.parse(input);
  // Existence first, so another business's id is "not found" before any embedding work.
  const existing = await inTenant(ctx, (tx) => findDocument(tx, ctx.businessId, id));
  if (!existing) throw new AppError("not_found", "Document not found.");
  await refuseDuplicate(ctx, content, "article", id);
  const chunks = await prepare(ctx, title, content, options);
  await options.onProgress?.({ stage: "storing" });
  return inTenant(ctx, async (tx) => {
    const doc = await updateDocumentRow(tx, ctx.businessId, id, { title, content }).catch((err: unknown) => {
      if (isUniqueViolation(err)) throw new AppError("conflict", "Another document was just saved with exactly this text, so nothing was saved.");
      throw err;
    });
    if (!doc) throw new AppError("not_found", "Document not found.");
    await replaceChunks(tx, ctx.businessId, id, chunks);
    const version = await bumpKnowledgeVersion(tx, ctx.businessId);
    await audit(tx, ctx, "knowledge.document_updated", { type: "knowledge_document", id }, { title, chunks: chunks.length, version });
    return { document: doc, chunks: chunks.length, version };
  });
}

export async function deleteDocument({ ctx, input }: { ctx: Ctx; input: { id: unknown } }) {
  requireStaffRole(ctx, KNOWLEDGE_EDITORS);
  const id = parseId(input.id, "Document");
  return inTenant(ctx, async (tx) => {
    const gone = await deleteDocumentRow(tx, ctx.businessId, id);
    if (!gone) throw new AppError("not_found", "Document not found.");
    const version = await bumpKnowledgeVersion(tx, ctx.businessId);
    await audit(tx, ctx, "knowledge.document_deleted", { type: "knowledge_document", id }, { title: gone.title, version });
    return { version };
  });
}

export type UploadInput = { filename: string; contentType?: string | null; bytes: Uint8Array; title?: string | null };
export type UploadProgress = { stage: "extracting" } | IndexProgress | { stage: "storing" };

/**
 * A file that could not be read stays in the list as a failed document, with the reason and none of
 * its text (no chunks, no version bump: what the agent knows has not changed); the next upload of
 * the same file name replaces it. Returns the error to throw, carrying the document's id.
 */
async function recordFailedUpload(ctx: StaffCtx, file: { filename: string; title: string; type: UploadType }, err: AppError): Promise<AppError> {
  const doc = await inTenant(ctx, async (tx) => {
    const row = await insertFailedUpload(tx, { businessId: ctx.businessId, title: file.title, filename: file.filename, sourceType: file.type, error: err.message, createdBy: staffUserId(ctx) });
    await audit(tx, ctx, "knowledge.upload_failed", { type: "knowledge_document", id: row.id }, { filename: file.filename, type: file.type, reason: err.details?.reason ?? null });
    return row;
  });
  return new AppError(err.code, err.message, { ...err.details, documentId: doc.id });
}

/** Extracts, chunks, embeds and stores one uploaded file; onProgress follows each stage. */
export async function uploadDocument(
  { ctx, input }: { ctx: Ctx; input: UploadInput },
  options: { embedder?: Embedder; onProgress?: (p: UploadProgress) => void | Promise<void> } = {},
) {
  requireStaffRole(ctx, KNOWLEDGE_EDITORS);
  const filename = stripNul(input.filename || "upload").replace(/^.*[\\/]/, "").slice(0, 200) || "upload";
  if (input.bytes.byteLength > MAX_UPLOAD_BYTES) throw new AppError("payload_too_large", `The file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB.`);
  const givenTitle = stripNul(input.title ?? "").trim().slice(0, 200);
  await options.onProgress?.({ stage: "extracting" });
  let extracted;
  try {
    extracted = await extractDocument({ filename, contentType: input.contentType, bytes: input.bytes });
  } catch (err) {
    // Only a file that was read and failed is recorded; an unsupported type or an empty file is just refused.
    const type = uploadType(filename, input.contentType);
    if (err instanceof AppError && err.details?.reason && type) throw await recordFailedUpload(ctx, { filename, type, title: givenTitle || titleFromFilename(filename) }, err);
    throw err;
  }
  const title = givenTitle || extracted.title;
  await refuseDuplicate(ctx, extracted.markdown, "upload");
  const chunks = await prepare(ctx, title, extracted.markdown, options);
  await options.onProgress?.({ stage: "storing" });
  return inTenant(ctx, async (tx) => {
    await deleteFailedUploads(tx, ctx.businessId, filename);
    const doc = await insertNew(
      tx,
      { businessId: ctx.businessId, title, content: extracted.markdown, sourceType: extracted.type, filename, createdBy: staffUserId(ctx) },
      "upload",
    );
    await replaceChunks(tx, ctx.businessId, doc.id, chunks);
    const version = await bumpKnowledgeVersion(tx, ctx.businessId);
    await audit(
      tx,
      ctx,
      "knowledge.document_uploaded",
      { type: "knowledge_document", id: doc.id },
      { filename, type: extracted.type, chars: extracted.markdown.length, chunks: chunks.length, version },
    );
    return { document: { id: doc.id, title: doc.title, sourceType: doc.sourceType, filename }, chunks: chunks.length, chars: extracted.markdown.length, pages: extracted.pages ?? null, version };
  });
}

export const AskInput = z.object({
  query: text().trim().min(2, "Type a question of at least 2 characters").max(500, "Keep the question under 500 characters"),
  limit: z.coerce.number().int().min(1).max(20).default(5),
});

/** The dashboard's "what would the agent find?": the pipeline's own retrieval, for this business. */
export async function askKnowledge({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<Retrieval> {
  requireStaff(ctx);
  const { query, limit } = AskInput.parse(input);
  return inTenant(ctx, (tx) => retrieveKnowledge(tx, { businessId: ctx.businessId, query, limit, faqLimit: 3 }));
}
