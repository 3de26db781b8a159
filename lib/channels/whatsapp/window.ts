import "server-only";
// WhatsApp's 24-hour customer-service window: free-form messages only within 24 hours of the
// customer's last message; outside it, only templates WhatsApp approved.
import { and, eq, max } from "drizzle-orm";
import type { Executor } from "@/lib/db/client";
import { conversations, messages } from "@/lib/db/schema";

export const SERVICE_WINDOW_MS = 24 * 3600 * 1000;

export type WindowSubject = { lastCustomerMessageAt: Date | string | null | undefined };

/** When the window closes (null: the customer never wrote, so it never opened). */
export function serviceWindowClosesAt(conversation: WindowSubject): Date | null {
  if (!conversation.lastCustomerMessageAt) return null;
  return new Date(new Date(conversation.lastCustomerMessageAt).getTime() + SERVICE_WINDOW_MS);
}

export function withinServiceWindow(conversation: WindowSubject, now: Date = new Date()): boolean {
  const closes = serviceWindowClosesAt(conversation);
  return closes !== null && now < closes;
}

export type ServiceWindow = { open: boolean; closesAt: Date | null; lastCustomerMessageAt: Date | null };

/**
 * When the conversation's customer last wrote on its channel (any thread of theirs there), or null
 * when they never did (or the conversation is not this business's). Instagram's window starts here too.
 */
export async function lastCustomerMessageAt(ex: Executor, businessId: string, conversationId: string): Promise<Date | null> {
  const [conversation] = await ex
    .select({ customerId: conversations.customerId, channelId: conversations.channelId })
    .from(conversations)
    .where(and(eq(conversations.id, conversationId), eq(conversations.businessId, businessId)));
  if (!conversation) return null;
  const [row] = await ex
    .select({ last: max(messages.createdAt) })
    .from(messages)
    .where(
      and(
        eq(messages.businessId, businessId),
        eq(messages.customerId, conversation.customerId),
        eq(messages.channelId, conversation.channelId),
        eq(messages.role, "customer"),
      ),
    );
  return row?.last ? new Date(row.last) : null;
}

/** The window of a conversation's customer on its WhatsApp channel (their last message on that channel, any thread). */
export async function serviceWindow(ex: Executor, businessId: string, conversationId: string, now: Date = new Date()): Promise<ServiceWindow> {
  const last = await lastCustomerMessageAt(ex, businessId, conversationId);
  const subject = { lastCustomerMessageAt: last };
  return { open: withinServiceWindow(subject, now), closesAt: serviceWindowClosesAt(subject), lastCustomerMessageAt: last };
}
