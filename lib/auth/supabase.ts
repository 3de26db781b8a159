// Supabase Auth through @supabase/ssr: password and magic-link sign-in, sessions in cookies that
// proxy.ts refreshes. Access tokens are verified locally when SUPABASE_JWT_SECRET is set.
import { createServerClient } from "@supabase/ssr";
import { jwtVerify } from "jose";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { withService } from "@/lib/db/client";
import { upsertExternalUser } from "@/lib/db/users";
import type { CookieJar } from "./cookies";
import type { SessionUser, SignInInput, SignUpInput, SignUpResult } from "./types";

export function supabaseClient(jar: CookieJar) {
  const e = env();
  return createServerClient(e.NEXT_PUBLIC_SUPABASE_URL!, e.NEXT_PUBLIC_SUPABASE_ANON_KEY!, {
    cookies: {
      getAll: () => jar.getAll(),
      setAll: (list) => list.forEach((c) => jar.set(c.name, c.value, c.options as never)),
    },
  });
}

/** Verifies a Supabase access token signed with the project's JWT secret (HS256). */
export async function verifySupabaseToken(token: string, secret: string): Promise<{ id: string; email: string } | null> {
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      algorithms: ["HS256"],
      audience: "authenticated",
    });
    if (typeof payload.sub !== "string" || typeof payload.email !== "string") return null;
    return { id: payload.sub, email: payload.email };
  } catch {
    return null;
  }
}

async function toSessionUser(u: { id: string; email: string; name?: string | null }): Promise<SessionUser> {
  const row = await withService((tx) => upsertExternalUser(tx, u));
  return { id: row.id, email: row.email, name: row.name };
}

export async function supabaseCurrentUser(jar: CookieJar): Promise<SessionUser | null> {
  const supabase = supabaseClient(jar);
  const secret = env().SUPABASE_JWT_SECRET;
  if (secret) {
    const { data } = await supabase.auth.getSession();
    const token = data.session?.access_token;
    if (!token) return null;
    const claims = await verifySupabaseToken(token, secret);
    return claims ? toSessionUser(claims) : null;
  }
  const { data, error } = await supabase.auth.getUser();
  if (error || !data.user?.email) return null;
  return toSessionUser({ id: data.user.id, email: data.user.email });
}

export async function supabaseSignUp(jar: CookieJar, input: SignUpInput): Promise<SignUpResult> {
  const { data, error } = await supabaseClient(jar).auth.signUp({
    email: input.email,
    password: input.password,
    options: { data: { name: input.name }, emailRedirectTo: `${env().appUrl}/auth/callback` },
  });
  if (error) throw new AppError("bad_request", error.message);
  if (!data.session || !data.user?.email) return { confirmEmail: true };
  return { user: await toSessionUser({ id: data.user.id, email: data.user.email, name: input.name }) };
}

export async function supabaseSignIn(jar: CookieJar, input: SignInInput): Promise<SessionUser> {
  const { data, error } = await supabaseClient(jar).auth.signInWithPassword(input);
  if (error || !data.user?.email) {
    throw new AppError(error?.status === 429 ? "rate_limited" : "unauthorized", error?.message ?? "Sign-in failed.");
  }
  return toSessionUser({ id: data.user.id, email: data.user.email });
}

export async function supabaseMagicLink(jar: CookieJar, email: string): Promise<void> {
  const { error } = await supabaseClient(jar).auth.signInWithOtp({
    email,
    options: { emailRedirectTo: `${env().appUrl}/auth/callback` },
  });
  if (error) throw new AppError("bad_request", error.message);
}

export async function supabaseExchangeCode(jar: CookieJar, code: string): Promise<void> {
  const { error } = await supabaseClient(jar).auth.exchangeCodeForSession(code);
  if (error) throw new AppError("bad_request", error.message);
}

export async function supabaseSignOut(jar: CookieJar): Promise<void> {
  await supabaseClient(jar).auth.signOut();
}

export async function supabaseRequestPasswordReset(jar: CookieJar, email: string): Promise<void> {
  await supabaseClient(jar).auth.resetPasswordForEmail(email, {
    redirectTo: `${env().appUrl}/auth/callback?next=/reset-password`,
  });
}

export async function supabaseUpdatePassword(jar: CookieJar, password: string): Promise<SessionUser> {
  const { data, error } = await supabaseClient(jar).auth.updateUser({ password });
  if (error || !data.user?.email) throw new AppError("bad_request", error?.message ?? "Could not change the password.");
  return toSessionUser({ id: data.user.id, email: data.user.email });
}
