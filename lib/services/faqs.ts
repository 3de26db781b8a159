import "server-only";
// FAQs: create, edit, delete, enable/disable, CSV import and export, suggested FAQs. Changes are for
// owners and admins (they change answers served to every customer) and each one bumps the knowledge
// version and is audited in the same transaction. Questions are embedded before the transaction.
import { z } from "zod";
import type { Embedder } from "@/lib/ai/embeddings";
import { normalizeText } from "@/lib/ai/text";
import { deleteFaqs, findFaq, insertFaqs, listFaqs, updateFaq as updateFaqRow } from "@/lib/db/faqs";
import { bumpKnowledgeVersion } from "@/lib/db/knowledge";
import { AppError } from "@/lib/errors";
import { faqsToCsv, parseFaqCsv } from "@/lib/knowledge/csv";
import { embedTexts, faqEmbeddingText } from "@/lib/knowledge/indexing";
import { suggestFaqs } from "@/lib/knowledge/suggestions";
import { chargeEmbedding } from "@/lib/pipeline/spend";
import { audit } from "./audit";
import { requireStaff, requireStaffRole, type Ctx } from "./context";
import { inTenant } from "./tenant";
import { KNOWLEDGE_EDITORS, parseId } from "./knowledge";
import { text } from "@/lib/validation/text";

export const FaqInput = z.object({
  question: text().trim().min(3, "The question needs at least 3 characters").max(500, "Keep the question under 500 characters"),
  answer: text().trim().min(1, "Write an answer").max(4000, "Keep the answer under 4000 characters"),
  enabled: z.boolean().default(true),
});
export type FaqInput = z.input<typeof FaqInput>;

type Opts = { embedder?: Embedder };

async function embedQuestions(ctx: Ctx, questions: string[], opts: Opts): Promise<number[][]> {
  let embedded;
  try {
    embedded = await embedTexts(questions.map(faqEmbeddingText), { embedder: opts.embedder });
  } catch {
    throw new AppError("unavailable", "The FAQ could not be indexed just now (the embedding service did not answer). Try again in a minute.");
  }
  // paid for now, whatever happens to the FAQ next: one cost event
  if (embedded.tokens) await chargeEmbedding({ businessId: ctx.businessId, tokens: embedded.tokens, model: embedded.model, messageId: null, conversationId: null });
  return embedded.vectors;
}

export async function listBusinessFaqs({ ctx }: { ctx: Ctx }) {
  requireStaff(ctx);
  return inTenant(ctx, (tx) => listFaqs(tx, ctx.businessId));
}

/** A new FAQ, audited as `action` (typed in, or a suggestion accepted). */
async function addFaq(ctx: Ctx, input: unknown, action: "faq.created" | "faq.suggestion_accepted", opts: Opts) {
  requireStaffRole(ctx, KNOWLEDGE_EDITORS);
  const faq = FaqInput.parse(input);
  const [embedding] = await embedQuestions(ctx, [faq.question], opts);
  return inTenant(ctx, async (tx) => {
    const [row] = await insertFaqs(tx, ctx.businessId, [{ ...faq, embedding: embedding! }]);
    const version = await bumpKnowledgeVersion(tx, ctx.businessId);
    await audit(tx, ctx, action, { type: "faq", id: row!.id }, { question: faq.question, version });
    return { id: row!.id, version };
  });
}

export async function createFaq({ ctx, input }: { ctx: Ctx; input: unknown }, opts: Opts = {}) {
  return addFaq(ctx, input, "faq.created", opts);
}

export async function updateFaq({ ctx, input }: { ctx: Ctx; input: { id: unknown } & Record<string, unknown> }, opts: Opts = {}) {
  requireStaffRole(ctx, KNOWLEDGE_EDITORS);
  const id = parseId(input.id, "FAQ");
  const faq = FaqInput.parse(input);
  const before = await inTenant(ctx, (tx) => findFaq(tx, ctx.businessId, id));
  if (!before) throw new AppError("not_found", "FAQ not found.");
  const embedding = before.question === faq.question && before.embedded ? undefined : (await embedQuestions(ctx, [faq.question], opts))[0];
  return inTenant(ctx, async (tx) => {
    const row = await updateFaqRow(tx, ctx.businessId, id, { ...faq, ...(embedding ? { embedding } : {}) });
    if (!row) throw new AppError("not_found", "FAQ not found.");
    const version = await bumpKnowledgeVersion(tx, ctx.businessId);
    await audit(tx, ctx, "faq.updated", { type: "faq", id }, { question: faq.question, enabled: faq.enabled, version });
    return { id, version };
  });
}

