import "server-only";
// The auth port: Supabase Auth when configured, the built-in adapter otherwise.
import { redirect } from "next/navigation";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { requestClientIp } from "@/lib/security/client-ip";
import { requestCookies, type CookieJar } from "./cookies";
import * as local from "./local";
import * as supa from "./supabase";
import { ResetInput, SignInInput, SignUpInput, type SessionUser, type SignUpResult } from "./types";

export type { SessionUser } from "./types";

const isSupabase = () => env().adapters.auth === "supabase";

export async function currentUser(jar?: CookieJar): Promise<SessionUser | null> {
  const j = jar ?? (await requestCookies());
  return isSupabase() ? supa.supabaseCurrentUser(j) : local.localCurrentUser(j);
}

/** The signed-in user, or a redirect to sign-in (pages) / a 401 (routes: pass { api: true }). */
export async function requireUser(opts: { api?: boolean; next?: string } = {}): Promise<SessionUser> {
  const user = await currentUser();
  if (user) return user;
  if (opts.api) throw new AppError("unauthorized", "Sign in first.");
  redirect(opts.next ? `/sign-in?next=${encodeURIComponent(opts.next)}` : "/sign-in");
}

export async function signUp(raw: unknown): Promise<SignUpResult> {
  const input = SignUpInput.parse(raw);
  const jar = await requestCookies();
  if (isSupabase()) return supa.supabaseSignUp(jar, input);
  return { user: await local.localSignUp(jar, input) };
}

export async function signIn(raw: unknown): Promise<SessionUser> {
  const input = SignInInput.parse(raw);
  const jar = await requestCookies();
  if (isSupabase()) return supa.supabaseSignIn(jar, input);
  return local.localSignIn(jar, input, await requestClientIp());
}

export async function sendMagicLink(email: string): Promise<void> {
  if (!isSupabase()) throw new AppError("bad_request", "Magic links need Supabase Auth; sign in with your password.");
  await supa.supabaseMagicLink(await requestCookies(), email);
}

export async function signOut(): Promise<void> {
  const jar = await requestCookies();
  if (isSupabase()) await supa.supabaseSignOut(jar);
  else await local.localSignOut(jar);
}

export async function requestPasswordReset(email: string): Promise<void> {
  if (isSupabase()) await supa.supabaseRequestPasswordReset(await requestCookies(), email);
  else await local.localRequestPasswordReset(email);
}

export async function resetPassword(raw: unknown): Promise<SessionUser> {
  const jar = await requestCookies();
  if (isSupabase()) {
    const password = ResetInput.shape.password.parse((raw as { password?: unknown })?.password);
    return supa.supabaseUpdatePassword(jar, password);
  }
  return local.localResetPassword(jar, ResetInput.parse(raw));
}
