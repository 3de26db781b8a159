// Customers in the dashboard, called as the browser would: the searchable, filtered list (identities
// are found through keyed hashes only), the profile, everyday edits by agents, merge, export and
// delete by owners and admins, bulk actions, and tenant isolation on every route and action.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);
jest.mock("next/cache", () => ({ revalidatePath: jest.fn() }));

import { sql } from "drizzle-orm";
import { memberContext } from "@/lib/auth/member";
import { closeDb, rows, withService, type Tx } from "@/lib/db/client";
import { tablesWithCustomerId } from "@/lib/db/customers";
import { linkIdentity, resolveCustomer } from "@/lib/pipeline/customers";
import { getCustomerProfile, listCustomerPage, trustHistory } from "@/lib/services/customers";
import {
  bulkCustomersAction,
  deleteCustomerAction,
  mergeCustomerAction,
  setBlockedAction,
  setVerifiedAction,
  updateCustomerAction,
} from "@/app/(dashboard)/[business]/customers/actions";
import { GET as listRoute } from "@/app/api/businesses/[business]/customers/route";
import { GET as exportCsvRoute } from "@/app/api/businesses/[business]/customers/export/route";
import { GET as exportOneRoute } from "@/app/api/businesses/[business]/customers/[customer]/export/route";
import { GET as searchRoute } from "@/app/api/businesses/[business]/knowledge/search/route";
import { POST as uploadRoute } from "@/app/api/businesses/[business]/knowledge/uploads/route";
import { GET as faqExportRoute } from "@/app/api/businesses/[business]/faqs/export/route";
import { POST as faqImportRoute } from "@/app/api/businesses/[business]/faqs/import/route";
import { useTestDb } from "../../helpers/db";
import { makeTenant, makeTwoTenants } from "../../helpers/fixtures";
import { form, navigationOutcome, request } from "../../helpers/next-request";
import { signInAs } from "../../helpers/session";

let a: Awaited<ReturnType<typeof makeTenant>>;
let b: Awaited<ReturnType<typeof makeTenant>>;
let smsChannel: string;
const zero = `[${new Array(768).fill(0).map((_, i) => (i === 0 ? 1 : 0)).join(",")}]`;

const ctxOf = async (slug: string) => (await memberContext(slug)).ctx;

type Person = { id: string; name: string; email: string; phone: string; secret: string; messageIds: string[]; conversationIds: string[] };

