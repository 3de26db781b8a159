import "server-only";
// The wrapper of every /api/v1 route: the API key (401), its per-key rate limit with the IETF
// RateLimit / RateLimit-Policy headers (429), its scope (403), the path, query and body read with the
// endpoint's zod schemas (400), Idempotency-Key on POST, and errors in the app's one format.
import crypto from "node:crypto";
import { z } from "zod";
import { readJson } from "@/lib/read-json";
import { withService } from "@/lib/db/client";
import { claimIdempotencyKey, expireIdempotencyKeys, findIdempotencyKey, releaseIdempotencyKey, settleIdempotencyKey } from "@/lib/db/api-keys";
import { AppError, errorResponse, rateLimitedResponse, toErrorBody } from "@/lib/errors";
import { getLimiter } from "@/lib/ratelimit";
import { authenticateApiKey, type ApiKeyCtx } from "@/lib/services/api-keys";
import { grants } from "./scopes";
import type { Endpoint } from "./endpoint";

export const RATE_WINDOW_SECONDS = 60;
const POLICY = "per-key";

type Limit = { limit: number; remaining: number; resetSeconds: number };

/** draft-ietf-httpapi-ratelimit-headers: the policy (quota per window) and what is left of it. */
function rateHeaders(l: Limit): Record<string, string> {
  return {
    "ratelimit-policy": `"${POLICY}";q=${l.limit};w=${RATE_WINDOW_SECONDS}`,
    ratelimit: `"${POLICY}";r=${l.remaining};t=${l.resetSeconds}`,
  };
}

async function limit(keyId: string, tokens: number): Promise<Limit & { ok: boolean }> {
  try {
    const r = await getLimiter().limit("prism:rl:api", keyId, { kind: "slidingWindow", tokens, windowMs: RATE_WINDOW_SECONDS * 1000 });
    return { ok: r.success, limit: r.limit, remaining: r.remaining, resetSeconds: Math.max(0, Math.ceil((r.reset - Date.now()) / 1000)) };
  } catch (err) {
    // A limiter outage must not take the API down with it (as in lib/ratelimit's checkLimits).
    console.warn("[prismai] API rate limiter unavailable; letting the request through", err instanceof Error ? err.name : "");
    return { ok: true, limit: tokens, remaining: tokens, resetSeconds: RATE_WINDOW_SECONDS };
  }
}

const IdempotencyKey = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/);

function withHeaders(res: Response, headers: Record<string, string>): Response {
  for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
  return res;
}

/** Path segments that name a row: anything that is not an id is simply not found. */
function readParams(endpoint: Endpoint, raw: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    const kind = endpoint.pathParams?.[name]?.kind;
    if (kind === "id" && !z.guid().safeParse(value).success) throw new AppError("not_found", `${name[0]!.toUpperCase()}${name.slice(1)} not found.`);
    out[name] = value;
  }
  return out;
}

async function run(endpoint: Endpoint, req: Request, ctx: ApiKeyCtx, params: Record<string, string>, raw: unknown): Promise<{ status: number; body: unknown }> {
  const query = endpoint.query ? endpoint.query.parse(Object.fromEntries(new URL(req.url).searchParams)) : {};
  const body = endpoint.body ? endpoint.body.parse(raw ?? {}) : undefined;
  const result = await endpoint.handler({ ctx, params: readParams(endpoint, params), query, body, raw });
  return { status: endpoint.status ?? 200, body: result };
}

/** Replays, refuses or runs a POST carrying an Idempotency-Key. */
async function idempotent(endpoint: Endpoint, req: Request, ctx: ApiKeyCtx, params: Record<string, string>, raw: unknown, key: string): Promise<Response> {
  const path = new URL(req.url).pathname;
  const requestHash = crypto.createHash("sha256").update(`${req.method} ${path}\n${JSON.stringify(raw ?? null)}`).digest("base64url");
  const scope = { businessId: ctx.businessId, apiKeyId: ctx.actor.keyId, key };
  await withService((tx) => expireIdempotencyKeys(tx, scope.businessId));
  const claimed = await withService((tx) => claimIdempotencyKey(tx, { ...scope, method: req.method, path, requestHash }));
  if (!claimed) {
    const prior = await withService((tx) => findIdempotencyKey(tx, scope.businessId, scope.apiKeyId, key));
    if (!prior) throw new AppError("conflict", "A request with this Idempotency-Key was just being recorded: retry it.");
    if (prior.requestHash !== requestHash) {
      throw new AppError("unprocessable", "This Idempotency-Key was already used for a different request (another path or body). Use a new key for a new request.");
    }
    if (prior.status === null) throw new AppError("conflict", "A request with this Idempotency-Key is still in progress: retry once it has finished.");
    return Response.json(prior.response, { status: prior.status, headers: { "idempotency-replayed": "true" } });
  }
  try {
    const { status, body } = await run(endpoint, req, ctx, params, raw);
    await withService((tx) => settleIdempotencyKey(tx, scope.businessId, claimed.id, status, body));
    return Response.json(body, { status });
  } catch (err) {
    const { status, body } = toErrorBody(err);
    // A refusal is the answer to this request and is replayed; a failure on our side may be retried.
    if (status < 500 && status !== 429) await withService((tx) => settleIdempotencyKey(tx, scope.businessId, claimed.id, status, body));
    else await withService((tx) => releaseIdempotencyKey(tx, scope.businessId, claimed.id));
    throw err;
  }
}

type RouteContext = { params: Promise<Record<string, string>> };

/** The Next.js route handler of one endpoint. */
export function apiRoute(endpoint: Endpoint) {
  return async (req: Request, context: RouteContext): Promise<Response> => {
    let headers: Record<string, string> = {};
    try {
      const { ctx, scopes, rateLimit } = await authenticateApiKey(req.headers.get("authorization"));
      const l = await limit(ctx.actor.keyId, rateLimit);
      headers = rateHeaders(l);
      if (!l.ok) return rateLimitedResponse(`This API key made more than ${l.limit} requests in ${RATE_WINDOW_SECONDS} seconds.`, { retryAfterSeconds: l.resetSeconds, headers });
      if (!grants(scopes, endpoint.scope)) throw new AppError("forbidden", `This API key lacks the ${endpoint.scope} scope (Settings → API).`);
      const params = (await context.params) ?? {};
      const raw = req.method === "POST" || req.method === "PATCH" ? await readJson(req, endpoint.maxBodyBytes ?? 64 * 1024) : undefined;
      const idempotencyHeader = req.headers.get("idempotency-key");
      if (req.method === "POST" && idempotencyHeader !== null) {
        const key = IdempotencyKey.safeParse(idempotencyHeader);
        if (!key.success) throw new AppError("bad_request", "Idempotency-Key must be 1 to 255 visible ASCII characters, e.g. a UUID.");
        return withHeaders(await idempotent(endpoint, req, ctx, params, raw, key.data), headers);
      }
      const { status, body } = await run(endpoint, req, ctx, params, raw);
      return Response.json(body, { status, headers });
    } catch (err) {
      return withHeaders(errorResponse(err), headers);
    }
  };
}
