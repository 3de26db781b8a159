// The Gemini adapter of the language-model port: generateContent / generateContentStream through
// @google/genai, structured { reply, handoff, reason } output, usage into tokens.
import "server-only";
import type { GenerateContentConfig, GenerateContentResponse, GoogleGenAI, Schema } from "@google/genai";
import { createGenAI, type GenAIOptions } from "./gemini-client";
import {
  deadline,
  MODEL_REPLY_SCHEMA,
  ModelError,
  parseModelReply,
  ReplyFieldReader,
  toModelError,
  type GenerateRequest,
  type LanguageModel,
  type ModelResult,
  type StreamEvent,
} from "./model";

type Usage = GenerateContentResponse["usageMetadata"];

function tokensOf(usage: Usage): { tokensIn: number; tokensOut: number } {
  return {
    tokensIn: usage?.promptTokenCount ?? 0,
    // thinking tokens are billed at the output price
    tokensOut: (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0),
  };
}

/** The text parts of the first candidate, without thought summaries. */
function textOf(response: GenerateContentResponse): string {
  const parts = response.candidates?.[0]?.content?.parts ?? [];
  return parts
    .filter((p) => typeof p.text === "string" && !p.thought)
    .map((p) => p.text)
    .join("");
}

export class GeminiLanguageModel implements LanguageModel {
  readonly provider = "gemini" as const;
  private readonly ai: GoogleGenAI;

  constructor(options: GenAIOptions = {}) {
    this.ai = createGenAI(options);
  }

  private params(request: GenerateRequest, signal: AbortSignal) {
    const output = request.output ?? "reply";
    const config: GenerateContentConfig = {
      systemInstruction: request.system,
      abortSignal: signal,
      automaticContinuation: false,
    };
    if (request.temperature !== undefined) config.temperature = request.temperature;
    if (request.maxOutputTokens !== undefined) config.maxOutputTokens = request.maxOutputTokens;
    if (request.thinkingBudget !== undefined) config.thinkingConfig = { thinkingBudget: request.thinkingBudget };
    if (output === "reply") {
      config.responseMimeType = "application/json";
      config.responseSchema = MODEL_REPLY_SCHEMA as unknown as Schema;
    } else if (typeof output === "object") {
      config.responseMimeType = "application/json";
      config.responseJsonSchema = output.json;
    }
    return {
      model: request.model,
      contents: request.messages.map((m) => ({ role: m.role, parts: [{ text: m.text }] })),
      config,
    };
  }

  private finish(request: GenerateRequest, raw: string, usage: Usage, finishReason: string | undefined): ModelResult {
    const output = request.output ?? "reply";
    const base = { ...tokensOf(usage), model: request.model, provider: this.provider, finishReason };
    if (output === "reply") {
      const { reply, ...flags } = parseModelReply(raw);
      if (!reply && !flags.handoff.needed) {
        throw new ModelError("invalid_response", `The model returned no reply (finish reason ${finishReason ?? "none"}).`);
      }
      return { ...base, text: reply, ...flags };
    }
    if (typeof output === "object") {
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch (err) {
        throw new ModelError("invalid_response", "The model returned malformed JSON.", undefined, { cause: err });
      }
      return { ...base, text: raw, json, handoff: { needed: false } };
    }
    if (!raw.trim()) throw new ModelError("invalid_response", `The model returned no text (finish reason ${finishReason ?? "none"}).`);
    return { ...base, text: raw, handoff: { needed: false } };
  }

  async generate(request: GenerateRequest): Promise<ModelResult> {
    const d = deadline(request.timeoutMs, request.signal);
    try {
      const response = await this.ai.models.generateContent(this.params(request, d.signal));
      const blocked = response.promptFeedback?.blockReason;
      if (blocked) throw new ModelError("blocked", `The model refused the prompt (${blocked}).`);
      const candidate = response.candidates?.[0];
      return this.finish(request, textOf(response), response.usageMetadata, candidate?.finishReason);
    } catch (err) {
      throw toModelError(err, d.timedOut);
    } finally {
      d.clear();
    }
  }

  async *stream(request: GenerateRequest): AsyncGenerator<StreamEvent> {
    // timeoutMs bounds the wait for each chunk (an idle timeout), not the whole answer
    const d = deadline(request.timeoutMs, request.signal);
    const output = request.output ?? "reply";
    const reader = new ReplyFieldReader();
    let raw = "";
    let usage: Usage;
    let finishReason: string | undefined;
    try {
      const chunks = await this.ai.models.generateContentStream(this.params(request, d.signal));
      for await (const chunk of chunks) {
        d.touch();
        if (chunk.promptFeedback?.blockReason) {
          throw new ModelError("blocked", `The model refused the prompt (${chunk.promptFeedback.blockReason}).`);
        }
        if (chunk.usageMetadata) usage = chunk.usageMetadata;
        finishReason = chunk.candidates?.[0]?.finishReason ?? finishReason;
        const text = textOf(chunk);
        if (!text) continue;
        raw += text;
        const delta = output === "reply" ? reader.push(text) : text;
        if (delta) yield { type: "delta", text: delta };
      }
    } catch (err) {
      throw toModelError(err, d.timedOut);
    } finally {
      d.clear();
    }
    yield { type: "result", result: this.finish(request, raw, usage, finishReason) };
  }
}
