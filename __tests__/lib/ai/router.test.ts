import { resetEnvForTests } from "@/lib/env";
import { GeminiLanguageModel } from "@/lib/ai/gemini-model";
import { OfflineLanguageModel } from "@/lib/ai/offline-model";
import {
  assessComplexity,
  chooseModels,
  DEFAULT_FAST_MODEL,
  DEFAULT_STRONG_MODEL,
  generateWithRouter,
  streamWithRouter,
  type RoutedStreamEvent,
  type RouteRequest,
} from "@/lib/ai/router";
import { startGeminiStandIn, type GeminiStandIn } from "../../helpers/gemini-server";

let gemini: GeminiStandIn;
let model: GeminiLanguageModel;
const FAST = DEFAULT_FAST_MODEL;
const STRONG = DEFAULT_STRONG_MODEL;

beforeAll(async () => {
  gemini = await startGeminiStandIn();
  model = new GeminiLanguageModel({ apiKey: "test-gemini-key", baseUrl: gemini.url });
});
afterAll(() => gemini.close());
beforeEach(() => {
  gemini.reset();
  jest.spyOn(console, "warn").mockImplementation(() => {});
});
afterEach(() => jest.restoreAllMocks());

const req: RouteRequest = { system: "You answer for Bright Smile Dental.", messages: [{ role: "user", text: "Are you open today?" }] };
const simple = chooseModels({ text: "Are you open today?" });

describe("model choice", () => {
  it("sends a simple ask to the cheapest model first, the stronger one as fallback", () => {
    expect(simple).toMatchObject({ chain: [FAST, STRONG], tier: "fast" });
    expect(simple.complexity.level).toBe("simple");
    for (const text of ["Why is the clinic closed today?", "How much is a cleaning?", "Can I book for Tuesday at 3pm?"]) {
      expect([text, chooseModels({ text }).chain[0]]).toEqual([text, FAST]);
    }
  });

  it("sends long, multi-question, complaint and reasoning asks to the stronger model", () => {
    const long = "I have a question about my treatment plan. ".repeat(10);
    const multi = "Can I move my appointment? Is there a fee? Do I need to bring my insurance card?";
    const complaint = "This is unacceptable, I was charged twice and I want a refund.";
    const reasoning = "Can you explain the difference between a crown and a veneer, and which is better for me?";
    for (const text of [long, multi, complaint, reasoning]) {
      const c = chooseModels({ text });
      expect([text.slice(0, 30), c.chain[0], c.complexity.level]).toEqual([text.slice(0, 30), STRONG, "hard"]);
    }
    expect(assessComplexity(complaint).reasons).toContain("complaint");
    expect(assessComplexity(multi).reasons).toContain("several questions");
  });

  it("follows the business's preference and forces low-trust customers to the cheapest model", () => {
    const hard = "This is unacceptable, I want a refund now. Why did you charge me twice?";
    expect(chooseModels({ text: "hi", preference: "strong" }).chain).toEqual([STRONG, FAST]);
    expect(chooseModels({ text: hard, preference: "fast" }).chain).toEqual([FAST, STRONG]);
    expect(chooseModels({ text: "hi", preference: "gemini-2.0-flash" }).chain).toEqual(["gemini-2.0-flash", FAST, STRONG]);
    expect(chooseModels({ text: hard, preference: "strong", forceCheapest: true }).chain).toEqual([FAST]);
  });

  it("takes model names from the environment", () => {
    process.env.GEMINI_MODEL_FAST = "gemini-x-lite";
    process.env.GEMINI_MODEL_STRONG = "gemini-x-pro";
    resetEnvForTests();
    try {
      expect(chooseModels({ text: "hi" }).chain).toEqual(["gemini-x-lite", "gemini-x-pro"]);
    } finally {
      delete process.env.GEMINI_MODEL_FAST;
      delete process.env.GEMINI_MODEL_STRONG;
      resetEnvForTests();
    }
  });
});

