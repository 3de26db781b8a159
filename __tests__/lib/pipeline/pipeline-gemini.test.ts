// The pipeline on its production model adapter: the real @google/genai SDK against a local server
// speaking Gemini's REST API. Costs, the semantic cache and its safety, fallback, hand-off, budget.
import { eq, sql } from "drizzle-orm";
import { rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { handleInbound, storeInbound } from "@/lib/pipeline/inbound";
import { sweep } from "@/lib/jobs/sweeper";
import { updateAiSettings } from "@/lib/services/ai-settings";
import type { InboundMessage } from "@/lib/pipeline/types";
import type { MemberCtx } from "@/lib/services/context";
import { closeDb, useDemoBusiness, useGemini } from "../../helpers/demo";

const WEB = "00000000-0000-4000-8000-00000000c001";
let gemini: Awaited<ReturnType<typeof useGemini>>;
let ctx: MemberCtx;
const tasks: Promise<unknown>[] = [];
// As in production, a failed after-response task is logged and left to the sweeper, never thrown at the caller.
const defer = (task: () => Promise<unknown>) => void tasks.push(task().catch(() => undefined));
const settle = async () => {
  while (tasks.length) await Promise.allSettled(tasks.splice(0));
};
let n = 0;
const msg = (text: string, from = `g-visitor-${++n}`): InboundMessage => ({
  businessId: DEMO_BUSINESS_ID,
  channelId: WEB,
  channelKind: "web",
  from: { kind: "web", value: from },
  text,
});
const reply = (text: string, handoff = false) => ({ kind: "json" as const, value: { reply: text, handoff }, usage: { promptTokenCount: 1200, candidatesTokenCount: 80 } });

beforeAll(async () => {
  gemini = await useGemini();
  ctx = await useDemoBusiness({ customerMinIntervalSeconds: null });
});
beforeEach(() => gemini.reset());
afterAll(async () => {
  await settle();
  await closeDb();
  await gemini.stop();
});

describe("model answers", () => {
  it("records tokens, cost and a cost event, and charges the budget", async () => {
    gemini.script("*", reply("We can see you on Thursday evening until 8pm."));
    const r = await handleInbound(msg("Is there any late appointment slot on a weekday evening for a check-up?"), { defer });
    expect(r.reply).toMatchObject({ source: "model", tokensIn: 1200, tokensOut: 80, content: "We can see you on Thursday evening until 8pm." });
    expect(r.reply!.costUsd).toBeGreaterThan(0);
    expect(r.reply!.model).toMatch(/^gemini-/);
    // the after-response work first (memories, and the intelligence read, which holds its own
    // reservation and may charge its own embedding of the message)
    await settle();
    const events = await withService((tx) => tx.select().from(s.costEvents).where(eq(s.costEvents.messageId, r.customerMessage.id)));
    // the answer's one model call (1,200 tokens in, 80 out, as Gemini reported them) at the reply's
    // cost, beside the intelligence read's own small call, and the question's embedding
    const calls = events.filter((e) => e.kind === "model" && e.tokensIn === 1200 && e.tokensOut === 80);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.model).toBe(r.reply!.model);
    expect(calls[0]!.costUsd).toBeCloseTo(r.reply!.costUsd, 6);
    expect(events.filter((e) => e.kind === "embedding").length).toBeGreaterThanOrEqual(1);
    expect(events.every((e) => e.kind === "model" || e.kind === "embedding")).toBe(true);
    const [budget] = await withService((tx) => tx.select().from(s.budgets).where(eq(s.budgets.businessId, DEMO_BUSINESS_ID)));
    expect(budget!.spentUsd).toBeGreaterThan(0);
    expect(budget!.reservedUsd).toBe(0);
    const generate = gemini.calls().filter((c) => c.action.includes("enerate"));
    expect(generate[0]!.headers["x-goog-api-key"]).toBe("test-key");
    expect(JSON.stringify(generate[0]!.body.systemInstruction)).toContain("Riverside Dental Clinic");
  });

  it("moves the budget by exactly the costs a message caused, its embeddings' included", async () => {
    gemini.script("*", reply("Yes, we take walk-ins on Saturday mornings."));
    const ledger = async () => {
      const [budget] = await withService((tx) => tx.select().from(s.budgets).where(eq(s.budgets.businessId, DEMO_BUSINESS_ID)));
      const events = await withService((tx) => tx.select().from(s.costEvents).where(eq(s.costEvents.businessId, DEMO_BUSINESS_ID)));
      return { spent: budget?.spentUsd ?? 0, events };
    };
    // the period's budget row exists by now (the first message of the period creates it)
    await handleInbound(msg("Do you open on Saturdays?"), { defer });
    await settle();
    const before = await ledger();
    const r = await handleInbound(msg("Can I walk in on a Saturday morning without booking?"), { defer });
    expect(r.reply).toMatchObject({ source: "model" });
    await settle();
    const after = await ledger();
    const known = new Set(before.events.map((e) => e.id));
    const added = after.events.filter((e) => !known.has(e.id));
    expect(added.some((e) => e.kind === "embedding" && e.costUsd > 0 && e.messageId === r.customerMessage.id)).toBe(true);
    expect(after.spent - before.spent).toBeCloseTo(added.reduce((sum, e) => sum + e.costUsd, 0), 6);
  });

  it("falls back to the next model on an error, and apologises when every model fails", async () => {
    gemini.script("gemini-2.5-flash-lite", { kind: "error", status: 500 });
    gemini.script("gemini-2.5-flash", reply("Our hygienist works Monday to Friday."));
    const r = await handleInbound(msg("Which days does the hygienist work?"), { defer });
    expect(r.reply).toMatchObject({ source: "model", model: "gemini-2.5-flash" });

    gemini.reset();
    gemini.script("*", { kind: "error", status: 503 }, { kind: "error", status: 503 });
    const failed = await handleInbound(msg("Do you have a hygienist on Saturdays?"), { defer });
    expect(failed.reply).toMatchObject({ source: "fallback", costUsd: 0, content: expect.stringMatching(/get back to you/) });
  });

  it("hands off when the model decides a person is needed", async () => {
    gemini.script("*", reply("I'll ask a colleague whether the charge can be waived.", true));
    const r = await handleInbound(msg("Can you waive the missed-appointment charge? My train was cancelled."), { defer });
    expect(gemini.calls().filter((c) => c.action.includes("enerate"))).toHaveLength(1);
    expect(r.handedOff).toBe(true);
    const [conv] = await withService((tx) => tx.select().from(s.conversations).where(eq(s.conversations.id, r.conversationId)));
    expect(conv!.status).toBe("waiting_human");
    const [stored] = await withService((tx) => rows<{ handoff: unknown }>(tx, sql`select metadata->'handoff' as handoff from messages where id = ${r.reply!.id}`));
    expect(stored!.handoff).toEqual({ category: "model", reason: null });
  });

  it("a hand-off because what the model was given does not hold the answer is recorded as low confidence", async () => {
    gemini.script("*", {
      kind: "json",
      value: { reply: "I don't have that information; a person from the team will follow up.", handoff: true, reason: "no information about implant aftercare", cannotAnswer: true },
      usage: { promptTokenCount: 1200, candidatesTokenCount: 80 },
    });
    const r = await handleInbound(msg("How many days after an implant can I go swimming in the sea?"), { defer });
    expect(r.handedOff).toBe(true);
    const [stored] = await withService((tx) => rows<{ handoff: unknown }>(tx, sql`select metadata->'handoff' as handoff from messages where id = ${r.reply!.id}`));
    expect(stored!.handoff).toEqual({ category: "low_confidence", reason: "no information about implant aftercare" });
  });
});

