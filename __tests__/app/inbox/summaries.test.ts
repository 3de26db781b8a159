// Summaries of closed conversations: extractive in embedded mode; by the model (the real Gemini SDK
// against the local stand-in) when one is configured, charged to the budget, with the extractive
// summary kept when the model fails or the budget is spent; and the job that catches missed ones.
import { and, eq, sql } from "drizzle-orm";
import { setMonthlyBudget } from "@/lib/billing/budgets";
import { rows, withService } from "@/lib/db/client";
import { conversations, customers, messages } from "@/lib/db/schema";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { extractiveSummary, summarizeConversation, summarizePending, type SummaryLine } from "@/lib/jobs/summaries";
import { JOBS } from "@/lib/jobs";
import { closeDb, useDemoDb, useGemini } from "../../helpers/demo";

const WEB = "00000000-0000-4000-8000-00000000c001";

async function conversation(lines: SummaryLine[], status: "closed" | "open" = "closed", closedAgoSeconds = 0) {
  return withService(async (tx) => {
    const [cu] = await tx.insert(customers).values({ businessId: DEMO_BUSINESS_ID }).returning();
    const closedAt = new Date(Date.now() - closedAgoSeconds * 1000);
    const [c] = await tx
      .insert(conversations)
      .values({ businessId: DEMO_BUSINESS_ID, customerId: cu!.id, channelId: WEB, status, closedAt: status === "closed" ? closedAt : null })
      .returning();
    let at = Date.now() - 600_000;
    for (const l of lines) {
      await tx.insert(messages).values({ businessId: DEMO_BUSINESS_ID, conversationId: c!.id, customerId: cu!.id, channelId: WEB, role: l.role, content: l.content, createdAt: new Date((at += 1000)) });
    }
    await tx.insert(messages).values({ businessId: DEMO_BUSINESS_ID, conversationId: c!.id, customerId: cu!.id, channelId: WEB, role: "note", content: "staff-only remark", createdAt: new Date((at += 1000)) });
    return c!.id;
  });
}
const summaryOf = async (id: string) => (await withService((tx) => tx.select({ s: conversations.summary }).from(conversations).where(eq(conversations.id, id))))[0]!.s;

const CHAT: SummaryLine[] = [
  { role: "customer", content: "Hi, how much is a dental implant? My back tooth cracked last week." },
  { role: "assistant", content: "A single implant with its crown typically costs £2,400." },
  { role: "customer", content: "Can I spread the payment? I would also like a Saturday appointment for the consultation." },
  { role: "agent", content: "Yes — finance over 12 months is available. I have booked you for Saturday at 10:00." },
];

describe("the extractive summary", () => {
  it("says what was asked, what else mattered, the last reply and who handled it", () => {
    expect(extractiveSummary(CHAT)).toBe(
      [
        "Customer asked: Hi, how much is a dental implant?",
        "Also mentioned: My back tooth cracked last week. / I would also like a Saturday appointment for the consultation.",
        "Last reply (team): Yes — finance over 12 months is available. I have booked you for Saturday at 10:00.",
        "Handled by the AI and the team; 4 messages.",
      ].join("\n"),
    );
  });

  it("copes with silence and with a single unanswered message", () => {
    expect(extractiveSummary([])).toBe("The customer sent no messages.");
    expect(extractiveSummary([{ role: "customer", content: "Hello?" }])).toBe("Customer asked: Hello?\nNobody replied.\nHandled by nobody; 1 message.");
  });
});

describe("with the embedded default (offline model)", () => {
  beforeAll(() => useDemoDb({ embed: false }));
  afterAll(() => closeDb());

  it("writes the extractive summary, leaves notes out, and skips conversations that were reopened", async () => {
    const id = await conversation(CHAT);
    const summary = await summarizeConversation(DEMO_BUSINESS_ID, id);
    expect(summary).toBe(extractiveSummary(CHAT));
    expect(await summaryOf(id)).toBe(summary);
    expect(summary).not.toMatch(/staff-only/);
    const open = await conversation(CHAT, "open");
    expect(await summarizeConversation(DEMO_BUSINESS_ID, open)).toBeNull();
    expect(await summaryOf(open)).toBeNull();
    expect(await summarizeConversation(DEMO_BUSINESS_ID, "00000000-0000-4000-8000-000000000000")).toBeNull();
  });

  it("the job summarises closed conversations that have none, after a grace period", async () => {
    const missed = await conversation(CHAT, "closed", 120);
    const justNow = await conversation(CHAT, "closed", 0);
    expect(JOBS.summaries.everySeconds).toBeGreaterThan(0);
    const result = await JOBS.summaries.run();
    expect(result.summarized).toBeGreaterThanOrEqual(1);
    expect(await summaryOf(missed)).toMatch(/^Customer asked/);
    expect(await summaryOf(justNow)).toBeNull();
    expect((await summarizePending({ graceSeconds: 0 })).summarized).toBeGreaterThanOrEqual(1);
    expect(await summaryOf(justNow)).toMatch(/^Customer asked/);
  });
});

describe("with a language model (Gemini through the stand-in)", () => {
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

  it("asks the fast model for plain text, stores its summary and charges it", async () => {
    gemini.script("*", { kind: "text", text: "The customer asked about an implant and finance; booked for Saturday 10:00.", usage: { promptTokenCount: 400, candidatesTokenCount: 30 } });
    const id = await conversation(CHAT);
    expect(await summarizeConversation(DEMO_BUSINESS_ID, id)).toBe("The customer asked about an implant and finance; booked for Saturday 10:00.");
    const [call] = gemini.calls("generateContent");
    expect(call!.model).toBe("gemini-2.5-flash-lite");
    expect(call!.body.generationConfig.responseMimeType ?? "text/plain").not.toBe("application/json");
    const prompt = JSON.stringify(call!.body.contents);
    expect(prompt).toContain("Customer: Hi, how much is a dental implant?");
    expect(prompt).toContain("Staff: Yes — finance over 12 months");
    expect(prompt).not.toContain("staff-only remark");
    const [cost] = await withService((tx) =>
      rows<{ kind: string; tokens_in: number; cost_usd: string }>(tx, sql`select kind, tokens_in, cost_usd from cost_events where conversation_id = ${id}`),
    );
    expect(cost).toMatchObject({ kind: "model", tokens_in: 400 });
    expect(Number(cost!.cost_usd)).toBeGreaterThan(0);
  });

  it("keeps the extractive summary when the model fails, and does not call it without budget", async () => {
    gemini.script("*", { kind: "error", status: 500 }, { kind: "error", status: 500 }, { kind: "error", status: 500 });
    const failed = await conversation(CHAT);
    expect(await summarizeConversation(DEMO_BUSINESS_ID, failed)).toBe(extractiveSummary(CHAT));

    await withService((tx) => setMonthlyBudget(tx, DEMO_BUSINESS_ID, { limitUsd: 0, autoPause: true }));
    gemini.reset();
    const broke = await conversation(CHAT);
    expect(await summarizeConversation(DEMO_BUSINESS_ID, broke)).toBe(extractiveSummary(CHAT));
    expect(gemini.calls("generateContent")).toHaveLength(0);
    const [held] = await withService((tx) => rows<{ reserved: string }>(tx, sql`select coalesce(sum(reserved_usd), 0) as reserved from budgets where business_id = ${DEMO_BUSINESS_ID}`));
    expect(Number(held!.reserved)).toBe(0);
    await withService((tx) => tx.update(conversations).set({ summary: null }).where(and(eq(conversations.id, broke), eq(conversations.businessId, DEMO_BUSINESS_ID))));
  });
});
