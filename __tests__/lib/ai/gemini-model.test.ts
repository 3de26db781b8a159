import { GeminiLanguageModel } from "@/lib/ai/gemini-model";
import { ModelError, parseModelReply, ReplyFieldReader, type GenerateRequest, type StreamEvent } from "@/lib/ai/model";
import { startGeminiStandIn, type GeminiStandIn } from "../../helpers/gemini-server";

let gemini: GeminiStandIn;
let model: GeminiLanguageModel;

beforeAll(async () => {
  gemini = await startGeminiStandIn();
  model = new GeminiLanguageModel({ apiKey: "test-gemini-key", baseUrl: gemini.url });
});
afterAll(() => gemini.close());
beforeEach(() => gemini.reset());

const request = (over: Partial<GenerateRequest> = {}): GenerateRequest => ({
  system: "You are the assistant of Bright Smile Dental.",
  messages: [{ role: "user", text: "Are you open on Saturday?" }],
  model: "gemini-2.5-flash-lite",
  temperature: 0.3,
  maxOutputTokens: 200,
  ...over,
});

async function collect(events: AsyncIterable<StreamEvent>) {
  const deltas: string[] = [];
  let result;
  for await (const e of events) {
    if (e.type === "delta") deltas.push(e.text);
    else result = e.result;
  }
  return { deltas, result: result! };
}

