// HubSpot against a local stand-in that speaks its CRM v3 REST shapes and enforces its rolling limit
// of 100 requests per 10 s: the token is checked and sealed, customers are upserted as contacts by
// email or phone (search, then create or PATCH), a closed conversation adds a note with its summary
// associated with the contact, 429s are waited out as Retry-After says, and the client never goes
// over the limit. Waits go through an injected sleep that moves a virtual clock: nothing sleeps.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);
jest.mock("next/cache", () => ({ revalidatePath: jest.fn() }));

import { sql } from "drizzle-orm";
import { ZodError } from "zod";
import { closeDb, rows, withService } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { JOBS } from "@/lib/jobs";
import { MemoryKv, MemoryStore } from "@/lib/kv";
import { MemoryLimiter, setLimiterForTests } from "@/lib/ratelimit";
import { resolveCustomer } from "@/lib/pipeline/customers";
import { actOnConversation } from "@/lib/services/conversations";
import type { MemberCtx } from "@/lib/services/context";
import { connectHubspot, disconnectHubspot, getHubspotSettings } from "@/lib/services/hubspot";
import { syncHubspot } from "@/lib/hubspot/sync";
import { NOTE_TO_CONTACT } from "@/lib/hubspot/client";
import { connectHubspotAction } from "@/app/(dashboard)/[business]/settings/integrations/actions";
import { useTestDb } from "../../helpers/db";
import { makeTwoTenants } from "../../helpers/fixtures";
import { signInAs } from "../../helpers/session";
import { RATE_LIMIT_BODY, startHubspotServer, type HubspotStandIn } from "../../helpers/hubspot-server";

let hubspot: HubspotStandIn;
let businessId: string;
let web: string;
let owner: MemberCtx;
let agent: MemberCtx;

// a virtual clock: Date.now() moves only when the code under test sleeps
let offset = 0;
let waits: number[] = [];
const sleep = async (ms: number) => {
  waits.push(ms);
  offset += ms;
};
const realNow = Date.now.bind(Date);

const problem = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => (e instanceof ZodError ? `bad_request: ${e.issues[0]!.message}` : `${(e as { code?: string }).code ?? (e as Error).name}: ${(e as Error).message}`),
  );

async function newCustomer(name: string | null, identity: { kind: "email" | "phone"; value: string } | null) {
  return withService(async (tx) => {
    if (identity) return (await resolveCustomer(tx, businessId, identity, name)).customer.id;
    const [c] = await rows<{ id: string }>(tx, sql`insert into customers (business_id, name) values (${businessId}, ${name}) returning id`);
    return c!.id;
  });
}
const sync = () => syncHubspot({ sleep, businessId, limit: 500 });
const queue = () => withService((tx) => rows<{ kind: string; status: string; error: string | null }>(tx, sql`select kind, status, error from hubspot_sync where business_id = ${businessId} order by created_at`));

beforeAll(async () => {
  await useTestDb();
  hubspot = await startHubspotServer();
  process.env.HUBSPOT_API_BASE = hubspot.url;
  resetEnvForTests();
  const cast = await withService((tx) => makeTwoTenants(tx));
  businessId = cast.a.businessId;
  web = cast.a.channelId;
  owner = { businessId, actor: { type: "member", userId: cast.alice.id, role: "owner" } };
  agent = { businessId, actor: { type: "member", userId: cast.carol.id, role: "agent" } };
  // the fixture's placeholder connection is not a working token
  await withService(async (tx) => {
    await tx.execute(sql`delete from hubspot_connections`);
    await tx.execute(sql`delete from hubspot_sync`);
    await tx.execute(sql`delete from hubspot_contacts`);
    // makeTenant's placeholder identity is not a sealed value
    await tx.execute(sql`delete from customer_identities where value_encrypted = 'x'`);
  });
});

afterAll(async () => {
  jest.restoreAllMocks();
  await hubspot.close();
  delete process.env.HUBSPOT_API_BASE;
  resetEnvForTests();
  setLimiterForTests(undefined);
  await closeDb();
});

beforeEach(() => {
  offset = 0;
  waits = [];
  jest.spyOn(Date, "now").mockImplementation(() => realNow() + offset);
  // a fresh bucket for every test
  setLimiterForTests(new MemoryLimiter(new MemoryStore(), new MemoryKv()));
  hubspot.reset();
  hubspot.times.length = 0;
});

