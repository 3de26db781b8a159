"use server";
// Settings → Notifications: a member's own phone for hand-offs and how they reach them. Each action
// resolves the member context again; a member only ever reads or changes their own number.
import { revalidatePath } from "next/cache";
import { memberContext } from "@/lib/auth/member";
import { actionError, type FormState } from "@/lib/action";
import { MEMBER_PHONE_FIELDS, removeMemberPhone, requestMemberPhoneCode, saveMemberLadder, verifyMemberPhone } from "@/lib/relay/phone";

const path = (slug: string) => `/${slug}/settings/notifications`;

/** Sets the member's number (or sends a new code to it): hand-offs reach it only once the code comes back. */
export async function requestMemberPhoneCodeAction(slug: string, input: { kind?: unknown; phone?: unknown }): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    const { masked } = await requestMemberPhoneCode({ ctx, input: { kind: input?.kind, phone: input?.phone } });
    revalidatePath(path(slug));
    return { ok: `Code sent to ${masked}. It expires in 10 minutes.` };
  } catch (err) {
    return actionError(err, MEMBER_PHONE_FIELDS);
  }
}

export async function verifyMemberPhoneAction(slug: string, input: { code?: unknown }): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    await verifyMemberPhone({ ctx, input: { code: input?.code } });
  } catch (err) {
    return actionError(err, MEMBER_PHONE_FIELDS);
  }
  revalidatePath(path(slug));
  return { ok: "Verified: hand-offs reach this phone, and your replies from it go to the customer." };
}

export async function saveMemberLadderAction(slug: string, input: Record<string, unknown>): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    await saveMemberLadder({
      ctx,
      input: { textAfterMinutes: input?.textAfterMinutes, callAfterMinutes: input?.callAfterMinutes, quietStart: input?.quietStart, quietEnd: input?.quietEnd },
    });
  } catch (err) {
    return actionError(err, MEMBER_PHONE_FIELDS);
  }
  revalidatePath(path(slug));
  return { ok: "Saved." };
}

export async function removeMemberPhoneAction(slug: string): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    await removeMemberPhone({ ctx });
  } catch (err) {
    return actionError(err);
  }
  revalidatePath(path(slug));
  return { ok: "Removed: hand-offs reach you in the dashboard and by email only." };
}
