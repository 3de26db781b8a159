"use server";
// Inbox actions: each resolves the member context again.
import { cookies } from "next/headers";
import { revalidatePath } from "next/cache";
import { memberContext } from "@/lib/auth/member";
import { setupHiddenCookie } from "@/lib/services/setup";

/** Hides the set-up checklist: a preference of this browser, so nothing to store or audit. */
export async function dismissSetupAction(slug: string): Promise<void> {
  const { business } = await memberContext(slug);
  (await cookies()).set(setupHiddenCookie(business.id), "1", { path: `/${business.slug}`, maxAge: 365 * 24 * 3600, sameSite: "lax", httpOnly: true });
  revalidatePath(`/${business.slug}/inbox`);
}