/** A customer with a row in every table that can hold something about them. */
async function richCustomer(tx: Tx, businessId: string, n: string, opts: { campaignId: string }): Promise<Person> {
  const name = `Zelda Quartz ${n}`;
  const email = `Zelda.${n}@Example.test`;
  const phone = `+4477009001${n.padStart(2, "0")}`;
  const secret = `my unique question about zebra crowns ${n}`;
  const { customer } = await resolveCustomer(tx, businessId, { kind: "email", value: email }, name);
  await linkIdentity(tx, businessId, customer.id, { kind: "phone", value: phone });
  const messageIds: string[] = [];
  const conversationIds: string[] = [];
  for (const channelId of [a.channelId, smsChannel]) {
    const [co] = await rows<{ id: string }>(tx, sql`insert into conversations (business_id, customer_id, channel_id) values (${businessId}, ${customer.id}, ${channelId}) returning id`);
    conversationIds.push(co!.id);
    const [m] = await rows<{ id: string }>(
      tx,
      sql`insert into messages (business_id, conversation_id, customer_id, channel_id, role, content, provider_message_id)
          values (${businessId}, ${co!.id}, ${customer.id}, ${channelId}, 'customer', ${secret}, ${`SM${n}${channelId.slice(0, 8)}`}) returning id`,
    );
    const [r] = await rows<{ id: string }>(
      tx,
      sql`insert into messages (business_id, conversation_id, customer_id, channel_id, role, source, content, reply_to_id)
          values (${businessId}, ${co!.id}, ${customer.id}, ${channelId}, 'assistant', 'model', ${`Answer for ${name}`}, ${m!.id}) returning id`,
    );
    messageIds.push(m!.id, r!.id);
    await tx.execute(sql`insert into memories (business_id, customer_id, kind, content, message_id, embedding) values (${businessId}, ${customer.id}, 'message', ${secret}, ${m!.id}, ${zero}::vector)`);
    await tx.execute(
      sql`insert into response_cache (business_id, question, answer, knowledge_version, source_message_ids, embedding, expires_at)
          values (${businessId}, ${secret}, ${`Answer for ${name}`}, 1, ${`{${m!.id}}`}::uuid[], ${zero}::vector, now() + interval '1 day')`,
    );
    await tx.execute(sql`insert into cost_events (business_id, kind, cost_usd, message_id, conversation_id) values (${businessId}, 'model', 0.001, ${r!.id}, ${co!.id})`);
  }
  await tx.execute(sql`insert into abuse_events (business_id, customer_id, kind, action, trust_delta, created_at) values (${businessId}, ${customer.id}, 'spam', 'flag', -10, now() - interval '2 days')`);
  await tx.execute(sql`insert into abuse_events (business_id, customer_id, kind, action, trust_delta, created_at) values (${businessId}, ${customer.id}, 'verified', 'reward', 5, now() - interval '1 day')`);
  await tx.execute(sql`insert into campaign_recipients (business_id, campaign_id, customer_id) values (${businessId}, ${opts.campaignId}, ${customer.id})`);
  await tx.execute(sql`insert into webhook_events (business_id, provider, event_id, payload) values (${businessId}, 'twilio', ${`evt-${n}`}, ${JSON.stringify({ From: phone, Body: secret })}::jsonb)`);
  await tx.execute(sql`insert into outbox (business_id, channel_kind, recipient, body, message_id) values (${businessId}, 'email', ${email.toLowerCase()}, ${`Answer for ${name}`}, ${messageIds[1]})`);
  await tx.execute(sql`update customers set trust_score = 45, last_seen_at = now() - interval '1 hour', tags = '{vip}' where id = ${customer.id}`);
  return { id: customer.id, name, email, phone, secret, messageIds, conversationIds };
}

let zelda1: Person;
let zelda2: Person;
let zelda3: Person;
let bCustomer: string;

beforeAll(async () => {
  await useTestDb();
  await withService(async (tx) => {
    ({ a, b } = await makeTwoTenants(tx));
    bCustomer = b.customerId;
    [{ id: smsChannel }] = await rows<{ id: string }>(tx, sql`insert into channels (business_id, kind, name, address) values (${a.businessId}, 'sms', 'SMS', '+441234000000') returning id`);
    const [camp] = await rows<{ id: string }>(tx, sql`select id from campaigns where business_id = ${a.businessId}`);
    zelda1 = await richCustomer(tx, a.businessId, "1", { campaignId: camp!.id });
    zelda2 = await richCustomer(tx, a.businessId, "2", { campaignId: camp!.id });
    zelda3 = await richCustomer(tx, a.businessId, "3", { campaignId: camp!.id });
    for (let i = 0; i < 28; i++) {
      await tx.execute(sql`insert into customers (business_id, name, trust_score, verified, blocked, last_seen_at) values (${a.businessId}, ${`Bulk ${String(i).padStart(2, "0")}`}, ${i * 3}, ${i % 2 === 0}, ${i % 7 === 0}, ${i < 5 ? null : new Date(Date.now() - i * 86400_000)})`);
    }
  });
});
afterAll(() => closeDb());

