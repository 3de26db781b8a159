import "server-only";
// The customer's side of web chat: what a visitor may read (only the conversations they wrote in
// themselves — an email typed in chat merges them into that customer, but never opens that
// customer's other threads to them), sending through the pipeline, and leaving an email or phone.
import { and, eq, ne, sql } from "drizzle-orm";
import { getDb, rows, withService, type Executor } from "@/lib/db/client";
import { conversations, customers, messages } from "@/lib/db/schema";
import { answerSurvey, findSurveyByConversation } from "@/lib/db/csat";
import { AppError } from "@/lib/errors";
import { openState, readAiSettings } from "@/lib/ai/prompts";
import { answerClaimedMessage, answerMessage, type AnswerOutcome, type ClaimedMessage } from "@/lib/pipeline/answer";
import { DEFAULT_INACTIVITY_HOURS } from "@/lib/pipeline/conversations";
import { nameSetByStaff } from "@/lib/db/customers";
import { findCustomerByIdentity, linkIdentity, resolveCustomer } from "@/lib/pipeline/customers";
import { normaliseIdentity, type Identity } from "@/lib/pipeline/identities";
import { storeInbound } from "@/lib/pipeline/inbound";
import type { Message } from "@/lib/pipeline/types";
import { parseQueryDate } from "@/lib/validation/dates";
import { recordConsent } from "@/lib/campaigns/consent";
import { CONTACT_FORM_CONSENT_KINDS, contactFormConsentWording } from "@/lib/campaigns/channel-rules";
import { CURSOR_OVERLAP_MS, type ChatContact, type ChatMessage, type ChatPoll, type ChatRole, type ChatState } from "./protocol";
import type { Visitor } from "./visitor";
import type { WebChat } from "./web-channel";

type VisitorConversation = { id: string; status: string; assignee_id: string | null; last_message_at: string | Date; customer_id: string };

/** The visitor's own conversations on this channel (the ones they wrote in), newest first. */
function visitorConversationsSql(chat: WebChat, visitor: Visitor) {
  return sql`select c.id, c.status, c.assignee_id, c.last_message_at, c.customer_id
        from customer_identities i
        join conversations c on c.business_id = i.business_id and c.customer_id = i.customer_id and c.channel_id = ${chat.channel.id}
        where i.business_id = ${chat.business.id} and i.kind = 'web' and i.value_hash = ${visitor.hash}
          and exists (select 1 from messages m where m.business_id = c.business_id and m.conversation_id = c.id
                      and m.role = 'customer' and m.metadata->>'visitor' = ${visitor.hash})
        order by c.last_message_at desc
        limit 20`;
}

async function visitorConversations(ex: Executor, chat: WebChat, visitor: Visitor): Promise<VisitorConversation[]> {
  return rows<VisitorConversation>(ex, visitorConversationsSql(chat, visitor));
}

export function chatStateOf(chat: WebChat, latest?: { status: string; assignee_id: string | null } | null): ChatState {
  const settings = readAiSettings(chat.business.aiSettings);
  const hours = openState(settings.hours, chat.business.timeZone);
  const status: ChatState["status"] = !latest
    ? "new"
    : latest.status === "closed"
      ? "closed"
      : latest.status === "waiting_human"
        ? latest.assignee_id
          ? "with_person"
          : "waiting_human"
        : "open";
  return { status, hours: { open: hours.open, next: hours.next ?? null } };
}

export function toChatMessage(m: Pick<Message, "id" | "role" | "content" | "createdAt" | "providerMessageId" | "replyToId">): ChatMessage {
  const clientId = m.role === "customer" && m.providerMessageId?.includes(":") ? m.providerMessageId.slice(m.providerMessageId.indexOf(":") + 1) : null;
  return { id: m.id, role: m.role as ChatRole, content: m.content, createdAt: new Date(m.createdAt).toISOString(), clientId, replyTo: m.replyToId ?? null };
}

const parseCursor = (after: string | null | undefined): Date | null => (after ? parseQueryDate(after, "after") : null);

type PollRow = { conversations: unknown; messages: unknown; csat: unknown };
type JsonMessage = { id: string; role: ChatRole; content: string; created_at: string; provider_message_id: string | null; reply_to_id: string | null };

const json = <T>(v: unknown): T => (typeof v === "string" ? JSON.parse(v) : v) as T;

/**
 * GET …/messages: the visitor's messages (all, or those since the cursor) and the chat's state, in
 * one statement — every open chat page asks this every second.
 */