export async function setFaqEnabled({ ctx, input }: { ctx: Ctx; input: { id: unknown; enabled: unknown } }) {
  requireStaffRole(ctx, KNOWLEDGE_EDITORS);
  const id = parseId(input.id, "FAQ");
  const enabled = z.boolean({ message: "enabled must be true or false" }).parse(input.enabled);
  return inTenant(ctx, async (tx) => {
    const row = await updateFaqRow(tx, ctx.businessId, id, { enabled });
    if (!row) throw new AppError("not_found", "FAQ not found.");
    const version = await bumpKnowledgeVersion(tx, ctx.businessId);
    await audit(tx, ctx, enabled ? "faq.enabled" : "faq.disabled", { type: "faq", id }, { version });
    return { id, enabled, version };
  });
}

export async function deleteFaq({ ctx, input }: { ctx: Ctx; input: { id: unknown } }) {
  requireStaffRole(ctx, KNOWLEDGE_EDITORS);
  const id = parseId(input.id, "FAQ");
  return inTenant(ctx, async (tx) => {
    const [gone] = await deleteFaqs(tx, ctx.businessId, [id]);
    if (!gone) throw new AppError("not_found", "FAQ not found.");
    const version = await bumpKnowledgeVersion(tx, ctx.businessId);
    await audit(tx, ctx, "faq.deleted", { type: "faq", id }, { version });
    return { version };
  });
}

export async function exportFaqsCsv({ ctx }: { ctx: Ctx }): Promise<string> {
  requireStaff(ctx);
  const faqs = await inTenant(ctx, (tx) => listFaqs(tx, ctx.businessId));
  return faqsToCsv(faqs);
}

/**
 * Imports FAQs from CSV text. A row whose question matches an existing FAQ (ignoring case and
 * punctuation) updates that FAQ; the others are added. All or nothing.
 */
export async function importFaqsCsv({ ctx, input }: { ctx: Ctx; input: { csv: string } }, opts: Opts = {}) {
  requireStaffRole(ctx, KNOWLEDGE_EDITORS);
  const parsed = parseFaqCsv(input.csv);
  // The last row wins when the file repeats a question.
  const byKey = new Map(parsed.map((r) => [normalizeText(r.question), r]));
  const existing = await inTenant(ctx, (tx) => listFaqs(tx, ctx.businessId));
  const existingByKey = new Map(existing.map((f) => [normalizeText(f.question), f]));
  const toEmbed = [...byKey.entries()].filter(([key, r]) => existingByKey.get(key)?.question !== r.question || !existingByKey.get(key)?.embedded);
  const vectors = await embedQuestions(ctx, toEmbed.map(([, r]) => r.question), opts);
  const vectorOf = new Map(toEmbed.map(([key], i) => [key, vectors[i]!]));

  return inTenant(ctx, async (tx) => {
    let updated = 0;
    const fresh: { question: string; answer: string; enabled: boolean; embedding: number[] | null }[] = [];
    for (const [key, r] of byKey) {
      const old = existingByKey.get(key);
      if (old) {
        const embedding = vectorOf.get(key);
        await updateFaqRow(tx, ctx.businessId, old.id, { question: r.question, answer: r.answer, enabled: r.enabled, ...(embedding ? { embedding } : {}) });
        updated++;
      } else {
        fresh.push({ ...r, embedding: vectorOf.get(key) ?? null });
      }
    }
    await insertFaqs(tx, ctx.businessId, fresh);
    const version = await bumpKnowledgeVersion(tx, ctx.businessId);
    await audit(tx, ctx, "faq.imported", { type: "faq" }, { created: fresh.length, updated, rows: parsed.length, version });
    return { created: fresh.length, updated, version };
  });
}

export async function listSuggestedFaqs({ ctx }: { ctx: Ctx }, opts: Opts = {}) {
  requireStaff(ctx);
  return inTenant(ctx, (tx) => suggestFaqs(tx, ctx.businessId, { embedder: opts.embedder }));
}

/** Accepting a suggestion is creating the FAQ (its text may have been edited first), audited as such. */
export async function acceptSuggestedFaq({ ctx, input }: { ctx: Ctx; input: unknown }, opts: Opts = {}) {
  return addFaq(ctx, input, "faq.suggestion_accepted", opts);
}
