// Picks the language-model adapter from the environment (kept apart from model.ts, which the
// adapters import).
import "server-only";
import { env } from "@/lib/env";
import type { LanguageModel } from "./model";
import { GeminiLanguageModel } from "./gemini-model";
import { OfflineLanguageModel } from "./offline-model";

let chosen: LanguageModel | undefined;

/** The process's language model: Gemini when GEMINI_API_KEY is set, the offline responder otherwise. */
export function getLanguageModel(): LanguageModel {
  chosen ??= env().adapters.model === "gemini" ? new GeminiLanguageModel() : new OfflineLanguageModel();
  return chosen;
}

/** For tests: forget the chosen model (after changing the environment). */
export function resetLanguageModelForTests(): void {
  chosen = undefined;
}
