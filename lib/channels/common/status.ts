import "server-only";
// A provider's word on one of our sent messages (Resend's delivered or bounced, WhatsApp's delivered
// or read): the stored message moves forward, never back, since these arrive out of order, and every
// status is kept with its time. Errors the provider gave are kept beside them.
import { and, eq, sql } from "drizzle-orm";
import type { Tx } from "@/lib/db/client";
import { messages } from "@/lib/db/schema";
import { advances } from "@/lib/channels/twilio/status";
import type { Channel } from "./channels";

export type StatusApplied = { matched: boolean; messageId: string | null; moved: boolean };

export async function applyStatus(
  tx: Tx,
  channel: Channel,
  update: { providerMessageId: string; event: string; status: string | null; facts?: Record<string, unknown> },
): Promise<StatusApplied> {
  const [message] = await tx
    .select({ id: messages.id, deliveryStatus: messages.deliveryStatus, statuses: sql<Record<string, string> | null>`${messages.metadata}->'statuses'` })
    .from(messages)
    .where(and(eq(messages.businessId, channel.businessId), eq(messages.channelId, channel.id), eq(messages.providerMessageId, update.providerMessageId)))
    .for("update")
    .limit(1);
  if (!message) return { matched: false, messageId: null, moved: false };
  const moved = Boolean(update.status && advances(message.deliveryStatus, update.status));
  const facts = { statuses: { ...(message.statuses ?? {}), [update.event]: new Date().toISOString() }, ...update.facts };
  await tx
    .update(messages)
    .set({ ...(moved ? { deliveryStatus: update.status! } : {}), metadata: sql`${messages.metadata} || ${JSON.stringify(facts)}::jsonb` })
    .where(and(eq(messages.id, message.id), eq(messages.businessId, channel.businessId)));
  return { matched: true, messageId: message.id, moved };
}
