// Built-in auth (the embedded default): scrypt hashes, a signed httpOnly SameSite session cookie,
// throttling after 10 failures in 15 minutes per email and per IP, password reset through the outbox.
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { withService } from "@/lib/db/client";
import {
  consumePasswordReset,
  createSession,
  findLiveSession,
  findUserByEmail,
  findUserById,
  insertPasswordReset,
  insertUser,
  normaliseEmail,
  releaseAuthAttempts,
  reserveAuthAttempts,
  revokeAllSessions,
  revokeSession,
  setPassword,
} from "@/lib/db/users";
import { enqueueEmail } from "@/lib/channels/outbox";
import { SESSION_COOKIE, SESSION_TTL_MS, signSessionToken, verifySessionToken } from "./session-token";
import { newToken, tokenHash } from "@/lib/security/crypto";
import { hashPassword, verifyPassword } from "./password";
import type { CookieJar } from "./cookies";
import type { ResetInput, SessionUser, SignInInput, SignUpInput } from "./types";

export { SESSION_COOKIE };

export const FAILURE_LIMIT = 10;
export const FAILURE_WINDOW_MS = 15 * 60 * 1000;
const RESET_TTL_MS = 3600 * 1000;

async function issueSession(jar: CookieJar, userId: string): Promise<void> {
  const session = await withService((tx) => createSession(tx, userId, SESSION_TTL_MS));
  jar.set(SESSION_COOKIE, await signSessionToken(session.id, userId), {
    httpOnly: true,
    sameSite: "lax",
    secure: env().appUrl.startsWith("https://"),
    path: "/",
    maxAge: SESSION_TTL_MS / 1000,
  });
}

export async function localCurrentUser(jar: CookieJar): Promise<SessionUser | null> {
  const token = jar.get(SESSION_COOKIE)?.value;
  if (!token) return null;
  const claims = await verifySessionToken(token);
  if (!claims) return null;
  const row = await withService((tx) => findLiveSession(tx, claims.sid));
  if (!row || row.user.id !== claims.sub) return null;
  return { id: row.user.id, email: row.user.email, name: row.user.name };
}

export async function localSignUp(jar: CookieJar, input: SignUpInput): Promise<SessionUser> {
  const passwordHash = await hashPassword(input.password);
  const user = await withService(async (tx) => {
    if (await findUserByEmail(tx, input.email)) {
      throw new AppError("conflict", "An account with this email already exists. Sign in instead.");
    }
    return insertUser(tx, { email: input.email, name: input.name, passwordHash });
  });
  await issueSession(jar, user.id);
  return { id: user.id, email: user.email, name: user.name };
}

export async function localSignIn(jar: CookieJar, input: SignInInput, ip: string | null): Promise<SessionUser> {
  const email = normaliseEmail(input.email);
  const keys = [`email:${email}`, ...(ip ? [`ip:${ip}`] : [])];
  const since = new Date(Date.now() - FAILURE_WINDOW_MS);
  // The attempt is counted before the password is checked (atomically: see reserveAuthAttempts), so
  // 25 attempts at once fare as 25 in a row: 10 checked, 15 throttled. A wrong password leaves its
  // reservation as the failure; a right one takes it back.
  const { reserved, user } = await withService(async (tx) => ({
    reserved: await reserveAuthAttempts(tx, keys, FAILURE_LIMIT, since),
    user: await findUserByEmail(tx, email),
  }));
  if (!reserved) {
    throw new AppError("rate_limited", "Too many failed sign-ins. Wait 15 minutes or reset your password.", { retryAfterSeconds: FAILURE_WINDOW_MS / 1000 });
  }
  const ok = await verifyPassword(input.password, user?.passwordHash);
  if (!user || !ok) throw new AppError("unauthorized", "That email and password do not match.");
  await withService((tx) => releaseAuthAttempts(tx, reserved));
  await issueSession(jar, user.id);
  return { id: user.id, email: user.email, name: user.name };
}

export async function localSignOut(jar: CookieJar): Promise<void> {
  const token = jar.get(SESSION_COOKIE)?.value;
  const claims = token ? await verifySessionToken(token) : null;
  if (claims) await withService((tx) => revokeSession(tx, claims.sid));
  jar.delete(SESSION_COOKIE);
}

/** Always answers the same way, whether or not the email has an account. */
export async function localRequestPasswordReset(email: string): Promise<void> {
  await withService(async (tx) => {
    const user = await findUserByEmail(tx, email);
    if (!user) return;
    const { token, hash } = newToken();
    await insertPasswordReset(tx, user.id, hash, RESET_TTL_MS);
    const link = `${env().appUrl}/reset-password?token=${encodeURIComponent(token)}`;
    await enqueueEmail(tx, {
      businessId: null,
      to: user.email,
      subject: "Reset your PrismAI password",
      body: `Someone asked to reset the password of this account. If it was you, open this link within an hour:\n\n${link}\n\nIf it was not you, ignore this email.`,
      payload: { kind: "password_reset", link },
    });
  });
}

export async function localResetPassword(jar: CookieJar, input: ResetInput): Promise<SessionUser> {
  const passwordHash = await hashPassword(input.password);
  const user = await withService(async (tx) => {
    const reset = await consumePasswordReset(tx, tokenHash(input.token));
    if (!reset) throw new AppError("bad_request", "This reset link is invalid or has expired. Ask for a new one.");
    await setPassword(tx, reset.userId, passwordHash);
    await revokeAllSessions(tx, reset.userId);
    return (await findUserById(tx, reset.userId))!;
  });
  await issueSession(jar, user.id);
  return { id: user.id, email: user.email, name: user.name };
}
