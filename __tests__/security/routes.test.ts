// The security walk over every route handler the app has (found by inventory.ts, classified in
// expectations.ts): dashboard routes refuse visitors and other businesses' members without a byte of
// data and refuse writes from other websites; the chat API keeps to its business's websites and its
// visitors; webhooks run nothing unsigned; jobs answer only to this machine; NUL bytes, bad JSON, odd
// dates and oversized or truncated bodies get a 4xx, never a 500 (but for KNOWN_500); every 429 says
// when to come back.
jest.mock("next/headers", () => require("../helpers/next-request").nextHeaders);
jest.mock("next/cache", () => ({ revalidatePath: jest.fn(), revalidateTag: jest.fn() }));

import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { closeDb, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { backgroundIdle } from "@/lib/channels/twilio/background";
import { signingCredentials } from "@/lib/channels/twilio/credentials";
import { callPayload, emailReceivedEvent, instagramNotification, messagingPayload, signedRequestInit, telegramUpdate, whatsappNotification } from "@/lib/channels/simulator";
import { parseForm, twilioSignature } from "@/lib/channels/twilio/request";
import { signingSecret, svixHeaders } from "@/lib/channels/email/svix";
import { telegramCredentials } from "@/lib/channels/telegram/channels";
import { SECRET_HEADER } from "@/lib/channels/telegram/webhook";
import { appSecretFor, metaSignature } from "@/lib/channels/meta/app";
import { newVisitor } from "@/lib/chat/visitor";
import { SOCKET_ADDRESS_HEADER } from "@/lib/security/client-ip";
import { createApiKey } from "@/lib/services/api-keys";
import { ENDPOINTS } from "@/lib/public-api/endpoints";
import { API_SCOPES } from "@/lib/public-api/scopes";
import { request as scope } from "../helpers/next-request";
import { signInAs } from "../helpers/session";
import { KNOWN_500, ROUTES, knownFor, routeClass, type RouteClass, type WebhookProvider } from "./expectations";
import { HTTP_METHODS, ROOT, fill, load, routes, segmentsOf, type HttpMethod, type RouteEntry } from "./inventory";
import { BASE, IG_ACCOUNT, NUMBERS, buildWorld, digest, params, type World } from "./world";

const NUL = "\u0000";
const FIVE_MB = 5 * 1024 * 1024;
const ODD_QUERY =
  "?after=%00&before=%00&q=%00%00&page=-1&limit=abc&status=%00&since=not-a-date&until=9999-99-99&from=%00&to=%00&ids=%00,x&read=%00&tag=%00&channel=%00&assignee=%00&unread=%00&cursor=%00&code=%00&next=%00";

const INVENTORY = routes();
const ENTRIES = INVENTORY.flatMap((r) => r.methods.map((method) => ({ ...r, method, key: `${method} ${r.pattern}` })));

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Entry = RouteEntry & { method: HttpMethod; key: string };

let w: World;
let values: Record<string, string>;

beforeAll(async () => {
  w = await buildWorld();
  values = params(w);
}, 120_000);
afterAll(async () => {
  await backgroundIdle();
  await closeDb();
});

// ---------------------------------------------------------------- calling a route

async function handler(e: Entry): Promise<Handler> {
  const fn = load(e.file)[e.method];
  if (typeof fn !== "function") throw new Error(`${e.file} does not export ${e.method}`);
  return fn as Handler;
}

type Call = { path?: string; query?: string; headers?: Record<string, string>; body?: BodyInit | null; values?: Record<string, string> };

const found500 = new Set<string>();
const observed: { name: string; status: number; retryAfter: string | null }[] = [];

async function call(e: Entry, c: Call = {}): Promise<Response> {
  const v = { ...values, ...c.values };
  const url = `${BASE}${c.path ?? fill(e.pattern, v)}${c.query ?? ""}`;
  const headers = { [SOCKET_ADDRESS_HEADER]: "203.0.113.7", ...c.headers };
  const hasBody = c.body !== undefined && c.body !== null && e.method !== "GET" && e.method !== "HEAD";
  const req = new Request(url, { method: e.method, headers, body: hasBody ? c.body : undefined });
  const segs = Object.fromEntries(segmentsOf(e.pattern).map((name) => [name, v[name]!]));
  return (await handler(e))(req, { params: Promise.resolve(segs) });
}

/** Records what every response says about 500s and 429s, then checks the case's own expectation. */
async function expectOutcome(name: string, res: Response, expectation: (res: Response) => void | Promise<void>) {
  observed.push({ name, status: res.status, retryAfter: res.headers.get("retry-after") });
  if (res.status === 429) expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
  if (res.status >= 500) found500.add(name);
  if (KNOWN_500.includes(name)) {
    // Still failing as recorded; when it is fixed, take it off KNOWN_500.
    expect(res.status).toBe(500);
    return;
  }
  expect(res.status).toBeLessThan(500);
  await expectation(res);
}

const is4xx = (res: Response) => {
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
};
const isStatus = (...statuses: number[]) => (res: Response) => expect(statuses).toContain(res.status);
const below500 = () => undefined;

async function noDataOfTenantA(res: Response) {
  const text = await res.text();
  for (const secret of [w.a.customerId, w.a.conversationId, w.a.messageId, "Customer of tenant-a", "secret of tenant-a", "Biz tenant-a"]) expect(text).not.toContain(secret);
}

// ---------------------------------------------------------------- bodies

const withNul = (value: unknown): unknown => {
  if (typeof value === "string") return `${value}${NUL}x${NUL}`;
  if (Array.isArray(value)) return value.map(withNul);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withNul(v)]));
  return value;
};