export async function listVisitorMessages(chat: WebChat, visitor: Visitor, after?: string | null): Promise<ChatPoll> {
  const since = parseCursor(after);
  const businessId = chat.business.id;
  const [row] = await rows<PollRow>(
    await getDb(),
    sql`with mine as (${visitorConversationsSql(chat, visitor)})
        select
          (select coalesce(json_agg(json_build_object('status', status, 'assignee_id', assignee_id) order by last_message_at desc), '[]'::json) from mine) as conversations,
          (select coalesce(json_agg(x order by x.created_at, x.id), '[]'::json) from (
             select m.id, m.role, m.content, m.created_at, m.provider_message_id, m.reply_to_id from messages m
             where m.business_id = ${businessId} and m.conversation_id in (select id from mine)
               -- what the customer may see: never internal notes or system lines
               and m.role in ('customer', 'assistant', 'agent')
               ${since ? sql`and m.created_at > ${new Date(since.getTime() - CURSOR_OVERLAP_MS)}` : sql``}
             order by m.created_at desc, m.id desc
             limit ${since ? 200 : 100}) x) as messages,
          (select json_build_object('conversation_id', s.conversation_id, 'rating', s.rating) from csat_surveys s
             where s.business_id = ${businessId} and s.conversation_id = (select id from mine order by last_message_at desc limit 1)) as csat`,
  );
  const mine = json<{ status: string; assignee_id: string | null }[]>(row?.conversations ?? []);
  const list = json<JsonMessage[]>(row?.messages ?? []).map((m) =>
    toChatMessage({ id: m.id, role: m.role, content: m.content, createdAt: new Date(m.created_at), providerMessageId: m.provider_message_id, replyToId: m.reply_to_id }),
  );
  const newest = list.at(-1)?.createdAt;
  const cursor = newest && (!since || new Date(newest) > since) ? newest : (since?.toISOString() ?? null);
  const csat = row?.csat ? json<{ conversation_id: string; rating: number | null }>(row.csat) : null;
  const state = chatStateOf(chat, mine[0]);
  return {
    messages: list,
    cursor,
    state: state.status === "closed" && csat ? { ...state, csat: { conversationId: csat.conversation_id, rating: csat.rating } } : state,
  };
}

/**
 * The conversation a new message from this visitor belongs to: their live one; a fresh one when the
 * customer they merged into has a live web thread of someone else's; otherwise the pipeline decides.
 */
async function conversationFor(tx: Executor, chat: WebChat, visitor: Visitor): Promise<string | null> {
  const since = Date.now() - DEFAULT_INACTIVITY_HOURS * 3600_000;
  const live = (c: { status: string; last_message_at: string | Date }) =>
    c.status !== "closed" && (c.status === "waiting_human" || new Date(c.last_message_at).getTime() > since);
  const mine = (await visitorConversations(tx, chat, visitor)).find(live);
  if (mine) return mine.id;
  const customer = await findCustomerByIdentity(tx, chat.business.id, { kind: "web", value: visitor.id });
  if (!customer) return null;
  const [other] = await tx
    .select({ id: conversations.id })
    .from(conversations)
    .where(
      and(
        eq(conversations.businessId, chat.business.id),
        eq(conversations.customerId, customer.id),
        eq(conversations.channelId, chat.channel.id),
        ne(conversations.status, "closed"),
        sql`(${conversations.lastMessageAt} > ${new Date(since)} or ${conversations.status} = 'waiting_human')`,
      ),
    )
    .limit(1);
  if (!other) return null;
  const [created] = await tx
    .insert(conversations)
    .values({ businessId: chat.business.id, customerId: customer.id, channelId: chat.channel.id })
    .returning({ id: conversations.id });
  return created!.id;
}

/**
 * POST …/csat: the visitor rates one of their own closed conversations, once. A conversation that
 * is not theirs, or has no survey, is not found.
 */
export async function rateVisitorConversation(chat: WebChat, visitor: Visitor, input: { conversationId: string; rating: number }): Promise<{ rating: number }> {
  return withService(async (tx) => {
    const mine = (await visitorConversations(tx, chat, visitor)).find((c) => c.id === input.conversationId && c.status === "closed");
    const survey = mine ? await findSurveyByConversation(tx, chat.business.id, mine.id) : null;
    if (!survey) throw new AppError("not_found", "There is no survey for that conversation.");
    if (!(await answerSurvey(tx, chat.business.id, survey.id, input.rating))) throw new AppError("conflict", "You already rated this conversation. Thank you!");
    return { rating: input.rating };
  });
}

/** Stores a visitor's message (once per clientId): the first half of POST …/messages. */
export async function acceptVisitorMessage(chat: WebChat, visitor: Visitor, input: { text: string; clientId: string; ip: string | null }) {
  const conversationId = await conversationFor(await getDb(), chat, visitor);
  const stored = await storeInbound({
    businessId: chat.business.id,
    channelId: chat.channel.id,
    channelKind: "web",
    from: { kind: "web", value: visitor.id },
    text: input.text,
    // unique per channel: scoped by the visitor, so nobody can collide with another visitor's ids
    providerMessageId: `${visitor.hash.slice(0, 16)}:${input.clientId}`,
    conversationId,
    ip: input.ip,
    metadata: { visitor: visitor.hash, ...(visitor.origin ? { origin: visitor.origin } : {}) },
    // stored claimed for its answer, with what the answer reads, in the statement that stores it
  }, { claim: true });
  if (stored.duplicate && (stored.message.metadata as { visitor?: string }).visitor !== visitor.hash) {
    throw new AppError("conflict", "Please send that message again.");
  }
  return stored;
}