describe("Gemini adapter: generate", () => {
  it("sends what we mean and reads the structured reply and usage", async () => {
    gemini.script("gemini-2.5-flash-lite", {
      kind: "json",
      value: { reply: "Yes, 9:00 to 13:00 on Saturdays.", handoff: false },
      usage: { promptTokenCount: 321, candidatesTokenCount: 12, thoughtsTokenCount: 4 },
    });
    const r = await model.generate(request());

    expect(r).toMatchObject({
      text: "Yes, 9:00 to 13:00 on Saturdays.",
      handoff: { needed: false },
      tokensIn: 321,
      tokensOut: 16, // thinking tokens bill as output
      model: "gemini-2.5-flash-lite",
      provider: "gemini",
      finishReason: "STOP",
    });
    const [call] = gemini.calls("generateContent");
    expect(call!.path).toBe("/v1beta/models/gemini-2.5-flash-lite:generateContent");
    expect(call!.headers["x-goog-api-key"]).toBe("test-gemini-key");
    expect(call!.body.systemInstruction.parts[0].text).toBe("You are the assistant of Bright Smile Dental.");
    expect(call!.body.contents).toEqual([{ role: "user", parts: [{ text: "Are you open on Saturday?" }] }]);
    expect(call!.body.generationConfig).toMatchObject({ temperature: 0.3, maxOutputTokens: 200, responseMimeType: "application/json" });
    expect(call!.body.generationConfig.responseSchema.required).toEqual(["reply", "handoff"]);
    expect(call!.body.generationConfig.responseSchema.propertyOrdering).toEqual(["reply", "handoff", "reason", "cannotAnswer", "reusable", "sameAsEarlier"]);
  });

  it("reports a hand-off the model asks for", async () => {
    gemini.script("*", { kind: "json", value: { reply: "I'll ask a colleague to call you.", handoff: true, reason: "billing dispute" } });
    const r = await model.generate(request());
    expect(r.handoff).toEqual({ needed: true, reason: "billing dispute" });
    expect(r.text).toBe("I'll ask a colleague to call you.");
  });

  it("sends the thinking budget when asked", async () => {
    await model.generate(request({ thinkingBudget: 0 }));
    expect(gemini.calls("generateContent")[0]!.body.generationConfig.thinkingConfig).toEqual({ thinkingBudget: 0 });
  });

  it("returns plain text without a response schema in text mode", async () => {
    gemini.script("*", { kind: "text", text: "A short summary." });
    const r = await model.generate(request({ output: "text" }));
    expect(r.text).toBe("A short summary.");
    const config = gemini.calls("generateContent")[0]!.body.generationConfig;
    expect(config.responseMimeType).toBeUndefined();
    expect(config.responseSchema).toBeUndefined();
  });

  it("parses other structured output with a JSON schema", async () => {
    const schema = { type: "object", properties: { intent: { type: "string" } }, required: ["intent"] };
    gemini.script("*", { kind: "json", value: { intent: "booking" } });
    const r = await model.generate(request({ output: { json: schema } }));
    expect(r.json).toEqual({ intent: "booking" });
    expect(gemini.calls("generateContent")[0]!.body.generationConfig.responseJsonSchema).toEqual(schema);
  });

  it.each([
    [500, "server"],
    [503, "server"],
    [429, "rate_limited"],
    [400, "bad_request"],
  ] as const)("maps HTTP %i to a %s ModelError (no SDK retries)", async (status, kind) => {
    gemini.script("*", { kind: "error", status });
    const err = await model.generate(request()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).kind).toBe(kind);
    expect((err as ModelError).status).toBe(status);
    expect(gemini.calls("generateContent")).toHaveLength(1);
  });

  it("times out a slow answer", async () => {
    gemini.script("*", { kind: "json", value: { reply: "late", handoff: false }, delayMs: 3_000 });
    const started = Date.now();
    const err = await model.generate(request({ timeoutMs: 150 })).catch((e: unknown) => e);
    expect((err as ModelError).kind).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("treats a blocked prompt and an empty answer as failures", async () => {
    gemini.script("*", { kind: "blocked" }, { kind: "text", text: "" });
    await expect(model.generate(request())).rejects.toMatchObject({ kind: "blocked" });
    await expect(model.generate(request())).rejects.toMatchObject({ kind: "invalid_response" });
  });
});

describe("Gemini adapter: stream", () => {
  it("streams the reply text out of the JSON as it arrives, then the result", async () => {
    const reply = 'We open at 9:00 — "early birds" welcome!\nSee you soon.';
    gemini.script("gemini-2.5-flash", {
      kind: "json",
      value: { reply, handoff: false },
      chunks: 7,
      usage: { promptTokenCount: 50, candidatesTokenCount: 20 },
    });
    const { deltas, result } = await collect(model.stream(request({ model: "gemini-2.5-flash" })));

    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe(reply);
    expect(deltas.join("")).not.toContain("{");
    expect(result).toMatchObject({ text: reply, handoff: { needed: false }, tokensIn: 50, tokensOut: 20, model: "gemini-2.5-flash" });
    const [call] = gemini.calls("streamGenerateContent");
    expect(call!.query.alt).toBe("sse");
    expect(call!.model).toBe("gemini-2.5-flash");
  });

  it("streams plain text in text mode", async () => {
    gemini.script("*", { kind: "text", text: ["Hello ", "there", "!"] });
    const { deltas, result } = await collect(model.stream(request({ output: "text" })));
    expect(deltas).toEqual(["Hello ", "there", "!"]);
    expect(result.text).toBe("Hello there!");
  });

  it("fails when the connection drops mid-stream", async () => {
    gemini.script("*", { kind: "break", text: ['{"reply": "We open', " at 9"] });
    await expect(collect(model.stream(request()))).rejects.toBeInstanceOf(ModelError);
  });

  it("fails a stream that goes quiet past the timeout", async () => {
    gemini.script("*", { kind: "json", value: { reply: "late", handoff: false }, delayMs: 3_000 });
    await expect(collect(model.stream(request({ timeoutMs: 150 })))).rejects.toMatchObject({ kind: "timeout" });
  });
});

describe("structured reply parsing", () => {
  it("reads JSON, fenced JSON, truncated JSON and plain text", () => {
    expect(parseModelReply('{"reply":"Hi","handoff":true,"reason":"asked"}')).toEqual({ reply: "Hi", handoff: { needed: true, reason: "asked" } });
    expect(parseModelReply('```json\n{"reply":"Hi","handoff":false}\n```')).toEqual({ reply: "Hi", handoff: { needed: false } });
    expect(parseModelReply('{"reply":"We open at 9 and cl')).toEqual({ reply: "We open at 9 and cl", handoff: { needed: false } });
    expect(parseModelReply("Just text.")).toEqual({ reply: "Just text.", handoff: { needed: false } });
    // whether the reply may serve other customers, and whether the earlier answer shown says the same
    expect(parseModelReply('{"reply":"We open at 9.","handoff":false,"reusable":true,"sameAsEarlier":false}')).toEqual({
      reply: "We open at 9.",
      handoff: { needed: false },
      reusable: true,
      sameAsEarlier: false,
    });
  });

  it("never emits half an escape or half a surrogate pair", () => {
    const reader = new ReplyFieldReader();
    const json = JSON.stringify({ reply: 'a"b\\c\n😀é', handoff: false }).replace("😀", "\\ud83d\\ude00");
    let out = "";
    for (const ch of json) out += reader.push(ch); // one character at a time
    expect(out).toBe('a"b\\c\n😀é');
  });
});