type Body = { type: string; body: BodyInit };
const json = (value: unknown): Body => ({ type: "application/json", body: JSON.stringify(value) });

function multipart(fields: Record<string, string>, file?: { name: string; type: string; content: string }, truncate = false): Body {
  const boundary = `----walker${crypto.randomBytes(6).toString("hex")}`;
  let out = "";
  for (const [k, v] of Object.entries(fields)) out += `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  if (file) out += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n${file.content}\r\n`;
  out += `--${boundary}--\r\n`;
  return { type: `multipart/form-data; boundary=${boundary}`, body: truncate ? out.slice(0, Math.floor(out.length / 2)) : out };
}

/** A body each writing route accepts, to which the walker adds NUL bytes, or which it breaks. */
const VALID: Record<string, () => Body> = {
  "POST /api/businesses/[business]/conversations/[conversation]": () => json({ action: "note", text: "A note from the walker" }),
  "POST /api/businesses/[business]/faqs/import": () => ({ type: "text/csv", body: "question,answer\nDo you open late?,Until eight.\n" }),
  "POST /api/businesses/[business]/knowledge/uploads": () => multipart({ title: "Walker notes" }, { name: "notes.txt", type: "text/plain", content: "Our clinic opens at nine." }),
  "POST /api/businesses/[business]/test-agent": () => json({ text: "Do you open late?", session: "walker-session-0001" }),
  "POST /api/chat/[slug]/contact": () => json({ value: "someone@example.test", name: "Sam" }),
  "POST /api/chat/[slug]/csat": () => json({ conversationId: "00000000-0000-4000-8000-000000000000", rating: 4 }),
  "POST /api/chat/[slug]/messages": () => json({ text: "Do you open late?", clientId: `walker-${crypto.randomBytes(6).toString("hex")}` }),
  "POST /api/chat/[slug]/session": () => json({ embedOrigin: null }),
};

/** The fields people type into: a NUL there must not get past validation with the rest intact. */
const TEXT_FIELDS = /^(text|name|value|question|answer|title|notes|content|greeting|subject)$/;
const withNulInText = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withNulInText);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, TEXT_FIELDS.test(k) && typeof v === "string" ? `${v}${NUL}x` : withNulInText(v)]));
  }
  return value;
};

/** A body the walker can send to an /api/v1 endpoint: its documented example, or {}. */
function apiBody(key: string): Body {
  const [method, pattern] = key.split(" ");
  const path = pattern!.replace(/^\/api\/v1/, "").replace(/\[(\w+)\]/g, "{$1}");
  const e = ENDPOINTS.find((x) => x.method === method && x.path === path);
  if (!e) throw new Error(`${key} is under /api/v1 but is not one of lib/public-api's ENDPOINTS`);
  return json(e.example ?? {});
}

const validBody = (key: string): Body | undefined => VALID[key]?.() ?? (key.includes(" /api/v1/") && !key.startsWith("GET ") && !key.startsWith("DELETE ") ? apiBody(key) : undefined);

function nulTextBody(key: string): Body | null {
  const valid = validBody(key)!;
  if (valid.type !== "application/json") return null;
  const parsed = JSON.parse(String(valid.body)) as unknown;
  const changed = withNulInText(parsed);
  return JSON.stringify(changed) === JSON.stringify(parsed) ? null : json(changed);
}

function nulBody(key: string): Body {
  const valid = validBody(key)!;
  if (key.endsWith("/faqs/import")) return { type: "text/csv", body: `question,answer\nDo you${NUL} open late?,Until${NUL} eight.\n` };
  if (key.endsWith("/knowledge/uploads")) return multipart({ title: `Walker${NUL}notes` }, { name: `notes${NUL}.txt`, type: "text/plain", content: `Our clinic${NUL} opens at nine.` });
  return json(withNul(JSON.parse(String(valid.body))));
}

