// Lead scores with evidence (issue #17): every point quotes the customer's own words, per kind of
// business; no quote, no point. On the demo clinic: the score and stage after the background read,
// one hot-lead email, staff's customer/lost, the Customers list's stage filter and lead sort, the
// profile's quotes and sentiment history, and a merge that keeps the evidence of both.
import { and, eq, sql } from "drizzle-orm";
import { closeDb, withService } from "@/lib/db/client";
import { businesses, conversations, customers, leadEvidence, messages, outbox } from "@/lib/db/schema";
import { DEMO_BUSINESS_ID, DEMO_OWNER } from "@/lib/db/seed-data";
import { analyzeConversation } from "@/lib/intel/insights";
import { leadEvidence as findEvidence, leadScore, stageOf } from "@/lib/intel/leads";
import { mergeCustomers, getCustomerProfile, listCustomerPage, setLeadStage } from "@/lib/services/customers";
import type { MemberCtx } from "@/lib/services/context";
import { useDemoBusiness } from "../../helpers/demo";

const WEB = "00000000-0000-4000-8000-00000000c001";
let owner: MemberCtx;

async function customerSaying(lines: string[], name: string) {
  return withService(async (tx) => {
    const [cu] = await tx.insert(customers).values({ businessId: DEMO_BUSINESS_ID, name, lastSeenAt: new Date() }).returning();
    const [c] = await tx.insert(conversations).values({ businessId: DEMO_BUSINESS_ID, customerId: cu!.id, channelId: WEB }).returning();
    let at = Date.now() - 600_000;
    for (const content of lines) {
      await tx.insert(messages).values({ businessId: DEMO_BUSINESS_ID, conversationId: c!.id, customerId: cu!.id, channelId: WEB, role: "customer", content, createdAt: new Date((at += 1000)) });
    }
    return { customerId: cu!.id, conversationId: c!.id };
  });
}

const hotMails = (customerId: string) =>
  withService((tx) => tx.select().from(outbox).where(and(eq(outbox.businessId, DEMO_BUSINESS_ID), sql`${outbox.payload}->>'kind' = 'hot_lead'`, sql`${outbox.payload}->>'customerId' = ${customerId}`)));

beforeAll(async () => {
  owner = await useDemoBusiness();
});
afterAll(() => closeDb());

describe("evidence, offline", () => {
  it("an estate agent's buyer: budget, timing, need and authority, each an exact sentence of theirs", () => {
    const text = "Hi there. I'm looking to buy a 3-bedroom before June. Our budget is £450k. We have a mortgage in principle already!";
    const found = findEvidence(text, "estate_agent");
    expect(found.map((e) => e.kind).sort()).toEqual(["authority", "budget", "need", "timing"]);
    for (const e of found) expect(text).toContain(e.quote);
    expect(found.find((e) => e.kind === "need")!.quote).toBe("I'm looking to buy a 3-bedroom before June.");
    expect(found.find((e) => e.kind === "budget")!.quote).toBe("Our budget is £450k.");
    expect(leadScore(found)).toBe(100);
    expect(stageOf(leadScore(found), null)).toBe("hot");
  });

  it("no quote, no point: questions that say nothing about buying earn nothing", () => {
    for (const kind of ["general", "clinic", "estate_agent", "restaurant", "law_firm"] as const) {
      expect(findEvidence("What are your opening hours?", kind)).toEqual([]);
      expect(findEvidence("Thanks, bye", kind)).toEqual([]);
    }
    expect(leadScore([])).toBe(0);
    expect(stageOf(0, null)).toBe("new");
  });

  it("each kind of business has its own needs", () => {
    expect(findEvidence("We'd like a table for six on Friday.", "restaurant").map((e) => e.kind)).toEqual(expect.arrayContaining(["need"]));
    expect(findEvidence("I was unfairly dismissed last month.", "law_firm").map((e) => e.kind)).toContain("need");
    expect(findEvidence("I need a filling and I'm a new patient.", "clinic").map((e) => e.kind)).toContain("need");
    // a restaurant's "table for six" means nothing to a law firm
    expect(findEvidence("We'd like a table for six.", "law_firm")).toEqual([]);
    // staff's stages win over the score
    expect(stageOf(100, "lost")).toBe("lost");
    expect(stageOf(10, "customer")).toBe("customer");
  });
});

