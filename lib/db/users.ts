// Accounts of owners and staff. Service path: sign-in and sign-up run before any tenant is known.
import { and, eq, gte, inArray, sql, count } from "drizzle-orm";
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

/**
 * Reserves one sign-in attempt per key, before the password is checked, unless a key already has
 * `limit` failures (and attempts in flight) since `since`: then null and nothing is stored. The keys
 * are locked for the transaction (advisory locks, in one order), so concurrent attempts on a pool of
 * connections count one after another. A reservation counts as a failure until released.
 */
export async function reserveAuthAttempts(tx: Executor, keys: string[], limit: number, since: Date): Promise<number[] | null> {
  if (!keys.length) return [];
  for (const key of [...keys].sort()) await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`auth:${key}`}, 0))`);
  const counts = await countRecentAttempts(tx, keys, since);
  if (keys.some((k) => (counts.get(k) ?? 0) >= limit)) return null;
  const rows = await tx.insert(authFailures).values(keys.map((key) => ({ key }))).returning({ id: authFailures.id });
  return rows.map((r) => r.id);
}

export async function releaseAuthAttempts(ex: Executor, ids: number[]) {
  if (ids.length) await ex.delete(authFailures).where(inArray(authFailures.id, ids));
}

/** Failures and attempts in flight per key since `since`, in one statement. */
export async function countRecentAttempts(ex: Executor, keys: string[], since: Date): Promise<Map<string, number>> {
  if (!keys.length) return new Map();
  const rows = await ex
    .select({ key: authFailures.key, n: count() })
    .from(authFailures)
    .where(and(inArray(authFailures.key, keys), gte(authFailures.createdAt, since)))
    .groupBy(authFailures.key);
  return new Map(rows.map((r) => [r.key, Number(r.n)]));
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
