// The public API under /api/v1, called as a client would: API keys (shown once, stored as a hash,
// scoped, revocable, expiring, usage counted), every endpoint refusing a missing key and another
// business's key without a byte of data, scopes, Idempotency-Key, keyset pagination, the per-key
// rate limit and its IETF headers, and the OpenAPI document validated against the real responses.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);
jest.mock("next/cache", () => ({ revalidatePath: jest.fn() }));

import fs from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { and, eq, sql } from "drizzle-orm";
import { closeDb, rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { deferredIdle } from "@/lib/pipeline/defer";
import { createApiKey, listApiKeys, revokeApiKey } from "@/lib/services/api-keys";
import type { MemberCtx } from "@/lib/services/context";
import { ENDPOINTS } from "@/lib/public-api/endpoints";
import type { Endpoint } from "@/lib/public-api/endpoint";
import { API_SCOPES, type ApiScope } from "@/lib/public-api/scopes";
import { GET as openApiRoute } from "@/app/api/v1/openapi.json/route";
import { createApiKeyAction, revokeApiKeyAction } from "@/app/(dashboard)/[business]/settings/api/actions";
import { signInAs } from "../../helpers/session";
import { useTestDb } from "../../helpers/db";
import { makeTwoTenants } from "../../helpers/fixtures";

const BASE = "http://localhost:3000";
const V1 = path.resolve(__dirname, "../../../app/api/v1");

let w: Awaited<ReturnType<typeof makeTwoTenants>>;
let ownerA: MemberCtx;
let ownerB: MemberCtx;
let agentA: MemberCtx;
let fullA: string;
let fullB: string;
let doc: ReturnType<typeof JSON.parse>;
/** tenant-a's knowledge document and FAQ (makeTenant's) */
const ids = { documentA: "", faqA: "" };

/** Every response of a successful call, checked against the OpenAPI document at the end. */
const seen: { method: string; path: string; status: number; body: unknown }[] = [];

beforeAll(async () => {
  await useTestDb();
  w = await withService((tx) => makeTwoTenants(tx));
  ownerA = { businessId: w.a.businessId, actor: { type: "member", userId: w.alice.id, role: "owner" } };
  ownerB = { businessId: w.b.businessId, actor: { type: "member", userId: w.bob.id, role: "owner" } };
  agentA = { businessId: w.a.businessId, actor: { type: "member", userId: w.carol.id, role: "agent" } };
  fullA = (await createApiKey({ ctx: ownerA, input: { name: "Everything A", scopes: [...API_SCOPES] } })).secret;
  fullB = (await createApiKey({ ctx: ownerB, input: { name: "Everything B", scopes: [...API_SCOPES] } })).secret;
  doc = await (await openApiRoute()).json();
  const [d] = await withService((tx) => tx.select().from(s.knowledgeDocuments).where(eq(s.knowledgeDocuments.businessId, w.a.businessId)));
  const [f] = await withService((tx) => tx.select().from(s.faqs).where(eq(s.faqs.businessId, w.a.businessId)));
  ids.documentA = d!.id;
  ids.faqA = f!.id;
}, 120_000);

afterAll(async () => {
  await deferredIdle();
  await closeDb();
});

// ---------------------------------------------------------------- calling the API

type Route = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

function routeFor(method: string, pathname: string): { handler: Route; params: Record<string, string>; endpoint: Endpoint } {
  for (const e of ENDPOINTS) {
    if (e.method !== method) continue;
    const names: string[] = [];
    const re = new RegExp(`^/api/v1${e.path.replace(/\{(\w+)\}/g, (_, n: string) => (names.push(n), "([^/]+)"))}$`);
    const m = re.exec(pathname);
    if (!m) continue;
    const file = e.path.replace(/\{(\w+)\}/g, "[$1]");
    const mod = require(`@/app/api/v1${file}/route`) as Record<string, Route>;
    return { handler: mod[method]!, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)])), endpoint: e };
  }
  throw new Error(`no endpoint for ${method} ${pathname}`);
}

async function api(method: string, target: string, opts: { key?: string | null; body?: unknown; headers?: Record<string, string> } = {}) {
  const url = new URL(target, BASE);
  const { handler, params, endpoint } = routeFor(method, url.pathname);
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key !== null) headers.authorization = `Bearer ${opts.key ?? fullA}`;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const res = await handler(new Request(url, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) }), { params: Promise.resolve(params) });
  const text = await res.text();
  const body = text ? JSON.parse(text) : null;
  seen.push({ method, path: endpoint.path, status: res.status, body });
  return { status: res.status, body, headers: res.headers, text };
}

