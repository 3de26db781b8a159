// Team: invitations by email, roles, removal.
import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { env } from "@/lib/env";
import { rows, withService, withTenant, type Tx } from "@/lib/db/client";
import { findBusinessById, findMembership, insertMember, listMembers, listPendingInvitations } from "@/lib/db/businesses";
import { normaliseEmail } from "@/lib/db/users";
import { invitations, members } from "@/lib/db/schema";
import { enqueueEmail } from "@/lib/channels/outbox";
import { newToken, tokenHash } from "@/lib/security/crypto";
import { AppError } from "@/lib/errors";
import type { SessionUser } from "@/lib/auth/types";
import { audit } from "./audit";
import { MANAGERS, requireRole, type Ctx } from "./context";

const INVITE_TTL_MS = 7 * 24 * 3600 * 1000;

/** Settings → Team: the members and the pending invitations (whose emails agents must not see). */
export async function listTeam({ ctx }: { ctx: Ctx }) {
  requireRole(ctx, MANAGERS);
  return withTenant(ctx.actor.userId, async (tx) => ({
    members: await listMembers(tx, ctx.businessId),
    invitations: await listPendingInvitations(tx, ctx.businessId),
  }));
}

export const InviteInput = z.object({
  email: z.preprocess((v) => (typeof v === "string" ? v.trim() : v), z.email("Enter a valid email address").max(254, "Keep the address under 254 characters")),
  role: z.enum(["admin", "agent"], { message: "Choose admin or agent" }),
});

/**
 * Invites an address to the business, or re-sends its pending invitation: one pending invitation per
 * business and address (a unique index), so a second invite — or two at once — refreshes that row with
 * a new link, role and week to accept, and the old link stops working. `resent` says which happened.
 */