describe("the owner's rules come before the model", () => {
  it("an emergency gets the advice and a person without a model call; the prompt carries the same rules", async () => {
    const r = await handleInbound(msg("I have a really bad toothache"), { defer });
    expect(r.handedOff).toBe(true);
    expect(r.reply).toMatchObject({ source: "fallback", costUsd: 0, content: expect.stringMatching(/NHS 111/) });
    expect(gemini.calls().filter((c) => c.action.includes("enerate"))).toHaveLength(0);

    gemini.script("*", reply("Our hygienist is in until 8pm on Thursdays."));
    await handleInbound(msg("Is the hygienist in on Thursday evenings?"), { defer });
    const system = JSON.stringify(gemini.calls().find((c) => c.action.includes("enerate"))!.body.systemInstruction);
    expect(system).toContain("first give this advice word for word");
    expect(system).toContain("call us now on 020 7946 0000");
    expect(system).toContain("a complaint or an upset customer, a legal matter, or a request for medical advice");
  });
});

describe("a reply to a campaign", () => {
  it("answers knowing the campaign's brief, and never caches that answer for anyone else", async () => {
    const from = `g-campaign-${++n}`;
    // the customer's conversation, stored (the campaign message went out in it; the limiter is not asked)
    const first = await storeInbound(msg("Hello there", from));
    const [campaign] = await withService((tx) =>
      tx
        .insert(s.campaigns)
        .values({ businessId: DEMO_BUSINESS_ID, name: "Spring whitening", body: "20% off whitening this month", brief: "20% off whitening until 31 May; new patients only", status: "sending" })
        .returning(),
    );
    await withService((tx) =>
      tx.insert(s.campaignRecipients).values({ businessId: DEMO_BUSINESS_ID, campaignId: campaign!.id, customerId: first.customerId, conversationId: first.conversationId, status: "sent", sentAt: new Date() }),
    );
    gemini.reset();
    gemini.script("*", { ...reply("Yes, 20% off whitening until 31 May for new patients."), value: { reply: "Yes, 20% off whitening until 31 May for new patients.", handoff: false, reusable: true } });
    const answered = await handleInbound(msg("Is the whitening offer still on?", from), { defer });
    expect(answered.conversationId).toBe(first.conversationId);
    expect(answered.noReply).toBeUndefined();
    expect(answered.reply).toMatchObject({ source: "model" });
    const system = JSON.stringify(gemini.calls().filter((c) => c.action.includes("enerate")).at(-1)!.body.systemInstruction);
    expect(system).toContain('campaign \\"Spring whitening\\"');
    expect(system).toContain("20% off whitening until 31 May; new patients only");
    await settle();
    // the model called it reusable, but it rests on this customer's campaign: nothing was cached
    const cached = await withService((tx) => rows<{ n: number }>(tx, sql`select count(*)::int as n from response_cache where answer like '%whitening until 31 May%'`));
    expect(cached[0]!.n).toBe(0);
    // a conversation without a campaign message is told nothing about it
    gemini.reset();
    gemini.script("*", reply("We are open until 6pm."));
    await handleInbound(msg("When do you close today?"), { defer });
    expect(JSON.stringify(gemini.calls().filter((c) => c.action.includes("enerate")).at(-1)!.body.systemInstruction)).not.toContain("Spring whitening");
  });
});

