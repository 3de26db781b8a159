import "server-only";
// Resolves the dashboard's [business] segment to a member context, or 404 for anyone else.
import { cache } from "react";
import { notFound } from "next/navigation";
import { withTenant } from "@/lib/db/client";
import { findBusinessBySlug, findMembership, type Business } from "@/lib/db/businesses";
import { AppError } from "@/lib/errors";
import type { MemberCtx } from "@/lib/services/context";
import { requireUser, type SessionUser } from "./index";

export type MemberContext = { user: SessionUser; business: Business; ctx: MemberCtx };

async function resolve(user: SessionUser, slug: string): Promise<MemberContext | null> {
  // As `authenticated`: RLS hides businesses the user is not a member of.
  return withTenant(user.id, async (tx) => {
    const business = await findBusinessBySlug(tx, slug);
    if (!business) return null;
    const membership = await findMembership(tx, business.id, user.id);
    if (!membership) return null;
    return {
      user,
      business,
      ctx: { businessId: business.id, actor: { type: "member", userId: user.id, role: membership.role } },
    };
  });
}

/** For pages and server actions: redirect to sign-in, 404 for a business the user is not in. */
export const memberContext = cache(async (slug: string): Promise<MemberContext> => {
  const user = await requireUser({ next: `/${slug}` });
  const found = await resolve(user, slug);
  if (!found) notFound();
  return found;
});

/** For route handlers: 401 without a session, 404 for a business the user is not in. */
export async function apiMemberContext(slug: string): Promise<MemberContext> {
  const user = await requireUser({ api: true });
  const found = await resolve(user, slug);
  if (!found) throw new AppError("not_found", "Business not found.");
  return found;
}
