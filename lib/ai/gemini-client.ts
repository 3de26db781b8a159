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
  const httpOptions: HttpOptions = {};
  if (baseUrl) httpOptions.baseUrl = baseUrl;
  if (options.fetch) httpOptions.fetch = options.fetch;
  // vertexai: false pins the Gemini Developer API whatever GOOGLE_GENAI_USE_VERTEXAI says; the SDK's
  // own retries stay off (no retryOptions) because the router falls back to another model instead.
  return new GoogleGenAI({ apiKey, vertexai: false, httpOptions });
}