describe("memory across channels, in the prompt Gemini receives", () => {
  const PHONE = "+447700900456";
  const kinds = ["sms", "whatsapp", "email"] as const;
  const ids = new Map<string, string>();
  let minute = 0;
  const from = (kind: (typeof kinds)[number]) =>
    kind === "email" ? { kind: "email" as const, value: "gemini-recall@example.com" } : kind === "whatsapp" ? { kind: "whatsapp" as const, value: `whatsapp:${PHONE}` } : { kind: "phone" as const, value: PHONE };
  const on = (kind: (typeof kinds)[number], text: string): InboundMessage => ({
    businessId: DEMO_BUSINESS_ID,
    channelId: ids.get(kind)!,
    channelKind: kind,
    from: from(kind),
    text,
    receivedAt: new Date(Date.now() - 60 * 60_000 + ++minute * 60_000),
  });
  const systemOfLastCall = () => JSON.stringify(gemini.calls().filter((c) => c.action.includes("enerate")).at(-1)!.body.systemInstruction);
  // the business's limit is one message every 2 s per customer
  const pause = () => new Promise((r) => setTimeout(r, 2100));

  beforeAll(async () => {
    const created = await withService((tx) =>
      tx
        .insert(s.channels)
        .values(kinds.map((kind) => ({ businessId: DEMO_BUSINESS_ID, kind, name: kind, address: `gemini-${kind}` })))
        .returning(),
    );
    for (const c of created) ids.set(c.kind, c.id);
  });

  it("a WhatsApp question about an SMS sends the SMS, labelled, and an older WhatsApp message it asks about", async () => {
    gemini.script("*", reply("Yes, we can look at Tuesday afternoon for you."));
    const sms = await handleInbound(on("sms", "Hi, can I move my check-up to next Tuesday afternoon?"), { defer });
    await settle();
    await pause();
    gemini.script("*", reply("You asked to move your check-up to Tuesday afternoon."));
    const recall = await handleInbound(on("whatsapp", "What did I ask you by SMS?"), { defer });
    expect(recall.customerId).toBe(sms.customerId);
    expect(recall.reply!.source).toBe("model");
    expect(systemOfLastCall()).toMatch(/\[sms · \d{4}-\d\d-\d\d \d\d:\d\d UTC\] Customer: Hi, can I move my check-up to next Tuesday afternoon\?/);
    await settle();
    await pause();

    gemini.script("*", reply("Noted, thank you."));
    await handleInbound(on("whatsapp", "Just so you know, I'm allergic to penicillin"), { defer });
    await settle();
    const { linkIdentity } = await import("@/lib/pipeline/customers");
    await withService((tx) => linkIdentity(tx, DEMO_BUSINESS_ID, sms.customerId, from("email")));
    for (let i = 0; i < 12; i++) await storeInbound(on("email", `Booking reference ${2000 + i}: please confirm my slot`));
    await pause();
    gemini.script("*", reply("Yes — you told us you are allergic to penicillin."));
    await handleInbound(on("email", "Did you note my allergy?"), { defer });
    const system = systemOfLastCall();
    // no longer among the last ten messages: recalled for the question, with its channel
    expect(system).not.toMatch(/<history>[\s\S]*allergic to penicillin[\s\S]*<\/history>/);
    expect(system).toMatch(/<memories>[\s\S]*\[whatsapp · [^\]]+\] Customer: Just so you know, I'm allergic to penicillin[\s\S]*<\/memories>/);
  });
});