const keyWith = async (scopes: ApiScope[], ctx = ownerA) => (await createApiKey({ ctx, input: { name: scopes.length === 1 ? `Key ${scopes[0]}` : `Key of ${scopes.length} scopes`, scopes } })).secret;

// ---------------------------------------------------------------- keys

describe("API keys", () => {
  it("are shown once, stored only as a hash, and made only by owners and admins", async () => {
    const { key, secret } = await createApiKey({ ctx: ownerA, input: { name: "Zapier", scopes: ["customers:read"], expiresAt: "2099-01-01" } });
    expect(secret).toMatch(/^prism_[A-Za-z0-9_-]{32}$/);
    expect(secret.startsWith(key.prefix)).toBe(true);
    const stored = await withService((tx) => rows<Record<string, unknown>>(tx, sql`select * from api_keys where id = ${key.id}`));
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(JSON.stringify(await listApiKeys({ ctx: ownerA }))).not.toContain(secret);
    await expect(createApiKey({ ctx: agentA, input: { name: "Mine", scopes: ["customers:read"] } })).rejects.toMatchObject({ code: "forbidden" });
    await expect(listApiKeys({ ctx: agentA })).rejects.toMatchObject({ code: "forbidden" });
    await expect(createApiKey({ ctx: ownerA, input: { name: "", scopes: ["customers:read"] } })).rejects.toThrow("Give the key a name.");
    await expect(createApiKey({ ctx: ownerA, input: { name: "x", scopes: [] } })).rejects.toThrow("Choose at least one thing the key may do.");
    await expect(createApiKey({ ctx: ownerA, input: { name: "x", scopes: ["customers:read"], expiresAt: "2001-01-01" } })).rejects.toThrow("The expiry must be in the future.");
  });

  it("count their use: last used and requests, seen in Settings → API", async () => {
    const { key, secret } = await createApiKey({ ctx: ownerA, input: { name: "Counted", scopes: ["customers:read"] } });
    expect((await listApiKeys({ ctx: ownerA })).find((k) => k.id === key.id)).toMatchObject({ requestCount: 0, lastUsedAt: null, status: "active" });
    await api("GET", "/api/v1/customers", { key: secret });
    await api("GET", "/api/v1/customers?limit=1", { key: secret });
    const after = (await listApiKeys({ ctx: ownerA })).find((k) => k.id === key.id)!;
    expect(after.requestCount).toBe(2);
    expect(after.lastUsedAt).not.toBeNull();
  });

  it("stop working at once when revoked, and when they expire", async () => {
    const { key, secret } = await createApiKey({ ctx: ownerA, input: { name: "Short-lived", scopes: ["customers:read"] } });
    expect((await api("GET", "/api/v1/customers", { key: secret })).status).toBe(200);
    await expect(revokeApiKey({ ctx: ownerB, input: { id: key.id } })).rejects.toMatchObject({ code: "not_found" });
    await revokeApiKey({ ctx: ownerA, input: { id: key.id } });
    const revoked = await api("GET", "/api/v1/customers", { key: secret });
    expect(revoked.status).toBe(401);
    expect(revoked.body.error).toEqual({ code: "unauthorized", message: "This API key has been revoked." });

    const other = await createApiKey({ ctx: ownerA, input: { name: "Expiring", scopes: ["customers:read"], expiresAt: "2099-01-01" } });
    expect((await api("GET", "/api/v1/customers", { key: other.secret })).status).toBe(200);
    await withService((tx) => tx.update(s.apiKeys).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(s.apiKeys.id, other.key.id)));
    const expired = await api("GET", "/api/v1/customers", { key: other.secret });
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toBe("This API key has expired.");
    expect((await listApiKeys({ ctx: ownerA })).find((k) => k.id === other.key.id)!.status).toBe("expired");
  });

  it("Settings → API's actions: the owner creates (secret once) and revokes; an agent is refused; problems go next to their fields", async () => {
    await signInAs("alice@a.test");
    const made = await createApiKeyAction("tenant-a", { name: "From the page", scopes: ["conversations:read"], expiresAt: "" });
    if ("error" in made) throw new Error(made.error);
    expect(made.secret).toMatch(/^prism_/);
    expect((await api("GET", "/api/v1/conversations", { key: made.secret })).status).toBe(200);
    const bad = await createApiKeyAction("tenant-a", { name: "", scopes: [], expiresAt: "tomorrow" });
    expect(bad).toMatchObject({ fieldErrors: { name: "Give the key a name.", scopes: "Choose at least one thing the key may do.", expiresAt: "The expiry must be a date, e.g. 2027-06-30." } });
    expect(await revokeApiKeyAction("tenant-a", made.key.id)).toEqual({ ok: "From the page is revoked: requests with it are refused from now on." });
    expect((await api("GET", "/api/v1/conversations", { key: made.secret })).status).toBe(401);
    expect(await revokeApiKeyAction("tenant-a", made.key.id)).toEqual({ error: "API key not found, or revoked already." });

    await signInAs("carol@a.test");
    expect(await createApiKeyAction("tenant-a", { name: "Agent's key", scopes: ["customers:read"] })).toEqual({ error: expect.stringMatching(/^Only owner or admins/) });
  });

  it("refuse a missing, malformed or unknown key with a 401 that says what to send", async () => {
    const none = await api("GET", "/api/v1/customers", { key: null });
    expect(none.status).toBe(401);
    expect(none.body.error.message).toMatch(/Authorization: Bearer prism_/);
    expect((await api("GET", "/api/v1/customers", { key: null, headers: { authorization: "Basic abc" } })).status).toBe(401);
    expect((await api("GET", "/api/v1/customers", { key: "sk_live_other" })).body.error.message).toMatch(/keys start with prism_/);
    expect((await api("GET", "/api/v1/customers", { key: `prism_${"x".repeat(32)}` })).body.error.message).toBe("Unknown API key.");
  });
});

