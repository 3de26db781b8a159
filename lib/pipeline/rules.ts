// The owner's rules as a step of the answer chain, before any FAQ, cache or model: reads the
// customer's recent history once (any channel), decides hand-offs, emergencies, prohibited topics
// and languages (lib/ai/rules.ts), and for everything else says what to look up — the message, or
// with the question it follows up — and, for "what did I ask you by SMS?", the older messages asked about.
import { and, desc, eq, notInArray } from "drizzle-orm";
import { withService, type Tx } from "@/lib/db/client";
import { channels, messages } from "@/lib/db/schema";
import { followUpOf } from "@/lib/ai/evidence";
import { recallRequest } from "@/lib/ai/intents";
import { conversationLanguage } from "@/lib/ai/language";
import { recallMessages } from "@/lib/ai/offline-model";
import type { AiSettings, HistoryEntry } from "@/lib/ai/prompts";
import { checkRules, ruleReply, type RuleDecision } from "@/lib/ai/rules";
import { recentCustomerMessages } from "./conversations";
import type { ChannelKind, Message } from "./types";

/** How many older messages a recall question searches. */
const RECALL_SEARCH = 50;

export type RulesOutcome = {
  /** a rule decided the reply (hand-off, emergency advice, topic, language): no FAQ, cache or model */
  decided?: { decision: RuleDecision; text: string; handoff: boolean; reason?: string };
  /** what to look up: the message, or the question it follows up and the message */
  question: string;
  followUp: boolean;
  /** the customer's last messages on every channel, oldest first, this one included */
  history: Message[];
  /** older messages a recall question asks about */
  recalled: HistoryEntry[];
  language?: string;
};

/** `tx`: the caller's transaction (the answer chain reads the history in the one its gates ran in). */
export async function applyRules(
  input: {
    businessId: string;
    customerId: string;
    message: Message;
    settings: AiSettings;
    now?: Date;
    /** the history as the caller's load read it (the customer's last messages, this one included) */
    history?: Message[];
  },
  tx?: Tx,
): Promise<RulesOutcome> {
  const { businessId, customerId, message, settings } = input;
  const within = <T>(fn: (tx: Tx) => Promise<T>) => (tx ? fn(tx) : withService(fn));
  const text = message.content;
  const history = input.history ?? (await within((tx) => recentCustomerMessages(tx, businessId, customerId, 11)));
  const earlier = history.filter((m) => m.id !== message.id);
  const earlierCustomer = earlier.filter((m) => m.role === "customer").map((m) => ({ content: m.content, at: m.createdAt }));
  const lastReplyMessage = [...earlier].reverse().find((m) => m.role === "assistant" || m.role === "agent");
  const lastReply = lastReplyMessage?.content;
  const language = conversationLanguage(text, earlierCustomer.map((m) => m.content));

  const base = { history, language, recalled: [] as HistoryEntry[] };
  let decision = checkRules({ text, settings, lastReply, language });
  // A person offered by the answer chain itself (the model or the offline responder, not a rule's
  // fixed reply) was offered because it could not answer from the business's information.
  if (decision?.kind === "handoff" && decision.category === "offer_accepted" && (lastReplyMessage?.source === "model" || lastReplyMessage?.source === "offline")) {
    decision = { ...decision, category: "low_confidence", reason: "the AI could not answer and the customer accepted a person" };
  }
  if (decision) {
    const reason = decision.kind === "handoff" ? decision.reason : undefined;
    return { ...base, question: text, followUp: false, decided: { decision, text: ruleReply(decision, settings, language), handoff: decision.kind === "handoff", reason } };
  }

  const recall = recallRequest(text);
  if (recall) {
    const older = await within((tx) =>
      tx
        .select({ message: messages, kind: channels.kind })
        .from(messages)
        .innerJoin(channels, and(eq(channels.id, messages.channelId), eq(channels.businessId, messages.businessId)))
        .where(
          and(
            eq(messages.businessId, businessId),
            eq(messages.customerId, customerId),
            eq(messages.role, "customer"),
            notInArray(
              messages.id,
              history.map((m) => m.id),
            ),
          ),
        )
        .orderBy(desc(messages.createdAt))
        .limit(RECALL_SEARCH),
    );
    const entries: HistoryEntry[] = older.map((r) => ({ role: "customer", channel: r.kind as ChannelKind, content: r.message.content, at: r.message.createdAt }));
    base.recalled = recallMessages(text, recall.channels, entries).reverse();
  }

  const previous = followUpOf(text, earlierCustomer, input.now ?? message.createdAt);
  return { ...base, question: previous ? `${previous} ${text}` : text, followUp: Boolean(previous) };
}
