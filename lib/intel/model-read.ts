import "server-only";
// The language model's read of a batch of customer messages (one structured-output call per batch,
// never per message), reserved against the business's budget and charged to the ledger. What it says
// is checked, not trusted: an intent must be on the owner's list, and lead evidence must quote the
// customer's message word for word — an invented quote earns nothing. Any failure returns null and the
// offline read stands in.
import { z } from "zod";
import type { Business } from "@/lib/db/businesses";
import { getLanguageModel } from "@/lib/ai/get-model";
import { modelNames } from "@/lib/ai/router";
import { spendingAllowed } from "@/lib/pipeline/spend";
import { EVIDENCE_KINDS, EVIDENCE_POINTS, type Evidence } from "./leads";
import type { Sentiment } from "./sentiment";

export type ModelRead = { intent: string | null; confidence: number; sentiment: Sentiment; evidence: Evidence[] };

const MAX_BATCH_CHARS = 8000;

const SYSTEM =
  "You read customer messages sent to a business. For each numbered message give: the intent, exactly one of the " +
  'listed intent names, or "other" when none fits; your confidence from 0 to 1; the customer\'s sentiment from -2 ' +
  "(very negative) to 2 (very positive); and lead evidence — only sentences the customer wrote that show a budget, " +
  "a timing, a need or their authority to decide, each quoted exactly as written. Never paraphrase a quote and never " +
  "add evidence the message does not contain; an empty list is the right answer for most messages.";

const ReadSchema = z.object({
  messages: z.array(
    z.object({
      index: z.number().int(),
      intent: z.string(),
      confidence: z.number(),
      sentiment: z.number(),
      evidence: z.array(z.object({ kind: z.enum(EVIDENCE_KINDS), quote: z.string() })).default([]),
    }),
  ),
});

function jsonSchema(intentNames: string[]): Record<string, unknown> {
  return {
    type: "object",
    properties: {
      messages: {
        type: "array",
        items: {
          type: "object",
          properties: {
            index: { type: "integer" },
            intent: { type: "string", enum: [...intentNames, "other"] },
            confidence: { type: "number" },
            sentiment: { type: "integer" },
            evidence: {
              type: "array",
              items: { type: "object", properties: { kind: { type: "string", enum: [...EVIDENCE_KINDS] }, quote: { type: "string" } }, required: ["kind", "quote"] },
            },
          },
          required: ["index", "intent", "confidence", "sentiment", "evidence"],
        },
      },
    },
    required: ["messages"],
  };
}

/** The model's read of each message (null: the model was not used, or failed), in the messages' order. */
export async function readWithModel(input: {
  business: Business;
  conversationId: string;
  intents: { id: string; name: string; description: string }[];
  messages: { id: string; content: string }[];
}): Promise<{ reads: (ModelRead | null)[]; model: string } | null> {
  const model = getLanguageModel();
  if (model.provider === "offline" || !input.messages.length) return null;
  let used = 0;
  const batch = input.messages.filter((m) => (used += m.content.length) <= MAX_BATCH_CHARS || m === input.messages[0]);
  const prompt =
    `Intents of ${input.business.name}:\n` +
    input.intents.map((i) => `- ${i.name}: ${i.description}`).join("\n") +
    "\n\nMessages:\n" +
    batch.map((m, i) => `${i + 1}. ${m.content.slice(0, 2000)}`).join("\n");
  const fast = modelNames().fast;
  const maxOutputTokens = 200 + 150 * batch.length;
  const allowance = await spendingAllowed({ business: input.business, model: fast, prompt: SYSTEM + prompt, maxOutputTokens });
  if (!allowance.ok) return null;
  let result;
  try {
    result = await model.generate({
      system: SYSTEM,
      messages: [{ role: "user", text: prompt }],
      model: fast,
      output: { json: jsonSchema(input.intents.map((i) => i.name)) },
      temperature: 0,
      maxOutputTokens,
      thinkingBudget: 0,
      timeoutMs: 20_000,
    });
  } catch (err) {
    await allowance.release();
    console.warn("[prismai] intent read by the model failed; the offline read stands", err instanceof Error ? err.name : "");
    return null;
  }
  await allowance.settle({ model: result.model, tokensIn: result.tokensIn, tokensOut: result.tokensOut, messageId: batch.at(-1)!.id, conversationId: input.conversationId });
  const parsed = ReadSchema.safeParse(result.json);
  if (!parsed.success) return null;
  const names = new Map(input.intents.map((i) => [i.name.toLowerCase(), i.name]));
  const reads: (ModelRead | null)[] = input.messages.map(() => null);
  for (const r of parsed.data.messages) {
    const message = batch[r.index - 1];
    if (!message) continue;
    const intent = names.get(r.intent.trim().toLowerCase()) ?? null;
    const seen = new Set<string>();
    const evidence: Evidence[] = [];
    for (const e of r.evidence) {
      const quote = e.quote.trim();
      // no quote, no point: the words must be the customer's own, as they wrote them
      if (quote.length < 3 || !message.content.includes(quote) || seen.has(e.kind)) continue;
      seen.add(e.kind);
      evidence.push({ kind: e.kind, quote: quote.slice(0, 300), points: EVIDENCE_POINTS[e.kind] });
    }
    reads[r.index - 1] = {
      intent,
      confidence: Math.round(Math.min(1, Math.max(0, r.confidence)) * 1000) / 1000,
      sentiment: Math.round(Math.min(2, Math.max(-2, r.sentiment))) as Sentiment,
      evidence,
    };
  }
  return { reads, model: result.model };
}
