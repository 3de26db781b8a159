// The language-model port: Gemini through @google/genai in production, an offline responder that
// answers from the business's own FAQs and knowledge in embedded mode. Both report a structured
// reply — { reply, handoff, reason } — so the pipeline can hand a conversation to a person.
import "server-only";
import { z } from "zod";

export type ChatRole = "user" | "model";
export type ChatMessage = { role: ChatRole; text: string };

/** Retrieved context, also given to the offline responder (it has nothing else to answer from). */
export type ContextFaq = { question: string; answer: string; score?: number };
export type ContextChunk = { heading?: string | null; content: string; score?: number };
/** A message of the customer's history on any channel, or one recalled from further back. */
export type ContextMessage = { role: "customer" | "assistant" | "agent"; channel: string; content: string; at: Date };
export type ModelContext = {
  businessName?: string;
  faqs?: ContextFaq[];
  chunks?: ContextChunk[];
  /** the customer's recent messages on every channel, oldest first, without the one being answered */
  history?: ContextMessage[];
  /** older messages recalled for this question (by topic or by the channel it names) */
  recalled?: ContextMessage[];
  /** the conversation's language when it can be told */
  language?: string;
};

/**
 * reply: the structured customer reply ({ reply, handoff, reason }), the default;
 * text: plain text (summaries); json: any structured output, described by a JSON schema.
 */
export type OutputMode = "reply" | "text" | { json: Record<string, unknown> };

export type GenerateRequest = {
  system: string;
  messages: ChatMessage[];
  /** a provider model name such as gemini-2.5-flash-lite; the offline responder ignores it */
  model: string;
  temperature?: number;
  maxOutputTokens?: number;
  output?: OutputMode;
  /** Gemini 2.5 thinking budget in tokens (0 turns thinking off where the model allows it) */
  thinkingBudget?: number;
  signal?: AbortSignal;
  /** for generate: the whole call; for stream: the wait for each chunk */
  timeoutMs?: number;
  context?: ModelContext;
};

/** category low_confidence: the model hands off because what it was given does not hold the answer. */
export type Handoff = { needed: boolean; reason?: string; category?: "low_confidence" };

export type ModelResult = {
  /** the customer-facing reply (or the raw text/JSON for other output modes) */
  text: string;
  handoff: Handoff;
  tokensIn: number;
  tokensOut: number;
  /** the model that answered, as the provider names it (for pricing) */
  model: string;
  provider: "gemini" | "offline";
  /** parsed structured output when output is { json } */
  json?: unknown;
  /**
   * The model's word that the reply would be right for any customer who sent this message first
   * (it used nothing about this customer or the conversation): the cache may serve it to others.
   * Undefined when the model did not say (the offline responder, an older reply shape).
   */
  reusable?: boolean;
  /** the model's word that the earlier answer it was shown answers this message just as well */
  sameAsEarlier?: boolean;
  finishReason?: string;
};

export type StreamEvent = { type: "delta"; text: string } | { type: "result"; result: ModelResult };

export interface LanguageModel {
  readonly provider: "gemini" | "offline";
  generate(request: GenerateRequest): Promise<ModelResult>;
  /** Text deltas of the reply as they arrive, then exactly one result event. */
  stream(request: GenerateRequest): AsyncIterable<StreamEvent>;
}

// ---------------------------------------------------------------- errors

export type ModelErrorKind = "timeout" | "aborted" | "rate_limited" | "server" | "bad_request" | "blocked" | "invalid_response" | "unknown";

export class ModelError extends Error {
  constructor(
    public readonly kind: ModelErrorKind,
    message: string,
    public readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ModelError";
  }
}

/** Maps whatever a provider threw to a ModelError (status codes from the SDK's ApiError). */
export function toModelError(err: unknown, timedOut = false): ModelError {
  if (err instanceof ModelError) return err;
  if (timedOut) return new ModelError("timeout", "The model did not answer in time.", undefined, { cause: err });
  const status = typeof (err as { status?: unknown })?.status === "number" ? (err as { status: number }).status : undefined;
  const name = (err as { name?: string })?.name;
  if (name === "AbortError") return new ModelError("aborted", "The model call was cancelled.", status, { cause: err });
  if (status === 429) return new ModelError("rate_limited", "The model provider is rate limiting us.", status, { cause: err });
  if (status !== undefined && status >= 500) return new ModelError("server", `The model provider failed (${status}).`, status, { cause: err });
  if (status !== undefined && status >= 400) return new ModelError("bad_request", `The model provider refused the request (${status}).`, status, { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return new ModelError("unknown", `The model call failed: ${message.slice(0, 200)}`, status, { cause: err });
}

/**
 * An AbortSignal that fires on the caller's signal or after timeoutMs; `touch()` restarts the
 * timer (a stream's idle timeout), `timedOut` tells a timeout from a cancel.
 */
export function deadline(timeoutMs: number | undefined, parent?: AbortSignal) {
  const controller = new AbortController();
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    if (timer) clearTimeout(timer);
    if (timeoutMs && timeoutMs > 0) {
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort(new ModelError("timeout", "The model did not answer in time."));
      }, timeoutMs);
    }
  };
  const onParent = () => controller.abort(parent?.reason);
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener("abort", onParent, { once: true });
  arm();
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    touch: arm,
    clear() {
      if (timer) clearTimeout(timer);
      parent?.removeEventListener("abort", onParent);
    },
  };
}

