"use server";
import { redirect } from "next/navigation";
import { requireUser } from "@/lib/auth";
import { toErrorBody } from "@/lib/errors";
import { acceptInvitation } from "@/lib/services/members";

export async function acceptInvitationAction(token: string): Promise<{ error?: string }> {
  const user = await requireUser({ next: `/invitations/${token}` });
  let slug: string;
  try {
    slug = (await acceptInvitation({ user, token })).slug;
  } catch (err) {
    return { error: toErrorBody(err).body.error.message };
  }
  redirect(`/${slug}/inbox`);
}
