import "server-only";
// Instagram's messaging window (Meta's Messenger Platform rules for Instagram): within 24 hours of the
// customer's last message the business may reply freely (messaging_type RESPONSE); from 24 hours to 7
// days only a person may reply, sent with messaging_type MESSAGE_TAG and tag HUMAN_AGENT; after 7
// days nothing may be sent until the customer writes again. The clock starts at their last message on
// that Instagram channel (any thread), as WhatsApp's does.
import type { Executor } from "@/lib/db/client";
import { lastCustomerMessageAt, type WindowSubject } from "@/lib/channels/whatsapp/window";

export const INSTAGRAM_RESPONSE_WINDOW_MS = 24 * 3600 * 1000;
export const INSTAGRAM_HUMAN_AGENT_WINDOW_MS = 7 * 24 * 3600 * 1000;

/** "open": anyone (the AI too) may reply; "human_agent": only a person, with the HUMAN_AGENT tag; "closed": nobody. */
export type InstagramWindowStage = "open" | "human_agent" | "closed";

export type InstagramWindow = {
  stage: InstagramWindowStage;
  lastCustomerMessageAt: Date | null;
  /** when the 24-hour window closes (null: the customer never wrote) */
  responseClosesAt: Date | null;
  /** when the 7-day human-agent window closes (null: the customer never wrote) */
  humanAgentClosesAt: Date | null;
};

export const INSTAGRAM_HUMAN_AGENT_NOTICE =
  "Instagram allows a person to reply for 7 days after the customer's last message (sent with the HUMAN_AGENT tag)";

export const INSTAGRAM_WINDOW_CLOSED =
  "More than 7 days have passed since this customer last wrote on Instagram, so Instagram does not allow any message until they write again.";

export function instagramWindowStage(subject: WindowSubject, now: Date = new Date()): InstagramWindowStage {
  if (!subject.lastCustomerMessageAt) return "closed";
  const age = now.getTime() - new Date(subject.lastCustomerMessageAt).getTime();
  if (age < INSTAGRAM_RESPONSE_WINDOW_MS) return "open";
  if (age < INSTAGRAM_HUMAN_AGENT_WINDOW_MS) return "human_agent";
  return "closed";
}

/** The window of a conversation's customer on its Instagram channel. */
export async function instagramWindow(ex: Executor, businessId: string, conversationId: string, now: Date = new Date()): Promise<InstagramWindow> {
  const last = await lastCustomerMessageAt(ex, businessId, conversationId);
  const at = (ms: number) => (last ? new Date(last.getTime() + ms) : null);
  return {
    stage: instagramWindowStage({ lastCustomerMessageAt: last }, now),
    lastCustomerMessageAt: last,
    responseClosesAt: at(INSTAGRAM_RESPONSE_WINDOW_MS),
    humanAgentClosesAt: at(INSTAGRAM_HUMAN_AGENT_WINDOW_MS),
  };
}
