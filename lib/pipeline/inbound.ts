// One inbound message from any channel: resolve the customer and conversation, store the message
// (nothing after this can lose it), then answer it. A repeated provider id returns the first result.
import { and, eq, sql } from "drizzle-orm";
import { rows, withService, type Tx } from "@/lib/db/client";
import { rowFromJson } from "@/lib/db/json-rows";
import { channels, conversations, customers, messages } from "@/lib/db/schema";
import { answerSurvey, findOpenSurvey } from "@/lib/db/csat";
import { AppError } from "@/lib/errors";
import { queueRatingThanks, ratingOfReply } from "@/lib/services/csat";
import { stripNul, stripNulDeep } from "@/lib/validation/text";
import { answerClaimedMessage, answerMessage, storeClaimed, type AnswerOptions, type ClaimedMessage } from "./answer";
import { deferAfterResponse, type Defer } from "./defer";
import { findReply, resolveConversation, storeMessage, type NewMessage } from "./conversations";
import { newCustomer } from "./customers";
import { identityHash, normaliseIdentity } from "./identities";
import type { InboundMessage, InboundResult } from "./types";

export const MAX_INBOUND_CHARS = 16_000;

/**
 * The message's channel, and its customer with their row locked until the transaction ends (by the
 * update that records their contact: last seen, and a name if none was known), in one statement;
 * a customer this message introduces is created (and their new row is theirs alone until the
 * commit). Then the message already stored under this provider id, if any (a returning customer's:
 * a delivery repeated while the first was being stored met the identity's unique key and waited),
 * and the conversation the caller named. Concurrent deliveries for one customer resolve their
 * conversation one after another and meet in one: nothing unique stops two open conversations on a
 * channel, so without the lock three messages arriving at once with no open conversation would each
 * open their own. The stored message and the named conversation are read after the lock, in a
 * statement of its own: one that waited for the lock must see what the holder committed, and a
 * statement sees only what was committed when it began. A customer merged away while we waited (the
 * row is gone, so the update finds nothing, and their identity already belongs to the survivor) is
 * resolved again.
 */
async function lockCustomer(tx: Tx, input: InboundMessage) {
  const identity = normaliseIdentity(input.from);
  for (let attempt = 0; ; attempt++) {
    // the channel checked first: a message for another business's channel creates nobody
    const [row] = await rows<{ channel: unknown; customer: unknown; created: unknown }>(
      tx,
      sql`with channel as (select ch.* from channels ch where ch.id = ${input.channelId} and ch.business_id = ${input.businessId}),
            locked as (
              update customers c set last_seen_at = now(), name = coalesce(c.name, ${input.name ?? null}), updated_at = now()
              from customer_identities i
              where i.business_id = ${input.businessId} and i.kind = ${identity.kind} and i.value_hash = ${identityHash(identity)}
                and c.id = i.customer_id and c.business_id = i.business_id
              returning c.*),
            ${newCustomer(input.businessId, identity, input.name, { lastSeenAt: new Date(), unless: sql`exists (select 1 from locked) or not exists (select 1 from channel)` })}
          select (select row_to_json(ch) from channel ch) as channel,
                 (select row_to_json(l) from locked l limit 1) as customer,
                 (select row_to_json(n) from new_customer n) as created`,
    );
    const channel = rowFromJson(channels, row?.channel);
    if (!channel) throw new AppError("not_found", "That channel does not belong to this business.");
    const made = rowFromJson(customers, row?.created);
    const customer = rowFromJson(customers, row?.customer) ?? made;
    const created = made !== null;
    // a concurrent first message created them (or a merge moved the identity): look again
    if (!customer && attempt < 2) continue;
    if (!customer) throw new Error("Could not resolve the customer after concurrent inserts");
    // After the lock, in one statement: the delivery stored before, if any (a customer this message
    // created has sent nothing before it), and the conversation the caller named, if it is this
    // customer's on this channel.
    const lookSeen = Boolean(input.providerMessageId) && !created;
    const [after] = lookSeen || input.conversationId
      ? await rows<{ seen: unknown; named: unknown }>(
          tx,
          sql`select ${lookSeen
                ? sql`(select row_to_json(m) from messages m where m.channel_id = ${channel.id} and m.provider_message_id = ${input.providerMessageId} and m.business_id = ${input.businessId} limit 1)`
                : sql`null::json`} as seen,
              ${input.conversationId
                ? sql`(select row_to_json(c) from conversations c where c.id = ${input.conversationId} and c.business_id = ${input.businessId} and c.customer_id = ${customer.id} and c.channel_id = ${channel.id})`
                : sql`null::json`} as named`,
        )
      : [];
    return { channel, customer, created, seen: rowFromJson(messages, after?.seen) ?? undefined, named: rowFromJson(conversations, after?.named) ?? undefined };
  }
}

