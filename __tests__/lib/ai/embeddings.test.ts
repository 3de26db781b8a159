import { resetEnvForTests } from "@/lib/env";
import {
  cosine,
  EMBEDDING_DIMENSIONS,
  fromVectorLiteral,
  GeminiEmbedder,
  getEmbedder,
  LocalEmbedder,
  localEmbedding,
  resetEmbedderForTests,
  toVectorLiteral,
} from "@/lib/ai/embeddings";
import { normalizeText, stem } from "@/lib/ai/text";
import { startGeminiStandIn, type GeminiStandIn } from "../../helpers/gemini-server";

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe("local embedder", () => {
  const embedder = new LocalEmbedder();

  it("returns 768-dimension unit vectors, zero tokens", async () => {
    const r = await embedder.embed(["When are you open on Saturdays?", "Do you take walk-ins?"], "query");
    expect(r.vectors).toHaveLength(2);
    expect(r.tokens).toBe(0);
    expect(r.model).toBe("local-hash-768");
    for (const v of r.vectors) {
      expect(v).toHaveLength(EMBEDDING_DIMENSIONS);
      expect(norm(v)).toBeCloseTo(1, 6);
      expect(v.every(Number.isFinite)).toBe(true);
    }
  });

  it("is deterministic across calls and instances", async () => {
    const a = await embedder.embed(["How much is a cleaning?"], "query");
    const b = await new LocalEmbedder().embed(["How much is a cleaning?"], "document");
    expect(a.vectors[0]).toEqual(b.vectors[0]);
  });

  it("ignores case, punctuation and spacing", () => {
    expect(localEmbedding("  WHAT are your opening hours??? ")).toEqual(localEmbedding("what are your opening hours"));
  });

  it("puts a paraphrase closer than a different question", () => {
    const q = localEmbedding("My card still hasn't arrived");
    const paraphrase = localEmbedding("my card has not arrived yet");
    const other = localEmbedding("how do I change my PIN");
    expect(cosine(q, paraphrase)).toBeGreaterThan(0.6);
    expect(cosine(q, paraphrase)).toBeGreaterThan(cosine(q, other) + 0.3);
  });

  it("embeds empty text as a zero vector rather than NaN", () => {
    const v = localEmbedding("?!");
    expect(v).toHaveLength(EMBEDDING_DIMENSIONS);
    expect(v.every((x) => x === 0)).toBe(true);
  });

  it("normalises text and stems words the same way everywhere", () => {
    expect(normalizeText("I can't  find it—won't you help?")).toBe("i can not find it will not you help");
    expect(stem("charges")).toBe(stem("charged"));
    expect(stem("arriving")).toBe(stem("arrived"));
  });
});

describe("vector helpers", () => {
  it("writes and reads pgvector literals", () => {
    const v = [0.5, -0.25, 1e-7];
    expect(toVectorLiteral(v)).toBe("[0.5,-0.25,1e-7]");
    expect(fromVectorLiteral("[0.5,-0.25,1e-7]")).toEqual(v);
    expect(() => toVectorLiteral([NaN])).toThrow();
  });

  it("computes cosine similarity", () => {
    expect(cosine([1, 0], [0, 1])).toBe(0);
    expect(cosine([1, 1], [2, 2])).toBeCloseTo(1, 10);
    expect(cosine([1, 0], [-1, 0])).toBe(-1);
    expect(cosine([0, 0], [1, 0])).toBe(0);
    expect(() => cosine([1], [1, 2])).toThrow(/dimension/);
  });
});

describe("Gemini embedder through the real SDK", () => {
  let gemini: GeminiStandIn;
  beforeAll(async () => {
    gemini = await startGeminiStandIn();
  });
  afterAll(() => gemini.close());
  beforeEach(() => gemini.reset());

  const make = () => new GeminiEmbedder({ apiKey: "test-gemini-key", baseUrl: gemini.url });

  it("asks gemini-embedding-001 for 768 dimensions and normalises the vectors", async () => {
    const r = await make().embed(["When do you open?", "Do you have parking?"], "query");
    const [call] = gemini.calls("batchEmbedContents");
    expect(gemini.requests).toHaveLength(1);
    expect(call!.model).toBe("gemini-embedding-001");
    expect(call!.headers["x-goog-api-key"]).toBe("test-gemini-key");
    expect(call!.body.requests).toHaveLength(2);
    for (const req of call!.body.requests) {
      expect(req.outputDimensionality).toBe(768);
      expect(req.taskType).toBe("RETRIEVAL_QUERY");
      expect(req.model).toBe("models/gemini-embedding-001");
    }
    expect(call!.body.requests[1].content.parts[0].text).toBe("Do you have parking?");
    expect(r.model).toBe("gemini-embedding-001");
    expect(r.vectors).toHaveLength(2);
    for (const v of r.vectors) {
      expect(v).toHaveLength(768);
      expect(norm(v)).toBeCloseTo(1, 6);
    }
    expect(r.vectors[0]).not.toEqual(r.vectors[1]);
  });

  it("embeds documents with the document task type", async () => {
    await make().embed(["Our clinic opens at 9."], "document");
    expect(gemini.calls("batchEmbedContents")[0]!.body.requests[0].taskType).toBe("RETRIEVAL_DOCUMENT");
  });

  it("takes tokens from usageMetadata when the API reports them, and estimates otherwise", async () => {
    gemini.embedUsage = true;
    const reported = await make().embed(["one two three", "four five"], "query");
    expect(reported.tokens).toBe(5);
    gemini.embedUsage = false;
    const estimated = await make().embed(["abcdefgh"], "query"); // 8 characters ≈ 2 tokens
    expect(estimated.tokens).toBe(2);
  });

  it("splits more than 100 texts into batches of 100", async () => {
    const texts = Array.from({ length: 150 }, (_, i) => `question ${i}`);
    const r = await make().embed(texts, "document");
    expect(r.vectors).toHaveLength(150);
    expect(gemini.calls("batchEmbedContents").map((c) => c.body.requests.length)).toEqual([100, 50]);
  });

  it("surfaces an API error", async () => {
    const failing = new GeminiEmbedder({ apiKey: "k", baseUrl: `${gemini.url}/nowhere` });
    await expect(failing.embed(["x"], "query")).rejects.toThrow();
  });
});

describe("getEmbedder", () => {
  afterEach(() => {
    delete process.env.GEMINI_API_KEY;
    resetEnvForTests();
    resetEmbedderForTests();
  });

  it("is local with no environment and Gemini when GEMINI_API_KEY is set", () => {
    resetEnvForTests();
    resetEmbedderForTests();
    expect(getEmbedder()).toBeInstanceOf(LocalEmbedder);
    process.env.GEMINI_API_KEY = "test-key";
    resetEnvForTests();
    resetEmbedderForTests();
    expect(getEmbedder()).toBeInstanceOf(GeminiEmbedder);
  });
});
