// The embeddings port: Gemini gemini-embedding-001 at 768 dimensions in production, a deterministic
// hashed n-gram embedder in embedded mode. Vectors are always L2-normalised, so cosine = dot product.
import "server-only";
import { createHash } from "node:crypto";
import type { GoogleGenAI } from "@google/genai";
import { env } from "@/lib/env";
import { EMBEDDING_DIMENSIONS } from "@/lib/db/schema";
import { createGenAI } from "./gemini-client";
import { estimateTokens, normalizeText, stem, STOP_WORDS } from "./text";

export { EMBEDDING_DIMENSIONS };

/** query: a customer's question (also cache keys); document: FAQs, knowledge chunks, memories. */
export type EmbedPurpose = "query" | "document";

export type EmbedResult = { vectors: number[][]; tokens: number; model: string };

export interface Embedder {
  readonly model: string;
  embed(texts: string[], purpose: EmbedPurpose): Promise<EmbedResult>;
}

// ---------------------------------------------------------------- vector helpers

export function l2normalize(v: number[]): number[] {
  let sum = 0;
  for (const x of v) sum += x * x;
  if (sum === 0) return v.slice();
  const inv = 1 / Math.sqrt(sum);
  return v.map((x) => x * inv);
}

/** Cosine similarity; for normalised vectors this is the dot product. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`cosine: dimension mismatch ${a.length} vs ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (na === 0 || nb === 0) return 0;
  return dot / Math.sqrt(na * nb);
}

/** A pgvector literal ('[0.1,0.2,…]') for raw SQL: `${toVectorLiteral(v)}::vector`. */
export function toVectorLiteral(v: ArrayLike<number>): string {
  const parts: string[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (!Number.isFinite(x)) throw new Error("toVectorLiteral: non-finite component");
    parts[i] = String(x);
  }
  return `[${parts.join(",")}]`;
}

/** Parses pgvector's text output back into numbers. */
export function fromVectorLiteral(s: string | number[]): number[] {
  if (Array.isArray(s)) return s;
  return s.replace(/^\[|\]$/g, "").split(",").map(Number);
}

// ---------------------------------------------------------------- local embedder

export type LocalFeatureWeights = {
  /** word unigrams (stemmed) */
  unigram: number;
  /** adjacent word bigrams (stemmed, stop words included so "not working" survives) */
  bigram: number;
  /** character n-grams inside words, which catch typos and inflections the stemmer misses */
  char: number;
  /** their lengths */
  charNgrams: number[];
  /** weight of a stop word relative to a content word */
  stopWord: number;
};

/**
 * Chosen on banking77 with bench/explore-embedder.ts (exact 1-NN of test against train): stemmed
 * unigrams dominate, bigrams add word order, character 4-grams add typo tolerance. Best hit rate at
 * a false-hit rate under 1 %: unigrams alone 24.2 %; with bigrams 0.25 and char 3/4-grams 0.2,
 * 26.2 %; with char 4-grams 0.4 instead, 28.9 % (3/4/5-grams 26.7 %, 5-grams 28.0 %).
 */
export const DEFAULT_LOCAL_WEIGHTS: LocalFeatureWeights = { unigram: 1, bigram: 0.25, char: 0.4, charNgrams: [4], stopWord: 0.25 };

/** FNV-1a, 32 bits: fast, stable across processes and platforms (the vectors are stored). */
function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Adds one feature to a group vector with sign hashing (collisions cancel out on average). */
function addFeature(group: Float64Array, feature: string, weight: number): void {
  const h = fnv1a(feature);
  const index = h % EMBEDDING_DIMENSIONS;
  const sign = fnv1a(feature, 0x9747b28c) & 1 ? 1 : -1;
  group[index]! += sign * weight;
}

function normalizeInPlace(v: Float64Array): void {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  if (sum === 0) return;
  const inv = 1 / Math.sqrt(sum);
  for (let i = 0; i < v.length; i++) v[i]! *= inv;
}

/** The deterministic local embedding of one text (exported for the benchmark and tests). */
export function localEmbedding(text: string, weights: LocalFeatureWeights = DEFAULT_LOCAL_WEIGHTS): number[] {
  const tokens = normalizeText(text).split(" ").filter(Boolean);
  const stems = tokens.map(stem);
  const isStop = tokens.map((t) => STOP_WORDS.has(t));

  const uni = new Float64Array(EMBEDDING_DIMENSIONS);
  const bi = new Float64Array(EMBEDDING_DIMENSIONS);
  const chr = new Float64Array(EMBEDDING_DIMENSIONS);

  // Sub-linear term frequency: a word said twice is not twice the question.
  const counts = new Map<string, { n: number; w: number }>();
  stems.forEach((s, i) => {
    const c = counts.get(s) ?? { n: 0, w: isStop[i] ? weights.stopWord : 1 };
    c.n++;
    counts.set(s, c);
  });
  for (const [s, { n, w }] of counts) addFeature(uni, `u:${s}`, w * (1 + Math.log(n)));

  for (let i = 0; i + 1 < stems.length; i++) {
    const w = isStop[i] && isStop[i + 1] ? weights.stopWord : 1;
    addFeature(bi, `b:${stems[i]}_${stems[i + 1]}`, w);
  }

  tokens.forEach((t, i) => {
    if (isStop[i]) return;
    const padded = `<${t}>`;
    for (const n of weights.charNgrams) {
      for (let j = 0; j + n <= padded.length; j++) addFeature(chr, `c:${padded.slice(j, j + n)}`, 1);
    }
  });

  normalizeInPlace(uni);
  normalizeInPlace(bi);
  normalizeInPlace(chr);
  const out = new Array<number>(EMBEDDING_DIMENSIONS);
  const wu = Math.sqrt(weights.unigram);
  const wb = Math.sqrt(weights.bigram);
  const wc = Math.sqrt(weights.char);
  for (let i = 0; i < EMBEDDING_DIMENSIONS; i++) out[i] = wu * uni[i]! + wb * bi[i]! + wc * chr[i]!;
  return l2normalize(out);
}

