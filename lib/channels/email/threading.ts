import "server-only";
// Which conversation an inbound email belongs to. In order: the conversation its reply-to tag names
// (our Reply-To, MAC-checked); the conversation holding any message it cites in In-Reply-To or
// References (or whose thread began with one of them); otherwise a new conversation. The subject is
// never used to match: two emails that merely share a subject are two conversations, and an email
// with a new subject and no references starts its own even while another one is open.
import { and, desc, eq, inArray } from "drizzle-orm";
import type { Tx } from "@/lib/db/client";
import { conversations, messages } from "@/lib/db/schema";
import { baseSubject } from "./content";

export type ThreadMatch = { conversationId: string; via: "reply_address" | "references" | "new"; threadKey: string };

type Input = {
  businessId: string;
  channelId: string;
  customerId: string;
  /** from the reply-to tag (MAC already checked) */
  taggedConversationId: string | null;
  /** In-Reply-To, then References newest first (so the thread's root is last), as "<id>" strings */
  references: string[];
  messageId: string;
  subject: string | null;
};

async function open(tx: Tx, input: Input, ids: string[]) {
  if (!ids.length) return [];
  return tx
    .select({ id: conversations.id, status: conversations.status, threadKey: conversations.emailThreadKey, subject: conversations.subject })
    .from(conversations)
    .where(
      and(
        eq(conversations.businessId, input.businessId),
        eq(conversations.channelId, input.channelId),
        eq(conversations.customerId, input.customerId),
        inArray(conversations.id, ids),
      ),
    )
    .orderBy(desc(conversations.lastMessageAt));
}

export async function resolveEmailThread(tx: Tx, input: Input): Promise<ThreadMatch> {
  let found: Awaited<ReturnType<typeof open>> = [];
  let via: ThreadMatch["via"] = "new";
  if (input.taggedConversationId) {
    found = await open(tx, input, [input.taggedConversationId]);
    // Mail clients remember the reply-to address: a fresh email (nothing cited) with another subject
    // that reaches it is a new conversation, not a reply.
    if (!input.references.length) found = found.filter((c) => sameTopic(c.subject, input.subject));
    if (found.length) via = "reply_address";
  }
  if (!found.length && input.references.length) {
    const cited = await tx
      .selectDistinct({ id: messages.conversationId })
      .from(messages)
      .where(and(eq(messages.businessId, input.businessId), eq(messages.channelId, input.channelId), inArray(messages.providerMessageId, input.references)));
    const rooted = await tx
      .select({ id: conversations.id })
      .from(conversations)
      .where(and(eq(conversations.businessId, input.businessId), eq(conversations.channelId, input.channelId), inArray(conversations.emailThreadKey, input.references)));
    found = await open(tx, input, [...new Set([...cited, ...rooted].map((r) => r.id))]);
    if (found.length) via = "references";
  }
  const live = found.find((c) => c.status !== "closed");
  if (live) return { conversationId: live.id, via, threadKey: live.threadKey ?? input.messageId };

  // A closed thread continues in a new conversation that keeps its key and subject.
  const previous = found[0];
  const threadKey = previous?.threadKey ?? input.references.at(-1) ?? input.messageId;
  const [created] = await tx
    .insert(conversations)
    .values({
      businessId: input.businessId,
      customerId: input.customerId,
      channelId: input.channelId,
      subject: previous?.subject ?? input.subject ?? null,
      emailThreadKey: threadKey,
    })
    .returning({ id: conversations.id });
  return { conversationId: created!.id, via: previous ? via : "new", threadKey };
}

const topic = (subject: string | null | undefined) => baseSubject(subject).toLowerCase().replace(/\s+/g, " ").trim();

/** Whether an email's subject continues a conversation's ("[EXT] RE: Parking" continues "Parking"); an empty one always does. */
export function sameTopic(conversationSubject: string | null | undefined, subject: string | null | undefined): boolean {
  const was = topic(conversationSubject);
  const now = topic(subject);
  return !was || !now || now.includes(was) || was.includes(now);
}

/** In-Reply-To first (the parent), then References newest first: the order to try them in. */
export function citedIds(inReplyTo: string[], references: string[]): string[] {
  return [...new Set([...inReplyTo, ...[...references].reverse()])].slice(0, 50);
}
