"use server";
import { redirect } from "next/navigation";
import { requireUser } from "@/lib/auth";
import { actionError, type FormState } from "@/lib/action";
import { createBusiness } from "@/lib/services/businesses";

export async function createBusinessAction(_: FormState, form: FormData): Promise<FormState> {
  const user = await requireUser();
  let slug: string;
  try {
    const business = await createBusiness({ user, input: { name: form.get("name"), timeZone: form.get("timeZone") || undefined } });
    slug = business.slug;
  } catch (err) {
    return actionError(err, ["name"]);
  }
  redirect(`/${slug}/inbox`);
}
