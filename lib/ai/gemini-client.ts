// Builds the @google/genai client from lib/env.ts; GEMINI_BASE_URL points it at a local stand-in in tests.
import "server-only";
import { GoogleGenAI, type HttpOptions } from "@google/genai";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";

export type GenAIOptions = { apiKey?: string; baseUrl?: string; fetch?: typeof fetch };

export function createGenAI(options: GenAIOptions = {}): GoogleGenAI {
  const e = env();
  const apiKey = options.apiKey ?? e.GEMINI_API_KEY;
  if (!apiKey) throw new AppError("unavailable", "Gemini is not configured (GEMINI_API_KEY is not set).");
  const baseUrl = options.baseUrl ?? e.GEMINI_BASE_URL;
  // An explicit fetch: without one the SDK reaches for undici's global dispatcher (only to lift its
  // 300 s limits, which our own per-call timeouts make moot), and sandboxes such as jest lack it.
  const httpOptions: HttpOptions = { fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)) };
  if (baseUrl) httpOptions.baseUrl = baseUrl;
  // vertexai: false pins the Gemini Developer API whatever GOOGLE_GENAI_USE_VERTEXAI says; the SDK's
  // own retries stay off (no retryOptions) because the router falls back to another model instead.
  return new GoogleGenAI({ apiKey, vertexai: false, httpOptions });
}