describe("the customer list", () => {
  const page = async (input: Record<string, unknown>) => listCustomerPage({ ctx: await ctxOf("tenant-a"), input });

  it("pages on the server, 25 at a time, most recently seen first", async () => {
    await signInAs("carol@a.test");
    const first = await page({});
    expect(first).toMatchObject({ total: 32, pages: 2, page: 1 });
    expect(first.rows).toHaveLength(25);
    expect(first.rows.slice(0, 3).map((r) => r.name).sort()).toEqual([zelda1.name, zelda2.name, zelda3.name].sort());
    const second = await page({ page: "2" });
    expect(second.rows).toHaveLength(7);
    expect(new Set([...first.rows, ...second.rows].map((r) => r.id)).size).toBe(32);
    const z = first.rows.find((r) => r.id === zelda1.id)!;
    expect(z.identities.map((i) => `${i.kind}:${i.value}`).sort()).toEqual([`email:zelda.1@example.test`, `phone:${zelda1.phone}`]);
    expect(z.channels.sort()).toEqual(["sms", "web"]);
    expect(z.conversations).toBe(2);
  });

  it("finds email and phone exactly through their keyed hash, names by substring", async () => {
    await signInAs("carol@a.test");
    const ids = async (q: string) => (await page({ q })).rows.map((r) => r.id);
    expect(await ids("ZELDA.2@example.TEST ")).toEqual([zelda2.id]);
    expect(await ids("zelda.2@example")).toEqual([]); // a partial address matches nothing: values are encrypted
    expect(await ids("07700 900102")).toEqual([zelda2.id]); // national format of +447700900102
    expect(await ids("+44 7700 900103")).toEqual([zelda3.id]);
    expect((await ids("quartz")).sort()).toEqual([zelda1.id, zelda2.id, zelda3.id].sort());
    expect(await ids("Bulk 0%")).toEqual([]); // % is literal
    expect(await ids("Customer of tenant-b")).toEqual([]);
  });

  it("filters by tag, channel, trust, blocked, verified and last seen", async () => {
    await signInAs("carol@a.test");
    const count = async (input: Record<string, unknown>) => (await page(input)).total;
    expect(await count({ tag: "VIP" })).toBe(3);
    expect(await count({ channel: "sms" })).toBe(3);
    expect(await count({ channel: "whatsapp" })).toBe(0);
    expect(await count({ trustMin: "40", trustMax: "50" })).toBe(3 + 3 + 1); // the zeldas at 45; bulk at 42, 45 and 48; the fixture's customer at 50
    expect(await count({ blocked: "yes" })).toBe(4); // bulk 0, 7, 14, 21
    expect(await count({ verified: "no", blocked: "no" })).toBe(3 + 14 - 2 + 1); // zeldas + odd bulks, minus blocked odd ones (7, 21), + the fixture's
    expect(await count({ lastSeen: "24h" })).toBe(3);
    expect(await count({ lastSeen: "never" })).toBe(5 + 1); // bulk 0–4 and the fixture's
    expect(await count({ lastSeen: "7d" })).toBe(3 + 2); // bulk 5 and 6 days ago
    expect(await count({ lastSeen: "older" })).toBe(5 + 1); // never seen, and none past 90 days
  });

  it("says what is wrong with a bad filter instead of failing", async () => {
    await signInAs("carol@a.test");
    await expect(page({ trustMin: "high" })).rejects.toThrow(/Trust must be a number/);
    await expect(page({ trustMin: "80", trustMax: "20" })).rejects.toThrow("The lowest trust must not be above the highest.");
    await expect(page({ channel: "fax" })).rejects.toThrow(/Unknown channel/);
    const res = await listRoute(new Request("http://localhost/api/businesses/tenant-a/customers?page=0"), { params: Promise.resolve({ business: "tenant-a" }) });
    expect(res.status).toBe(400);
  });
});