function breakages(key: string): { name: string; body: Body }[] {
  const valid = validBody(key)!;
  const type = valid.type;
  const list: { name: string; body: Body }[] = [
    { name: "raw NUL bytes", body: { type, body: `${NUL}${NUL}${NUL}` } },
    { name: "5 MB body", body: { type, body: "a".repeat(FIVE_MB) } },
  ];
  if (type === "application/json") list.push({ name: "bad JSON", body: { type, body: '{"text": "unfinished' } });
  if (type.startsWith("multipart/")) list.push({ name: "truncated multipart", body: multipart({ title: "x" }, { name: "a.txt", type: "text/plain", content: "abc" }, true) });
  if (key.endsWith("/faqs/import")) list.push({ name: "truncated multipart", body: multipart({}, { name: "faqs.csv", type: "text/csv", content: "question,answer\nA?,B\n" }, true) });
  return list;
}

// ---------------------------------------------------------------- signed webhooks

const CUSTOMER = NUMBERS.customer;

type Variant = "valid" | "NUL in the text" | "NUL in every field" | "odd dates" | "bad JSON" | "raw NUL bytes";

function twilioFields(pathname: string, variant: Variant): Record<string, string> {
  const kind = pathname.includes("/voice") ? "voice" : pathname.endsWith("/whatsapp") ? "whatsapp" : "sms";
  const channel = w.channels[kind];
  const { accountSid } = signingCredentials(channel);
  const text = variant === "NUL in the text" ? `Do you${NUL} open late?` : "Do you open late?";
  const callSid = `CA${crypto.randomBytes(16).toString("hex")}`;
  let fields: Record<string, string>;
  if (pathname.endsWith("/twilio/status")) {
    const sid = `SM${crypto.randomBytes(16).toString("hex")}`;
    fields = { SmsSid: sid, SmsStatus: "delivered", MessageStatus: "delivered", To: CUSTOMER, MessageSid: sid, AccountSid: accountSid, From: NUMBERS.sms, ApiVersion: "2010-04-01", RawDlrDoneDate: "2507121434" };
    if (variant === "odd dates") fields.RawDlrDoneDate = "not-a-date";
  } else if (kind !== "voice") {
    fields = messagingPayload({ kind, accountSid, from: CUSTOMER, to: channel.address, body: text });
  } else {
    const status = pathname.endsWith("/voice/status") ? "completed" : pathname.endsWith("/voice") ? "ringing" : "in-progress";
    const extra: Record<string, string> = {};
    if (pathname.endsWith("/gather") || pathname.endsWith("/message")) Object.assign(extra, { SpeechResult: text, Confidence: "0.92" });
    if (pathname.endsWith("/dial")) Object.assign(extra, { DialCallStatus: "no-answer", DialCallDuration: "0" });
    if (pathname.endsWith("/voice/status")) Object.assign(extra, { CallDuration: "61", Duration: "2", Timestamp: variant === "odd dates" ? "not a date" : new Date().toUTCString() });
    fields = callPayload({ accountSid, callSid, from: CUSTOMER, to: channel.address, status, extra });
  }
  if (variant === "NUL in every field") fields = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, `${v}${NUL}`]));
  return fields;
}

const datesOdd = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(datesOdd);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, /(^|_)(date|time|timestamp|created_at)$/i.test(k) ? (typeof v === "number" ? 1e20 : "not-a-date") : datesOdd(v)]),
    );
  }
  return value;
};

async function jsonPayload(provider: Exclude<WebhookProvider, "twilio">, pathname: string, variant: Variant): Promise<string> {
  if (variant === "bad JSON") return '{"type": "unfinished';
  if (variant === "raw NUL bytes") return `${NUL}${NUL}${NUL}`;
  const text = variant === "NUL in the text" ? `Do you${NUL} open late?` : "Do you open late?";
  let payload: unknown;
  if (provider === "resend") {
    payload = await emailReceivedEvent(w.channels.email, { type: "email", from: "someone@example.test", name: "Someone", subject: "Hours", text, reply: false, headers: {} });
  } else if (provider === "telegram") {
    payload = telegramUpdate("700100200", "Alex", text);
  } else if (pathname.endsWith("/instagram")) {
    payload = instagramNotification(IG_ACCOUNT, "17841400000000001", text);
  } else {
    payload = whatsappNotification(w.channels["whatsapp-cloud"], CUSTOMER, "Alex", text);
  }
  if (variant === "NUL in every field") payload = withNul(payload);
  if (variant === "odd dates") payload = datesOdd(payload);
  return JSON.stringify(payload);
}