/** The second half: the answer, streamed through onDelta, and the chat's state afterwards. */
export async function answerVisitorMessage(
  chat: WebChat,
  message: Message,
  opts: { ip: string | null; onDelta?: (text: string) => void; onReset?: () => void; /** claimed and loaded when it was stored */ claimed?: ClaimedMessage | null },
): Promise<{ outcome: AnswerOutcome; state: ChatState }> {
  const answerOpts = { ip: opts.ip, onDelta: opts.onDelta, onReset: opts.onReset };
  const outcome = opts.claimed ? await answerClaimedMessage(opts.claimed, answerOpts) : await answerMessage(chat.business.id, message.id, answerOpts);
  // the conversation as the reply's statement left it, or read (nothing was stored)
  const state = outcome.conversation
    ? chatStateOf(chat, { status: outcome.conversation.status, assignee_id: outcome.conversation.assigneeId })
    : await conversationState(chat, message.conversationId);
  return { outcome, state };
}

export async function conversationState(chat: WebChat, conversationId: string): Promise<ChatState> {
  const [row] = await (await getDb())
    .select({ status: conversations.status, assignee_id: conversations.assigneeId })
    .from(conversations)
    .where(and(eq(conversations.id, conversationId), eq(conversations.businessId, chat.business.id)));
  return chatStateOf(chat, row ?? null);
}

/** A stored reply to a message that was sent before (a retried request). */
export async function replyTo(chat: WebChat, messageId: string): Promise<Message | null> {
  const [reply] = await (await getDb())
    .select()
    .from(messages)
    .where(and(eq(messages.businessId, chat.business.id), eq(messages.replyToId, messageId)))
    .limit(1);
  return reply ?? null;
}

// ---------------------------------------------------------------- "so we can follow up"

export function maskContact(identity: Identity): string {
  if (identity.kind === "email") {
    const [user = "", domain = ""] = identity.value.split("@");
    return `${user.slice(0, 1)}${"•".repeat(Math.max(2, Math.min(6, user.length - 1)))}@${domain}`;
  }
  const v = identity.value;
  return v.length > 6 ? `${v.slice(0, 3)}${"•".repeat(Math.max(2, v.length - 7))}${v.slice(-4)}` : "••••";
}

/**
 * Links an email or phone to the visitor's customer (created if they have not written yet). When
 * another customer already has it, the visitor merges into them and their history follows.
 */
export async function leaveContact(chat: WebChat, visitor: Visitor, input: { value: string; name?: string | null; marketingConsent?: boolean }): Promise<ChatContact> {
  const raw = input.value.trim();
  const kind: "email" | "phone" = raw.includes("@") ? "email" : "phone";
  let identity: Identity;
  try {
    identity = normaliseIdentity({ kind, value: raw });
  } catch {
    throw new AppError("bad_request", kind === "email" ? "That doesn't look like an email address." : "That doesn't look like a phone number. Include the country code, e.g. +44 20 7946 0000.");
  }
  const businessId = chat.business.id;
  await withService(async (tx) => {
    const { customer } = await resolveCustomer(tx, businessId, { kind: "web", value: visitor.id });
    const survivor = await linkIdentity(tx, businessId, customer.id, identity);
    const name = input.name?.trim();
    // The name a visitor gives is theirs to correct: it replaces what their own record was called,
    // unless someone on the team named them (staff know whom they are talking to). When the address
    // already belonged to another customer, the visitor merged into that record without proving
    // they are that person, so their name only fills an empty one.
    const replace = name && survivor === customer.id && !(await nameSetByStaff(tx, businessId, survivor));
    await tx
      .update(customers)
      .set({ ...(name ? { name: replace ? name : sql`coalesce(${customers.name}, ${name})` } : {}), lastSeenAt: new Date(), updatedAt: new Date() })
      .where(and(eq(customers.id, survivor), eq(customers.businessId, businessId)));
    // the ticked box beside the form: a grant in the consent ledger, in the words the box showed
    if (input.marketingConsent) {
      const wording = contactFormConsentWording(chat.business.name);
      for (const channelKind of CONTACT_FORM_CONSENT_KINDS[kind]) {
        await recordConsent(tx, { businessId, customerId: survivor, channelKind, granted: true, source: "contact_form", wording });
      }
    }
  });
  return { kind, masked: maskContact(identity) };
}
