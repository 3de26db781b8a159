// cost_events: one row per priced thing — a model call, an embedding batch, an SMS segment, a call minute, an email.
import "server-only";
import type { SQL } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "@/lib/db/client";
import { costEvents } from "@/lib/db/schema";
import { priceChannel, priceEmbedding, priceModelCall, roundUsd, type PricedChannel } from "./prices";

export const CostKind = z.enum([
  "model",
  "embedding",
  "sms",
  "whatsapp",
  "voice",
  "voice_outbound",
  "email",
  "telegram",
  "instagram",
  "web",
]);
export type CostKind = z.infer<typeof CostKind>;

const count = z.number().int().min(0);

export const RecordCostInput = z.object({
  businessId: z.guid(),
  kind: CostKind,
  model: z.string().min(1).nullish(),
  tokensIn: count.default(0),
  tokensOut: count.default(0),
  /** segments, messages or minutes for channels; defaults to the token total for model kinds */
  units: z.number().min(0).optional(),
  /** leave out to price from the table; pass it when the provider reported the charge */
  costUsd: z.number().min(0).optional(),
  messageId: z.guid().nullish(),
  conversationId: z.guid().nullish(),
});
export type RecordCostInput = z.input<typeof RecordCostInput>;

export type RecordedCost = { id: string; costUsd: number };

/** The price of a cost event from the table, when the caller has not given one. */
export function priceOf(input: z.output<typeof RecordCostInput>): number {
  if (input.costUsd !== undefined) return roundUsd(input.costUsd);
  switch (input.kind) {
    case "model":
      if (!input.model) throw new RangeError("a model cost needs the model name");
      return priceModelCall(input.model, input.tokensIn, input.tokensOut);
    case "embedding":
      return input.model ? priceEmbedding(input.tokensIn, input.model) : priceEmbedding(input.tokensIn);
    default:
      return priceChannel(input.kind as PricedChannel, input.units ?? 0);
  }
}

/** Writes one cost_events row (priced from the table unless costUsd is given). Does not charge the budget. */
export async function recordCost(ex: Executor, raw: RecordCostInput): Promise<RecordedCost> {
  const { values, costUsd } = costEventRow(raw);
  const [row] = await ex.insert(costEvents).values(values).returning({ id: costEvents.id });
  return { id: row!.id, costUsd };
}

/** recordCost's insert, unrun, for a statement that writes it beside its own work (a budget settlement). */
export function costEventInsert(ex: Executor, raw: RecordCostInput): SQL {
  return ex.insert(costEvents).values(costEventRow(raw).values).getSQL();
}

function costEventRow(raw: RecordCostInput) {
  const input = RecordCostInput.parse(raw);
  const costUsd = priceOf(input);
  const modelKind = input.kind === "model" || input.kind === "embedding";
  const values = {
    businessId: input.businessId,
    kind: input.kind,
    model: input.model ?? null,
    tokensIn: input.tokensIn,
    tokensOut: input.tokensOut,
    units: input.units ?? (modelKind ? input.tokensIn + input.tokensOut : 0),
    costUsd,
    messageId: input.messageId ?? null,
    conversationId: input.conversationId ?? null,
  };
  return { values, costUsd };
}