/** A request the provider would sign, with `variant` applied to its body before signing. */
async function signed(e: Entry, provider: WebhookProvider, variant: Variant): Promise<Call> {
  const pathname = fill(e.pattern, values);
  const url = `${BASE}${pathname}`;
  if (provider === "twilio") {
    const kind = pathname.includes("/voice") ? "voice" : pathname.endsWith("/whatsapp") ? "whatsapp" : "sms";
    if (variant === "bad JSON" || variant === "raw NUL bytes") {
      // Twilio posts forms: "bad JSON" is a form Twilio would never write; both are signed as sent.
      const raw = variant === "bad JSON" ? "Body=%zz%&&=&%" : `${NUL}${NUL}`;
      const { authToken } = signingCredentials(w.channels[kind]);
      const headers = { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": twilioSignature(authToken, url, parseForm(raw)) };
      return { headers, body: raw };
    }
    const init = signedRequestInit(signingCredentials(w.channels[kind]).authToken, url, twilioFields(pathname, variant));
    return { headers: init.headers, body: init.body };
  }
  const body = await jsonPayload(provider, pathname, variant);
  if (provider === "resend") return { headers: { "content-type": "application/json", ...(await svixHeaders(signingSecret().secret, `msg_${crypto.randomBytes(12).toString("hex")}`, body)) }, body };
  if (provider === "telegram") return { headers: { "content-type": "application/json", [SECRET_HEADER]: telegramCredentials(w.channels.telegram)!.webhookSecret }, body };
  const channel = pathname.endsWith("/instagram") ? w.channels.instagram : w.channels["whatsapp-cloud"];
  return { headers: { "content-type": "application/json", "x-hub-signature-256": metaSignature(appSecretFor(channel).secret, body) }, body };
}

// ---------------------------------------------------------------- the cases

type Case = { name: string; run: () => Promise<void> };

const asVisitorless = () => scope.reset();
const asAlice = () => signInAs("alice@a.test");
const asBob = () => signInAs("bob@b.test");

async function setAllowedOrigins(origins: string[]) {
  await withService((tx) => tx.update(s.channels).set({ settings: { allowedOrigins: origins } }).where(and(eq(s.channels.businessId, w.a.businessId), eq(s.channels.kind, "web"))));
}

function memberCases(e: Entry): Case[] {
  const list: Case[] = [
    {
      name: `${e.key}: a visitor gets 401 and no data`,
      run: async () => {
        asVisitorless();
        const body = VALID[e.key]?.();
        const res = await call(e, body ? { headers: { "content-type": body.type }, body: body.body } : {});
        await expectOutcome(`${e.key}: a visitor gets 401 and no data`, res, async (r) => {
          expect(r.status).toBe(401);
          await noDataOfTenantA(r);
        });
      },
    },
    {
      name: `${e.key}: a member of another business gets 404 and no data`,
      run: async () => {
        await asBob();
        const before = await digest();
        const body = VALID[e.key]?.();
        const res = await call(e, body ? { headers: { "content-type": body.type }, body: body.body } : {});
        await expectOutcome(`${e.key}: a member of another business gets 404 and no data`, res, async (r) => {
          expect(r.status).toBe(404);
          await noDataOfTenantA(r);
        });
        expect(await digest()).toBe(before);
      },
    },
  ];
  if (e.method === "GET") {
    list.push({
      name: `${e.key}: odd query values (NUL, bad dates, negative pages) get no 500`,
      run: async () => {
        await asAlice();
        await expectOutcome(`${e.key}: odd query values (NUL, bad dates, negative pages) get no 500`, await call(e, { query: ODD_QUERY }), below500);
      },
    });
    return list;
  }
  if (!VALID[e.key]) throw new Error(`${e.key} writes: give the walker a valid body for it in VALID`);
  list.push({
    name: `${e.key}: a write from another website gets 403 and changes nothing`,
    run: async () => {
      await asAlice();
      const before = await digest();
      const body = VALID[e.key]!();
      const res = await call(e, { headers: { "content-type": "text/plain", origin: "https://evil.example" }, body: body.body });
      await expectOutcome(`${e.key}: a write from another website gets 403 and changes nothing`, res, (r) => expect(r.status).toBe(403));
      expect(await digest()).toBe(before);
    },
  });
  const textNul = nulTextBody(e.key);
  if (textNul) {
    list.push({
      name: `${e.key}: NUL bytes in the text get no 500`,
      run: async () => {
        await asAlice();
        await expectOutcome(`${e.key}: NUL bytes in the text get no 500`, await call(e, { headers: { "content-type": textNul.type }, body: textNul.body }), below500);
      },
    });
  }
  list.push({
    name: `${e.key}: NUL bytes in every field get no 500`,
    run: async () => {
      await asAlice();
      const b = nulBody(e.key);
      await expectOutcome(`${e.key}: NUL bytes in every field get no 500`, await call(e, { headers: { "content-type": b.type }, body: b.body }), below500);
    },
  });
  for (const broken of breakages(e.key)) {
    const name = `${e.key}: ${broken.name} gets a 4xx`;
    list.push({
      name,
      run: async () => {
        await asAlice();
        await expectOutcome(name, await call(e, { headers: { "content-type": broken.body.type }, body: broken.body.body }), is4xx);
      },
    });
  }
  return list;
}

function apiCases(e: Entry): Case[] {
  const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });
  const body = validBody(e.key);
  const withBody = (headers: Record<string, string>, b = body) => (b ? { headers: { ...headers, "content-type": b.type }, body: b.body } : { headers });
  const hasId = /\[(customer|conversation|article|faq)\]/.test(e.pattern);
  const list: Case[] = [
    {
      name: `${e.key}: no API key gets 401 and no data`,
      run: async () => {
        asVisitorless();
        const res = await call(e, withBody({}));
        await expectOutcome(`${e.key}: no API key gets 401 and no data`, res, async (r) => {
          expect(r.status).toBe(401);
          await noDataOfTenantA(r);
        });
      },
    },
    {
      name: `${e.key}: another business's API key gets ${hasId ? "404" : "its own data only"}, never tenant-a's`,
      run: async () => {
        const before = await digest();
        const res = await call(e, withBody(bearer(w.apiKeys.b)));
        await expectOutcome(`${e.key}: another business's API key gets ${hasId ? "404" : "its own data only"}, never tenant-a's`, res, async (r) => {
          if (hasId) expect(r.status).toBe(404);
          await noDataOfTenantA(r);
        });
        if (hasId) expect(await digest()).toBe(before);
      },
    },
    {
      name: `${e.key}: a key of the business without the endpoint's scope gets 403 and changes nothing`,
      run: async () => {
        const path = e.pattern.replace(/^\/api\/v1/, "").replace(/\[(\w+)\]/g, "{$1}");
        const scope = ENDPOINTS.find((x) => x.method === e.method && x.path === path)!.scope;
        const resource = scope.split(":")[0]!;
        const scopes = API_SCOPES.filter((x) => !x.startsWith(`${resource}:`));
        const { secret } = await createApiKey({ ctx: w.owner, input: { name: "Walker without the scope", scopes } });
        const before = await digest();
        const res = await call(e, withBody(bearer(secret)));
        await expectOutcome(`${e.key}: a key of the business without the endpoint's scope gets 403 and changes nothing`, res, (r) => expect(r.status).toBe(403));
        expect(await digest()).toBe(before);
      },
    },
  ];
  if (e.method === "GET" || e.method === "DELETE") {
    if (e.method === "GET") {
      list.push({
        name: `${e.key}: odd query values (NUL, bad cursors, negative limits) get no 500`,
        run: async () => expectOutcome(`${e.key}: odd query values (NUL, bad cursors, negative limits) get no 500`, await call(e, { query: ODD_QUERY, headers: bearer(w.apiKeys.a) }), below500),
      });
    }
    return list;
  }
  const textNul = nulTextBody(e.key);
  if (textNul) {
    list.push({
      name: `${e.key}: NUL bytes in the text get no 500`,
      run: async () => expectOutcome(`${e.key}: NUL bytes in the text get no 500`, await call(e, withBody(bearer(w.apiKeys.a), textNul)), below500),
    });
  }
  list.push({
    name: `${e.key}: NUL bytes in every field get no 500`,
    run: async () => expectOutcome(`${e.key}: NUL bytes in every field get no 500`, await call(e, withBody(bearer(w.apiKeys.a), nulBody(e.key))), below500),
  });
  for (const broken of breakages(e.key)) {
    const name = `${e.key}: ${broken.name} gets a 4xx`;
    list.push({ name, run: async () => expectOutcome(name, await call(e, withBody(bearer(w.apiKeys.a), broken.body)), is4xx) });
  }
  return list;
}

