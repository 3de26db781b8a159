import "server-only";
// A channel send or call as money: a cost_events row priced from lib/billing/prices (SMS per segment,
// WhatsApp per message, voice per started minute, email, Telegram, Instagram) and the same amount
// charged to the month's budget.
import type { Executor } from "@/lib/db/client";
import { charge } from "@/lib/billing/budgets";
import { recordCost } from "@/lib/billing/costs";

export type ChannelCostKind = "sms" | "whatsapp" | "voice" | "voice_outbound" | "email" | "telegram" | "instagram";

/** Call minutes as Twilio bills them: every started minute, nothing for a call that never connected. */
export function billableMinutes(durationSeconds: number): number {
  return durationSeconds > 0 ? Math.ceil(durationSeconds / 60) : 0;
}

export async function chargeChannelCost(
  ex: Executor,
  input: { businessId: string; kind: ChannelCostKind; units: number; messageId?: string | null; conversationId?: string | null; costUsd?: number },
): Promise<number> {
  if (input.units <= 0) return 0;
  const { costUsd } = await recordCost(ex, {
    businessId: input.businessId,
    kind: input.kind,
    units: input.units,
    messageId: input.messageId ?? null,
    conversationId: input.conversationId ?? null,
    ...(input.costUsd !== undefined ? { costUsd: input.costUsd } : {}),
  });
  if (costUsd > 0) await charge(input.businessId, costUsd, { ex });
  return costUsd;
}
