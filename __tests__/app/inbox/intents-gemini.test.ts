// Conversation intelligence with Gemini (the real SDK against the local stand-in): one structured-output
// call per batch of messages, reserved against the budget and charged to the ledger; intents outside the
// owner's list read as "other", and lead evidence whose quote is not the customer's own words earns
// nothing. When the model fails or the budget is spent, the offline read stands in.
import { eq, sql } from "drizzle-orm";
import { setMonthlyBudget } from "@/lib/billing/budgets";
import { closeDb, rows, withService } from "@/lib/db/client";
import { conversations, customers, messages } from "@/lib/db/schema";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { analyzeConversation } from "@/lib/intel/insights";
import { useDemoDb, useGemini } from "../../helpers/demo";

const WEB = "00000000-0000-4000-8000-00000000c001";

async function conversation(lines: string[]) {
  return withService(async (tx) => {
    const [cu] = await tx.insert(customers).values({ businessId: DEMO_BUSINESS_ID }).returning();
    const [c] = await tx.insert(conversations).values({ businessId: DEMO_BUSINESS_ID, customerId: cu!.id, channelId: WEB }).returning();
    let at = Date.now() - 600_000;
    for (const content of lines) {
      await tx.insert(messages).values({ businessId: DEMO_BUSINESS_ID, conversationId: c!.id, customerId: cu!.id, channelId: WEB, role: "customer", content, createdAt: new Date((at += 1000)) });
    }
    return { conversationId: c!.id, customerId: cu!.id };
  });
}

const insightsOf = (conversationId: string) =>
  withService((tx) =>
    rows<{ content: string; intent: string | null; confidence: number; sentiment: number; engine: string }>(
      tx,
      sql`select m.content, i.name as intent, mi.confidence, mi.sentiment, mi.engine from message_insights mi
          join messages m on m.id = mi.message_id left join intents i on i.id = mi.intent_id
          where mi.conversation_id = ${conversationId} order by m.created_at`,
    ),
  );

let gemini: Awaited<ReturnType<typeof useGemini>>;
beforeAll(async () => {
  gemini = await useGemini();
  await useDemoDb({ embed: false });
  await withService((tx) => setMonthlyBudget(tx, DEMO_BUSINESS_ID, { limitUsd: 50, autoPause: true }));
});
beforeEach(() => gemini.reset());
afterAll(async () => {
  await closeDb();
  await gemini.stop();
});

it("reads a batch in one structured call, charged to the ledger, and keeps only quotes the customer wrote", async () => {
  const { conversationId, customerId } = await conversation([
    "How much are veneers? I can spend up to £3,000 on my smile.",
    "Also my crown just snapped and it REALLY hurts, this is awful",
    "Do you sell electric toothbrushes?",
  ]);
  gemini.scriptRead( {
    kind: "json",
    value: {
      messages: [
        {
          index: 1,
          intent: "price question",
          confidence: 0.92,
          sentiment: 0,
          evidence: [
            { kind: "budget", quote: "I can spend up to £3,000 on my smile." },
            // not the customer's words: no point
            { kind: "timing", quote: "They want it done before Christmas." },
          ],
        },
        { index: 2, intent: "Emergency", confidence: 0.88, sentiment: -2, evidence: [] },
        { index: 3, intent: "toothbrush sales", confidence: 0.7, sentiment: 0, evidence: [] },
      ],
    },
    usage: { promptTokenCount: 520, candidatesTokenCount: 90 },
  });
  const result = await analyzeConversation(DEMO_BUSINESS_ID, conversationId);
  expect(result).toMatchObject({ analyzed: 3, alerted: true });

  const calls = gemini.reads();
  expect(calls).toHaveLength(1);
  expect(calls[0]!.body.generationConfig.responseMimeType).toBe("application/json");
  const schema = JSON.stringify(calls[0]!.body.generationConfig.responseJsonSchema);
  expect(schema).toContain('"book appointment"');
  expect(schema).toContain('"other"');
  expect(JSON.stringify(calls[0]!.body.contents)).toContain("3. Do you sell electric toothbrushes?");

  const read = await insightsOf(conversationId);
  expect(read.map((r) => [r.intent, r.sentiment])).toEqual([
    ["price question", 0],
    ["emergency", -2],
    [null, 0],
  ]);
  expect(read[0]!.confidence).toBeCloseTo(0.92, 5);
  expect(read.every((r) => r.engine.startsWith("gemini"))).toBe(true);

  const evidence = await withService((tx) => rows<{ kind: string; quote: string }>(tx, sql`select kind, quote from lead_evidence where customer_id = ${customerId}`));
  expect(evidence).toEqual([{ kind: "budget", quote: "I can spend up to £3,000 on my smile." }]);
  const [score] = await withService((tx) => tx.select({ s: customers.leadScore }).from(customers).where(eq(customers.id, customerId)));
  expect(score!.s).toBe(30);

  const [cost] = await withService((tx) => rows<{ kind: string; tokens_in: number; cost_usd: string }>(tx, sql`select kind, tokens_in, cost_usd from cost_events where conversation_id = ${conversationId} and kind = 'model'`));
  expect(cost).toMatchObject({ kind: "model", tokens_in: 520 });
  expect(Number(cost!.cost_usd)).toBeGreaterThan(0);
});

it("falls back to the offline read when the model fails, and calls no model without budget", async () => {
  gemini.scriptRead( { kind: "error", status: 500 }, { kind: "error", status: 500 }, { kind: "error", status: 500 });
  const failed = await conversation(["How much is a check-up with the hygienist?"]);
  await analyzeConversation(DEMO_BUSINESS_ID, failed.conversationId);
  // read offline instead (the stand-in's embeddings are not semantic, so which intent is not asserted here)
  expect((await insightsOf(failed.conversationId)).map((r) => [r.engine, r.sentiment])).toEqual([["offline", 0]]);

  await withService((tx) => setMonthlyBudget(tx, DEMO_BUSINESS_ID, { limitUsd: 0, autoPause: true }));
  gemini.reset();
  const broke = await conversation(["Can I book a check-up for Friday?"]);
  await analyzeConversation(DEMO_BUSINESS_ID, broke.conversationId);
  expect(gemini.reads()).toHaveLength(0);
  expect((await insightsOf(broke.conversationId)).map((r) => r.engine)).toEqual(["offline"]);
  const [held] = await withService((tx) => rows<{ reserved: string }>(tx, sql`select coalesce(sum(reserved_usd), 0) as reserved from budgets where business_id = ${DEMO_BUSINESS_ID}`));
  expect(Number(held!.reserved)).toBe(0);
});