describe("semantic cache", () => {
  const question = "Can I bring my dog into the waiting room?";

  it("serves a second customer from the cache at zero cost, and stops after a knowledge change", async () => {
    gemini.script("*", reply("Assistance dogs are welcome; other pets, sadly not."));
    const first = await handleInbound(msg(question), { defer });
    expect(first.reply?.source).toBe("model");
    await settle();
    const second = await handleInbound(msg(question), { defer });
    expect(second.reply).toMatchObject({ source: "cache", costUsd: 0, content: "Assistance dogs are welcome; other pets, sadly not." });

    await updateAiSettings({ ctx, input: { tone: "brief" } });
    gemini.script("*", reply("Only assistance dogs, please."));
    const third = await handleInbound(msg(question), { defer });
    expect(third.reply).toMatchObject({ source: "model", content: "Only assistance dogs, please." });
  });

  it("never caches an answer that used the customer's own history", async () => {
    gemini.script("*", reply("Hello!"), reply("Your appointment is on Friday at 10."));
    const who = "g-visitor-personal";
    await handleInbound(msg("Hello there", who), { defer });
    await new Promise((r) => setTimeout(r, 2100));
    const personal = await handleInbound(msg("When is my next appointment at the clinic?", who), { defer });
    expect(personal.reply?.source).toBe("model");
    await settle();
    const entries = await withService((tx) => rows<{ answer: string }>(tx, sql`select answer from response_cache where business_id = ${DEMO_BUSINESS_ID}`));
    expect(entries.map((e) => e.answer)).not.toContain("Your appointment is on Friday at 10.");
    gemini.script("*", reply("I can't see appointments here; a colleague can check."));
    const stranger = await handleInbound(msg("When is my next appointment at the clinic?"), { defer });
    expect(stranger.reply?.source).toBe("model");
  });

  it("caches a later message's answer when the model says it depends on no customer, and never one it says does", async () => {
    const general = (text: string, reusable: boolean) => ({ kind: "json" as const, value: { reply: text, handoff: false, reusable }, usage: { promptTokenCount: 1200, candidatesTokenCount: 80 } });
    gemini.script("*", reply("Hello!"), general("We close at 6pm on Fridays.", true));
    const who = "g-visitor-general";
    await handleInbound(msg("Hi there", who), { defer });
    await new Promise((r) => setTimeout(r, 2100));
    const later = await handleInbound(msg("What time do you close on Fridays?", who), { defer });
    expect(later.reply?.source).toBe("model");
    expect((later.reply!.metadata as { trace: { context: { history: number } } }).trace.context.history).toBeGreaterThan(0);
    await settle();
    const stranger = await handleInbound(msg("What time do you close on Fridays?"), { defer });
    expect(stranger.reply).toMatchObject({ source: "cache", costUsd: 0, content: "We close at 6pm on Fridays." });

    // a first message whose answer the model says is about this customer
    gemini.script("*", general("Your last payment of £40 went through.", false), general("I can't see payments here.", false));
    await handleInbound(msg("Did my last payment to the clinic go through?"), { defer });
    await settle();
    const other = await handleInbound(msg("Did my last payment to the clinic go through?"), { defer });
    expect(other.reply).toMatchObject({ source: "model", content: "I can't see payments here." });
  });

  it("never caches a reply that names the customer", async () => {
    gemini.script("*", { kind: "json", value: { reply: "Hi Priya, we open at 8am on Mondays.", handoff: false, reusable: true } }, reply("We open at 8am on Mondays."));
    await handleInbound({ ...msg("What time do you open on Mondays for cleanings?"), name: "Priya Shah" }, { defer });
    await settle();
    const next = await handleInbound(msg("What time do you open on Mondays for cleanings?"), { defer });
    expect(next.reply).toMatchObject({ source: "model", content: "We open at 8am on Mondays." });
  });
});