describe("connecting", () => {
  it("checks the token with HubSpot, seals it, and queues the customers it can match", async () => {
    await newCustomer("Ada Lovelace", { kind: "email", value: "ada@example.com" });
    expect(await problem(connectHubspot({ ctx: owner, input: { token: "hello" } }, { sleep }))).toBe(
      "bad_request: Paste the private app's access token from HubSpot (Settings → Integrations → Private apps); it starts with pat-.",
    );
    expect(await problem(connectHubspot({ ctx: owner, input: { token: "pat-na1-00000000-0000-0000-0000-000000000000" } }, { sleep }))).toBe(
      "bad_request: HubSpot refused this token. Check that it is the private app's access token and that the app has the contacts scopes.",
    );
    expect(await problem(connectHubspot({ ctx: agent, input: { token: hubspot.token } }, { sleep }))).toBe("forbidden: Only owner or admins can do this.");
    expect(await connectHubspot({ ctx: owner, input: { token: hubspot.token } }, { sleep })).toEqual({ queued: 1 });
    const settings = await getHubspotSettings({ ctx: owner });
    expect([settings.connected, settings.tokenEnd, settings.counts.pending]).toEqual([true, hubspot.token.slice(-4), 1]);
    const [stored] = await withService((tx) => rows<{ t: string }>(tx, sql`select token_encrypted as t from hubspot_connections where business_id = ${businessId}`));
    expect(stored!.t).not.toContain(hubspot.token.slice(4));
    expect(await problem(getHubspotSettings({ ctx: agent }))).toBe("forbidden: Only owner or admins can do this.");
  });

  it("the form shows a refused token next to its field", async () => {
    await signInAs("alice@a.test");
    expect(await connectHubspotAction("tenant-a", { token: "pat-na1-99999999-0000-0000-0000-000000000000" })).toEqual({
      error: "Check the highlighted field.",
      fieldErrors: { token: "HubSpot refused this token. Check that it is the private app's access token and that the app has the contacts scopes." },
    });
  });
});