describe("generate with fallback (real SDK against the stand-in)", () => {
  it("answers with the first model when it works, without thinking on flash-lite", async () => {
    gemini.script(FAST, { kind: "json", value: { reply: "Yes, until 18:00.", handoff: false } });
    const r = await generateWithRouter(req, simple, { model });
    expect(r).toMatchObject({ text: "Yes, until 18:00.", source: "model", model: FAST });
    expect(r.attempts).toEqual([{ model: FAST, ok: true, ms: expect.any(Number) }]);
    expect(gemini.calls("generateContent")[0]!.body.generationConfig.thinkingConfig).toEqual({ thinkingBudget: 0 });
  });

  it("falls back to the next model on a 500", async () => {
    gemini.script(FAST, { kind: "error", status: 500 });
    gemini.script(STRONG, { kind: "json", value: { reply: "Yes, we are open until 18:00.", handoff: false }, usage: { promptTokenCount: 40, candidatesTokenCount: 9 } });
    const r = await generateWithRouter(req, simple, { model });
    expect(r).toMatchObject({ text: "Yes, we are open until 18:00.", source: "model", model: STRONG, tokensIn: 40, tokensOut: 9 });
    expect(r.attempts.map((a) => [a.model, a.ok, a.error?.kind])).toEqual([
      [FAST, false, "server"],
      [STRONG, true, undefined],
    ]);
    expect(gemini.calls("generateContent").map((c) => c.model)).toEqual([FAST, STRONG]);
  });

  it("falls back to the next model when the first times out", async () => {
    gemini.script(FAST, { kind: "json", value: { reply: "too late", handoff: false }, delayMs: 5_000 });
    gemini.script(STRONG, { kind: "json", value: { reply: "On time.", handoff: false } });
    const started = Date.now();
    // 1.5 s per attempt: the late model (5 s) always runs out, the next one answers in time even on a
    // loaded machine (250 ms did not, once, beside the end-to-end suite)
    const r = await generateWithRouter(req, simple, { model, timeoutMs: 1_500 });
    expect(r.text).toBe("On time.");
    expect(r.attempts[0]).toMatchObject({ model: FAST, ok: false, error: { kind: "timeout" } });
    expect(Date.now() - started).toBeLessThan(4_500);
  });

  it("falls back on a 429 from the first model", async () => {
    gemini.script(FAST, { kind: "error", status: 429 });
    const r = await generateWithRouter(req, simple, { model });
    expect(r.model).toBe(STRONG);
    expect(r.attempts[0]!.error?.kind).toBe("rate_limited");
  });

  it("gives the fixed apology, marked fallback, and hands off to a person when every model fails", async () => {
    gemini.script(FAST, { kind: "error", status: 500 });
    gemini.script(STRONG, { kind: "error", status: 503 });
    const r = await generateWithRouter(req, simple, { model, fallbackReply: "Sorry — we'll get back to you shortly." });
    expect(r).toMatchObject({ text: "Sorry — we'll get back to you shortly.", source: "fallback", tokensIn: 0, tokensOut: 0, handoff: { needed: true, reason: "no model could answer" } });
    expect(r.attempts.map((a) => a.ok)).toEqual([false, false]);
    const defaultApology = await generateWithRouter(req, { ...simple, chain: [FAST] }, { model: new GeminiLanguageModel({ apiKey: "k", baseUrl: `${gemini.url}/down` }) });
    expect(defaultApology.source).toBe("fallback");
    expect(defaultApology.text).toMatch(/we'll get back to you/);
  });

  it("never logs what the customer wrote", async () => {
    const warn = jest.spyOn(console, "warn").mockImplementation(() => {});
    gemini.script(FAST, { kind: "error", status: 500 });
    await generateWithRouter({ ...req, messages: [{ role: "user", text: "my card number is 4111 1111" }] }, simple, { model });
    const logged = warn.mock.calls.flat().join(" ");
    expect(logged).toContain(FAST);
    expect(logged).not.toContain("4111");
  });

  it("stops on the caller's cancel instead of trying the next model", async () => {
    gemini.script(FAST, { kind: "json", value: { reply: "slow", handoff: false }, delayMs: 2_000 });
    const controller = new AbortController();
    const answering = generateWithRouter(req, simple, { model, signal: controller.signal });
    // cancel while the first model is answering (once its request has arrived, however loaded the machine)
    while (gemini.calls("generateContent").length === 0) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    await expect(answering).rejects.toMatchObject({ kind: "aborted" });
    expect(gemini.calls("generateContent").map((c) => c.model)).toEqual([FAST]);
  });

  it("uses the offline responder as one model with source offline", async () => {
    const r = await generateWithRouter(
      { ...req, context: { faqs: [{ question: "Are you open today?", answer: "We're open 8:00–18:00 on weekdays." }] } },
      simple,
      { model: new OfflineLanguageModel() },
    );
    expect(r).toMatchObject({ text: "We're open 8:00–18:00 on weekdays.", source: "offline", model: "offline" });
    expect(gemini.requests).toHaveLength(0);
  });
});

describe("stream with fallback", () => {
  async function run(events: AsyncIterable<RoutedStreamEvent>) {
    const seen: RoutedStreamEvent[] = [];
    for await (const e of events) seen.push(e);
    return seen;
  }

  it("streams from the first model that works and resets after a broken stream", async () => {
    gemini.script(FAST, { kind: "break", text: ['{"reply": "We are op', "en un"] });
    gemini.script(STRONG, { kind: "json", value: { reply: "We are open until 18:00.", handoff: false }, chunks: 5 });
    const events = await run(streamWithRouter(req, simple, { model }));

    const reset = events.findIndex((e) => e.type === "reset");
    expect(reset).toBeGreaterThan(0);
    expect(events[reset]).toEqual({ type: "reset", failedModel: FAST });
    const after = events.slice(reset + 1).filter((e): e is { type: "delta"; text: string } => e.type === "delta");
    expect(after.map((e) => e.text).join("")).toBe("We are open until 18:00.");
    const result = events.at(-1);
    expect(result).toMatchObject({ type: "result", result: { text: "We are open until 18:00.", model: STRONG, source: "model" } });
    expect(gemini.calls("streamGenerateContent").map((c) => c.model)).toEqual([FAST, STRONG]);
  });

  it("falls back without a reset when the first model fails before any text", async () => {
    gemini.script(FAST, { kind: "error", status: 500 });
    const events = await run(streamWithRouter(req, simple, { model }));
    expect(events.some((e) => e.type === "reset")).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: "result", result: { model: STRONG, text: `Default reply from ${STRONG}.` } });
  });

  it("streams the apology when every model fails", async () => {
    gemini.script(FAST, { kind: "error", status: 500 });
    gemini.script(STRONG, { kind: "json", value: { reply: "x", handoff: false }, delayMs: 3_000 });
    const events = await run(streamWithRouter(req, simple, { model, timeoutMs: 200, fallbackReply: "We'll get back to you." }));
    expect(events).toEqual([
      { type: "delta", text: "We'll get back to you." },
      { type: "result", result: expect.objectContaining({ source: "fallback", text: "We'll get back to you." }) },
    ]);
  });
});