describe("budget", () => {
  it("the answer whose cost crosses 75 % of the month's budget queues the owners' alert, once", async () => {
    // the month's budget row exists once a message of the month was answered
    gemini.script("*", reply("We are open until 6pm."));
    await handleInbound(msg("What time do you close on Fridays?"), { defer });
    await settle();
    gemini.reset(); // its scripted answer unused if the FAQ or the cache answered
    await withService(async (tx) => {
      await tx.execute(sql`update businesses set limits = limits || '{"monthlyBudgetUsd": 1, "autoPause": true}'::jsonb where id = ${DEMO_BUSINESS_ID}`);
      await tx.execute(sql`update budgets set limit_usd = 1, spent_usd = 0.749, reserved_usd = 0, alert_75_at = null, alert_90_at = null, exhausted_at = null where business_id = ${DEMO_BUSINESS_ID}`);
    });
    const alerts = () =>
      withService((tx) =>
        rows<{ threshold: number }>(tx, sql`select (payload->>'threshold')::int as threshold from outbox where business_id = ${DEMO_BUSINESS_ID} and payload->>'kind' = 'budget_alert'`),
      );
    const earlier = (await alerts()).length;
    // about $0.002 a call (20k prompt tokens): the first answer takes the month from 74.9 % past 75 %
    for (let i = 0; i < 2; i++) gemini.script("*", { ...reply(`Retainers: answer ${i}`), usage: { promptTokenCount: 20_000, candidatesTokenCount: 80 } });
    const first = await handleInbound(msg("How long should I wear my retainer each night after braces come off?"), { defer });
    expect(first.reply).toMatchObject({ source: "model" });
    const [budget] = await withService((tx) => tx.select().from(s.budgets).where(eq(s.budgets.businessId, DEMO_BUSINESS_ID)));
    expect(budget!.spentUsd).toBeGreaterThanOrEqual(0.75);
    expect(budget!.spentUsd).toBeLessThan(0.9);
    expect(budget!.alert75At).toBeInstanceOf(Date);
    expect((await alerts()).slice(earlier)).toEqual([{ threshold: 75 }]);
    // the next answer spends more, and the owners are not told again
    const second = await handleInbound(msg("Can a retainer be replaced the same week if my dog chewed it?"), { defer });
    expect(second.reply).toMatchObject({ source: "model" });
    expect((await alerts()).slice(earlier)).toEqual([{ threshold: 75 }]);
  });

  it("concurrent messages with budget left for a few never overspend; the rest get the fallback reply", async () => {
    await withService(async (tx) => {
      await tx.execute(sql`update businesses set limits = limits || '{"monthlyBudgetUsd": 0.01, "autoPause": true}'::jsonb where id = ${DEMO_BUSINESS_ID}`);
      await tx.execute(sql`update budgets set limit_usd = 0.01 where business_id = ${DEMO_BUSINESS_ID}`);
      await tx.execute(sql`update budgets set spent_usd = 0 where business_id = ${DEMO_BUSINESS_ID}`);
    });
    // Each call costs about $0.002 (20k prompt tokens): the $0.01 budget has room for about five.
    for (let i = 0; i < 30; i++) gemini.script("*", { ...reply(`answer ${i}`), usage: { promptTokenCount: 20_000, candidatesTokenCount: 80 } });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => handleInbound(msg(`Question number ${i} about orthodontic retainers and how long to wear them?`), { defer })),
    );
    const [budget] = await withService((tx) => tx.select().from(s.budgets).where(eq(s.budgets.businessId, DEMO_BUSINESS_ID)));
    expect(budget!.spentUsd).toBeLessThanOrEqual(budget!.limitUsd);
    const sources = results.map((r) => r.reply?.source);
    const answered = sources.filter((x) => x === "model").length;
    expect(answered).toBeGreaterThan(0);
    expect(answered).toBeLessThanOrEqual(5);
    expect(sources.filter((x) => x === "fallback").length).toBeGreaterThan(0);
    expect(sources.every((x) => x === "model" || x === "fallback")).toBe(true);
    // each fallback reply hands its conversation to a person, under the reason "budget"
    const fallbacks = results.filter((r) => r.reply?.source === "fallback");
    expect(fallbacks.every((r) => r.handedOff)).toBe(true);
    const categories = await withService((tx) =>
      rows<{ category: string }>(tx, sql`select distinct metadata->'handoff'->>'category' as category from messages where id in (${sql.join(
        fallbacks.map((r) => sql`${r.reply!.id}`),
        sql`, `,
      )})`),
    );
    expect(categories).toEqual([{ category: "budget" }]);
  });
});

describe("sweeper", () => {
  it("answers a message stored before a crash, once", async () => {
    await withService((tx) => tx.execute(sql`update businesses set limits = limits || '{"monthlyBudgetUsd": 50}'::jsonb where id = ${DEMO_BUSINESS_ID}`));
    await withService((tx) => tx.execute(sql`update budgets set limit_usd = 50 where business_id = ${DEMO_BUSINESS_ID}`));
    const stored = await storeInbound(msg("What are your opening hours?"));
    const result = await sweep({ graceSeconds: 0 });
    expect(result.answered).toBeGreaterThanOrEqual(1);
    const replies = await withService((tx) => rows<{ source: string }>(tx, sql`select source from messages where reply_to_id = ${stored.message.id}`));
    expect(replies).toEqual([{ source: "faq" }]);
    await sweep({ graceSeconds: 0 });
    const again = await withService((tx) => rows(tx, sql`select 1 from messages where reply_to_id = ${stored.message.id}`));
    expect(again).toHaveLength(1);
  });
});
