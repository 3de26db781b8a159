// The built-in session cookie's token: a signed session id (HS256). Light enough for proxy.ts.
import { SignJWT, jwtVerify } from "jose";
import { secrets } from "@/lib/security/secrets";

export const SESSION_COOKIE = "prism_session";
export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

const key = () => new TextEncoder().encode(secrets().appSecret);

export async function signSessionToken(sessionId: string, userId: string): Promise<string> {
  return new SignJWT({ sid: sessionId })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(Math.floor((Date.now() + SESSION_TTL_MS) / 1000))
    .sign(key());
}

export async function verifySessionToken(token: string): Promise<{ sid: string; sub: string } | null> {
  try {
    const { payload } = await jwtVerify(token, key(), { algorithms: ["HS256"] });
    if (typeof payload.sid !== "string" || typeof payload.sub !== "string") return null;
    return { sid: payload.sid, sub: payload.sub };
  } catch {
    return null;
  }
}
