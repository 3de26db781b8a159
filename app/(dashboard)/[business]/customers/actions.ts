"use server";
// Customer actions: each resolves the member context again, so roles are enforced on every call.
import { revalidatePath } from "next/cache";
import { memberContext } from "@/lib/auth/member";
import { actionError, type FormState } from "@/lib/action";
import {
  bulkUpdateCustomers,
  deleteCustomer,
  mergeCustomers,
  setCustomerBlocked,
  setCustomerVerified,
  setLeadStage,
  updateCustomerDetails,
} from "@/lib/services/customers";

export type { FormState };
const str = (v: FormDataEntryValue | null) => (typeof v === "string" ? v : "");
const done = (slug: string) => revalidatePath(`/${slug}/customers`, "layout");

/** Name, notes and tags (comma-separated) from the profile form. */
export async function updateCustomerAction(slug: string, id: string, _: FormState, form: FormData): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    const tags = str(form.get("tags"))
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean);
    await updateCustomerDetails({ ctx, input: { id, name: str(form.get("name")), notes: str(form.get("notes")), tags } });
  } catch (err) {
    return actionError(err, ["name", "notes", "tags"]);
  }
  done(slug);
  return { ok: "Saved." };
}

export async function setVerifiedAction(slug: string, id: string, verified: boolean): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    await setCustomerVerified({ ctx, input: { id, verified } });
  } catch (err) {
    return actionError(err);
  }
  done(slug);
  return { ok: verified ? "Marked as verified." : "No longer verified." };
}

export async function setBlockedAction(slug: string, id: string, blocked: boolean): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    await setCustomerBlocked({ ctx, input: { id, blocked } });
  } catch (err) {
    return actionError(err);
  }
  done(slug);
  return { ok: blocked ? "Blocked: the agent will not answer them." : "Unblocked." };
}

/** Merges `sourceId` into the customer whose profile this is (`targetId`). */
export async function mergeCustomerAction(slug: string, targetId: string, sourceId: string): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    const { moved } = await mergeCustomers({ ctx, input: { sourceId, targetId } });
    done(slug);
    const n = Object.values(moved).reduce((a, b) => a + b, 0);
    return { ok: `Merged: ${n} ${n === 1 ? "record" : "records"} moved to this customer.` };
  } catch (err) {
    return actionError(err);
  }
}

export async function deleteCustomerAction(slug: string, id: string): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    await deleteCustomer({ ctx, input: { id } });
  } catch (err) {
    return actionError(err);
  }
  done(slug);
  return { ok: "The customer and everything about them were deleted." };
}

export async function bulkCustomersAction(slug: string, input: { action: string; ids: string[]; tag?: string }): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    const { selected, changed } = await bulkUpdateCustomers({ ctx, input });
    done(slug);
    const verb = { tag: "Tagged", untag: "Untagged", block: "Blocked", unblock: "Unblocked" }[input.action] ?? "Changed";
    return { ok: `${verb} ${changed} of ${selected} selected.` };
  } catch (err) {
    return actionError(err);
  }
}

/** "customer" or "lost" as staff decide; "" hands the stage back to the lead score. */
export async function setLeadStageAction(slug: string, id: string, stage: string): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    await setLeadStage({ ctx, input: { id, stage: stage === "" ? null : stage } });
  } catch (err) {
    return actionError(err);
  }
  done(slug);
  return { ok: "Lead stage saved." };
}