export async function inviteMember({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requireRole(ctx, MANAGERS);
  const { email, role } = InviteInput.parse(input);
  if (role === "admin" && ctx.actor.role !== "owner") throw new AppError("forbidden", "Only owners can invite admins.", { field: "role" });
  const normalised = normaliseEmail(email);
  const { token, hash } = newToken();
  const link = `${env().appUrl}/invitations/${token}`;
  const { invitation, resent } = await withTenant(ctx.actor.userId, async (tx) => {
    const business = await findBusinessById(tx, ctx.businessId);
    if (!business) throw new AppError("not_found", "Business not found.");
    const existing = await rows(
      tx,
      sql`select 1 from members m join users u on u.id = m.user_id where m.business_id = ${ctx.businessId} and u.email = ${normalised}`,
    );
    if (existing.length) throw new AppError("conflict", `${normalised} is already a member.`, { field: "email" });
    const expiresAt = new Date(Date.now() + INVITE_TTL_MS);
    const [row] = await tx
      .insert(invitations)
      .values({ businessId: ctx.businessId, email: normalised, role, tokenHash: hash, invitedBy: ctx.actor.userId, expiresAt })
      .onConflictDoUpdate({
        target: [invitations.businessId, invitations.email],
        targetWhere: sql`${invitations.acceptedAt} is null`,
        set: { role, tokenHash: hash, invitedBy: ctx.actor.userId, expiresAt },
      })
      // xmax is 0 only on a row this statement inserted: an update means the invitation was pending.
      .returning({ id: invitations.id, role: invitations.role, expiresAt: invitations.expiresAt, inserted: sql<boolean>`(xmax = 0)` });
    await enqueueEmail(tx, {
      businessId: ctx.businessId,
      to: normalised,
      subject: `You're invited to ${business.name} on PrismAI`,
      body: `You have been invited to join ${business.name} as ${role}. Accept within 7 days:\n\n${link}`,
      payload: { kind: "invitation", link },
    });
    const resent = !row!.inserted;
    await audit(tx, ctx, resent ? "member.invitation_resent" : "member.invited", { type: "invitation", id: row!.id }, { email: normalised, role });
    return { invitation: row!, resent };
  });
  return { invitation, link, resent, email: normalised };
}

export async function revokeInvitation({ ctx, input }: { ctx: Ctx; input: { invitationId: string } }) {
  requireRole(ctx, MANAGERS);
  const id = z.uuid().parse(input.invitationId);
  await withTenant(ctx.actor.userId, async (tx) => {
    const [row] = await tx
      .delete(invitations)
      .where(and(eq(invitations.id, id), eq(invitations.businessId, ctx.businessId)))
      .returning();
    if (!row) throw new AppError("not_found", "Invitation not found.");
    await audit(tx, ctx, "member.invitation_revoked", { type: "invitation", id }, { email: row.email });
  });
}

/** Looks up a live invitation by its link token (no session needed to show it). */
export async function findInvitation(token: string) {
  return withService(async (tx) => {
    const [row] = await tx
      .select()
      .from(invitations)
      .where(and(eq(invitations.tokenHash, tokenHash(token)), isNull(invitations.acceptedAt), sql`${invitations.expiresAt} > now()`))
      .limit(1);
    if (!row) return null;
    const business = await findBusinessById(tx, row.businessId);
    return business ? { invitation: row, business } : null;
  });
}

export async function acceptInvitation({ user, token }: { user: SessionUser; token: string }) {
  return withService(async (tx) => {
    const [row] = await tx
      .select()
      .from(invitations)
      .where(and(eq(invitations.tokenHash, tokenHash(token)), isNull(invitations.acceptedAt), sql`${invitations.expiresAt} > now()`))
      .limit(1);
    if (!row) throw new AppError("not_found", "This invitation is invalid, used or expired.");
    if (row.email !== normaliseEmail(user.email)) {
      throw new AppError("forbidden", `This invitation is for ${row.email}. Sign in with that email to accept it.`);
    }
    const business = (await findBusinessById(tx, row.businessId))!;
    if (!(await findMembership(tx, row.businessId, user.id))) {
      await insertMember(tx, { businessId: row.businessId, userId: user.id, role: row.role });
    }
    await tx.update(invitations).set({ acceptedAt: new Date() }).where(eq(invitations.id, row.id));
    const ctx: Ctx = { businessId: row.businessId, actor: { type: "member", userId: user.id, role: row.role } };
    await audit(tx, ctx, "member.joined", { type: "member", id: user.id }, { email: row.email, role: row.role });
    return business;
  });
}

export const ChangeRoleInput = z.object({ memberId: z.uuid(), role: z.enum(["owner", "admin", "agent"]) });

async function ownerCount(tx: Tx, businessId: string) {
  const rows = await tx.select({ id: members.id }).from(members).where(and(eq(members.businessId, businessId), eq(members.role, "owner")));
  return rows.length;
}

export async function changeMemberRole({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requireRole(ctx, ["owner"]);
  const { memberId, role } = ChangeRoleInput.parse(input);
  await withTenant(ctx.actor.userId, async (tx) => {
    const [target] = await tx.select().from(members).where(and(eq(members.id, memberId), eq(members.businessId, ctx.businessId)));
    if (!target) throw new AppError("not_found", "Member not found.");
    if (target.role === "owner" && role !== "owner" && (await ownerCount(tx, ctx.businessId)) <= 1) {
      throw new AppError("conflict", "A business needs at least one owner.");
    }
    await tx.update(members).set({ role }).where(and(eq(members.id, memberId), eq(members.businessId, ctx.businessId)));
    await audit(tx, ctx, "member.role_changed", { type: "member", id: target.userId }, { from: target.role, to: role });
  });
}

export async function removeMember({ ctx, input }: { ctx: Ctx; input: { memberId: string } }) {
  requireRole(ctx, MANAGERS);
  const memberId = z.uuid().parse(input.memberId);
  await withTenant(ctx.actor.userId, async (tx) => {
    const [target] = await tx.select().from(members).where(and(eq(members.id, memberId), eq(members.businessId, ctx.businessId)));
    if (!target) throw new AppError("not_found", "Member not found.");
    if (target.role !== "agent" && ctx.actor.role !== "owner") throw new AppError("forbidden", "Only owners can remove owners or admins.");
    if (target.role === "owner" && (await ownerCount(tx, ctx.businessId)) <= 1) {
      throw new AppError("conflict", "A business needs at least one owner.");
    }
    await tx.delete(members).where(and(eq(members.id, memberId), eq(members.businessId, ctx.businessId)));
    await audit(tx, ctx, "member.removed", { type: "member", id: target.userId }, { role: target.role });
  });
}
