// Unanswered questions → FAQ drafts (issue #17): a question the AI handed to a person (or answered
// with its fixed reply, or not at all) that staff then answered appears in Knowledge → Suggested,
// drafted from the staff's reply, from the first time; reworded ones meet in one draft; one click
// makes it an FAQ and it is suggested no more. Without a staff reply there is nothing to draft.
import { closeDb, withService } from "@/lib/db/client";
import { conversations, customers, messages } from "@/lib/db/schema";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { acceptSuggestedFaq, listSuggestedFaqs } from "@/lib/services/faqs";
import type { MemberCtx } from "@/lib/services/context";
import { useDemoBusiness } from "../../helpers/demo";

const WEB = "00000000-0000-4000-8000-00000000c001";
let owner: MemberCtx;

type Reply = { source: "model" | "fallback" | "offline"; handoff?: boolean } | null;

async function asked(question: string, reply: Reply, staff: string | null, minutesAgo: number) {
  await withService(async (tx) => {
    const [cu] = await tx.insert(customers).values({ businessId: DEMO_BUSINESS_ID }).returning();
    const [c] = await tx.insert(conversations).values({ businessId: DEMO_BUSINESS_ID, customerId: cu!.id, channelId: WEB }).returning();
    const base = { businessId: DEMO_BUSINESS_ID, conversationId: c!.id, customerId: cu!.id, channelId: WEB };
    const at = Date.now() - minutesAgo * 60_000;
    const [m] = await tx.insert(messages).values({ ...base, role: "customer", content: question, createdAt: new Date(at) }).returning();
    if (reply) {
      await tx.insert(messages).values({
        ...base,
        role: "assistant",
        source: reply.source,
        content: reply.handoff ? "Let me pass you to someone from the team." : "Sorry, I don't know.",
        replyToId: m!.id,
        metadata: reply.handoff ? { handoff: { category: "low_confidence", reason: null } } : {},
        createdAt: new Date(at + 1000),
      });
    }
    if (staff) await tx.insert(messages).values({ ...base, role: "agent", source: "human", content: staff, createdAt: new Date(at + 60_000) });
  });
}

beforeAll(async () => {
  owner = await useDemoBusiness();
  await asked("Can I bring my guide dog into the surgery?", { source: "offline", handoff: true }, "Yes, guide dogs are always welcome at Riverside.", 50);
  await asked("can i bring my guide dog into the surgery", { source: "model", handoff: true }, "Of course — guide dogs are welcome.", 40);
  await asked("Do you offer sedation for nervous patients?", { source: "fallback" }, "We offer IV sedation on Tuesdays; ask for a consultation first.", 30);
  await asked("Is there a defibrillator on site?", null, "Yes, there is one at reception.", 20);
  // handed over, but nobody has answered yet: nothing to draft from
  await asked("Do you treat children under three?", { source: "model", handoff: true }, null, 10);
});
afterAll(() => closeDb());

describe("FAQ drafts from staff answers", () => {
  it("drafts each unanswered question from the staff's reply, reworded ones together", async () => {
    const list = (await listSuggestedFaqs({ ctx: owner })).filter((s) => s.from === "staff");
    const byQuestion = Object.fromEntries(list.map((s) => [s.question, s]));
    expect(Object.keys(byQuestion).sort()).toEqual(["Can I bring my guide dog into the surgery?", "Do you offer sedation for nervous patients?", "Is there a defibrillator on site?"]);
    expect(byQuestion["Can I bring my guide dog into the surgery?"]).toMatchObject({ count: 2, customers: 2, answer: "Of course — guide dogs are welcome." });
    expect(byQuestion["Do you offer sedation for nervous patients?"]).toMatchObject({ count: 1, answer: "We offer IV sedation on Tuesdays; ask for a consultation first." });
    expect(byQuestion["Is there a defibrillator on site?"]!.answer).toBe("Yes, there is one at reception.");
    expect(JSON.stringify(list)).not.toMatch(/children under three/);
  });

  it("one click (edited or not) makes the draft an FAQ, and it is suggested no more", async () => {
    await acceptSuggestedFaq({ ctx: owner, input: { question: "Is there a defibrillator on site?", answer: "Yes, there is one at reception." } });
    const after = await listSuggestedFaqs({ ctx: owner });
    expect(after.map((s) => s.question)).not.toContain("Is there a defibrillator on site?");
    expect(after.map((s) => s.question)).toContain("Do you offer sedation for nervous patients?");
  });
});