describe("the profile and everyday changes", () => {
  it("shows identities decrypted, conversations on every channel and the trust history", async () => {
    await signInAs("carol@a.test");
    const p = await getCustomerProfile({ ctx: await ctxOf("tenant-a"), input: { id: zelda1.id } });
    expect(p.identities.map((i) => i.value).sort()).toEqual([zelda1.phone, "zelda.1@example.test"]);
    expect(p.conversations.map((c) => c.channelKind).sort()).toEqual(["sms", "web"]);
    expect(p.conversations[0]).toMatchObject({ messages: 2, lastMessage: `Answer for ${zelda1.name}` });
    expect(p.trust.map((t) => t.score)).toEqual([50, 40, 45, 45]);
    await expect(getCustomerProfile({ ctx: await ctxOf("tenant-a"), input: { id: bCustomer } })).rejects.toThrow("Customer not found.");
  });

  it("rebuilds the trust history backwards from today's score", () => {
    const t0 = new Date("2026-01-01T00:00:00Z");
    const events = [
      { createdAt: new Date("2026-01-02T00:00:00Z"), trustDelta: -20, kind: "abuse", action: "block" },
      { createdAt: new Date("2026-01-03T00:00:00Z"), trustDelta: 5, kind: "verified", action: "reward" },
    ];
    expect(trustHistory(35, t0, events, new Date("2026-01-04T00:00:00Z")).map((p) => [p.score, p.label])).toEqual([
      [50, "first seen"],
      [30, "abuse (block)"],
      [35, "verified (reward)"],
      [35, "now"],
    ]);
  });

  it("agents tag, note, rename, verify, block and unblock; each is audited without personal data", async () => {
    await signInAs("carol@a.test");
    expect(await updateCustomerAction("tenant-a", zelda3.id, null, form({ name: "Zelda Q", notes: "Prefers SMS", tags: "VIP, late payer , vip" }))).toEqual({ ok: "Saved." });
    expect(await setVerifiedAction("tenant-a", zelda3.id, true)).toEqual({ ok: "Marked as verified." });
    expect(await setBlockedAction("tenant-a", zelda3.id, true)).toMatchObject({ ok: expect.stringMatching(/^Blocked/) });
    const [row] = await withService((tx) => rows(tx, sql`select name, notes, tags, verified, blocked from customers where id = ${zelda3.id}`));
    expect(row).toEqual({ name: "Zelda Q", notes: "Prefers SMS", tags: ["vip", "late payer"], verified: true, blocked: true });
    expect(await setBlockedAction("tenant-a", zelda3.id, false)).toEqual({ ok: "Unblocked." });
    expect(await updateCustomerAction("tenant-a", zelda3.id, null, form({ name: "", notes: "", tags: "#bad!" }))).toEqual({ error: "Check the highlighted field.", fieldErrors: { tags: expect.stringMatching(/^Tags use letters/) } });
    const audit = await withService((tx) => rows<{ action: string; details: Record<string, unknown> }>(tx, sql`select action, details from audit_log where business_id = ${a.businessId} and target_id = ${zelda3.id} order by created_at`));
    expect(audit.map((r) => r.action)).toEqual(["customer.updated", "customer.verified", "customer.blocked", "customer.unblocked"]);
    expect(JSON.stringify(audit)).not.toMatch(/Zelda|Prefers SMS/);
  });

  it("bulk tags and blocks the selected customers; other businesses' ids are not found", async () => {
    await signInAs("carol@a.test");
    expect(await bulkCustomersAction("tenant-a", { action: "tag", ids: [zelda1.id, zelda2.id], tag: "Dentures" })).toEqual({ ok: "Tagged 2 of 2 selected." });
    expect(await bulkCustomersAction("tenant-a", { action: "tag", ids: [zelda1.id], tag: "dentures" })).toEqual({ ok: "Tagged 0 of 1 selected." });
    expect(await bulkCustomersAction("tenant-a", { action: "block", ids: [zelda1.id, zelda2.id] })).toEqual({ ok: "Blocked 2 of 2 selected." });
    expect(await bulkCustomersAction("tenant-a", { action: "unblock", ids: [zelda1.id, zelda2.id] })).toEqual({ ok: "Unblocked 2 of 2 selected." });
    expect(await bulkCustomersAction("tenant-a", { action: "block", ids: [zelda1.id, bCustomer] })).toEqual({ error: "1 of the selected customers were not found." });
    expect(await bulkCustomersAction("tenant-a", { action: "explode", ids: [zelda1.id] })).toEqual({ error: "Choose tag, untag, block or unblock." });
    expect(await bulkCustomersAction("tenant-a", { action: "tag", ids: [] , tag: "x" })).toEqual({ error: "Select at least one customer" });
    const [bRow] = await withService((tx) => rows(tx, sql`select blocked from customers where id = ${bCustomer}`));
    expect(bRow).toEqual({ blocked: false });
    expect((await listCustomerPage({ ctx: await ctxOf("tenant-a"), input: { tag: "dentures" } })).total).toBe(2);
  });
});

