import { sql } from "drizzle-orm";
import { closeDb, rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { normaliseIdentity } from "@/lib/pipeline/identities";
import { findCustomerByIdentity, linkIdentity, resolveCustomer } from "@/lib/pipeline/customers";
import { recentCustomerMessages, resolveConversation, storeMessage } from "@/lib/pipeline/conversations";
import { useTestDb } from "../../helpers/db";
import { makeUser } from "../../helpers/fixtures";

let businessId: string;
let otherBusinessId: string;
const channels: Record<string, string> = {};

beforeAll(async () => {
  await useTestDb();
  await withService(async (tx) => {
    const owner = await makeUser(tx, "o@clinic.test");
    const [b] = await tx.insert(s.businesses).values({ slug: "clinic", name: "Clinic" }).returning();
    const [o] = await tx.insert(s.businesses).values({ slug: "other", name: "Other" }).returning();
    businessId = b!.id;
    otherBusinessId = o!.id;
    await tx.insert(s.members).values({ businessId, userId: owner.id, role: "owner" });
    for (const kind of ["sms", "whatsapp", "voice", "email", "web"] as const) {
      const [c] = await tx.insert(s.channels).values({ businessId, kind, name: kind, address: `${kind}-clinic` }).returning();
      channels[kind] = c!.id;
    }
  });
});
afterAll(() => closeDb());

describe("identities", () => {
  it("normalises one phone number written three ways to one E.164 identity", () => {
    const forms = ["+44 7700 900123", "07700 900123", "whatsapp:+447700900123"].map((v) => normaliseIdentity({ kind: v.startsWith("whatsapp") ? "whatsapp" : "phone", value: v }));
    expect(forms).toEqual([{ kind: "phone", value: "+447700900123" }, { kind: "phone", value: "+447700900123" }, { kind: "phone", value: "+447700900123" }]);
    expect(() => normaliseIdentity({ kind: "phone", value: "hello" })).toThrow(/Not a phone number/);
    expect(normaliseIdentity({ kind: "email", value: " Ann@Example.COM " })).toEqual({ kind: "email", value: "ann@example.com" });
  });
});

describe("customers", () => {
  it("one phone on SMS, WhatsApp and voice is one customer, stored encrypted", async () => {
    const a = await withService((tx) => resolveCustomer(tx, businessId, { kind: "phone", value: "+447700900123" }));
    const b = await withService((tx) => resolveCustomer(tx, businessId, { kind: "whatsapp", value: "whatsapp:+447700900123" }));
    const c = await withService((tx) => resolveCustomer(tx, businessId, { kind: "phone", value: "07700 900123" }));
    expect(a.created).toBe(true);
    expect([b.created, c.created]).toEqual([false, false]);
    expect(new Set([a.customer.id, b.customer.id, c.customer.id]).size).toBe(1);
    const dump = await withService((tx) => rows<{ t: string }>(tx, sql`select row_to_json(ci)::text as t from customer_identities ci`));
    expect(dump.map((r) => r.t).join("")).not.toMatch(/7700\s?900123/);
  });

  it("concurrent first messages from a new number make one customer", async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, () => withService((tx) => resolveCustomer(tx, businessId, { kind: "phone", value: "+447700900999" }))),
    );
    expect(new Set(results.map((r) => r.customer.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it("keeps businesses apart: the same number is a different customer elsewhere", async () => {
    const here = await withService((tx) => findCustomerByIdentity(tx, businessId, { kind: "phone", value: "+447700900123" }));
    const there = await withService((tx) => findCustomerByIdentity(tx, otherBusinessId, { kind: "phone", value: "+447700900123" }));
    expect(here).toBeDefined();
    expect(there).toBeUndefined();
  });

  it("an email given in web chat links the visitor to their email history", async () => {
    // Yesterday: an email.
    const emailer = await withService(async (tx) => {
      const { customer } = await resolveCustomer(tx, businessId, { kind: "email", value: "pat@example.com" });
      const { conversation } = await resolveConversation(tx, { businessId, customerId: customer.id, channelId: channels.email! });
      await storeMessage(tx, { businessId, conversationId: conversation.id, customerId: customer.id, channelId: channels.email!, role: "customer", content: "Do you do Invisalign?", providerMessageId: "<m1@example.com>" });
      return customer;
    });
    // Today: an anonymous web visitor chats, then types the email.
    const survivor = await withService(async (tx) => {
      const { customer: visitor } = await resolveCustomer(tx, businessId, { kind: "web", value: "visitor-abc" });
      const { conversation } = await resolveConversation(tx, { businessId, customerId: visitor.id, channelId: channels.web! });
      await storeMessage(tx, { businessId, conversationId: conversation.id, customerId: visitor.id, channelId: channels.web!, role: "customer", content: "Hi, about my aligners" });
      return linkIdentity(tx, businessId, visitor.id, { kind: "email", value: "PAT@example.com" });
    });
    expect(survivor).toBe(emailer.id);
    const history = await withService((tx) => recentCustomerMessages(tx, businessId, survivor));
    expect(history.map((m) => m.content)).toEqual(["Do you do Invisalign?", "Hi, about my aligners"]);
    const visitorNow = await withService((tx) => findCustomerByIdentity(tx, businessId, { kind: "web", value: "visitor-abc" }));
    expect(visitorNow?.id).toBe(emailer.id);
    const orphans = await withService((tx) => rows<{ n: number }>(tx, sql`select count(*)::int as n from conversations c left join customers cu on cu.id = c.customer_id where cu.id is null`));
    expect(orphans[0]!.n).toBe(0);
  });
});

describe("conversations and messages", () => {
  it("reuses the open thread, and starts a new one after the inactivity window or a close", async () => {
    const { customer } = await withService((tx) => resolveCustomer(tx, businessId, { kind: "phone", value: "+447700900555" }));
    const t0 = new Date("2026-11-01T10:00:00Z");
    const first = await withService((tx) => resolveConversation(tx, { businessId, customerId: customer.id, channelId: channels.sms!, now: t0 }));
    const soon = await withService((tx) => resolveConversation(tx, { businessId, customerId: customer.id, channelId: channels.sms!, now: new Date(t0.getTime() + 3600_000) }));
    expect(soon.conversation.id).toBe(first.conversation.id);
    const later = await withService((tx) => resolveConversation(tx, { businessId, customerId: customer.id, channelId: channels.sms!, now: new Date(t0.getTime() + 25 * 3600_000) }));
    expect(later.created).toBe(true);
    await withService((tx) => tx.execute(sql`update conversations set status = 'closed' where id = ${later.conversation.id}`));
    const afterClose = await withService((tx) => resolveConversation(tx, { businessId, customerId: customer.id, channelId: channels.sms! }));
    expect(afterClose.conversation.id).not.toBe(later.conversation.id);
    const otherChannel = await withService((tx) => resolveConversation(tx, { businessId, customerId: customer.id, channelId: channels.whatsapp! }));
    expect(otherChannel.conversation.id).not.toBe(afterClose.conversation.id);
  });

  it("stores a provider message id once, however often it arrives", async () => {
    const { customer } = await withService((tx) => resolveCustomer(tx, businessId, { kind: "phone", value: "+447700900777" }));
    const { conversation } = await withService((tx) => resolveConversation(tx, { businessId, customerId: customer.id, channelId: channels.sms! }));
    const values = { businessId, conversationId: conversation.id, customerId: customer.id, channelId: channels.sms!, role: "customer" as const, content: "hello", providerMessageId: "SM123" };
    const results = await Promise.all([1, 2, 3].map(() => withService((tx) => storeMessage(tx, values))));
    expect(results.map((r) => r.duplicate).sort()).toEqual([false, true, true]);
    expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
    const n = await withService((tx) => rows<{ n: number }>(tx, sql`select count(*)::int as n from messages where provider_message_id = 'SM123'`));
    expect(n[0]!.n).toBe(1);
  });
});
