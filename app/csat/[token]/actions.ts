"use server";
import { actionError } from "@/lib/action";
import { rateSurveyByLink } from "@/lib/services/csat";

export type CsatFormState = { error?: string; rating?: number } | null;

/** The email survey's buttons: anyone holding the link may rate, once. */
export async function rateSurveyAction(_prev: CsatFormState, formData: FormData): Promise<CsatFormState> {
  try {
    return await rateSurveyByLink({ input: { token: formData.get("token"), rating: formData.get("rating") } });
  } catch (err) {
    return actionError(err);
  }
}
