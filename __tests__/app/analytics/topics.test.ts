// Analytics → Topics and intents over time (issue #17): the period's questions grouped by meaning,
// each named, with its volume, how often the AI resolved it and what its answers cost (and how much
// of that went on questions it did not resolve); intents per day from the background read.
import { closeDb, withService } from "@/lib/db/client";
import { conversations, customers, messages } from "@/lib/db/schema";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { analyzeConversation } from "@/lib/intel/insights";
import { clusterTopics, topicName } from "@/lib/intel/topics";
import { getTopicsReport } from "@/lib/services/topics";
import type { MemberCtx } from "@/lib/services/context";
import { localEmbedding } from "@/lib/ai/embeddings";
import { useDemoBusiness } from "../../helpers/demo";

const WEB = "00000000-0000-4000-8000-00000000c001";
let owner: MemberCtx;

type Exchange = { q: string; source: "faq" | "model" | "fallback"; cost: number; handoff?: boolean };

async function ask(exchanges: Exchange[]): Promise<string> {
  return withService(async (tx) => {
    const [cu] = await tx.insert(customers).values({ businessId: DEMO_BUSINESS_ID }).returning();
    const [c] = await tx.insert(conversations).values({ businessId: DEMO_BUSINESS_ID, customerId: cu!.id, channelId: WEB }).returning();
    let at = Date.now() - 3_600_000;
    for (const e of exchanges) {
      const base = { businessId: DEMO_BUSINESS_ID, conversationId: c!.id, customerId: cu!.id, channelId: WEB };
      const [m] = await tx.insert(messages).values({ ...base, role: "customer", content: e.q, createdAt: new Date((at += 60_000)) }).returning();
      await tx.insert(messages).values({
        ...base,
        role: "assistant",
        source: e.source,
        content: "a reply",
        replyToId: m!.id,
        costUsd: e.cost,
        metadata: e.handoff ? { handoff: { category: "model", reason: null } } : {},
        createdAt: new Date((at += 1000)),
      });
    }
    return c!.id;
  });
}

beforeAll(async () => {
  owner = await useDemoBusiness();
});
afterAll(() => closeDb());

describe("clustering", () => {
  it("groups rewordings of one question and keeps different questions apart", () => {
    const texts = ["Is there parking near the clinic?", "Where can I park near the clinic?", "Is there free parking at the clinic?", "How much does a dental implant cost?", "What is the price of an implant?", "Implant cost please"];
    const topics = clusterTopics(texts.map((text, i) => ({ id: String(i), text, vector: localEmbedding(text), resolved: i < 3, costMicros: i < 3 ? 0 : 2000 })));
    // as many questions each: the one that costs more comes first
    expect(topics.map((t) => t.messageIds.sort())).toEqual([["3", "4", "5"], ["0", "1", "2"]]);
    expect(topics[0]).toMatchObject({ questions: 3, resolved: 0, resolutionRate: 0, costMicros: 6000 });
    expect(topics[1]).toMatchObject({ questions: 3, resolved: 3, resolutionRate: 1, costMicros: 0 });
    expect(topics[0]!.name).toContain("implant");
    expect(topics[1]!.name).toContain("clinic");
    // a question asked once is not a topic
    expect(clusterTopics([{ id: "x", text: "Do you sell gift vouchers?", vector: localEmbedding("Do you sell gift vouchers?"), resolved: false, costMicros: 0 }])).toEqual([]);
  });

  it("names a topic by the words its questions share", () => {
    expect(topicName(["Is there parking near the clinic?", "Where do I park near the clinic?"])).toBe("clinic · near");
  });
});

describe("on the Analytics page", () => {
  it("shows what costs money and still fails, and the intents read per day", async () => {
    const parking = await ask([
      { q: "Is there parking near the clinic?", source: "faq", cost: 0 },
      { q: "Where can I park near the clinic?", source: "faq", cost: 0 },
    ]);
    const implants = await ask([
      { q: "How much does a dental implant cost?", source: "model", cost: 0.0021, handoff: true },
      { q: "What is the price of an implant?", source: "model", cost: 0.0019, handoff: true },
      { q: "Implant cost please", source: "fallback", cost: 0 },
    ]);
    await analyzeConversation(DEMO_BUSINESS_ID, parking);
    await analyzeConversation(DEMO_BUSINESS_ID, implants);

    const report = await getTopicsReport({ ctx: owner, input: { period: "7d" } });
    const implant = report.topics.find((t) => t.name.includes("implant"))!;
    expect(implant).toMatchObject({ questions: 3, resolved: 0, costMicros: 4000, failingCostMicros: 4000 });
    const park = report.topics.find((t) => t.name.includes("clinic"))!;
    expect(park).toMatchObject({ questions: 2, resolved: 2, resolutionRate: 1, costMicros: 0, failingCostMicros: 0 });
    expect(report.questions).toBe(5);

    // the day the questions were asked (an hour ago: that is yesterday in the first hour of a day)
    const asked = report.intentsByDay.filter((d) => Object.keys(d.values).length > 0);
    expect(asked.length).toBeGreaterThanOrEqual(1);
    const read = (intent: string) => asked.reduce((n, d) => n + (d.values[intent] ?? 0), 0);
    expect(read("price question")).toBe(3);
    expect(read("opening hours and location")).toBe(2);
    expect(report.intents.map((i) => i.key)).toEqual(["price question", "opening hours and location"]);

    // another channel's filter sees none of it; agents see no Analytics
    const sms = await getTopicsReport({ ctx: owner, input: { period: "7d", channel: "sms" } });
    expect(sms).toMatchObject({ topics: [], questions: 0, intents: [] });
    await expect(getTopicsReport({ ctx: { ...owner, actor: { ...owner.actor, role: "agent" } }, input: {} })).rejects.toMatchObject({ code: "forbidden" });
    await expect(getTopicsReport({ ctx: owner, input: { period: "forever" } })).rejects.toThrow(/period must be one of/);
  });
});
