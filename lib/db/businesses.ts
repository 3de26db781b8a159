// Tenants and their members. Every query names the business it is about.
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Executor } from "./client";
import { auditLog, businesses, channels, invitations, members, users } from "./schema";

export type Business = typeof businesses.$inferSelect;
export type Role = (typeof members.$inferSelect)["role"];

export async function findBusinessBySlug(ex: Executor, slug: string) {
  const [row] = await ex.select().from(businesses).where(eq(businesses.slug, slug)).limit(1);
  return row;
}

export async function findBusinessById(ex: Executor, id: string) {
  const [row] = await ex.select().from(businesses).where(eq(businesses.id, id)).limit(1);
  return row;
}

export async function findMembership(ex: Executor, businessId: string, userId: string) {
  const [row] = await ex
    .select()
    .from(members)
    .where(and(eq(members.businessId, businessId), eq(members.userId, userId)))
    .limit(1);
  return row;
}

/** The businesses a user belongs to, with their role: the switcher. */
export async function listUserBusinesses(ex: Executor, userId: string) {
  return ex
    .select({ id: businesses.id, slug: businesses.slug, name: businesses.name, role: members.role })
    .from(members)
    .innerJoin(businesses, eq(businesses.id, members.businessId))
    .where(eq(members.userId, userId))
    .orderBy(asc(businesses.name));
}

export async function listMembers(ex: Executor, businessId: string) {
  return ex
    .select({ id: members.id, userId: members.userId, role: members.role, email: users.email, name: users.name, createdAt: members.createdAt })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(eq(members.businessId, businessId))
    .orderBy(asc(members.createdAt));
}

export async function listPendingInvitations(ex: Executor, businessId: string) {
  return ex
    .select()
    .from(invitations)
    .where(and(eq(invitations.businessId, businessId), isNull(invitations.acceptedAt), sql`${invitations.expiresAt} > now()`))
    .orderBy(asc(invitations.createdAt));
}

export async function insertBusiness(ex: Executor, values: typeof businesses.$inferInsert) {
  const [row] = await ex.insert(businesses).values(values).returning();
  return row!;
}

export async function updateBusiness(ex: Executor, businessId: string, values: Partial<typeof businesses.$inferInsert>) {
  const [row] = await ex
    .update(businesses)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(businesses.id, businessId))
    .returning();
  return row;
}

export async function insertMember(ex: Executor, values: typeof members.$inferInsert) {
  const [row] = await ex.insert(members).values(values).onConflictDoNothing().returning();
  return row;
}

export async function insertChannel(ex: Executor, values: typeof channels.$inferInsert) {
  const [row] = await ex.insert(channels).values(values).returning();
  return row!;
}

export async function insertAudit(ex: Executor, values: typeof auditLog.$inferInsert) {
  await ex.insert(auditLog).values(values);
}
