"use server";
import { redirect } from "next/navigation";
import { requireUser } from "@/lib/auth";
import { toErrorBody } from "@/lib/errors";
import { createBusiness } from "@/lib/services/businesses";

export type FormState = { error?: string; ok?: string } | null;

export async function createBusinessAction(_: FormState, form: FormData): Promise<FormState> {
  const user = await requireUser();
  let slug: string;
  try {
    const business = await createBusiness({ user, input: { name: form.get("name"), timeZone: form.get("timeZone") || undefined } });
    slug = business.slug;
  } catch (err) {
    return { error: toErrorBody(err).body.error.message };
  }
  redirect(`/${slug}/inbox`);
}
