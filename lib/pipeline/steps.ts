// The answer chain's decisions, each a function of what the load, the retrieval or the model returned:
// no database, no model, no clock unless given. lib/pipeline/answer.ts runs them in order (gates →
// limits → abuse → the owner's rules → opening hours → booking → FAQ → cache → model) and does the
// reading and writing between them; __tests__/lib/pipeline/steps.test.ts calls each one alone.
import { answersQuestion } from "@/lib/ai/evidence";
import { openState, type AiSettings } from "@/lib/ai/prompts";
import { priceModelCall } from "@/lib/billing/prices";
import type { RetrievedFaq } from "@/lib/knowledge/retrieve";
import type { ClaimedMessage } from "./answer";
import type { AnswerSource, Message, NoReplyReason } from "./types";

/**
 * The gates that need nothing but the loaded message, in order: a survey's rating is no question, a
 * conversation waiting for a person gets no AI text, a blocked or opted-out customer and an empty
 * message get nothing. The first that holds, or null.
 */
export function firstGate(ctx: Pick<ClaimedMessage, "message" | "conversation" | "customer" | "channel">, now = new Date()): NoReplyReason | null {
  const { message, conversation, customer, channel } = ctx;
  if (typeof (message.metadata as { csatRating?: unknown }).csatRating === "number") return "csat_rating";
  if (conversation.status === "waiting_human") return "waiting_human";
  if (customer.blocked || (customer.blockedUntil && customer.blockedUntil > now)) return "blocked";
  const consent = (customer.consent ?? {}) as Record<string, { optedOut?: boolean } | undefined>;
  if (consent[channel.kind]?.optedOut) return "opted_out";
  if (!message.content.trim()) return "empty";
  return null;
}

/** The owner's message for when the business is closed, when they chose to send one then; else null. */
export function afterHoursReply(settings: AiSettings, timeZone: string, now = new Date()): string | null {
  return settings.afterHours === "message" && !openState(settings.hours, timeZone, now).open ? settings.afterHoursMessage : null;
}

/** The FAQ that answers the question outright: the closest one, close enough, and about the same thing. */
export function faqAnswer<F extends RetrievedFaq>(faqs: F[], question: string, threshold: number): F | null {
  const top = faqs[0];
  return top && top.similarity >= threshold && answersQuestion(question, top) ? top : null;
}

/** What the prompt shows of the conversation: the last ten messages before this one. */
export function earlierMessages(history: Message[], messageId: string): Message[] {
  return history.filter((m) => m.id !== messageId).slice(-10);
}

/** The dearest model the router may fall back to: the budget is held for that one. */
export function dearestModel(chain: string[]): string {
  return chain.reduce((a, b) => (priceModelCall(b, 1e6, 1e6) > priceModelCall(a, 1e6, 1e6) ? b : a));
}

/**
 * Whether a model's answer may serve another customer from the cache. Only an answer that used
 * nothing about this customer: the model says so (reusable), or, when it does not say, the message
 * was a first one with nothing remembered. A suspicious customer's exchange never serves anyone else,
 * nor does a hand-off, a reply that names the customer, or one given with a campaign's brief in view
 * (it may rest on that campaign's offer).
 */
export function mayCache(input: {
  source: AnswerSource;
  handoff: boolean;
  lowTrust: boolean;
  campaign: boolean;
  reusable?: boolean;
  remembered: number;
  earlier: number;
  text: string;
  customerName: string | null;
}): boolean {
  const general = !input.campaign && (input.reusable ?? (input.remembered === 0 && input.earlier === 0));
  return input.source === "model" && !input.handoff && !input.lowTrust && general && !namesCustomer(input.text, input.customerName);
}

/** Whether a reply addresses the customer by name (a name of three letters or more, as a word). */
export function namesCustomer(text: string, name: string | null): boolean {
  const parts = (name ?? "").split(/\s+/).filter((p) => p.length >= 3 && /\p{L}/u.test(p));
  return parts.some((p) => new RegExp(`(^|[^\\p{L}])${p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^\\p{L}])`, "iu").test(text));
}