describe("contacts", () => {
  it("creates a contact by email, then updates that same contact when the customer changes", async () => {
    expect(JOBS.hubspot.everySeconds).toBeGreaterThan(0);
    expect(await sync()).toMatchObject({ done: 1 });
    const ada = [...hubspot.contacts.values()].find((c) => c.properties.email === "ada@example.com")!;
    expect(ada.properties).toEqual({ email: "ada@example.com", firstname: "Ada", lastname: "Lovelace" });
    expect(hubspot.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /crm/v3/objects/contacts/search", "POST /crm/v3/objects/contacts"]);

    hubspot.reset();
    await withService((tx) => tx.execute(sql`update customers set name = 'Ada King' where business_id = ${businessId} and name = 'Ada Lovelace'`));
    expect(await sync()).toMatchObject({ done: 1 });
    expect(hubspot.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH /crm/v3/objects/contacts/${ada.id}`]);
    expect(ada.properties).toEqual({ email: "ada@example.com", firstname: "Ada", lastname: "King" });
    expect(hubspot.contacts.size).toBe(1);
  });

  it("matches a contact already in HubSpot by phone instead of making a second one; a customer with neither is skipped", async () => {
    hubspot.contacts.set("555", { id: "555", properties: { phone: "+447700900123", firstname: "Grace" }, createdAt: "", updatedAt: "", archived: false });
    await newCustomer("Grace Hopper", { kind: "phone", value: "+447700900123" });
    await newCustomer("Anonymous visitor", null);
    expect(await sync()).toMatchObject({ done: 1, skipped: 1 });
    expect(hubspot.contacts.get("555")!.properties).toEqual({ phone: "+447700900123", firstname: "Grace", lastname: "Hopper" });
    expect(hubspot.contacts.size).toBe(2);
    expect((await queue()).filter((q) => q.status === "skipped").map((q) => q.error)).toEqual(["The customer has no email address or phone number to match a contact on."]);
  });
});

describe("notes", () => {
  it("adds a note with the conversation's summary to the customer's contact when it is closed", async () => {
    const customerId = await newCustomer("Lin Ye", { kind: "email", value: "lin@example.com" });
    const conversationId = await withService(async (tx) => {
      const [c] = await rows<{ id: string }>(tx, sql`insert into conversations (business_id, customer_id, channel_id) values (${businessId}, ${customerId}, ${web}) returning id`);
      await tx.execute(sql`insert into messages (business_id, conversation_id, customer_id, channel_id, role, content) values
        (${businessId}, ${c!.id}, ${customerId}, ${web}, 'customer', 'Can I move my cleaning appointment to Friday afternoon?'),
        (${businessId}, ${c!.id}, ${customerId}, ${web}, 'assistant', 'Yes, Friday at 3 pm is free; I have noted the change.')`);
      // the lead evidence the intelligence job finds in the customer's words (lib/intel/insights.ts)
      const [m] = await rows<{ id: string }>(tx, sql`select id from messages where conversation_id = ${c!.id} and role = 'customer'`);
      await tx.execute(sql`insert into lead_evidence (business_id, customer_id, message_id, kind, quote, points)
        values (${businessId}, ${customerId}, ${m!.id}, 'timing', 'Can I move my cleaning appointment to Friday afternoon?', 25)`);
      await tx.execute(sql`update customers set lead_score = 25 where id = ${customerId}`);
      return c!.id;
    });
    await sync();
    await actOnConversation({ ctx: owner, input: { id: conversationId, action: { action: "close" } } }, { defer: () => {} });
    hubspot.reset();
    expect(await sync()).toMatchObject({ done: 1 });
    const lin = [...hubspot.contacts.values()].find((c) => c.properties.email === "lin@example.com")!;
    expect(hubspot.notes).toHaveLength(1);
    const note = hubspot.notes[0]!;
    expect(note.associations).toEqual([{ to: { id: lin.id }, types: [{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: NOTE_TO_CONTACT }] }]);
    expect(note.properties.hs_note_body).toContain("PrismAI conversation (web) closed");
    expect(note.properties.hs_note_body).toContain("Customer asked: Can I move my cleaning appointment to Friday afternoon?");
    const [closed] = await withService((tx) => rows<{ closed_at: Date | string; summary: string }>(tx, sql`select closed_at, summary from conversations where id = ${conversationId}`));
    expect(note.properties.hs_timestamp).toBe(new Date(closed!.closed_at).toISOString());
    expect(note.properties.hs_note_body).toContain(closed!.summary);
    // the lead score, only with the customer's own words that earned it
    expect(note.properties.hs_note_body).toContain('Lead: qualified, score 25/100.\n- timing (+25): "Can I move my cleaning appointment to Friday afternoon?"');
  });
});

describe("HubSpot's rate limit", () => {
  it("waits out a 429 as its Retry-After says, then carries on", async () => {
    await newCustomer("Retry Person", { kind: "email", value: "retry@example.com" });
    hubspot.failNext({ status: 429, body: RATE_LIMIT_BODY, headers: { "retry-after": "3" } }, 2);
    expect(await sync()).toMatchObject({ done: 1, retrying: 0 });
    expect(waits).toEqual([3000, 3000]);
    expect([...hubspot.contacts.values()].some((c) => c.properties.email === "retry@example.com")).toBe(true);
  });

  it("a 429 that outlasts the retries puts the work back for later, not lost", async () => {
    await newCustomer("Later Person", { kind: "email", value: "later@example.com" });
    hubspot.failNext({ status: 429, body: RATE_LIMIT_BODY, headers: { "retry-after": "7" } }, 4);
    expect(await sync()).toMatchObject({ done: 0, retrying: 1 });
    const [row] = await withService((tx) =>
      rows<{ status: string; error: string; next_attempt_at: string | Date }>(
        tx,
        sql`select status, error, next_attempt_at from hubspot_sync where business_id = ${businessId} and status = 'pending'`,
      ),
    );
    expect([row!.status, row!.error]).toEqual(["pending", "HubSpot's rate limit: try again later."]);
    // (PGlite's own clock follows the mocked Date.now, so this is measured here, not with now())
    expect(new Date(row!.next_attempt_at).getTime() - realNow()).toBeGreaterThanOrEqual(50_000);
    expect(await syncHubspot({ sleep, businessId, now: () => new Date(realNow() + 3600_000) })).toMatchObject({ done: 1 });
  });

  it("never sends more than 100 requests in 10 seconds, however much waits", async () => {
    for (let i = 0; i < 60; i++) await newCustomer(`Bulk ${i}`, { kind: "email", value: `bulk${i}@example.com` });
    expect(await sync()).toMatchObject({ done: 60, retrying: 0, failed: 0 });
    expect(hubspot.times).toHaveLength(120);
    expect(hubspot.peakPer10s()).toBeLessThanOrEqual(100);
    expect(hubspot.requests.filter((r) => r.method === "POST" && r.path === "/crm/v3/objects/contacts")).toHaveLength(60);
    // the bucket (30, then 6 a second) spread them: 120 requests span at least (120 - 30) / 6 = 15 s, less one refill step
    expect(waits.length).toBeGreaterThan(0);
    expect(hubspot.times.at(-1)! - hubspot.times[0]!).toBeGreaterThanOrEqual(14_000);
  });
});

describe("disconnecting", () => {
  it("drops what still waits and sends nothing more", async () => {
    await newCustomer("Before Disconnect", { kind: "email", value: "before@example.com" });
    expect(await problem(disconnectHubspot({ ctx: agent }))).toBe("forbidden: Only owner or admins can do this.");
    await disconnectHubspot({ ctx: owner });
    await newCustomer("After Disconnect", { kind: "email", value: "after@example.com" });
    hubspot.reset();
    expect(await sync()).toEqual({ done: 0, skipped: 0, retrying: 0, failed: 0 });
    expect(hubspot.requests).toHaveLength(0);
    expect((await getHubspotSettings({ ctx: owner })).connected).toBe(false);
  });
});