// ---------------------------------------------------------------- the structured reply

/** What the model returns for a customer message. */
export const ModelReply = z.object({
  reply: z.string(),
  handoff: z.boolean().default(false),
  reason: z.string().optional(),
  cannotAnswer: z.boolean().optional(),
  reusable: z.boolean().optional(),
  sameAsEarlier: z.boolean().optional(),
});
export type ModelReply = z.infer<typeof ModelReply>;

/** The same shape as a Gemini response schema (OpenAPI subset); reply first so it streams first. */
export const MODEL_REPLY_SCHEMA = {
  type: "OBJECT",
  properties: {
    reply: { type: "STRING", description: "The message to send to the customer." },
    handoff: { type: "BOOLEAN", description: "True when a person on the team should take over." },
    reason: { type: "STRING", description: "Why a person is needed (only when handoff is true)." },
    cannotAnswer: { type: "BOOLEAN", description: "True when you hand off because the information you were given does not hold the answer." },
    reusable: {
      type: "BOOLEAN",
      description:
        "True when the reply would be exactly right for any customer who sent this same message as their first message: it uses nothing about this customer, their account, their earlier messages or this conversation.",
    },
    sameAsEarlier: { type: "BOOLEAN", description: "True when the earlier answer you were shown answers this message just as well." },
  },
  required: ["reply", "handoff"],
  propertyOrdering: ["reply", "handoff", "reason", "cannotAnswer", "reusable", "sameAsEarlier"],
} as const;

/** What a structured reply says besides its text. */
export type ReplyFlags = { handoff: Handoff; reusable?: boolean; sameAsEarlier?: boolean };

/**
 * Parses the structured reply. A reply cut short (max tokens) still yields the text streamed so
 * far; text that is not JSON at all is taken as the reply itself.
 */
export function parseModelReply(raw: string): { reply: string } & ReplyFlags {
  const trimmed = raw.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("```")) {
    const body = trimmed.replace(/^```(?:json)?\s*/i, "").replace(/```\s*$/, "");
    try {
      const parsed = ModelReply.safeParse(JSON.parse(body));
      if (parsed.success) {
        const { reply, handoff, reason, cannotAnswer, reusable, sameAsEarlier } = parsed.data;
        return {
          reply: reply.trim(),
          handoff: handoff ? { needed: true, reason: reason?.trim() || undefined, ...(cannotAnswer ? { category: "low_confidence" as const } : {}) } : { needed: false },
          ...(reusable === undefined ? {} : { reusable }),
          ...(sameAsEarlier === undefined ? {} : { sameAsEarlier }),
        };
      }
    } catch {
      // fall through to the partial reader
    }
    const partial = new ReplyFieldReader();
    partial.push(body);
    return { reply: partial.text.trim(), handoff: { needed: false } };
  }
  return { reply: trimmed, handoff: { needed: false } };
}

/**
 * Reads the "reply" string out of a JSON object arriving in pieces, so a structured reply can be
 * streamed to the customer as it is generated. Text that does not start with "{" passes through.
 */
export class ReplyFieldReader {
  private raw = "";
  private emitted = 0;
  private mode: "unknown" | "json" | "plain" = "unknown";
  text = "";

  /** Adds a chunk and returns the newly readable part of the reply. */
  push(chunk: string): string {
    this.raw += chunk;
    if (this.mode === "unknown") {
      const first = this.raw.trimStart()[0];
      if (first === undefined) return "";
      this.mode = first === "{" || first === "`" ? "json" : "plain";
    }
    this.text = this.mode === "plain" ? this.raw : ReplyFieldReader.decode(this.raw);
    const delta = this.text.slice(this.emitted);
    this.emitted = this.text.length;
    return delta;
  }

  /** The decoded prefix of the reply value, stopping before any incomplete escape. */
  static decode(raw: string): string {
    const start = /"reply"\s*:\s*"/.exec(raw);
    if (!start) return "";
    let out = "";
    for (let i = start.index + start[0].length; i < raw.length; i++) {
      const c = raw[i]!;
      if (c === '"') break;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const next = raw[i + 1];
      if (next === undefined) break;
      if (next === "u") {
        const hex = raw.slice(i + 2, i + 6);
        if (hex.length < 4) break;
        const code = parseInt(hex, 16);
        // a high surrogate waits for its pair so no half character reaches the customer
        if (code >= 0xd800 && code <= 0xdbff) {
          const low = raw.slice(i + 6, i + 12);
          if (low.length < 6) break;
          out += String.fromCharCode(code, parseInt(low.slice(2), 16));
          i += 11;
          continue;
        }
        out += String.fromCharCode(code);
        i += 5;
        continue;
      }
      const map: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", '"': '"', "\\": "\\", "/": "/" };
      out += map[next] ?? next;
      i += 1;
    }
    return out;
  }
}
