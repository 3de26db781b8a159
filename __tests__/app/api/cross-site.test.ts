// Dashboard API routes that change state answer only to the app's own pages: a page on another site
// that makes a member's browser POST (a form, or fetch with text/plain and no preflight) is refused
// before anything runs, whether the browser names it in Origin, Sec-Fetch-Site or Referer.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);

import { eq } from "drizzle-orm";
import { closeDb, withService } from "@/lib/db/client";
import { messages } from "@/lib/db/schema";
import { isSameOriginRequest } from "@/lib/security/origin";
import { GET as detail, POST as act } from "@/app/api/businesses/[business]/conversations/[conversation]/route";
import { useTestDb } from "../../helpers/db";
import { makeTwoTenants } from "../../helpers/fixtures";
import { signInAs } from "../../helpers/session";

let conversation: string;
const BASE = "http://localhost:3000";

beforeAll(async () => {
  await useTestDb();
  conversation = (await withService((tx) => makeTwoTenants(tx))).a.conversationId;
  await signInAs("alice@a.test");
});
afterAll(() => closeDb());

const url = () => `${BASE}/api/businesses/tenant-a/conversations/${conversation}`;
const ctx = () => ({ params: Promise.resolve({ business: "tenant-a", conversation }) });
const note = (text: string, headers: Record<string, string>) =>
  act(new Request(url(), { method: "POST", headers: { "content-type": "text/plain", ...headers }, body: JSON.stringify({ action: "note", text }) }), ctx());
const notes = async (text: string) => (await withService((tx) => tx.select().from(messages).where(eq(messages.content, text)))).length;

describe("a state-changing dashboard route", () => {
  it.each([
    ["Origin of another site", { origin: "https://evil.example" }],
    ["Origin null (a sandboxed frame)", { origin: "null" }],
    ["Origin of a sibling port", { origin: "http://localhost:4000", host: "localhost:3000" }],
    ["Sec-Fetch-Site cross-site", { "sec-fetch-site": "cross-site" }],
    ["Sec-Fetch-Site same-site", { "sec-fetch-site": "same-site" }],
    ["Referer of another site", { referer: "https://evil.example/page" }],
  ])("refuses a request from %s, and nothing is written", async (_, headers) => {
    const text = `cross-site ${JSON.stringify(headers)}`;
    const res = await note(text, headers);
    expect(res.status).toBe(403);
    expect((await res.json()).error).toMatchObject({ code: "forbidden", message: expect.stringMatching(/another website/) });
    expect(await notes(text)).toBe(0);
  });

  it.each([
    ["APP_URL's origin", { origin: BASE }],
    ["the host the browser addressed", { origin: "http://127.0.0.1:3000", host: "127.0.0.1:3000" }],
    ["Sec-Fetch-Site same-origin", { "sec-fetch-site": "same-origin" }],
    ["the app's own Referer", { referer: `${BASE}/tenant-a/inbox` }],
    ["no browser at all (curl, scripts)", {}],
  ])("serves %s", async (_, headers) => {
    const text = `same-site ${JSON.stringify(headers)}`;
    expect((await note(text, headers)).status).toBe(200);
    expect(await notes(text)).toBe(1);
  });

  it("leaves reads alone (a cross-site page cannot read the answer)", async () => {
    expect((await detail(new Request(url(), { headers: { origin: "https://evil.example" } }), ctx())).status).toBe(200);
  });
});

describe("isSameOriginRequest", () => {
  it("prefers Origin over Sec-Fetch-Site and Referer", () => {
    expect(isSameOriginRequest(new Headers({ origin: "https://evil.example", "sec-fetch-site": "same-origin", referer: `${BASE}/x` }))).toBe(false);
    expect(isSameOriginRequest(new Headers({ origin: BASE, referer: "https://evil.example/" }))).toBe(true);
    expect(isSameOriginRequest(new Headers({ origin: "javascript:alert(1)" }))).toBe(false);
  });
});
