"use server";
import { redirect } from "next/navigation";
import { requireUser } from "@/lib/auth";
import { actionError } from "@/lib/action";
import { acceptInvitation } from "@/lib/services/members";

export async function acceptInvitationAction(token: string): Promise<{ error?: string }> {
  const user = await requireUser({ next: `/invitations/${token}` });
  let slug: string;
  try {
    slug = (await acceptInvitation({ user, token })).slug;
  } catch (err) {
    return actionError(err);
  }
  redirect(`/${slug}/inbox`);
}