/** Zero-cost, deterministic, no network: the embedded default. */
export class LocalEmbedder implements Embedder {
  readonly model = "local-hash-768";
  constructor(private readonly weights: LocalFeatureWeights = DEFAULT_LOCAL_WEIGHTS) {}
  async embed(texts: string[], _purpose: EmbedPurpose): Promise<EmbedResult> {
    return { vectors: texts.map((t) => localEmbedding(t, this.weights)), tokens: 0, model: this.model };
  }
}

// ---------------------------------------------------------------- Gemini embedder

export const GEMINI_EMBEDDING_MODEL = "gemini-embedding-001";
/** batchEmbedContents takes at most 100 requests. */
const GEMINI_BATCH = 100;

type Usage = { promptTokenCount?: number };

/**
 * gemini-embedding-001 through @google/genai. The SDK drops any usage block from the embedding
 * response, so a wrapped fetch reads `usageMetadata` from the raw body when the API sends one;
 * otherwise tokens are estimated from the text length (embeddings bill per input token).
 */
export class GeminiEmbedder implements Embedder {
  readonly model: string;
  private readonly ai: GoogleGenAI;

  constructor(options: { apiKey?: string; baseUrl?: string; model?: string } = {}) {
    this.model = options.model ?? GEMINI_EMBEDDING_MODEL;
    this.ai = createGenAI({ apiKey: options.apiKey, baseUrl: options.baseUrl });
  }

  async embed(texts: string[], purpose: EmbedPurpose): Promise<EmbedResult> {
    const vectors: number[][] = [];
    let tokens = 0;
    for (let i = 0; i < texts.length; i += GEMINI_BATCH) {
      const batch = texts.slice(i, i + GEMINI_BATCH);
      // Per call, so concurrent embeds never read each other's usage.
      let usage: Usage | undefined;
      const capture: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        if (response.ok) {
          try {
            usage = ((await response.clone().json()) as { usageMetadata?: Usage }).usageMetadata;
          } catch {
            usage = undefined;
          }
        }
        return response;
      };
      const response = await this.ai.models.embedContent({
        model: this.model,
        contents: batch,
        config: {
          outputDimensionality: EMBEDDING_DIMENSIONS,
          taskType: purpose === "query" ? "RETRIEVAL_QUERY" : "RETRIEVAL_DOCUMENT",
          httpOptions: { fetch: capture },
        },
      });
      const embeddings = response.embeddings ?? [];
      if (embeddings.length !== batch.length) {
        throw new Error(`Gemini returned ${embeddings.length} embeddings for ${batch.length} texts`);
      }
      for (const e of embeddings) {
        const values = e.values ?? [];
        if (values.length !== EMBEDDING_DIMENSIONS) {
          throw new Error(`Gemini returned a ${values.length}-dimension embedding, expected ${EMBEDDING_DIMENSIONS}`);
        }
        // Below 3072 dimensions gemini-embedding-001 vectors are not unit length: normalise.
        vectors.push(l2normalize(values));
      }
      tokens += usage?.promptTokenCount ?? batch.reduce((n, t) => n + estimateTokens(t), 0);
    }
    return { vectors, tokens, model: this.model };
  }
}

// ---------------------------------------------------------------- choice

let chosen: Embedder | undefined;

/** The process's embedder, chosen by the environment (Gemini when GEMINI_API_KEY is set). */
export function getEmbedder(): Embedder {
  if (chosen) return chosen;
  const e = env();
  chosen =
    e.adapters.embeddings === "gemini"
      ? new GeminiEmbedder({ apiKey: e.GEMINI_API_KEY, baseUrl: e.GEMINI_BASE_URL })
      : new LocalEmbedder();
  return chosen;
}

/** For tests: forget the chosen embedder (after changing the environment). */
export function resetEmbedderForTests(): void {
  chosen = undefined;
}

/** Embeds one text. */
export async function embedOne(text: string, purpose: EmbedPurpose, embedder: Embedder = getEmbedder()) {
  const r = await embedder.embed([text], purpose);
  return { vector: r.vectors[0]!, tokens: r.tokens, model: r.model };
}

/** A short stable digest of a text, for cache keys (never the text itself in a key). */
export function digest(text: string): string {
  return createHash("sha256").update(text).digest("base64url").slice(0, 32);
}
