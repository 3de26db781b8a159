"use server";
import { actionError } from "@/lib/action";
import { withService } from "@/lib/db/client";
import { unsubscribeByLink } from "@/lib/campaigns/consent";

export type UnsubscribeState = { error?: string; done?: string } | null;

/** The campaign email's unsubscribe button: anyone holding the signed link may use it. */
export async function unsubscribeAction(_prev: UnsubscribeState, formData: FormData): Promise<UnsubscribeState> {
  try {
    const { businessName } = await withService((tx) => unsubscribeByLink(tx, formData.get("token")));
    return { done: businessName };
  } catch (err) {
    return actionError(err);
  }
}
