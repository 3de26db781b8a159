// The model router: simple asks go to the cheapest model, hard ones to a stronger one; a business
// can override; on an error or a timeout the next model answers; if every model fails, a fixed
// apology (source "fallback") and a hand-off — the customer is never left without a reply or a person.
import "server-only";
import { env } from "@/lib/env";
import { getLanguageModel } from "./get-model";
import { ModelError, toModelError, type GenerateRequest, type LanguageModel, type ModelResult } from "./model";
import { DEFAULT_FALLBACK_REPLY, type ModelPreference } from "./prompts";
import { normalizeText } from "./text";

export const DEFAULT_FAST_MODEL = "gemini-2.5-flash-lite";
export const DEFAULT_STRONG_MODEL = "gemini-2.5-flash";
/** Per attempt: long enough for a normal answer, short enough that a fallback still feels live. */
export const DEFAULT_MODEL_TIMEOUT_MS = 12_000;

export function modelNames(): { fast: string; strong: string } {
  const e = env();
  return { fast: e.GEMINI_MODEL_FAST ?? DEFAULT_FAST_MODEL, strong: e.GEMINI_MODEL_STRONG ?? DEFAULT_STRONG_MODEL };
}

// ---------------------------------------------------------------- how hard is the ask

export type Complexity = { level: "simple" | "hard"; score: number; reasons: string[] };

const COMPLAINT =
  /\b(complain|complaint|unacceptable|terrible|awful|worst|horrible|disappointed|disgusted|furious|angry|upset|ridiculous|scam|fraud|lawyer|legal action|sue|refund|compensation|chargeback|cancel my|never again|rude)\b/;
const REASONING =
  /\b(why|explain|compare|comparison|difference between|which is better|better option|pros and cons|calculate|how much would|what if|step by step|troubleshoot|recommend|should i|advise|depends|in detail|plan)\b/g;

/**
 * A cheap, explainable read of how hard a message is. Hard: long (> 60 words or 400 characters),
 * three or more questions, a complaint, or two reasoning words; two weak signals (30+ words, two
 * questions, one reasoning word) also make it hard.
 */
export function assessComplexity(text: string): Complexity {
  const n = normalizeText(text);
  const wordCount = n ? n.split(" ").length : 0;
  const questions = (text.match(/\?/g) ?? []).length;
  const reasons: string[] = [];
  let score = 0;
  if (wordCount > 60 || text.length > 400) {
    score += 2;
    reasons.push("long message");
  } else if (wordCount > 30) {
    score += 1;
    reasons.push("longer message");
  }
  if (questions >= 3) {
    score += 2;
    reasons.push("several questions");
  } else if (questions === 2) {
    score += 1;
    reasons.push("two questions");
  }
  if (COMPLAINT.test(n)) {
    score += 2;
    reasons.push("complaint");
  }
  // one "why" is an ordinary question; "explain the difference… which is better" is not
  const reasoning = new Set(n.match(REASONING) ?? []).size;
  if (reasoning > 0) {
    score += Math.min(2, reasoning);
    reasons.push("asks for reasoning");
  }
  return { level: score >= 2 ? "hard" : "simple", score, reasons };
}

// ---------------------------------------------------------------- which models, in which order

export type ModelChoice = {
  /** models to try in order; the first is the choice, the rest are fallbacks */
  chain: string[];
  tier: "fast" | "strong" | "explicit";
  complexity: Complexity;
  why: string;
};

export type ChooseInput = {
  text: string;
  preference?: ModelPreference;
  /** low-trust customers get the cheapest model only (abuse must not buy expensive answers) */
  forceCheapest?: boolean;
};

export function chooseModels(input: ChooseInput): ModelChoice {
  const { fast, strong } = modelNames();
  const complexity = assessComplexity(input.text);
  const unique = (xs: string[]) => [...new Set(xs)];
  if (input.forceCheapest) return { chain: [fast], tier: "fast", complexity, why: "low-trust customer: cheapest model only" };
  const preference = input.preference ?? "auto";
  if (preference === "fast") return { chain: unique([fast, strong]), tier: "fast", complexity, why: "business prefers the fast model" };
  if (preference === "strong") return { chain: unique([strong, fast]), tier: "strong", complexity, why: "business prefers the strong model" };
  if (preference !== "auto") return { chain: unique([preference, fast, strong]), tier: "explicit", complexity, why: `business chose ${preference}` };
  return complexity.level === "hard"
    ? { chain: unique([strong, fast]), tier: "strong", complexity, why: `hard: ${complexity.reasons.join(", ")}` }
    : { chain: unique([fast, strong]), tier: "fast", complexity, why: "simple ask" };
}

// ---------------------------------------------------------------- calling with fallback

export type Attempt = { model: string; ok: boolean; ms: number; error?: { kind: ModelError["kind"]; message: string } };

export type RoutedResult = ModelResult & {
  source: "model" | "offline" | "fallback";
  attempts: Attempt[];
  latencyMs: number;
};