// ---------------------------------------------------------------- scopes and isolation

/** A path for `e` naming tenant-a's rows. */
const pathOfA = (e: Endpoint) =>
  `/api/v1${e.path
    .replace("{customer}", w.a.customerId)
    .replace("{conversation}", w.a.conversationId)
    .replace("{tag}", "vip")
    .replace("{article}", ids.documentA)
    .replace("{faq}", ids.faqA)}`;
const bodyFor = (e: Endpoint): unknown =>
  e.example !== undefined ? (e.operationId === "mergeCustomer" ? { sourceId: w.b.customerId } : e.example) : e.method === "POST" || e.method === "PATCH" ? {} : undefined;

async function digestOfA(): Promise<string> {
  const r = await withService((tx) =>
    rows(
      tx,
      sql`select (select json_agg(c order by c.id) from customers c where c.business_id = ${w.a.businessId}) as customers,
                 (select json_agg(v order by v.id) from conversations v where v.business_id = ${w.a.businessId}) as conversations,
                 (select count(*) from messages m where m.business_id = ${w.a.businessId}) as messages,
                 (select json_agg(d order by d.id) from knowledge_documents d where d.business_id = ${w.a.businessId}) as documents,
                 (select json_agg(f.question || f.answer || f.enabled::text order by f.id) from faqs f where f.business_id = ${w.a.businessId}) as faqs,
                 (select json_agg(b) from businesses b where b.id = ${w.a.businessId}) as business`,
    ),
  );
  return JSON.stringify(r);
}