function chatCases(e: Entry, cls: Extract<RouteClass, { kind: "chat" }>): Case[] {
  const token = () => ({ authorization: `Bearer ${w.visitorToken}` });
  const body = () => VALID[e.key]?.();
  const withBody = (b = body()) => (b ? { headers: { "content-type": b.type }, body: b.body } : {});
  const list: Case[] = [
    {
      name: `${e.key}: an unknown chat gets 404`,
      run: async () => {
        const c = withBody();
        await expectOutcome(`${e.key}: an unknown chat gets 404`, await call(e, { ...c, headers: { ...c.headers, ...token() }, values: { slug: "no-such-chat" } }), (r) => expect(r.status).toBe(404));
      },
    },
    {
      name: `${e.key}: a website not on the business's list gets 403`,
      run: async () => {
        await setAllowedOrigins(["https://shop.example"]);
        try {
          const c = withBody();
          const res = await call(e, { ...c, headers: { ...c.headers, ...token(), origin: "https://evil.example" } });
          await expectOutcome(`${e.key}: a website not on the business's list gets 403`, res, (r) => expect(r.status).toBe(403));
        } finally {
          await setAllowedOrigins([]);
        }
      },
    },
  ];
  if (cls.visitor) {
    list.push({
      name: `${e.key}: no visitor token, or another business's, gets 401`,
      run: async () => {
        await expectOutcome(`${e.key}: no visitor token, or another business's, gets 401`, await call(e, withBody()), (r) => expect(r.status).toBe(401));
        const other = (await newVisitor(w.b.businessId, null)).token;
        const c = withBody();
        const res = await call(e, { ...c, headers: { ...c.headers, authorization: `Bearer ${other}` } });
        await expectOutcome(`${e.key}: no visitor token, or another business's, gets 401`, res, (r) => expect(r.status).toBe(401));
      },
    });
  }
  if (e.method === "GET") {
    list.push({
      name: `${e.key}: odd query values get no 500`,
      run: async () => expectOutcome(`${e.key}: odd query values get no 500`, await call(e, { query: ODD_QUERY, headers: token() }), below500),
    });
    return list;
  }
  const textNul = nulTextBody(e.key);
  if (textNul) {
    list.push({
      name: `${e.key}: NUL bytes in the text get no 500`,
      run: async () => expectOutcome(`${e.key}: NUL bytes in the text get no 500`, await call(e, { headers: { "content-type": textNul.type, ...token() }, body: textNul.body }), below500),
    });
  }
  list.push({
    name: `${e.key}: NUL bytes in every field get no 500`,
    run: async () => {
      const b = nulBody(e.key);
      await expectOutcome(`${e.key}: NUL bytes in every field get no 500`, await call(e, { headers: { "content-type": b.type, ...token() }, body: b.body }), below500);
    },
  });
  for (const broken of breakages(e.key)) {
    const name = `${e.key}: ${broken.name} gets a 4xx`;
    list.push({ name, run: async () => expectOutcome(name, await call(e, { headers: { "content-type": broken.body.type, ...token() }, body: broken.body.body }), is4xx) });
  }
  return list;
}