export type RouteOptions = {
  /** defaults to the environment's adapter */
  model?: LanguageModel;
  /** per attempt (for streams: the wait for each chunk) */
  timeoutMs?: number;
  /** the apology when every model fails (AiSettings.fallbackReply) */
  fallbackReply?: string;
  /** the caller's cancel: stops without trying further models */
  signal?: AbortSignal;
};

export type RouteRequest = Omit<GenerateRequest, "model" | "signal" | "timeoutMs">;

/** The offline responder has one "model"; Gemini gets the router's chain. */
function chainFor(model: LanguageModel, choice: ModelChoice): string[] {
  return model.provider === "offline" ? ["offline"] : choice.chain;
}

/**
 * Thinking costs output tokens and seconds: flash-lite answers without it, 2.5 flash gets a small
 * budget for the hard asks it is chosen for; other models keep their own default.
 */
function thinkingFor(model: LanguageModel, name: string): number | undefined {
  if (model.provider !== "gemini") return undefined;
  if (/^gemini-2\.5-flash-lite/.test(name)) return 0;
  if (/^gemini-2\.5-flash/.test(name)) return 512;
  return undefined;
}

/** One model's turn in the chain: the request as that model gets it. */
function attemptRequest(request: RouteRequest, model: LanguageModel, name: string, options: RouteOptions): GenerateRequest {
  return {
    ...request,
    model: name,
    thinkingBudget: request.thinkingBudget ?? thinkingFor(model, name),
    timeoutMs: options.timeoutMs ?? DEFAULT_MODEL_TIMEOUT_MS,
    signal: options.signal,
  };
}

/** A failed turn, logged (model, kind and timing only: never the prompt or the customer's words); the caller's cancel is rethrown. */
function failedAttempt(name: string, t0: number, err: unknown, options: RouteOptions): Attempt {
  const e = toModelError(err);
  if (e.kind === "aborted" && options.signal?.aborted) throw e;
  const attempt: Attempt = { model: name, ok: false, ms: Date.now() - t0, error: { kind: e.kind, message: e.message } };
  console.warn(`[prismai] model ${attempt.model} failed after ${attempt.ms} ms: ${e.kind}`);
  return attempt;
}

/** Every model failed: the apology promises a person, so a person is told (the conversation waits for them). */
function fallbackResult(options: RouteOptions, attempts: Attempt[], started: number): RoutedResult {
  return {
    text: options.fallbackReply ?? DEFAULT_FALLBACK_REPLY,
    handoff: { needed: true, reason: "no model could answer" },
    tokensIn: 0,
    tokensOut: 0,
    model: "fallback",
    provider: "offline",
    source: "fallback",
    attempts,
    latencyMs: Date.now() - started,
  };
}

export async function generateWithRouter(request: RouteRequest, choice: ModelChoice, options: RouteOptions = {}): Promise<RoutedResult> {
  const model = options.model ?? getLanguageModel();
  const started = Date.now();
  const attempts: Attempt[] = [];
  for (const name of chainFor(model, choice)) {
    if (options.signal?.aborted) throw new ModelError("aborted", "The model call was cancelled.");
    const t0 = Date.now();
    try {
      const result = await model.generate(attemptRequest(request, model, name, options));
      attempts.push({ model: name, ok: true, ms: Date.now() - t0 });
      return { ...result, source: model.provider === "offline" ? "offline" : "model", attempts, latencyMs: Date.now() - started };
    } catch (err) {
      attempts.push(failedAttempt(name, t0, err, options));
    }
  }
  return fallbackResult(options, attempts, started);
}

export type RoutedStreamEvent =
  | { type: "delta"; text: string }
  /** a model failed after it had started answering: drop the partial text, another model follows */
  | { type: "reset"; failedModel: string }
  | { type: "result"; result: RoutedResult };

export async function* streamWithRouter(request: RouteRequest, choice: ModelChoice, options: RouteOptions = {}): AsyncGenerator<RoutedStreamEvent> {
  const model = options.model ?? getLanguageModel();
  const started = Date.now();
  const attempts: Attempt[] = [];
  for (const name of chainFor(model, choice)) {
    if (options.signal?.aborted) throw new ModelError("aborted", "The model call was cancelled.");
    const t0 = Date.now();
    let streamed = false;
    try {
      for await (const event of model.stream(attemptRequest(request, model, name, options))) {
        if (event.type === "delta") {
          streamed = true;
          yield event;
        } else {
          attempts.push({ model: name, ok: true, ms: Date.now() - t0 });
          yield {
            type: "result",
            result: { ...event.result, source: model.provider === "offline" ? "offline" : "model", attempts, latencyMs: Date.now() - started },
          };
          return;
        }
      }
      throw new ModelError("invalid_response", "The stream ended without a result.");
    } catch (err) {
      attempts.push(failedAttempt(name, t0, err, options));
      if (streamed) yield { type: "reset", failedModel: name };
    }
  }
  const result = fallbackResult(options, attempts, started);
  yield { type: "delta", text: result.text };
  yield { type: "result", result };
}
