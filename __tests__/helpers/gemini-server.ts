// A local stand-in for the Gemini REST API (v1beta), speaking it the way @google/genai calls it, so
// tests run the real SDK: generateContent, streamGenerateContent?alt=sse, batchEmbedContents,
// embedContent. Scriptable per model (text, JSON, errors, delays, a stream that breaks) and
// recording every request. Listens on 127.0.0.1 only, on a random port.
import http from "node:http";
import type { AddressInfo } from "node:net";

export type Usage = { promptTokenCount?: number; candidatesTokenCount?: number; thoughtsTokenCount?: number };

export type Scripted =
  /** text, or the chunks a stream sends (generateContent joins them) */
  | { kind: "text"; text: string | string[]; usage?: Usage; delayMs?: number; finishReason?: string }
  /** a JSON value as the model's text (structured output), streamed in `chunks` pieces */
  | { kind: "json"; value: unknown; chunks?: number; usage?: Usage; delayMs?: number }
  | { kind: "error"; status: number; message?: string; delayMs?: number }
  /** a stream that sends these chunks, then drops the connection */
  | { kind: "break"; text: string[] }
  /** the prompt is blocked (promptFeedback.blockReason) */
  | { kind: "blocked"; reason?: string }
  /** function calling: the model asks for these tool calls (functionCall parts) instead of answering */
  | { kind: "call"; calls: { name: string; args: Record<string, unknown> }[]; usage?: Usage };

export type RecordedRequest = {
  method: string;
  path: string;
  query: Record<string, string>;
  model: string;
  action: string;
  headers: http.IncomingHttpHeaders;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
};

const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
};

/** A deterministic, deliberately un-normalised vector for a text (the adapter must normalise). */
export function standInVector(text: string, dims: number): number[] {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  const out: number[] = [];
  for (let i = 0; i < dims; i++) {
    h = Math.imul(h ^ (h >>> 15), 2246822507) ^ i;
    out.push(((h >>> 0) % 2000) / 100 - 10); // components in [-10, 10): far from unit length
  }
  return out;
}

const wordsOf = (s: string) => (s.match(/\S+/g) ?? []).length;

/** A read of customer messages for intents, sentiment and lead evidence: its output schema lists them per message. */
function isIntelRead(record: RecordedRequest): boolean {
  const schema = record.body?.generationConfig?.responseJsonSchema;
  return Boolean(schema?.properties?.messages?.items?.properties?.intent);
}

/** Every numbered message of the read's prompt as "other", neutral, with no evidence. */
function neutralRead(record: RecordedRequest): Scripted {
  const prompt: string = (record.body?.contents ?? []).flatMap((c: { parts?: { text?: string }[] }) => (c.parts ?? []).map((p) => p.text ?? "")).join("\n");
  const count = (prompt.split("Messages:")[1]?.match(/^\d+\. /gm) ?? []).length;
  return { kind: "json", value: { messages: Array.from({ length: count }, (_, i) => ({ index: i + 1, intent: "other", confidence: 0, sentiment: 0, evidence: [] })) } };
}

export class GeminiStandIn {
  readonly requests: RecordedRequest[] = [];
  /** send usageMetadata with embedding responses (promptTokenCount = words) */
  embedUsage = false;
  private readonly scripts = new Map<string, Scripted[]>();
  /** replies to the conversation-intelligence reads (lib/intel/model-read.ts), apart from the answers' */
  private readonly readScripts: Scripted[] = [];
  private readonly server: http.Server;
  url = "";