function webhookCases(e: Entry, provider: WebhookProvider): Case[] {
  if (e.method === "GET") {
    // Meta's subscription check: only a channel's verify token gets the challenge back.
    return [
      {
        name: `${e.key}: a wrong verify token gets 403`,
        run: async () => expectOutcome(`${e.key}: a wrong verify token gets 403`, await call(e, { query: "?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=123" }), (r) => expect(r.status).toBe(403)),
      },
      {
        name: `${e.key}: odd query values get no 500`,
        run: async () => expectOutcome(`${e.key}: odd query values get no 500`, await call(e, { query: `?hub.mode=%00&hub.verify_token=%00&hub.challenge=%00` }), below500),
      },
    ];
  }
  const list: Case[] = [
    {
      name: `${e.key}: an unsigned request gets 401/403 and changes nothing`,
      run: async () => {
        const before = await digest();
        const good = await signed(e, provider, "valid");
        const unsigned = Object.fromEntries(Object.entries(good.headers ?? {}).filter(([k]) => !/signature|svix|secret-token/i.test(k)));
        await expectOutcome(`${e.key}: an unsigned request gets 401/403 and changes nothing`, await call(e, { headers: { ...unsigned, origin: "https://evil.example" }, body: good.body }), isStatus(401, 403));
        expect(await digest()).toBe(before);
      },
    },
    {
      name: `${e.key}: a signed request is served`,
      run: async () => {
        const res = await call(e, await signed(e, provider, "valid"));
        await expectOutcome(`${e.key}: a signed request is served`, res, (r) => expect(r.status).toBeLessThan(300));
        await backgroundIdle();
      },
    },
    {
      name: `${e.key}: a 5 MB body gets 413 before it is read whole`,
      run: async () => {
        const good = await signed(e, provider, "valid");
        await expectOutcome(`${e.key}: a 5 MB body gets 413 before it is read whole`, await call(e, { headers: good.headers, body: "a".repeat(FIVE_MB) }), (r) => expect(r.status).toBe(413));
      },
    },
  ];
  const variants: { variant: Variant; expect: (r: Response) => void }[] = [
    { variant: "NUL in the text", expect: below500 },
    { variant: "NUL in every field", expect: below500 },
    { variant: "odd dates", expect: below500 },
    { variant: "bad JSON", expect: provider === "twilio" ? below500 : is4xx },
    { variant: "raw NUL bytes", expect: provider === "twilio" ? below500 : is4xx },
  ];
  for (const v of variants) {
    const name = `${e.key}: signed, ${v.variant}, gets ${v.expect === is4xx ? "a 4xx" : "no 500"}`;
    list.push({
      name,
      run: async () => {
        await expectOutcome(name, await call(e, await signed(e, provider, v.variant)), v.expect);
        await backgroundIdle();
      },
    });
  }
  return list;
}

