import "server-only";
// Anonymous web visitors: a random id (192 bits, unguessable) inside a signed token the chat page
// keeps in localStorage and sends on every call. The token names the business and the website that
// embedded the chat, so it works for nothing else; the id itself is only ever stored as a keyed hash
// (lookup) and encrypted (the customer identity), never in clear.
import crypto from "node:crypto";
import { SignJWT, jwtVerify } from "jose";
import { secrets } from "@/lib/security/secrets";
import { identityHash } from "@/lib/pipeline/identities";

const AUDIENCE = "prismai:chat-visitor";
const TTL_SECONDS = 400 * 24 * 3600;
const VISITOR_ID = /^[A-Za-z0-9_-]{32}$/;

export type Visitor = {
  id: string;
  businessId: string;
  /** the website that embedded the chat (null on the business's own chat page) */
  origin: string | null;
  /** keyed hash of the id: the web identity's lookup hash, and the mark on the visitor's messages */
  hash: string;
};

const key = () => new TextEncoder().encode(`chat-visitor:${secrets().appSecret}`);

export function visitorHash(id: string): string {
  return identityHash({ kind: "web", value: id });
}

export async function newVisitor(businessId: string, origin: string | null): Promise<{ visitor: Visitor; token: string }> {
  const id = crypto.randomBytes(24).toString("base64url");
  const token = await new SignJWT({ bid: businessId, org: origin })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(id)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + TTL_SECONDS)
    .sign(key());
  return { visitor: { id, businessId, origin, hash: visitorHash(id) }, token };
}

/** The visitor a token names, when it is genuine and for this business; null otherwise. */
export async function readVisitorToken(token: string | null | undefined, businessId: string): Promise<Visitor | null> {
  if (!token || token.length > 1000) return null;
  try {
    const { payload } = await jwtVerify(token, key(), { algorithms: ["HS256"], audience: AUDIENCE });
    if (payload.bid !== businessId || typeof payload.sub !== "string" || !VISITOR_ID.test(payload.sub)) return null;
    const origin = typeof payload.org === "string" ? payload.org : null;
    return { id: payload.sub, businessId, origin, hash: visitorHash(payload.sub) };
  } catch {
    return null;
  }
}

/** The bearer token of a chat API request. */
export function bearerToken(req: Request): string | null {
  const header = req.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1]! : null;
}
