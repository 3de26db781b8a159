"use server";
// Settings actions: each resolves the member context again, so roles are enforced on every call.
import { revalidatePath } from "next/cache";
import { memberContext } from "@/lib/auth/member";
import { actionError, type FormState } from "@/lib/action";
import { updateBusinessProfile } from "@/lib/services/businesses";
import { changeMemberRole, inviteMember, removeMember, revokeInvitation } from "@/lib/services/members";
import { updateAiSettings } from "@/lib/services/ai-settings";
import { LIMITS_FIELDS, updateLimits } from "@/lib/services/limits";
import { DIGEST_PHONE_FIELDS, removeDigestPhone, requestDigestPhoneCode, verifyDigestPhone } from "@/lib/services/digest-phone";

export type { FormState };
const fail = actionError;

/** The AI form's fields: each day's hours has its own line; anything else about hours goes to the fieldset. */
const AI_FIELDS = [
  "persona",
  "tone",
  "instructions",
  "hours",
  ...["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => `hours.weekly.${d}`),
  "afterHours",
  "afterHoursMessage",
  "prohibitedTopics",
  "escalationRules",
  "modelPreference",
  "cacheThreshold",
  "fallbackReply",
];
const str = (v: FormDataEntryValue | null) => (typeof v === "string" ? v : "");

export async function updateProfileAction(slug: string, _: FormState, form: FormData): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    await updateBusinessProfile({
      ctx,
      input: { name: str(form.get("name")), timeZone: str(form.get("timeZone")), brandColor: str(form.get("brandColor")), logoUrl: str(form.get("logoUrl")) },
    });
  } catch (err) {
    return fail(err, ["name", "timeZone", "brandColor", "logoUrl"]);
  }
  revalidatePath(`/${slug}`, "layout");
  return { ok: "Saved." };
}

export async function inviteMemberAction(slug: string, _: FormState, form: FormData): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    const { link, resent, email } = await inviteMember({ ctx, input: { email: str(form.get("email")), role: str(form.get("role")) } });
    revalidatePath(`/${slug}/settings/team`);
    return { ok: `Invitation ${resent ? "re-sent" : "sent"} to ${email}.`, link };
  } catch (err) {
    return fail(err, ["email", "role"]);
  }
}

export async function changeRoleAction(slug: string, memberId: string, role: string): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    await changeMemberRole({ ctx, input: { memberId, role } });
  } catch (err) {
    return fail(err);
  }
  revalidatePath(`/${slug}/settings/team`);
  return { ok: "Role changed." };
}

export async function removeMemberAction(slug: string, memberId: string): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    await removeMember({ ctx, input: { memberId } });
  } catch (err) {
    return fail(err);
  }
  revalidatePath(`/${slug}/settings/team`);
  return { ok: "Member removed." };
}

export async function revokeInvitationAction(slug: string, invitationId: string): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    await revokeInvitation({ ctx, input: { invitationId } });
  } catch (err) {
    return fail(err);
  }
  revalidatePath(`/${slug}/settings/team`);
  return { ok: "Invitation revoked." };
}

export async function updateAiSettingsAction(slug: string, json: string): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    let input: unknown;
    try {
      input = JSON.parse(json);
    } catch {
      return { error: "The settings could not be read. Reload the page and try again." };
    }
    await updateAiSettings({ ctx, input });
  } catch (err) {
    return fail(err, AI_FIELDS);
  }
  revalidatePath(`/${slug}/settings/ai`);
  return { ok: "Saved. Cached answers made under the old settings will no longer be served." };
}

export async function updateLimitsAction(slug: string, input: Record<string, unknown>): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    await updateLimits({ ctx, input });
  } catch (err) {
    return fail(err, LIMITS_FIELDS);
  }
  revalidatePath(`/${slug}/settings/limits`);
  return { ok: "Saved." };
}

/** Sets the digest's phone (or sends a new code to it): nothing is texted there until the code comes back. */
export async function requestDigestPhoneCodeAction(slug: string, input: { kind?: unknown; phone?: unknown }): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    const { masked } = await requestDigestPhoneCode({ ctx, input: { kind: input?.kind, phone: input?.phone } });
    revalidatePath(`/${slug}/settings/limits`);
    return { ok: `Code sent to ${masked}. It expires in 10 minutes.` };
  } catch (err) {
    return fail(err, DIGEST_PHONE_FIELDS);
  }
}

export async function verifyDigestPhoneAction(slug: string, input: { code?: unknown }): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    await verifyDigestPhone({ ctx, input: { code: input?.code } });
  } catch (err) {
    return fail(err, DIGEST_PHONE_FIELDS);
  }
  revalidatePath(`/${slug}/settings/limits`);
  return { ok: "Verified: the digest will be texted to this number too." };
}

export async function removeDigestPhoneAction(slug: string): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    await removeDigestPhone({ ctx });
  } catch (err) {
    return fail(err);
  }
  revalidatePath(`/${slug}/settings/limits`);
  return { ok: "Removed: the digest goes by email only." };
}