function jobCases(e: Entry): Case[] {
  const local = { [SOCKET_ADDRESS_HEADER]: "127.0.0.1" };
  return [
    {
      name: `${e.key}: a caller on the network gets 403, whatever Host and X-Forwarded-For say`,
      run: async () => {
        const res = await call(e, { headers: { [SOCKET_ADDRESS_HEADER]: "192.0.2.44", host: "localhost:3000", "x-forwarded-for": "127.0.0.1" }, body: "{}" });
        await expectOutcome(`${e.key}: a caller on the network gets 403, whatever Host and X-Forwarded-For say`, res, (r) => expect(r.status).toBe(403));
      },
    },
    {
      name: `${e.key}: a page of another website posting from this machine gets 403`,
      run: async () => expectOutcome(`${e.key}: a page of another website posting from this machine gets 403`, await call(e, { headers: { ...local, origin: "https://evil.example" }, body: "{}" }), (r) => expect(r.status).toBe(403)),
    },
    {
      name: `${e.key}: this machine runs it; an unknown job is 404`,
      run: async () => {
        await expectOutcome(`${e.key}: this machine runs it; an unknown job is 404`, await call(e, { headers: local, body: "{}" }), (r) => expect(r.status).toBe(200));
        await expectOutcome(`${e.key}: this machine runs it; an unknown job is 404`, await call(e, { headers: local, body: "{}", values: { job: `nope${NUL}` } }), (r) => expect(r.status).toBe(404));
      },
    },
    {
      name: `${e.key}: bad JSON, NUL bytes and 5 MB from the network get a 4xx`,
      run: async () => {
        for (const body of ['{"a":', `${NUL}${NUL}`, "a".repeat(FIVE_MB)]) {
          await expectOutcome(`${e.key}: bad JSON, NUL bytes and 5 MB from the network get a 4xx`, await call(e, { headers: { [SOCKET_ADDRESS_HEADER]: "192.0.2.44" }, body }), is4xx);
        }
      },
    },
  ];
}

function casesFor(e: Entry): Case[] {
  const cls = routeClass(e.key)!;
  switch (cls.kind) {
    case "member":
      return memberCases(e);
    case "chat":
      return chatCases(e, cls);
    case "chat-public":
      return [
        {
          name: `${e.key}: readable from any website; an unknown chat is 404`,
          run: async () => {
            await expectOutcome(`${e.key}: readable from any website; an unknown chat is 404`, await call(e, { headers: { origin: "https://evil.example" } }), (r) => expect(r.status).toBe(200));
            await expectOutcome(`${e.key}: readable from any website; an unknown chat is 404`, await call(e, { values: { slug: `x${NUL}` } }), (r) => expect(r.status).toBe(404));
          },
        },
      ];
    case "webhook":
      return webhookCases(e, cls.provider);
    case "job":
      return jobCases(e);
    case "public":
      return [{ name: `${e.key}: odd query values get no 500`, run: async () => expectOutcome(`${e.key}: odd query values get no 500`, await call(e, { query: ODD_QUERY }), below500) }];
    case "api":
      return apiCases(e);
    case "auth-callback":
      return [
        {
          name: `${e.key}: only ever redirects into the app, even for odd values`,
          run: async () => {
            for (const query of ["?code=abc&next=%2F%5Cevil.example%2F", "?code=%00&next=%00", ODD_QUERY]) {
              await expectOutcome(`${e.key}: only ever redirects into the app, even for odd values`, await call(e, { query }), (r) => {
                expect(r.status).toBeGreaterThanOrEqual(300);
                expect(r.status).toBeLessThan(400);
                expect(new URL(r.headers.get("location")!, BASE).origin).toBe(BASE);
              });
            }
          },
        },
      ];
  }
}

// ---------------------------------------------------------------- the suite

