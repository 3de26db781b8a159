// The Supabase adapter: a session cookie as @supabase/ssr writes it, holding an access token
// signed with the project's JWT secret, is verified locally and becomes a users row.
import { SignJWT } from "jose";
import { sql } from "drizzle-orm";
import { resetEnvForTests } from "@/lib/env";
import { closeDb, rows, withService } from "@/lib/db/client";
import { supabaseCurrentUser, verifySupabaseToken } from "@/lib/auth/supabase";
import type { CookieJar } from "@/lib/auth/cookies";
import { useTestDb } from "../../helpers/db";

const SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";
const USER_ID = "5b6f8a52-6a9b-4c53-9d5e-1f2a3b4c5d6e";

beforeAll(async () => {
  process.env.NEXT_PUBLIC_SUPABASE_URL = "http://127.0.0.1:54321";
  process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY = "anon-key";
  process.env.SUPABASE_JWT_SECRET = SECRET;
  resetEnvForTests();
  await useTestDb();
});
afterAll(async () => {
  delete process.env.NEXT_PUBLIC_SUPABASE_URL;
  delete process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY;
  delete process.env.SUPABASE_JWT_SECRET;
  resetEnvForTests();
  await closeDb();
});

async function accessToken(secret: string, audience = "authenticated") {
  return new SignJWT({ email: "owner@clinic.test", role: "authenticated" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(USER_ID)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(secret));
}

/** The cookie @supabase/ssr writes: sb-<ref>-auth-token = "base64-" + base64url(session JSON). */
function jarWithSession(token: string): CookieJar {
  const session = {
    access_token: token,
    refresh_token: "refresh",
    token_type: "bearer",
    expires_in: 3600,
    expires_at: Math.floor(Date.now() / 1000) + 3600,
    user: { id: USER_ID, email: "owner@clinic.test", aud: "authenticated", app_metadata: {}, user_metadata: {}, created_at: new Date().toISOString() },
  };
  const cookies = new Map([["sb-127-auth-token", `base64-${Buffer.from(JSON.stringify(session)).toString("base64url")}`]]);
  return {
    get: (name) => (cookies.has(name) ? { name, value: cookies.get(name)! } : undefined),
    getAll: () => [...cookies].map(([name, value]) => ({ name, value })),
    set: (name, value) => void cookies.set(name, value),
    delete: (name) => void cookies.delete(name),
  };
}

describe("Supabase auth adapter", () => {
  it("verifies a token signed with the project secret and keeps a users row for it", async () => {
    const user = await supabaseCurrentUser(jarWithSession(await accessToken(SECRET)));
    expect(user).toEqual({ id: USER_ID, email: "owner@clinic.test", name: null });
    const stored = await withService((tx) => rows<{ id: string; password_hash: string | null }>(tx, sql`select id, password_hash from users`));
    expect(stored).toEqual([{ id: USER_ID, password_hash: null }]);
  });

  it("refuses a token signed with another secret, or for another audience", async () => {
    expect(await supabaseCurrentUser(jarWithSession(await accessToken("x".repeat(40))))).toBeNull();
    expect(await verifySupabaseToken(await accessToken(SECRET, "anon"), SECRET)).toBeNull();
  });

  it("has no user without a session cookie", async () => {
    const empty: CookieJar = { get: () => undefined, getAll: () => [], set: () => {}, delete: () => {} };
    expect(await supabaseCurrentUser(empty)).toBeNull();
  });
});