/** Deletes a conversation of this customer that holds no message (under the customer's lock). */
async function dropEmptyConversation(tx: Tx, businessId: string, conversationId: string, customerId: string) {
  await tx.execute(
    sql`delete from conversations c where c.id = ${conversationId} and c.business_id = ${businessId} and c.customer_id = ${customerId}
        and not exists (select 1 from messages m where m.conversation_id = c.id and m.business_id = c.business_id)`,
  );
}

/**
 * The last line of defence for text PostgreSQL cannot store: every channel's boundary already drops
 * NUL, but a message must never be lost to one that slipped through (a 500 here is a provider's
 * retry for days), so the stored fields and jsonb values are cleaned once more.
 */
function storable(input: InboundMessage): InboundMessage {
  const opt = (v: string | null | undefined) => (typeof v === "string" ? stripNul(v) : v);
  return {
    ...input,
    from: { ...input.from, value: stripNul(input.from.value) },
    name: opt(input.name),
    text: stripNul(input.text),
    providerMessageId: opt(input.providerMessageId),
    subject: opt(input.subject),
    emailThreadKey: opt(input.emailThreadKey),
    attachments: input.attachments && stripNulDeep(input.attachments),
    metadata: input.metadata && stripNulDeep(input.metadata),
  };
}

/**
 * Step 1–2: the customer, the conversation, the stored message. `claim` (handleInbound): a new message
 * is stored already claimed for answering, and what the answer needs is loaded in the same
 * transaction (`claimed`), so answering starts without another round trip.
 */
