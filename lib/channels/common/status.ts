import "server-only";
// A provider's word on one of our sent messages (Twilio's and Resend's delivered or bounced,
// WhatsApp's delivered or read): the stored message moves forward, never back, since these arrive
// out of order, and every status is kept with its time. Errors the provider gave are kept beside them.
import { and, eq, sql } from "drizzle-orm";
import type { Tx } from "@/lib/db/client";
import { messages } from "@/lib/db/schema";
import type { Channel } from "./channels";

// Every provider's statuses on one scale (Twilio's, Resend's mapped, WhatsApp's): later ranks win.
const RANK: Record<string, number> = {
  accepted: 1,
  scheduled: 1,
  queued: 1,
  outbox: 1,
  sending: 2,
  sent: 3,
  undelivered: 4,
  failed: 4,
  canceled: 4,
  partially_delivered: 4,
  delivered: 5,
  read: 6,
};

/** Whether a callback's status may replace the stored one (a late "sent" never undoes "delivered"). */
export function advances(current: string | null, next: string): boolean {
  return (RANK[next] ?? 0) >= (RANK[current ?? ""] ?? 0);
}

export type StatusApplied = { matched: boolean; messageId: string | null; moved: boolean };

export async function applyStatus(
  tx: Tx,
  channel: Channel,
  update: {
    providerMessageId: string;
    /** our id for the message, when the provider echoes it back (Twilio's ?m=): found by it, and the provider id is kept */
    messageId?: string | null;
    event: string;
    status: string | null;
    facts?: Record<string, unknown>;
  },
): Promise<StatusApplied & { customerId: string | null }> {
  const scope = [eq(messages.businessId, channel.businessId), eq(messages.channelId, channel.id)];
  const [message] = await tx
    .select({
      id: messages.id,
      customerId: messages.customerId,
      deliveryStatus: messages.deliveryStatus,
      providerMessageId: messages.providerMessageId,
      statuses: sql<Record<string, string> | null>`${messages.metadata}->'statuses'`,
    })
    .from(messages)
    .where(and(...scope, update.messageId ? eq(messages.id, update.messageId) : eq(messages.providerMessageId, update.providerMessageId)))
    .for("update")
    .limit(1);
  if (!message) return { matched: false, messageId: null, moved: false, customerId: null };
  const moved = Boolean(update.status && advances(message.deliveryStatus, update.status));
  const facts = { statuses: { ...(message.statuses ?? {}), [update.event]: new Date().toISOString() }, ...update.facts };
  await tx
    .update(messages)
    .set({
      ...(moved ? { deliveryStatus: update.status! } : {}),
      ...(message.providerMessageId ? {} : { providerMessageId: update.providerMessageId }),
      metadata: sql`${messages.metadata} || ${JSON.stringify(facts)}::jsonb`,
    })
    .where(and(eq(messages.id, message.id), eq(messages.businessId, channel.businessId)));
  return { matched: true, messageId: message.id, moved, customerId: message.customerId };
}