describe("every endpoint", () => {
  it.each(ENDPOINTS.map((e) => [`${e.method} ${e.path}`, e] as const))("%s: no key is a 401; another business's key gets 404 and no data", async (_, e) => {
    const before = await digestOfA();
    const anonymous = await api(e.method, pathOfA(e), { key: null, body: bodyFor(e) });
    expect(anonymous.status).toBe(401);
    const other = await api(e.method, pathOfA(e), { key: fullB, body: bodyFor(e) });
    for (const secret of [w.a.customerId, w.a.conversationId, "Customer of tenant-a", "secret of tenant-a"]) {
      if (!e.path.includes("{")) continue; // a list with B's key lists B's rows: checked below
      expect(other.text).not.toContain(secret);
    }
    if (e.path.includes("{")) expect(other.status).toBe(404);
    else expect(other.text).not.toContain("tenant-a");
    expect(await digestOfA()).toBe(before);
  });

  it.each(ENDPOINTS.map((e) => [`${e.method} ${e.path}`, e] as const))("%s: a key without its scope gets 403 and changes nothing", async (_, e) => {
    const resource = e.scope.split(":")[0];
    const unrelated = API_SCOPES.filter((x) => !x.startsWith(`${resource}:`));
    const readOnly = e.scope.endsWith(":write") ? [`${resource}:read` as ApiScope] : [];
    const key = await keyWith([...unrelated, ...readOnly]);
    const before = await digestOfA();
    const res = await api(e.method, pathOfA(e), { key, body: bodyFor(e) });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(`This API key lacks the ${e.scope} scope (Settings → API).`);
    expect(await digestOfA()).toBe(before);
  });

  it("lists only the key's own business", async () => {
    const customers = await api("GET", "/api/v1/customers?limit=100", { key: fullB });
    expect(customers.status).toBe(200);
    const ids: string[] = customers.body.data.map((c: { id: string }) => c.id);
    expect(ids).toContain(w.b.customerId);
    const owners = await withService((tx) => rows<{ business_id: string }>(tx, sql`select distinct business_id from customers where id = any(string_to_array(${ids.join(",")}, ',')::uuid[])`));
    expect(owners).toEqual([{ business_id: w.b.businessId }]);
    const conversations = await api("GET", "/api/v1/conversations?limit=100", { key: fullB });
    expect(conversations.body.data.map((c: { id: string }) => c.id)).toEqual([w.b.conversationId]);
    // tenant-a's customer as a filter or a merge source is not found either
    expect((await api("GET", `/api/v1/conversations?customerId=${w.a.customerId}`, { key: fullB })).body.data).toEqual([]);
    const merge = await api("POST", `/api/v1/customers/${w.b.customerId}/merge`, { key: fullB, body: { sourceId: w.a.customerId } });
    expect(merge.status).toBe(404);
  });

  it("a write key may read; a read key may not write", async () => {
    const writer = await keyWith(["customers:write"]);
    expect((await api("GET", "/api/v1/customers", { key: writer })).status).toBe(200);
    const reader = await keyWith(["customers:read"]);
    expect((await api("POST", "/api/v1/customers", { key: reader, body: { name: "Nope" } })).status).toBe(403);
  });
});

// ---------------------------------------------------------------- customers

