// Money around one answer: the gate (business paused, budget exhausted with auto-pause on), a
// reservation before the model call, settlement at the real cost after it, and a cost event each.
import { getDb, withService, type Executor } from "@/lib/db/client";
import type { businesses } from "@/lib/db/schema";
import type { SQL } from "drizzle-orm";
import { afterSettle, charge, release, reserve, settle, settleUpdate, type Reservation, type SettledBudget } from "@/lib/billing/budgets";
import { costEventInsert } from "@/lib/billing/costs";
import { priceEmbedding, priceModelCall } from "@/lib/billing/prices";

type Business = typeof businesses.$inferSelect;

type Actual = { model: string; tokensIn: number; tokensOut: number; messageId: string | null; conversationId: string | null };

/**
 * A model call's settlement, for a caller that writes it inside its own statement: the budget row's
 * update (returning the row) and the call's cost event (none for an offline answer), as common table
 * expressions; `after` takes the budget row once that statement committed. `alone` settles in a
 * statement of its own: in the caller's transaction (`ex`, last in it), or, by default, on its own
 * when the caller's statement did not commit.
 */
export type Settlement = {
  parts: () => Promise<{ budget: SQL; event: SQL | null }>;
  after: (budget: SettledBudget | null) => Promise<unknown>;
  alone: (ex?: Executor) => Promise<unknown>;
};

const THINKING_ALLOWANCE = 512;

export type Allowance =
  | { ok: false; reason: "paused" | "budget_exhausted" }
  | {
      ok: true;
      /**
       * messageId/conversationId: the message the call answered (null for a call no message asked for,
       * such as cache warming). `ex`: a short transaction of the caller's (the reply's), in which the
       * settlement and the cost event commit with what it stores; by default a transaction of their own.
       */
      settle: (actual: Actual, ex?: Executor) => Promise<number>;
      /** the same settlement, as parts of the caller's statement */
      settlement: (actual: Actual) => Settlement;
      release: () => Promise<void>;
      /** what settle will charge for this call */
      costOf: (actual: { model: string; tokensIn: number; tokensOut: number }) => number;
    };

/**
 * The most one model call can cost. The hold must be an upper bound, or concurrent calls could
 * overspend: two characters a token (English runs near four) and room for thinking tokens on top of
 * the output cap.
 */
export function worstCaseCost(input: { model: string; prompt: string; maxOutputTokens: number }): number {
  return priceModelCall(input.model, Math.ceil(input.prompt.length / 2) + 256, input.maxOutputTokens + THINKING_ALLOWANCE);
}

/** Reserves the worst case of one model call, or says why no model may be called. */
export async function spendingAllowed(input: { business: Business; model: string; prompt: string; maxOutputTokens: number }): Promise<Allowance> {
  const { business } = input;
  if (business.status === "paused") return { ok: false, reason: "paused" };
  // the gate and the hold in one conditional update, on the business row the caller read (its lock
  // lasts only for that statement)
  const held = await reserve(business.id, worstCaseCost(input), { business, gate: true });
  if ("denied" in held) return { ok: false, reason: "budget_exhausted" };
  const reservation: Reservation = held;
  const offlineModel = (model: string) => model === "offline" || model === "fallback";
  const costOf = (actual: { model: string; tokensIn: number; tokensOut: number }) =>
    offlineModel(actual.model) ? 0 : priceModelCall(actual.model, actual.tokensIn, actual.tokensOut);
  const costEvent = (actual: Actual, costUsd: number) => ({
    businessId: business.id,
    kind: "model" as const,
    model: actual.model,
    tokensIn: actual.tokensIn,
    tokensOut: actual.tokensOut,
    costUsd,
    messageId: actual.messageId,
    conversationId: actual.conversationId,
  });
  const settleNow = async (actual: Actual, ex?: Executor) => {
    const costUsd = costOf(actual);
    const within = <T>(fn: (tx: Executor) => Promise<T>) => (ex ? fn(ex) : withService(fn));
    // one statement: the budget row, then the call's cost event
    await within(async (tx) => {
      await settle(reservation, costUsd, { ex: tx, alongside: offlineModel(actual.model) ? undefined : costEventInsert(tx, costEvent(actual, costUsd)) });
    });
    return costUsd;
  };
  return {
    ok: true,
    release: () => release(reservation),
    costOf,
    settle: settleNow,
    settlement: (actual) => ({
      parts: async () => {
        const costUsd = costOf(actual);
        const event = offlineModel(actual.model) ? null : costEventInsert(await getDb(), costEvent(actual, costUsd));
        return { budget: settleUpdate(reservation, costUsd), event };
      },
      after: (budget) => afterSettle(business.id, budget),
      alone: (ex) => settleNow(actual, ex),
    }),
  };
}

/**
 * An embedding call is charged as it happens (it is small and already made): its cost event and
 * the budget's spend in one statement. `business`: the row the caller already read.
 */
export async function chargeEmbedding(input: {
  businessId: string;
  tokens: number;
  model: string;
  messageId: string | null;
  conversationId: string | null;
  business?: Business;
}) {
  if (input.model !== "gemini-embedding-001" && !input.model.startsWith("gemini")) return 0;
  const costUsd = priceEmbedding(input.tokens, input.model);
  const db = await getDb();
  const event = { businessId: input.businessId, kind: "embedding" as const, model: input.model, tokensIn: input.tokens, costUsd, messageId: input.messageId, conversationId: input.conversationId };
  await charge(input.businessId, costUsd, { ex: db, business: input.business, alongside: costEventInsert(db, event) });
  return costUsd;
}
