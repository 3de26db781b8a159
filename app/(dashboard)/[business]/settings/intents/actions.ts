"use server";
// Intents actions (Settings → Intents): each resolves the member context again; the verbs check roles.
import { revalidatePath } from "next/cache";
import { memberContext } from "@/lib/auth/member";
import { actionError, type FormState } from "@/lib/action";
import { applyIntentTemplate, createIntent, deleteIntent, updateIntent } from "@/lib/services/intents";

const str = (v: FormDataEntryValue | null) => (typeof v === "string" ? v : "");
const done = (slug: string, ok: string): FormState => {
  revalidatePath(`/${slug}/settings/intents`);
  return { ok };
};

export async function createIntentAction(slug: string, _: FormState, form: FormData): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    await createIntent({ ctx, input: { name: str(form.get("name")), description: str(form.get("description")) } });
  } catch (err) {
    return actionError(err, ["name", "description"]);
  }
  return done(slug, "Intent added.");
}

export async function updateIntentAction(slug: string, id: string, _: FormState, form: FormData): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    await updateIntent({ ctx, input: { id, name: str(form.get("name")), description: str(form.get("description")) } });
  } catch (err) {
    return actionError(err, ["name", "description"]);
  }
  return done(slug, "Saved.");
}

export async function deleteIntentAction(slug: string, id: string): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    await deleteIntent({ ctx, input: { id } });
  } catch (err) {
    return actionError(err);
  }
  return done(slug, "Intent deleted.");
}

export async function applyIntentTemplateAction(slug: string, kind: string): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    const { added } = await applyIntentTemplate({ ctx, input: { kind } });
    return done(slug, added ? `Added ${added} intent${added === 1 ? "" : "s"}.` : "Every intent of that list is already here.");
  } catch (err) {
    return actionError(err);
  }
}