  constructor() {
    this.server = http.createServer((req, res) => {
      void this.handle(req, res).catch((err) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: 500, message: String(err), status: "INTERNAL" } }));
      });
    });
  }

  async start(): Promise<this> {
    // Clients keep connections alive; closing them first (Node's 5 s default) resets requests in flight.
    this.server.keepAliveTimeout = 120_000;
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Queues replies for a model ("*" for any model); each request takes the next one. */
  script(model: string, ...replies: Scripted[]): this {
    this.scripts.set(model, [...(this.scripts.get(model) ?? []), ...replies]);
    return this;
  }

  /**
   * Queues replies for the conversation-intelligence reads, which run in the background after an answer:
   * a test scripting its answers never has a reply taken by a read. Unscripted reads get every message
   * as "other", neutral, with no lead evidence.
   */
  scriptRead(...replies: Scripted[]): this {
    this.readScripts.push(...replies);
    return this;
  }

  reset(): void {
    this.scripts.clear();
    this.readScripts.length = 0;
    this.requests.length = 0;
    this.embedUsage = false;
  }

  /**
   * Requests of one action (generateContent, streamGenerateContent, batchEmbedContents, embedContent),
   * without the conversation-intelligence reads that run in the background (those are reads()).
   */
  calls(action?: string): RecordedRequest[] {
    return this.requests.filter((r) => !isIntelRead(r) && (!action || r.action === action));
  }

  /** The conversation-intelligence reads (lib/intel/model-read.ts) the stand-in was sent. */
  reads(): RecordedRequest[] {
    return this.requests.filter(isIntelRead);
  }

  private next(model: string): Scripted | undefined {
    for (const key of [model, "*"]) {
      const queue = this.scripts.get(key);
      if (queue?.length) return queue.shift();
    }
    return undefined;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const m = /^\/v1beta\/models\/([^/:]+):(\w+)$/.exec(url.pathname);
    const record: RecordedRequest = {
      method: req.method ?? "",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      model: m?.[1] ?? "",
      action: m?.[2] ?? "",
      headers: req.headers,
      body: raw ? JSON.parse(raw) : undefined,
    };
    this.requests.push(record);
    if (!m || req.method !== "POST") return this.error(res, 404, `No route for ${req.method} ${url.pathname}`);
    if (!req.headers["x-goog-api-key"]) return this.error(res, 403, "API key missing");

    switch (record.action) {
      case "batchEmbedContents":
        return this.json(res, 200, {
          embeddings: record.body.requests.map((r: any) => ({ values: standInVector(r.content.parts.map((p: any) => p.text).join(" "), r.outputDimensionality ?? 3072) })), // eslint-disable-line @typescript-eslint/no-explicit-any
          ...(this.embedUsage
            ? { usageMetadata: { promptTokenCount: record.body.requests.reduce((n: number, r: any) => n + wordsOf(r.content.parts.map((p: any) => p.text).join(" ")), 0) } } // eslint-disable-line @typescript-eslint/no-explicit-any
            : {}),
        });
      case "embedContent":
        return this.json(res, 200, {
          embedding: { values: standInVector(record.body.content.parts.map((p: { text: string }) => p.text).join(" "), record.body.outputDimensionality ?? 3072) },
        });
      case "generateContent":
      case "streamGenerateContent":
        return this.generate(record, res);
      default:
        return this.error(res, 404, `Unknown method ${record.action}`);
    }
  }

  private defaultReply(record: RecordedRequest): Scripted {
    const asJson = record.body?.generationConfig?.responseMimeType === "application/json";
    const text = `Default reply from ${record.model}.`;
    return asJson ? { kind: "json", value: { reply: text, handoff: false } } : { kind: "text", text };
  }

  private async generate(record: RecordedRequest, res: http.ServerResponse): Promise<void> {
    const stream = record.action === "streamGenerateContent";
    const reply = isIntelRead(record) ? (this.readScripts.shift() ?? neutralRead(record)) : (this.next(record.model) ?? this.defaultReply(record));
    if ("delayMs" in reply && reply.delayMs) {
      let timer: NodeJS.Timeout | undefined;
      const closed = await Promise.race([
        new Promise<false>((r) => {
          timer = setTimeout(() => r(false), reply.delayMs);
        }),
        new Promise<true>((r) => res.once("close", () => r(true))),
      ]);
      clearTimeout(timer);
      if (closed) return; // the client gave up (a timeout): nothing to send
    }
    if (reply.kind === "error") return this.error(res, reply.status, reply.message ?? `Scripted ${reply.status}`);
    if (reply.kind === "blocked") {
      return this.json(res, 200, { promptFeedback: { blockReason: reply.reason ?? "SAFETY" }, usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 } });
    }

    if (reply.kind === "call") {
      return this.json(res, 200, {
        candidates: [
          {
            content: { role: "model", parts: reply.calls.map((c, i) => ({ functionCall: { id: `call-${this.requests.length}-${i}`, name: c.name, args: c.args } })) },
            index: 0,
            finishReason: "STOP",
          },
        ],
        usageMetadata: { promptTokenCount: reply.usage?.promptTokenCount ?? 50, candidatesTokenCount: reply.usage?.candidatesTokenCount ?? 10, totalTokenCount: 60 },
        modelVersion: record.model,
        responseId: `stand-in-${this.requests.length}`,
      });
    }

    let pieces: string[];
    if (reply.kind === "json") {
      const text = JSON.stringify(reply.value);
      const n = Math.max(1, reply.chunks ?? 4);
      const size = Math.ceil(text.length / n);
      pieces = Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));
    } else pieces = typeof reply.text === "string" ? [reply.text] : reply.text;

    const promptText = JSON.stringify(record.body?.contents ?? "") + JSON.stringify(record.body?.systemInstruction ?? "");
    const full = pieces.join("");
    const usage = {
      promptTokenCount: ("usage" in reply && reply.usage?.promptTokenCount) || wordsOf(promptText),
      candidatesTokenCount: ("usage" in reply && reply.usage?.candidatesTokenCount) || Math.max(1, wordsOf(full)),
      ...("usage" in reply && reply.usage?.thoughtsTokenCount ? { thoughtsTokenCount: reply.usage.thoughtsTokenCount } : {}),
    };
    const totalTokenCount = usage.promptTokenCount + usage.candidatesTokenCount + (usage.thoughtsTokenCount ?? 0);
    const finishReason = reply.kind === "text" ? reply.finishReason ?? "STOP" : "STOP";
    const chunk = (text: string, last: boolean) => ({
      candidates: [{ content: { role: "model", parts: [{ text }] }, index: 0, ...(last ? { finishReason } : {}) }],
      usageMetadata: last ? { ...usage, totalTokenCount } : { promptTokenCount: usage.promptTokenCount, totalTokenCount: usage.promptTokenCount },
      modelVersion: record.model,
      responseId: `stand-in-${this.requests.length}`,
    });

    if (!stream) {
      if (reply.kind === "break") {
        res.destroy();
        return;
      }
      return this.json(res, 200, chunk(full, true));
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    for (let i = 0; i < pieces.length; i++) {
      const last = reply.kind !== "break" && i === pieces.length - 1;
      res.write(`data: ${JSON.stringify(chunk(pieces[i]!, last))}\r\n\r\n`);
      await new Promise((r) => setTimeout(r, 5));
    }
    if (reply.kind === "break") {
      res.destroy();
      return;
    }
    res.end();
  }

  private json(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  }

  private error(res: http.ServerResponse, status: number, message: string): void {
    this.json(res, status, { error: { code: status, message, status: STATUS_NAMES[status] ?? "UNKNOWN" } });
  }
}

export async function startGeminiStandIn(): Promise<GeminiStandIn> {
  return new GeminiStandIn().start();
}