describe("owners and admins: export, merge, delete", () => {
  it("agents may not merge, delete or export", async () => {
    await signInAs("carol@a.test");
    const forbidden = { error: "Only owner or admins can do this." };
    expect(await mergeCustomerAction("tenant-a", zelda1.id, zelda2.id)).toEqual(forbidden);
    expect(await deleteCustomerAction("tenant-a", zelda1.id)).toEqual(forbidden);
    const res = await exportOneRoute(new Request("http://localhost/x"), { params: Promise.resolve({ business: "tenant-a", customer: zelda1.id }) });
    expect(res.status).toBe(403);
    expect((await exportCsvRoute(new Request("http://localhost/x"), { params: Promise.resolve({ business: "tenant-a" }) })).status).toBe(403);
  });

  it("exports everything about a customer as a JSON download, audited", async () => {
    await signInAs("alice@a.test");
    const res = await exportOneRoute(new Request("http://localhost/x"), { params: Promise.resolve({ business: "tenant-a", customer: zelda1.id }) });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="customer-${zelda1.id}.json"`);
    const data = await res.json();
    expect(data.customer).toMatchObject({ id: zelda1.id, name: zelda1.name });
    expect(data.identities.map((i: { value: string }) => i.value).sort()).toEqual([zelda1.phone, "zelda.1@example.test"]);
    expect(data.messages).toHaveLength(4);
    expect(data.conversations).toHaveLength(2);
    expect(data.memories).toHaveLength(2);
    expect(data.memories[0]).not.toHaveProperty("embedding");
    expect(data.abuse_events).toHaveLength(2);
    expect(data.campaign_recipients).toHaveLength(1);
    expect(data.cachedAnswers).toHaveLength(2);
    expect(data.outbox).toHaveLength(1);
    // every table with a customer_id is in the export
    for (const t of await withService((tx) => tablesWithCustomerId(tx))) if (t !== "customer_identities") expect(data).toHaveProperty(t);
    const audit = await withService((tx) => rows(tx, sql`select 1 from audit_log where action = 'customer.exported' and target_id = ${zelda1.id}`));
    expect(audit).toHaveLength(1);
  });

  it("exports the list as CSV: the selected ids or everyone matching the filters", async () => {
    await signInAs("alice@a.test");
    const get = (qs: string) => exportCsvRoute(new Request(`http://localhost/x?${qs}`), { params: Promise.resolve({ business: "tenant-a" }) });
    const selected = await (await get(`ids=${zelda1.id},${zelda2.id}`)).text();
    const lines = selected.replace(/^\uFEFF/, "").trim().split("\r\n");
    expect(lines[0]).toBe("id,name,emails,phones,other_ids,tags,trust_score,verified,blocked,channels,conversations,last_seen_at,created_at");
    expect(lines).toHaveLength(3);
    expect(selected).toContain("zelda.1@example.test");
    const blocked = (await (await get("blocked=yes")).text()).trim().split("\r\n");
    expect(blocked).toHaveLength(1 + 4);
    expect((await get(`ids=${bCustomer}`)).status).toBe(200);
    expect((await (await get(`ids=${bCustomer}`)).text()).trim().split("\r\n")).toHaveLength(1);
    expect((await get("ids=not-a-uuid")).status).toBe(400);
  });

  it("merges two customers: identities, conversations, messages, memories and the rest move; nothing is orphaned", async () => {
    await signInAs("alice@a.test");
    const tables = await withService((tx) => tablesWithCustomerId(tx));
    const count = (table: string, id: string) =>
      withService(async (tx) => (await rows<{ n: number }>(tx, sql`select count(*)::int as n from ${sql.identifier(table)} where customer_id = ${id}`))[0]!.n);
    const before: Record<string, number> = {};
    for (const t of tables) before[t] = (await count(t, zelda1.id)) + (await count(t, zelda2.id));

    expect(await mergeCustomerAction("tenant-a", zelda1.id, zelda2.id)).toMatchObject({ ok: expect.stringMatching(/^Merged: \d+ records moved/) });
    for (const t of tables) {
      expect([t, await count(t, zelda2.id)]).toEqual([t, 0]);
      // the shared campaign keeps one recipient row for the merged person, and the HubSpot queue one
      // pending contact upsert (both were waiting: tenant-a is connected to HubSpot in the fixture)
      expect([t, await count(t, zelda1.id)]).toEqual([t, t === "campaign_recipients" || t === "hubspot_sync" ? 1 : before[t]]);
    }
    const gone = await withService((tx) => rows(tx, sql`select 1 from customers where id = ${zelda2.id}`));
    expect(gone).toEqual([]);
    const p = await getCustomerProfile({ ctx: await ctxOf("tenant-a"), input: { id: zelda1.id } });
    expect(p.identities).toHaveLength(4);
    expect(p.conversations).toHaveLength(4);
    const [audit] = await withService((tx) => rows<{ details: { from: string; moved: Record<string, number> } }>(tx, sql`select details from audit_log where action = 'customer.merged'`));
    expect(audit!.details).toMatchObject({ from: zelda2.id, moved: { customer_identities: 2, conversations: 2, messages: 4, memories: 2 } });

    expect(await mergeCustomerAction("tenant-a", zelda1.id, zelda1.id)).toEqual({ error: "Choose two different customers to merge." });
    expect(await mergeCustomerAction("tenant-a", zelda1.id, bCustomer)).toEqual({ error: "Customer not found." });
    expect(await mergeCustomerAction("tenant-a", bCustomer, zelda3.id)).toEqual({ error: "Customer not found." });
  });

  it("deletes a customer and leaves nothing about them in any table", async () => {
    await signInAs("alice@a.test");
    const target = { ...zelda1, merged: zelda2 };
    const v = (await withService((tx) => rows<{ v: number }>(tx, sql`select knowledge_version as v from businesses where id = ${a.businessId}`)))[0]!.v;
    expect(await deleteCustomerAction("tenant-a", target.id)).toEqual({ ok: "The customer and everything about them were deleted." });

    // Every table in the database, read from information_schema, searched for anything about them.
    const tables = await withService((tx) =>
      rows<{ table_name: string }>(tx, sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`),
    );
    expect(tables.length).toBeGreaterThanOrEqual(20);
    const personal = [target.name, target.email, target.phone, target.phone.slice(1), target.secret, target.merged.name, target.merged.email, target.merged.phone, target.merged.secret].map((s) => s.toLowerCase());
    const ids = [target.id, ...target.messageIds, ...target.conversationIds, ...target.merged.messageIds, ...target.merged.conversationIds];
    const found: string[] = [];
    for (const { table_name: t } of tables) {
      // The audit log keeps who did what to a customer id (no longer anyone), never personal data.
      const needles = t === "audit_log" ? personal : [...personal, ...ids];
      for (const needle of needles) {
        const [r] = await withService((tx) => rows<{ n: number }>(tx, sql`select count(*)::int as n from ${sql.identifier(t)} x where strpos(lower(x::text), ${needle.toLowerCase()}) > 0`));
        if (r!.n) found.push(`${t}: ${needle}`);
      }
    }
    expect(found).toEqual([]);

    // Others are untouched, the cache can no longer serve anything built from them, and it is audited.
    const others = await withService((tx) => rows(tx, sql`select 1 from response_cache where business_id = ${a.businessId}`));
    expect(others).toHaveLength(2 + 1); // zelda3's and the fixture's
    const after = (await withService((tx) => rows<{ v: number }>(tx, sql`select knowledge_version as v from businesses where id = ${a.businessId}`)))[0]!.v;
    expect(after).toBe(v + 1);
    const [audit] = await withService((tx) => rows<{ details: { removed: Record<string, number> } }>(tx, sql`select details from audit_log where action = 'customer.deleted' and target_id = ${target.id}`));
    expect(audit!.details.removed).toMatchObject({ customers: 1, messages: 8, memories: 4, response_cache: 4, webhook_events: 2, outbox: 2 });
    expect(await deleteCustomerAction("tenant-a", target.id)).toEqual({ error: "Customer not found." });
  });
});

describe("tenant isolation on every customer and knowledge route and action", () => {
  it("a member of A gets 404 for B's slug on every route, 401 signed out", async () => {
    const routes: [string, (business: string) => Promise<Response>][] = [
      ["customers list", (bz) => listRoute(new Request("http://localhost/x"), { params: Promise.resolve({ business: bz }) })],
      ["customers csv", (bz) => exportCsvRoute(new Request("http://localhost/x"), { params: Promise.resolve({ business: bz }) })],
      ["customer json", (bz) => exportOneRoute(new Request("http://localhost/x"), { params: Promise.resolve({ business: bz, customer: bCustomer }) })],
      ["knowledge search", (bz) => searchRoute(new Request("http://localhost/x?q=content"), { params: Promise.resolve({ business: bz }) })],
      ["knowledge upload", (bz) => uploadRoute(new Request("http://localhost/x", { method: "POST", body: form({ title: "x" }) }), { params: Promise.resolve({ business: bz }) })],
      ["faq export", (bz) => faqExportRoute(new Request("http://localhost/x"), { params: Promise.resolve({ business: bz }) })],
      ["faq import", (bz) => faqImportRoute(new Request("http://localhost/x", { method: "POST", body: "question,answer\nq,a", headers: { "content-type": "text/csv" } }), { params: Promise.resolve({ business: bz }) })],
    ];
    await signInAs("alice@a.test");
    for (const [name, call] of routes) expect([name, (await call("tenant-b")).status]).toEqual([name, 404]);
    // B's customer through A's slug
    const res = await exportOneRoute(new Request("http://localhost/x"), { params: Promise.resolve({ business: "tenant-a", customer: bCustomer }) });
    expect([res.status, (await res.json()).error.message]).toEqual([404, "Customer not found."]);
    request.reset();
    for (const [name, call] of routes) expect([name, (await call("tenant-a")).status]).toEqual([name, 401]);
  });

  it("every customer action answers 404 for B's slug and 'not found' for B's ids", async () => {
    await signInAs("alice@a.test");
    const actions: [string, (slug: string, id: string) => Promise<unknown>][] = [
      ["update", (s, id) => updateCustomerAction(s, id, null, form({ name: "x", notes: "", tags: "" }))],
      ["verify", (s, id) => setVerifiedAction(s, id, true)],
      ["block", (s, id) => setBlockedAction(s, id, true)],
      ["merge", (s, id) => mergeCustomerAction(s, zelda3.id, id)],
      ["delete", (s, id) => deleteCustomerAction(s, id)],
      ["bulk", (s, id) => bulkCustomersAction(s, { action: "block", ids: [id] })],
    ];
    for (const [name, act] of actions) {
      expect([name, await act("tenant-b", bCustomer).catch(navigationOutcome)]).toEqual([name, "404"]);
      expect([name, await act("tenant-a", bCustomer)]).toEqual([name, { error: expect.stringMatching(/not found/) }]);
      expect([name, await act("tenant-a", "garbage")]).toEqual([name, { error: expect.stringMatching(/not found|Unknown customer/) }]);
    }
    const [row] = await withService((tx) => rows(tx, sql`select name, blocked, verified from customers where id = ${bCustomer}`));
    expect(row).toEqual({ name: "Customer of tenant-b", blocked: false, verified: false });
  });
});