describe("customers", () => {
  it("creates, reads, updates, tags, blocks, exports, merges and deletes through the dashboard's verbs", async () => {
    const created = await api("POST", "/api/v1/customers", {
      body: { name: "Ada Lovelace", email: "Ada@Example.com", phone: "+447700900777", tags: ["VIP"], notes: "Prefers email" },
      headers: { "idempotency-key": "create-ada" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "Ada Lovelace", tags: ["vip"], notes: "Prefers email", verified: false, blocked: false });
    expect(created.body.identities.map((i: { kind: string; value: string }) => `${i.kind}:${i.value}`).sort()).toEqual(["email:ada@example.com", "phone:+447700900777"]);
    const id = created.body.id as string;

    const dup = await api("POST", "/api/v1/customers", { body: { name: "Another Ada", email: "ada@example.com" } });
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toBe(`A customer with this email already exists: ${id}.`);
    expect((await api("POST", "/api/v1/customers", { body: { email: "not an email" } })).status).toBe(400);

    const patched = await api("PATCH", `/api/v1/customers/${id}`, { body: { name: "Ada King", verified: true } });
    expect(patched.body).toMatchObject({ name: "Ada King", verified: true, tags: ["vip"] });
    const badPatch = await api("PATCH", `/api/v1/customers/${id}`, { body: { verified: "yes" } });
    expect(badPatch.status).toBe(400);
    expect(badPatch.body.error.message).toBe("verified: verified must be true or false");

    expect((await api("POST", `/api/v1/customers/${id}/tags`, { body: { tag: "Returning" } })).body.tags).toEqual(["vip", "returning"]);
    expect((await api("DELETE", `/api/v1/customers/${id}/tags/vip`)).body.tags).toEqual(["returning"]);
    expect((await api("POST", `/api/v1/customers/${id}/block`)).body.blocked).toBe(true);
    expect((await api("POST", `/api/v1/customers/${id}/unblock`)).body.blocked).toBe(false);

    const profile = await api("GET", `/api/v1/customers/${id}`);
    expect(profile.body).toMatchObject({ id, displayName: "Ada King", conversationList: [] });

    const exported = await api("GET", `/api/v1/customers/${id}/export`);
    expect(exported.status).toBe(200);
    expect(exported.body.identities.map((i: { value: string }) => i.value).sort()).toEqual(["+447700900777", "ada@example.com"]);

    const second = await api("POST", "/api/v1/customers", { body: { name: "Ada duplicate", email: "ada.work@example.com" } });
    const merged = await api("POST", `/api/v1/customers/${id}/merge`, { body: { sourceId: second.body.id } });
    expect(merged.status).toBe(200);
    expect(merged.body.targetId).toBe(id);
    expect((await api("GET", `/api/v1/customers/${second.body.id}`)).status).toBe(404);
    expect((await api("GET", `/api/v1/customers/${id}`)).body.identities).toHaveLength(3);

    // Who did it: the audit log names the key, and no person.
    const audits = await withService((tx) =>
      rows<{ action: string; actor_id: string | null; details: { apiKeyId?: string } }>(tx, sql`select action, actor_id, details from audit_log where business_id = ${w.a.businessId} and target_id = ${id} order by created_at`),
    );
    expect(audits.map((r) => r.action)).toEqual(expect.arrayContaining(["customer.created", "customer.updated", "customer.verified", "customer.blocked", "customer.merged"]));
    expect(audits.every((r) => r.actor_id === null && typeof r.details.apiKeyId === "string")).toBe(true);

    const stored = () => withService((tx) => rows(tx, sql`select 1 from api_idempotency_keys where business_id = ${w.a.businessId} and response::text like ${`%${id}%`}`));
    expect(await stored()).toHaveLength(1);
    const deleted = await api("DELETE", `/api/v1/customers/${id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.deleted).toBe(true);
    expect(deleted.body.removed.api_idempotency_keys).toBe(1);
    // erased means erased: the stored response of the POST that created them is gone too
    expect(await stored()).toHaveLength(0);
    expect((await api("GET", `/api/v1/customers/${id}`)).status).toBe(404);
    expect((await api("GET", "/api/v1/customers/not-a-uuid")).status).toBe(404);
  });

  it("pages by cursor: every customer once, newest first, whatever is added meanwhile", async () => {
    const key = await keyWith(["customers:write"], ownerB);
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push((await api("POST", "/api/v1/customers", { key, body: { name: `Paged ${i}`, tags: ["paged"] } })).body.id);
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/api/v1/customers?tag=paged&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const page = await api("GET", q, { key });
      expect(page.status).toBe(200);
      pages.push(page.body.data.map((c: { id: string }) => c.id));
      cursor = page.body.nextCursor;
      if (pages.length === 1) await api("POST", "/api/v1/customers", { key, body: { name: "Added meanwhile", tags: ["paged"] } });
    } while (cursor);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual([...made].reverse());
    const bad = await api("GET", "/api/v1/customers?cursor=not-a-cursor", { key });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/next_cursor|nextCursor|cursor/);
    expect((await api("GET", "/api/v1/customers?limit=500", { key })).body.error.message).toBe("limit: limit must be at most 100");
  });
});

// ---------------------------------------------------------------- conversations

describe("conversations", () => {
  it("lists, reads, replies as staff, notes, hands off, hands back and closes", async () => {
    const list = await api("GET", "/api/v1/conversations?status=all");
    expect(list.body.data.map((c: { id: string }) => c.id)).toContain(w.a.conversationId);
    const id = w.a.conversationId;
    const one = await api("GET", `/api/v1/conversations/${id}`);
    expect(one.body).toMatchObject({ id, channel: "web", customer: { id: w.a.customerId } });

    const reply = await api("POST", `/api/v1/conversations/${id}/messages`, { body: { text: "A person here: how can I help?" } });
    expect(reply.status).toBe(201);
    expect(reply.body.conversation.status).toBe("waiting_human");
    const note = await api("POST", `/api/v1/conversations/${id}/messages`, { body: { text: "Called them back", internal: true } });
    expect(note.status).toBe(201);
    const empty = await api("POST", `/api/v1/conversations/${id}/messages`, { body: { text: "   " } });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toBe("text: Write a reply first.");

    const messages = await api("GET", `/api/v1/conversations/${id}/messages`);
    const mine = messages.body.data.filter((m: { id: string }) => m.id === reply.body.messageId || m.id === note.body.messageId);
    expect(mine.map((m: { role: string; source: string | null; author: string | null; content: string }) => [m.role, m.source, m.author, m.content])).toEqual([
      ["agent", "human", null, "A person here: how can I help?"],
      ["note", null, null, "Called them back"],
    ]);
    expect(messages.body.data[0].content).toBe("secret of tenant-a");

    expect((await api("POST", `/api/v1/conversations/${id}/handback`)).body.conversation).toMatchObject({ status: "open", assigneeId: null });
    expect((await api("POST", `/api/v1/conversations/${id}/handoff`)).body.conversation).toMatchObject({ status: "waiting_human", assigneeId: null });
    expect((await api("POST", `/api/v1/conversations/${id}/assign`, { body: { assigneeId: w.carol.id } })).body.conversation.assigneeId).toBe(w.carol.id);
    expect((await api("POST", `/api/v1/conversations/${id}/assign`, { body: { assigneeId: w.bob.id } })).status).toBe(400);
    expect((await api("POST", `/api/v1/conversations/${id}/close`)).body.conversation.status).toBe("closed");
    await deferredIdle();
    expect((await api("GET", "/api/v1/conversations?status=closed")).body.data.map((c: { id: string }) => c.id)).toEqual([id]);
    expect((await api("GET", "/api/v1/conversations?status=nope")).status).toBe(400);
  });
});

// ---------------------------------------------------------------- business and knowledge

describe("the business and its knowledge", () => {
  it("reads and updates the profile and AI settings: only the fields sent change", async () => {
    expect((await api("GET", "/api/v1/business")).body).toMatchObject({ name: "Biz tenant-a", timeZone: "UTC", logoUrl: "" });
    const patched = await api("PATCH", "/api/v1/business", { body: { timeZone: "Europe/London" } });
    expect(patched.body).toMatchObject({ name: "Biz tenant-a", timeZone: "Europe/London" });
    const bad = await api("PATCH", "/api/v1/business", { body: { brandColor: "teal" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe("brandColor: Use a colour like #0f766e");

    const before = (await api("GET", "/api/v1/business/ai-settings")).body;
    await api("PATCH", "/api/v1/business/ai-settings", { body: { instructions: "Always offer the 8am slot first." } });
    const ai = await api("PATCH", "/api/v1/business/ai-settings", { body: { tone: "brief" } });
    expect(ai.body).toEqual({ ...before, instructions: "Always offer the 8am slot first.", tone: "brief" });
    const version = await withService((tx) => rows<{ v: number }>(tx, sql`select knowledge_version as v from businesses where id = ${w.a.businessId}`));
    expect(version[0]!.v).toBeGreaterThan(1);
    expect((await api("PATCH", "/api/v1/business/ai-settings", { body: { cacheThreshold: 2 } })).status).toBe(400);
  });

  it("writes, edits and deletes articles and FAQs through the dashboard's verbs", async () => {
    const created = await api("POST", "/api/v1/knowledge/articles", { body: { title: "Parking", content: "Free parking behind the clinic, entrance on Mill Lane." } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ title: "Parking", status: "ready", chunks: 1 });
    const id = created.body.id as string;
    expect((await api("POST", "/api/v1/knowledge/articles", { body: { title: "Again", content: "Free parking behind the clinic, entrance on Mill Lane." } })).status).toBe(409);
    const edited = await api("PATCH", `/api/v1/knowledge/articles/${id}`, { body: { content: "Free parking behind the clinic; the entrance is on Mill Lane." } });
    expect(edited.body).toMatchObject({ title: "Parking", content: "Free parking behind the clinic; the entrance is on Mill Lane." });
    expect((await api("GET", "/api/v1/knowledge/articles")).body.data.map((d: { id: string }) => d.id)).toContain(id);
    expect((await api("GET", `/api/v1/knowledge/articles/${id}`)).body.content).toMatch(/Mill Lane/);

    const faq = await api("POST", "/api/v1/knowledge/faqs", { body: { question: "Do you open on Saturdays?", answer: "Yes, 9am to 1pm." } });
    expect(faq.status).toBe(201);
    expect(faq.body).toMatchObject({ question: "Do you open on Saturdays?", enabled: true, hits: 0 });
    const off = await api("PATCH", `/api/v1/knowledge/faqs/${faq.body.id}`, { body: { enabled: false } });
    expect(off.body).toMatchObject({ question: "Do you open on Saturdays?", answer: "Yes, 9am to 1pm.", enabled: false });
    expect((await api("POST", "/api/v1/knowledge/faqs", { body: { question: "?", answer: "x" } })).body.error.message).toBe("question: The question needs at least 3 characters");
    expect((await api("GET", "/api/v1/knowledge/faqs")).body.data.map((f: { id: string }) => f.id)).toContain(faq.body.id);

    expect((await api("DELETE", `/api/v1/knowledge/faqs/${faq.body.id}`)).body).toEqual({ deleted: true });
    expect((await api("PATCH", `/api/v1/knowledge/faqs/${faq.body.id}`, { body: { enabled: true } })).status).toBe(404);
    expect((await api("DELETE", `/api/v1/knowledge/articles/${id}`)).body).toEqual({ deleted: true });
    expect((await api("GET", `/api/v1/knowledge/articles/${id}`)).status).toBe(404);
  });
});

// ---------------------------------------------------------------- costs and analytics

describe("costs and analytics", () => {
  it("give the Costs and Analytics pages' figures for the period asked", async () => {
    const costs = await api("GET", "/api/v1/analytics/costs?period=7d");
    expect(costs.status).toBe(200);
    expect(costs.body.filters).toMatchObject({ period: "7d" });
    expect(costs.body.filters.days).toHaveLength(7);
    // makeTenant's one cost event of $0.01, in micro-dollars, with whatever the suite has spent since
    expect(costs.body.totalMicros).toBeGreaterThanOrEqual(10_000);
    expect(costs.body.series.operation.keys.reduce((n: number, k: { micros: number }) => n + k.micros, 0)).toBe(costs.body.totalMicros);
    const analytics = await api("GET", "/api/v1/analytics/conversations?period=custom&from=2026-01-01&to=2026-01-31");
    expect(analytics.status).toBe(200);
    expect(analytics.body.filters).toMatchObject({ period: "custom", from: "2026-01-01", to: "2026-01-31" });
    expect(analytics.body.byDay).toHaveLength(31);
    expect((await api("GET", "/api/v1/analytics/conversations?period=30d")).body.summary.conversations).toBeGreaterThanOrEqual(1);
    const bad = await api("GET", "/api/v1/analytics/costs?period=custom&from=2026-01-01");
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/to is missing/);
    // another business's key: its own ledger, to the micro-dollar
    const other = await api("GET", "/api/v1/analytics/costs?period=7d", { key: fullB });
    const ledger = await withService((tx) => rows<{ micros: string }>(tx, sql`select round(sum(cost_usd) * 1000000)::bigint as micros from cost_events where business_id = ${w.b.businessId}`));
    expect(other.body.totalMicros).toBe(Number(ledger[0]!.micros));
  });
});

// ---------------------------------------------------------------- idempotency

describe("Idempotency-Key", () => {
  it("replays the first response to the same request, and refuses another body with the same key", async () => {
    const key = await keyWith(["customers:write"]);
    const body = { name: "Idem Potent", email: "idem@example.com" };
    const first = await api("POST", "/api/v1/customers", { key, body, headers: { "idempotency-key": "order-42" } });
    expect(first.status).toBe(201);
    const again = await api("POST", "/api/v1/customers", { key, body, headers: { "idempotency-key": "order-42" } });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotency-replayed")).toBe("true");
    const count = await withService((tx) => rows<{ n: number }>(tx, sql`select count(*)::int as n from customers where business_id = ${w.a.businessId} and name = 'Idem Potent'`));
    expect(count[0]!.n).toBe(1);

    const other = await api("POST", "/api/v1/customers", { key, body: { name: "Someone else" }, headers: { "idempotency-key": "order-42" } });
    expect(other.status).toBe(422);
    expect(other.body.error.message).toMatch(/already used for a different request/);

    // A refusal is the answer too: the same conflicting request replays its 409.
    const conflict = await api("POST", "/api/v1/customers", { key, body: { email: "idem@example.com" }, headers: { "idempotency-key": "order-43" } });
    expect(conflict.status).toBe(409);
    expect((await api("POST", "/api/v1/customers", { key, body: { email: "idem@example.com" }, headers: { "idempotency-key": "order-43" } })).headers.get("idempotency-replayed")).toBe("true");

    // Each API key has its own keys; a bad key is a 400.
    const otherKey = await keyWith(["customers:write"]);
    expect((await api("POST", "/api/v1/customers", { key: otherKey, body: { name: "Idem Potent 2" }, headers: { "idempotency-key": "order-42" } })).status).toBe(201);
    expect((await api("POST", "/api/v1/customers", { key, body, headers: { "idempotency-key": "has space" } })).status).toBe(400);

    // A day later the key is forgotten: the same key is a new request.
    await withService((tx) => tx.execute(sql`update api_idempotency_keys set created_at = now() - interval '25 hours' where key = 'order-42'`));
    const later = await api("POST", "/api/v1/customers", { key, body: { name: "A day later" }, headers: { "idempotency-key": "order-42" } });
    expect(later.status).toBe(201);
    expect(later.headers.get("idempotency-replayed")).toBeNull();
  });

  it("a request still running with the key is a 409, and a retry after it finishes replays it", async () => {
    const key = await keyWith(["conversations:write"]);
    const [keyRow] = await withService((tx) => tx.select().from(s.apiKeys).where(and(eq(s.apiKeys.businessId, w.a.businessId), eq(s.apiKeys.name, "Key conversations:write"))));
    const target = `/api/v1/conversations/${w.a.conversationId}/messages`;
    const body = { text: "Note from a flaky network", internal: true };
    const hash = (await import("node:crypto")).createHash("sha256").update(`POST ${target}\n${JSON.stringify(body)}`).digest("base64url");
    await withService((tx) =>
      tx.insert(s.apiIdempotencyKeys).values({ businessId: w.a.businessId, apiKeyId: keyRow!.id, key: "in-flight", method: "POST", path: target, requestHash: hash }),
    );
    const busy = await api("POST", target, { key, body, headers: { "idempotency-key": "in-flight" } });
    expect(busy.status).toBe(409);
    expect(busy.body.error.message).toMatch(/still in progress/);
  });
});

// ---------------------------------------------------------------- rate limits

describe("rate limits", () => {
  it("every response carries the key's RateLimit and RateLimit-Policy; over the quota is a 429 with Retry-After", async () => {
    const { key, secret } = await createApiKey({ ctx: ownerA, input: { name: "Slow", scopes: ["customers:read"] } });
    await withService((tx) => tx.update(s.apiKeys).set({ rateLimit: 2 }).where(eq(s.apiKeys.id, key.id)));
    const first = await api("GET", "/api/v1/customers", { key: secret });
    expect(first.headers.get("ratelimit-policy")).toBe('"per-key";q=2;w=60');
    expect(first.headers.get("ratelimit")).toMatch(/^"per-key";r=1;t=\d+$/);
    expect((await api("GET", "/api/v1/customers", { key: secret })).headers.get("ratelimit")).toMatch(/^"per-key";r=0;t=\d+$/);
    const limited = await api("GET", "/api/v1/customers", { key: secret });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(limited.headers.get("ratelimit-policy")).toBe('"per-key";q=2;w=60');
    expect(limited.body.error.code).toBe("rate_limited");
    // another key of the same business is not held back
    expect((await api("GET", "/api/v1/customers")).status).toBe(200);
  });
});

// ---------------------------------------------------------------- the OpenAPI document

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1 and lists exactly the endpoints the route files serve", () => {
    expect(doc.openapi).toBe("3.1.0");
    const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
    const served = walk(V1)
      .filter((f) => f.endsWith("route.ts") && !f.includes("openapi.json"))
      .flatMap((f) => {
        const src = fs.readFileSync(f, "utf8");
        const p = `/${path.relative(V1, path.dirname(f)).split(path.sep).join("/")}`.replace(/\[(\w+)\]/g, "{$1}");
        return [...src.matchAll(/export const (GET|POST|PATCH|DELETE) = apiRoute\(endpointFor\("(\w+)", "([^"]+)"\)\)/g)].map((m) => {
          expect([m[1], m[3]]).toEqual([m[2], p]);
          return `${m[1]} ${p}`;
        });
      });
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(documented.sort()).toEqual(served.sort());
    for (const e of ENDPOINTS) expect(doc.paths[e.path][e.method.toLowerCase()]["x-scope"]).toBe(e.scope);
  });

  it("describes every real response the handlers gave in this suite", () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    ajv.addVocabulary(["example"]);
    ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
    ajv.addFormat("uuid", /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    const checked = new Set<string>();
    for (const r of seen) {
      const op = doc.paths[r.path][r.method.toLowerCase()];
      const response = op.responses[String(r.status)];
      expect([`${r.method} ${r.path}`, r.status, response ? "documented" : "undocumented"]).toEqual([`${r.method} ${r.path}`, r.status, "documented"]);
      const validate = ajv.compile(response.content["application/json"].schema);
      if (!validate(r.body)) throw new Error(`${r.method} ${r.path} ${r.status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(r.body).slice(0, 500)}`);
      if (r.status < 300) checked.add(`${r.method} ${r.path}`);
    }
    // every endpoint answered successfully at least once in this suite, and that answer was checked
    expect(ENDPOINTS.map((e) => `${e.method} ${e.path}`).filter((k) => !checked.has(k))).toEqual([]);
  });
});
