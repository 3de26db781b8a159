// Accounts of owners and staff. Service path: sign-in and sign-up run before any tenant is known.
import { and, eq, gte, sql, count } from "drizzle-orm";
import type { Executor } from "./client";
import { authFailures, passwordResets, userSessions, users } from "./schema";

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

export async function findUserByEmail(ex: Executor, email: string) {
  const [row] = await ex.select().from(users).where(eq(users.email, normaliseEmail(email))).limit(1);
  return row;
}

export async function findUserById(ex: Executor, id: string) {
  const [row] = await ex.select().from(users).where(eq(users.id, id)).limit(1);
  return row;
}

export async function insertUser(ex: Executor, input: { id?: string; email: string; name?: string | null; passwordHash?: string | null }) {
  const [row] = await ex
    .insert(users)
    .values({ id: input.id, email: normaliseEmail(input.email), name: input.name ?? null, passwordHash: input.passwordHash ?? null })
    .returning();
  return row!;
}

/** For Supabase Auth: keep a users row per auth user so memberships can reference it. */
export async function upsertExternalUser(ex: Executor, input: { id: string; email: string; name?: string | null }) {
  const [row] = await ex
    .insert(users)
    .values({ id: input.id, email: normaliseEmail(input.email), name: input.name ?? null })
    .onConflictDoUpdate({ target: users.id, set: { email: normaliseEmail(input.email) } })
    .returning();
  return row!;
}

export async function createSession(ex: Executor, userId: string, ttlMs: number) {
  const [row] = await ex
    .insert(userSessions)
    .values({ userId, expiresAt: new Date(Date.now() + ttlMs) })
    .returning();
  return row!;
}

export async function findLiveSession(ex: Executor, id: string) {
  const [row] = await ex
    .select({ session: userSessions, user: users })
    .from(userSessions)
    .innerJoin(users, eq(users.id, userSessions.userId))
    .where(and(eq(userSessions.id, id), sql`${userSessions.revokedAt} is null`, sql`${userSessions.expiresAt} > now()`))
    .limit(1);
  return row;
}

export async function revokeSession(ex: Executor, id: string) {
  await ex.update(userSessions).set({ revokedAt: new Date() }).where(eq(userSessions.id, id));
}

export async function revokeAllSessions(ex: Executor, userId: string) {
  await ex.update(userSessions).set({ revokedAt: new Date() }).where(eq(userSessions.userId, userId));
}

export async function recordAuthFailure(ex: Executor, keys: string[]) {
  if (keys.length) await ex.insert(authFailures).values(keys.map((key) => ({ key })));
}

export async function countRecentFailures(ex: Executor, key: string, since: Date) {
  const [row] = await ex
    .select({ n: count() })
    .from(authFailures)
    .where(and(eq(authFailures.key, key), gte(authFailures.createdAt, since)));
  return Number(row?.n ?? 0);
}

export async function insertPasswordReset(ex: Executor, userId: string, tokenHash: string, ttlMs: number) {
  await ex.insert(passwordResets).values({ userId, tokenHash, expiresAt: new Date(Date.now() + ttlMs) });
}

export async function consumePasswordReset(ex: Executor, tokenHash: string) {
  const [row] = await ex
    .update(passwordResets)
    .set({ usedAt: new Date() })
    .where(and(eq(passwordResets.tokenHash, tokenHash), sql`${passwordResets.usedAt} is null`, sql`${passwordResets.expiresAt} > now()`))
    .returning();
  return row;
}

export async function setPassword(ex: Executor, userId: string, passwordHash: string) {
  await ex.update(users).set({ passwordHash }).where(eq(users.id, userId));
}