describe("the route inventory", () => {
  it("finds the app's routes", () => {
    expect(ENTRIES.length).toBeGreaterThan(20);
    expect(ENTRIES.map((e) => e.key)).toContain("POST /api/businesses/[business]/conversations/[conversation]");
  });

  it("has an expectation for every route and method, and none for a route that is gone", () => {
    expect(ENTRIES.map((e) => e.key).filter((k) => !routeClass(k))).toEqual([]);
    expect(Object.keys(ROUTES).filter((k) => !ENTRIES.some((e) => e.key === k))).toEqual([]);
  });

  it("has a value for every dynamic segment", () => {
    const known = Object.keys(params({ a: {}, channels: { telegram: {} } } as unknown as World));
    expect([...new Set(ENTRIES.flatMap((e) => segmentsOf(e.pattern)))].filter((s) => !known.includes(s))).toEqual([]);
  });

  it("matches what the modules really export", async () => {
    for (const r of INVENTORY) {
      const mod = load(r.file);
      expect([r.file, HTTP_METHODS.filter((m) => typeof mod[m] === "function")]).toEqual([r.file, r.methods]);
    }
  });
});

const CASES = ENTRIES.filter((e) => routeClass(e.key)).flatMap((e) => casesFor(e));

describe("every route", () => {
  it.each(CASES.map((c) => [c.name, c] as const))("%s", async (_, c) => {
    await c.run();
  });
});

describe("rate limits", () => {
  it("every 429 of the chat API says when to come back, the pipeline's own included", async () => {
    const session = ENTRIES.find((e) => e.key === "POST /api/chat/[slug]/session")!;
    const send = ENTRIES.find((e) => e.key === "POST /api/chat/[slug]/messages")!;
    await withService((tx) => tx.insert(s.rateLimitRules).values({ businessId: w.a.businessId, scope: "ip_minute", limit: 1, windowSeconds: 3600 }));
    try {
      const ip = { [SOCKET_ADDRESS_HEADER]: "198.51.100.200", "content-type": "application/json" };
      await expectOutcome("chat session limit", await call(session, { headers: ip, body: "{}" }), (r) => expect(r.status).toBe(201));
      await expectOutcome("chat session limit", await call(session, { headers: ip, body: "{}" }), (r) => expect(r.status).toBe(429));
    } finally {
      await withService((tx) => tx.delete(s.rateLimitRules).where(eq(s.rateLimitRules.businessId, w.a.businessId)));
    }
    await withService((tx) => tx.update(s.businesses).set({ limits: { customerMinIntervalSeconds: 3600 } }).where(eq(s.businesses.id, w.a.businessId)));
    try {
      const { token } = await newVisitor(w.a.businessId, null);
      const headers = { authorization: `Bearer ${token}`, "content-type": "application/json", [SOCKET_ADDRESS_HEADER]: "198.51.100.201" };
      const msg = (text: string) => JSON.stringify({ text, clientId: `walker-${crypto.randomBytes(6).toString("hex")}` });
      const first = await call(send, { headers, body: msg("Do you open late?") });
      await first.text();
      await expectOutcome("chat pipeline limit", await call(send, { headers, body: msg("And on Sunday?") }), (r) => expect(r.status).toBe(429));
    } finally {
      await withService((tx) => tx.update(s.businesses).set({ limits: {} }).where(eq(s.businesses.id, w.a.businessId)));
      await backgroundIdle();
    }
    expect(observed.filter((o) => o.status === 429).length).toBeGreaterThanOrEqual(2);
    expect(observed.filter((o) => o.status === 429 && !/^\d+$/.test(o.retryAfter ?? ""))).toEqual([]);
  });

  it("no code but lib/errors.ts answers 429 itself", () => {
    const offenders: string[] = [];
    const scan = (full: string) => {
      if (fs.statSync(full).isDirectory()) {
        for (const entry of fs.readdirSync(full)) scan(path.join(full, entry));
      } else if (/\.(ts|tsx)$/.test(full) && full !== path.join(ROOT, "lib/errors.ts")) {
        const src = fs.readFileSync(full, "utf8");
        if (/status:\s*429\b|,\s*429\s*\)|status\s*=\s*429\b|statusCode\s*=\s*429\b/.test(src)) offenders.push(path.relative(ROOT, full));
      }
    };
    for (const entry of ["app", "lib", "proxy.ts", "instrumentation.ts"]) scan(path.join(ROOT, entry));
    expect(offenders).toEqual([]);
  });
});

describe("what still answers 500", () => {
  it("is exactly KNOWN_500", () => {
    expect([...found500].sort()).toEqual(knownFor("routes").sort());
  });
});