export async function storeInbound(raw: InboundMessage, opts: { claim?: boolean; defer?: Defer } = {}) {
  let input = storable(raw);
  if (input.text.length > MAX_INBOUND_CHARS) {
    // Oversized input is kept (truncated) so nothing is lost; the abuse gate sees the original length.
    input = { ...input, text: input.text.slice(0, MAX_INBOUND_CHARS), metadata: { ...input.metadata, truncatedFrom: input.text.length } };
  }
  const stored = await withService(async (tx) => {
    const { channel, customer, seen, named, created: newCustomer } = await lockCustomer(tx, input);

    // A delivery we already stored: nothing to resolve, and a conversation the caller opened for it
    // (web chat, an email thread) must not stay behind empty.
    if (seen) {
      if (input.conversationId && input.conversationId !== seen.conversationId) {
        await dropEmptyConversation(tx, input.businessId, input.conversationId, customer.id);
      }
      return { message: seen, duplicate: true, customerId: seen.customerId, conversationId: seen.conversationId, thanksId: null, claimed: undefined as ClaimedMessage | null | undefined };
    }

    // A bare 1–5 on SMS or WhatsApp answering this customer's open survey: it joins the surveyed
    // conversation (which stays closed) and is recorded as the rating; the AI does not answer it.
    const rating = channel.kind === "sms" || channel.kind === "whatsapp" ? ratingOfReply(input.text) : null;
    const survey = rating ? await findOpenSurvey(tx, input.businessId, customer.id, channel.id) : null;

    let conversation;
    if (survey) {
      [conversation] = await tx
        .select()
        .from(conversations)
        .where(and(eq(conversations.id, survey.conversationId), eq(conversations.businessId, input.businessId)));
    } else if (named?.status !== "closed") {
      conversation = named;
    }
    // a customer created by this message has no conversation to look for: theirs starts with it,
    // unread and last written to at the message's own time (both are now() of this transaction)
    let fresh = false;
    if (!conversation && newCustomer && !input.subject && !input.emailThreadKey) {
      [conversation] = await tx
        .insert(conversations)
        .values({ businessId: input.businessId, customerId: customer.id, channelId: channel.id, unread: true, lastMessageAt: input.receivedAt ?? sql`now()` })
        .returning();
      fresh = true;
    }
    if (!conversation) {
      ({ conversation } = await resolveConversation(tx, { businessId: input.businessId, customerId: customer.id, channelId: channel.id }));
      if (input.subject || input.emailThreadKey) {
        await tx
          .update(conversations)
          .set({ subject: conversation.subject ?? input.subject ?? null, emailThreadKey: conversation.emailThreadKey ?? input.emailThreadKey ?? null })
          .where(and(eq(conversations.id, conversation.id), eq(conversations.businessId, input.businessId)));
      }
    }

    const values: NewMessage = {
      businessId: input.businessId,
      conversationId: conversation.id,
      customerId: customer.id,
      channelId: channel.id,
      role: "customer",
      content: input.text,
      providerMessageId: input.providerMessageId ?? null,
      attachments: input.attachments ?? [],
      metadata: { ...(input.metadata ?? {}), ...(input.ip ? { ipSeen: true } : {}), ...(survey ? { csatRating: rating } : {}) },
      ...(input.receivedAt ? { createdAt: input.receivedAt } : {}),
    };
    const { message, duplicate, claimed } = opts.claim
      ? await storeClaimed(tx, values, { conversationTouched: fresh })
      : { ...(await storeMessage(tx, values, { conversationTouched: fresh })), claimed: undefined };
    // the first rating of a survey (never a repeat or a duplicate delivery) is thanked once, on the same channel
    const thanksId =
      !duplicate && survey && rating && (await answerSurvey(tx, input.businessId, survey.id, rating))
        ? await queueRatingThanks(tx, { businessId: input.businessId, surveyId: survey.id, conversationId: conversation.id, customerId: customer.id, channelId: channel.id, channelKind: channel.kind as "sms" | "whatsapp" })
        : null;
    // the stored message as it reads without the claim marker (the marker is the answer's business)
    const { answering: _claim, ...metadata } = message.metadata;
    void _claim;
    const visible = duplicate || !opts.claim ? message : { ...message, metadata };
    return { message: visible, duplicate, customerId: message.customerId, conversationId: message.conversationId, thanksId, claimed };
  });
  // the thank-you leaves through the outbox drain straight away (the outbox job retries what this misses)
  if (stored.thanksId) (opts.defer ?? deferAfterResponse)(async () => (await import("@/lib/channels/delivery")).drainOutbox({ businessId: raw.businessId }));
  return stored;
}

export async function handleInbound(input: InboundMessage, opts: AnswerOptions = {}): Promise<InboundResult> {
  const stored = await storeInbound(input, { claim: true, defer: opts.defer });
  const base = { customerId: stored.customerId, conversationId: stored.conversationId, customerMessage: stored.message, duplicate: stored.duplicate };
  if (stored.duplicate) {
    const reply = await withService((tx) => findReply(tx, input.businessId, stored.message.id));
    return { ...base, reply: reply ?? null, noReply: reply ? undefined : { reason: "duplicate" }, handedOff: false };
  }
  const answerOpts = { ...opts, ip: input.ip ?? opts.ip };
  const outcome = stored.claimed
    ? await answerClaimedMessage(stored.claimed, answerOpts)
    : await answerMessage(input.businessId, stored.message.id, answerOpts);
  return { ...base, reply: outcome.reply, noReply: outcome.noReply, handedOff: outcome.handedOff };
}
