"use server";
// Knowledge actions: each resolves the member context again, so roles are enforced on every call.
import { revalidatePath } from "next/cache";
import { memberContext } from "@/lib/auth/member";
import { actionError, type FieldErrors, type FormState } from "@/lib/action";
import { acceptSuggestedFaq, createFaq, deleteFaq, setFaqEnabled, updateFaq } from "@/lib/services/faqs";
import { createArticle, deleteDocument, updateDocument } from "@/lib/services/knowledge";

export type KnowledgeState = { error?: string; ok?: string; id?: string; fieldErrors?: FieldErrors } | null;
const str = (v: FormDataEntryValue | null) => (typeof v === "string" ? v : "");
const done = (slug: string) => revalidatePath(`/${slug}/knowledge`, "layout");

/** Creates an article (no id) or saves an article or uploaded document (with its id). */
export async function saveArticleAction(slug: string, id: string | null, _: KnowledgeState, form: FormData): Promise<KnowledgeState> {
  try {
    const { ctx } = await memberContext(slug);
    const input = { title: str(form.get("title")), content: str(form.get("content")) };
    const r = id ? await updateDocument({ ctx, input: { ...input, id } }) : await createArticle({ ctx, input });
    done(slug);
    return { ok: `Saved: ${r.chunks} ${r.chunks === 1 ? "chunk" : "chunks"} indexed.`, id: r.document.id };
  } catch (err) {
    return actionError(err, ["title", "content"]);
  }
}

export async function deleteDocumentAction(slug: string, id: string): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    await deleteDocument({ ctx, input: { id } });
  } catch (err) {
    return actionError(err);
  }
  done(slug);
  return { ok: "Deleted." };
}

const FAQ_FIELDS = ["question", "answer"];
const faqInput = (form: FormData) => ({ question: str(form.get("question")), answer: str(form.get("answer")), enabled: form.get("enabled") !== "off" });

export async function createFaqAction(slug: string, _: KnowledgeState, form: FormData): Promise<KnowledgeState> {
  try {
    const { ctx } = await memberContext(slug);
    const { id } = await createFaq({ ctx, input: faqInput(form) });
    done(slug);
    return { ok: "FAQ added.", id };
  } catch (err) {
    return actionError(err, FAQ_FIELDS);
  }
}

export async function updateFaqAction(slug: string, id: string, _: KnowledgeState, form: FormData): Promise<KnowledgeState> {
  try {
    const { ctx } = await memberContext(slug);
    await updateFaq({ ctx, input: { id, ...faqInput(form) } });
    done(slug);
    return { ok: "FAQ saved.", id };
  } catch (err) {
    return actionError(err, FAQ_FIELDS);
  }
}

export async function toggleFaqAction(slug: string, id: string, enabled: boolean): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    await setFaqEnabled({ ctx, input: { id, enabled } });
  } catch (err) {
    return actionError(err);
  }
  done(slug);
  return { ok: enabled ? "FAQ enabled." : "FAQ disabled." };
}

export async function deleteFaqAction(slug: string, id: string): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    await deleteFaq({ ctx, input: { id } });
  } catch (err) {
    return actionError(err);
  }
  done(slug);
  return { ok: "FAQ deleted." };
}

export async function acceptSuggestionAction(slug: string, _: KnowledgeState, form: FormData): Promise<KnowledgeState> {
  try {
    const { ctx } = await memberContext(slug);
    const { id } = await acceptSuggestedFaq({ ctx, input: faqInput(form) });
    done(slug);
    return { ok: "Added to your FAQs.", id };
  } catch (err) {
    return actionError(err, FAQ_FIELDS);
  }
}
