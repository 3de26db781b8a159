// What the pipeline benchmarks send and answer with: Banking77's test messages as customers' texts,
// and a model that answers at once, so the figures are the pipeline's own cost.
import path from "node:path";
import type { LanguageModel } from "@/lib/ai/model";
import { BANKING77_DIR, readRows } from "./banking77";

export const instantModel: LanguageModel = {
  provider: "gemini",
  async generate(req) {
    return { text: `Instant answer to: ${req.messages.at(-1)?.text.slice(0, 40)}`, handoff: { needed: false }, tokensIn: 900, tokensOut: 40, model: req.model, provider: "gemini" };
  },
  async *stream(req) {
    const result = await this.generate(req);
    yield { type: "delta", text: result.text };
    yield { type: "result", result };
  },
};

/** Banking77's test messages, in file order. */
export function customerTexts(): string[] {
  return readRows(path.join(BANKING77_DIR, "test.csv"))
    .map((r) => r.text)
    .filter(Boolean);
}