describe("on the demo clinic", () => {
  it("scores a customer from their own words after the background read, and tells staff once when they turn hot", async () => {
    const { customerId, conversationId } = await customerSaying(["Hello, I need a new patient check-up for my son and me.", "Is there anything next week?"], "Hannah Lead");
    await analyzeConversation(DEMO_BUSINESS_ID, conversationId);
    let profile = await getCustomerProfile({ ctx: owner, input: { id: customerId } });
    expect(profile.lead.score).toBe(70);
    expect(profile.lead.stage).toBe("hot");
    const sent = await withService((tx) => tx.select({ content: messages.content }).from(messages).where(eq(messages.customerId, customerId)));
    for (const e of profile.lead.evidence) expect(sent.some((m) => m.content.includes(e.quote))).toBe(true);
    expect(profile.lead.evidence.map((e) => e.kind).sort()).toEqual(["authority", "need", "timing"]);
    expect(profile.sentiment.length).toBe(2);

    const mails = await hotMails(customerId);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.recipient).toBe(DEMO_OWNER.email);
    expect(mails[0]!.body).toContain('Need: "Hello, I need a new patient check-up for my son and me."');

    // more evidence later: the score grows, no second email
    await withService((tx) =>
      tx.insert(messages).values({ businessId: DEMO_BUSINESS_ID, conversationId, customerId, channelId: WEB, role: "customer", content: "Money is fine, my budget is about £800 for both." }),
    );
    const again = await analyzeConversation(DEMO_BUSINESS_ID, conversationId);
    expect(again.hot).toBe(false);
    profile = await getCustomerProfile({ ctx: owner, input: { id: customerId } });
    expect(profile.lead.score).toBe(100);
    expect(await hotMails(customerId)).toHaveLength(1);

    // staff mark the outcome; "" hands it back to the score
    await setLeadStage({ ctx: owner, input: { id: customerId, stage: "customer" } });
    expect((await getCustomerProfile({ ctx: owner, input: { id: customerId } })).lead).toMatchObject({ stage: "customer", setByStaff: true });
    await expect(setLeadStage({ ctx: owner, input: { id: customerId, stage: "hot" } })).rejects.toThrow(/customer, lost, or none/);
    await setLeadStage({ ctx: owner, input: { id: customerId, stage: null } });
    expect((await getCustomerProfile({ ctx: owner, input: { id: customerId } })).lead.stage).toBe("hot");
  });

  it("a customer who only asks questions scores nothing", async () => {
    const { customerId, conversationId } = await customerSaying(["What time do you close on Friday?", "Where do I park?"], "Quentin Question");
    await analyzeConversation(DEMO_BUSINESS_ID, conversationId);
    const profile = await getCustomerProfile({ ctx: owner, input: { id: customerId } });
    expect(profile.lead).toMatchObject({ score: 0, stage: "new", evidence: [] });
    expect(await withService((tx) => tx.select().from(leadEvidence).where(eq(leadEvidence.customerId, customerId)))).toEqual([]);
  });

  it("the Customers list filters by stage and sorts by lead score", async () => {
    const warm = await customerSaying(["I want to book a cleaning. Could it be tomorrow?"], "Wendy Warm");
    await analyzeConversation(DEMO_BUSINESS_ID, warm.conversationId);
    const sorted = await listCustomerPage({ ctx: owner, input: { sort: "lead" } });
    const scores = sorted.rows.map((r) => r.leadScore);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(sorted.rows[0]!.leadScore).toBe(100);
    const qualified = await listCustomerPage({ ctx: owner, input: { stage: "qualified" } });
    expect(qualified.rows.map((r) => r.displayName)).toEqual(["Wendy Warm"]);
    expect(qualified.rows[0]).toMatchObject({ leadScore: 50, leadStage: "qualified" });
    expect((await listCustomerPage({ ctx: owner, input: { stage: "new" } })).rows.map((r) => r.displayName)).toContain("Quentin Question");
    await expect(listCustomerPage({ ctx: owner, input: { stage: "lukewarm" } })).rejects.toThrow(/Unknown lead stage/);
  });

  it("a merge keeps both customers' quotes and scores them together", async () => {
    const a = await customerSaying(["My budget is £2,000 for implants."], "Merge Source");
    const b = await customerSaying(["I need an implant as soon as possible."], "Merge Target");
    await analyzeConversation(DEMO_BUSINESS_ID, a.conversationId);
    await analyzeConversation(DEMO_BUSINESS_ID, b.conversationId);
    await mergeCustomers({ ctx: owner, input: { sourceId: a.customerId, targetId: b.customerId } });
    const profile = await getCustomerProfile({ ctx: owner, input: { id: b.customerId } });
    expect(profile.lead.evidence.map((e) => e.kind).sort()).toEqual(["budget", "need", "timing"]);
    expect(profile.lead.score).toBe(80);
    const [row] = await withService((tx) => tx.select({ score: customers.leadScore }).from(customers).where(eq(customers.id, b.customerId)));
    expect(row!.score).toBe(80);
  });

  it("reads evidence with the kind of business it is", async () => {
    await withService((tx) => tx.update(businesses).set({ kind: "estate_agent" }).where(eq(businesses.id, DEMO_BUSINESS_ID)));
    const { customerId, conversationId } = await customerSaying(["We are cash buyers looking for a 2 bedroom flat."], "Edgar Estate");
    await analyzeConversation(DEMO_BUSINESS_ID, conversationId);
    const profile = await getCustomerProfile({ ctx: owner, input: { id: customerId } });
    expect(profile.lead.evidence.map((e) => e.kind).sort()).toEqual(["authority", "need"]);
    await withService((tx) => tx.update(businesses).set({ kind: "clinic" }).where(eq(businesses.id, DEMO_BUSINESS_ID)));
  });
});
