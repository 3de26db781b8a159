// Picks the language-model adapter from the environment (kept apart from model.ts, which the
// adapters import).
import "server-only";
import { env } from "@/lib/env";
import type { GenerateRequest, LanguageModel, ModelResult, StreamEvent } from "./model";
import { GeminiLanguageModel } from "./gemini-model";
import { OfflineLanguageModel } from "./offline-model";

let chosen: LanguageModel | undefined;

/**
 * The process's language model: Gemini when GEMINI_API_KEY is set, the offline responder otherwise
 * — or, for `npm run bench:chat` only, the delayed stand-in below (PRISMAI_BENCH_MODEL_DELAY_MS).
 */
export function getLanguageModel(): LanguageModel {
  const e = env();
  chosen ??=
    e.PRISMAI_BENCH_MODEL_DELAY_MS !== undefined
      ? new DelayedEchoModel(Number(e.PRISMAI_BENCH_MODEL_DELAY_MS))
      : e.adapters.model === "gemini"
        ? new GeminiLanguageModel()
        : new OfflineLanguageModel();
  return chosen;
}

/** For tests: forget the chosen model (after changing the environment). */
export function resetLanguageModelForTests(): void {
  chosen = undefined;
}

/** Between streamed words: about 200 tokens a second, the pace of a fast hosted model. */
const BENCH_WORD_INTERVAL_MS = 5;

/**
 * The benchmark's model: answers after a fixed delay (the first token) with a short reply quoting
 * the question, the rest streamed word by word at a fast model's pace, priced like the paid model it
 * stands in for (so budgets and cost events run as in production). Only ever chosen when
 * PRISMAI_BENCH_MODEL_DELAY_MS is set.
 */
export class DelayedEchoModel implements LanguageModel {
  readonly provider = "gemini" as const;

  constructor(private readonly delayMs: number) {}

  async generate(request: GenerateRequest): Promise<ModelResult> {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, this.delayMs);
      request.signal?.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          reject(request.signal!.reason);
        },
        { once: true },
      );
    });
    const question = [...request.messages].reverse().find((m) => m.role === "user")?.text.replace(/\s+/g, " ").trim() ?? "";
    const quoted = question.length > 60 ? `${question.slice(0, 59)}…` : question;
    const text =
      request.output === "text"
        ? `Summary: ${quoted}`
        : `Thanks for your message about “${quoted}”. This is the benchmark model answering after ${this.delayMs} ms.`;
    const prompt = request.system.length + request.messages.reduce((n, m) => n + m.text.length, 0);
    return { text, handoff: { needed: false }, tokensIn: Math.ceil(prompt / 4), tokensOut: Math.ceil(text.length / 4), model: request.model, provider: this.provider };
  }

  async *stream(request: GenerateRequest): AsyncGenerator<StreamEvent> {
    const result = await this.generate(request);
    const pieces = result.text.match(/\S+\s*/g) ?? [];
    for (const [i, piece] of pieces.entries()) {
      if (i > 0) await new Promise((r) => setTimeout(r, BENCH_WORD_INTERVAL_MS));
      yield { type: "delta", text: piece };
    }
    yield { type: "result", result };
  }
}
