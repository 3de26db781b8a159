import "server-only";
// API keys, managed in Settings → API by owners and admins. A key belongs to the business, not to
// the person who made it: it outlives them and acts as nobody in particular. The secret is shown once
// and only its keyed hash is stored; requests made with it count its use (last used, requests).
import { z } from "zod";
import { withService, withTenant } from "@/lib/db/client";
import { apiKeysOf, insertApiKey, keyState, revokeApiKeyRow, useApiKey, type ApiKeyRow } from "@/lib/db/api-keys";
import { AppError } from "@/lib/errors";
import { API_SCOPES, type ApiScope } from "@/lib/public-api/scopes";
import { keyedHash } from "@/lib/security/crypto";
import { text } from "@/lib/validation/text";
import { readDate } from "@/lib/validation/dates";
import crypto from "node:crypto";
import { audit } from "./audit";
import { MANAGERS, requireRole, type Ctx } from "./context";
import { parseId } from "./knowledge";

/** Every key starts with this, so a leaked one is easy to recognise (and to scan for). */
export const KEY_PREFIX = "prism_";

export const hashApiKey = (secret: string) => keyedHash(`api-key:${secret}`);

export const NewApiKey = z.object({
  name: text({ message: "Give the key a name." }).trim().min(1, "Give the key a name.").max(80, "Keep the name under 80 characters."),
  scopes: z
    .array(z.enum(API_SCOPES, { message: "Unknown scope." }), { message: "Choose what the key may do." })
    .min(1, "Choose at least one thing the key may do.")
    .transform((s) => [...new Set(s)]),
  expiresAt: z
    .preprocess((v) => (v === "" || v === null ? undefined : v), z.string().optional())
    .transform((v, c) => {
      if (v === undefined) return null;
      const d = readDate(v);
      if (!d) {
        c.addIssue({ code: "custom", message: "The expiry must be a date, e.g. 2027-06-30." });
        return z.NEVER;
      }
      if (d.getTime() <= Date.now()) {
        c.addIssue({ code: "custom", message: "The expiry must be in the future." });
        return z.NEVER;
      }
      return d;
    }),
});

export type ApiKeyView = {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  status: "active" | "revoked" | "expired";
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  requestCount: number;
  rateLimit: number;
  createdAt: string;
};

function toView(row: ApiKeyRow, now = new Date()): ApiKeyView {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    status: row.revokedAt ? "revoked" : row.expiresAt && row.expiresAt <= now ? "expired" : "active",
    expiresAt: iso(row.expiresAt),
    revokedAt: iso(row.revokedAt),
    lastUsedAt: iso(row.lastUsedAt),
    requestCount: row.requestCount,
    rateLimit: row.rateLimit,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function listApiKeys({ ctx }: { ctx: Ctx }): Promise<ApiKeyView[]> {
  requireRole(ctx, MANAGERS);
  return withTenant(ctx.actor.userId, async (tx) => (await apiKeysOf(tx, ctx.businessId)).map((r) => toView(r)));
}

/** Creates a key; the secret in the result is the only time anyone sees it. */
export async function createApiKey({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<{ key: ApiKeyView; secret: string }> {
  requireRole(ctx, MANAGERS);
  const values = NewApiKey.parse(input);
  const secret = `${KEY_PREFIX}${crypto.randomBytes(24).toString("base64url")}`;
  return withTenant(ctx.actor.userId, async (tx) => {
    const row = await insertApiKey(tx, {
      businessId: ctx.businessId,
      name: values.name,
      prefix: secret.slice(0, KEY_PREFIX.length + 6),
      keyHash: hashApiKey(secret),
      scopes: values.scopes,
      expiresAt: values.expiresAt,
      createdBy: ctx.actor.userId,
    });
    await audit(tx, ctx, "api_key.created", { type: "api_key", id: row.id }, { scopes: values.scopes, expiresAt: values.expiresAt?.toISOString() ?? null });
    return { key: toView(row), secret };
  });
}

/** Revoking is immediate and final: the next request with the key is refused. */
export async function revokeApiKey({ ctx, input }: { ctx: Ctx; input: { id: unknown } }): Promise<ApiKeyView> {
  requireRole(ctx, MANAGERS);
  const id = parseId(input.id, "API key");
  return withTenant(ctx.actor.userId, async (tx) => {
    const row = await revokeApiKeyRow(tx, ctx.businessId, id);
    if (!row) throw new AppError("not_found", "API key not found, or revoked already.");
    await audit(tx, ctx, "api_key.revoked", { type: "api_key", id });
    return toView(row);
  });
}

export type ApiKeyCtx = Ctx & { actor: { type: "api_key"; keyId: string } };

/**
 * The business and scopes behind a request's key, counting its use; a 401 that says why otherwise
 * (missing, malformed, unknown, revoked or expired).
 */
export async function authenticateApiKey(authorization: string | null): Promise<{ ctx: ApiKeyCtx; scopes: ApiScope[]; rateLimit: number }> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!match) throw new AppError("unauthorized", "Send your API key as `Authorization: Bearer prism_…` (Settings → API).");
  const secret = match[1]!;
  if (!secret.startsWith(KEY_PREFIX) || secret.length > 200) throw new AppError("unauthorized", "That is not a PrismAI API key: keys start with prism_.");
  const hash = hashApiKey(secret);
  const key = await withService((tx) => useApiKey(tx, hash));
  if (!key) {
    const state = await withService((tx) => keyState(tx, hash));
    throw new AppError("unauthorized", state === "revoked" ? "This API key has been revoked." : state === "expired" ? "This API key has expired." : "Unknown API key.");
  }
  return {
    ctx: { businessId: key.business_id, actor: { type: "api_key", keyId: key.id } },
    scopes: key.scopes.filter((s): s is ApiScope => (API_SCOPES as readonly string[]).includes(s)),
    rateLimit: key.rate_limit,
  };
}
