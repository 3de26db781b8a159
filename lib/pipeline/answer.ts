// Answering one stored customer message: gates before money is spent, then FAQ → semantic cache →
// model, the answer stored with its cost, the budget charged, the cache filled. Used by
// handleInbound right after a message is stored and by the sweeper for anything left unanswered.
import { and, eq, sql, type SQL } from "drizzle-orm";
import { getDb, rows, withRetries, withService, type Executor, type Tx } from "@/lib/db/client";
import { businesses, channels, conversations, customers, messages } from "@/lib/db/schema";
import { getEmbedder, toVectorLiteral } from "@/lib/ai/embeddings";
import type { LanguageModel } from "@/lib/ai/model";
import { buildPrompt, readAiSettings, type AiSettings } from "@/lib/ai/prompts";
import { chooseModels, generateWithRouter, streamWithRouter, type Attempt, type RoutedResult } from "@/lib/ai/router";
import { CACHE_DECISION, getSemanticCache } from "@/lib/cache";
import { nearestQuery } from "@/lib/cache/postgres-tier";
import { knowledgeSearch, type Retrieval } from "@/lib/knowledge/retrieve";
import { countFaqHit } from "@/lib/db/faqs";
import { checkLimits, resolveLimits, type ResolvedLimits } from "@/lib/ratelimit";
import { ABUSE_RULES, assessAbuse } from "./abuse";
import { fromJson, rowFromJson, rowsFromJson, selectTogether } from "@/lib/db/json-rows";
import { chargeEmbedding, spendingAllowed, type Settlement } from "./spend";
import type { SettledBudget } from "@/lib/billing/budgets";
import { findReply, firstDelivery, storedMessage, type NewMessage } from "./conversations";
import { applyRules } from "./rules";
import { recallQuery, recalled, rememberMessages, type RecalledMemory } from "./memories";
import { afterHoursReply, dearestModel, earlierMessages, faqAnswer, firstGate, mayCache } from "./steps";
import { analyzeConversation } from "@/lib/intel/insights";
import { notifyHandoff } from "./notify";
import { deferAfterResponse, type Defer } from "./defer";
import { bookingTurn, DIALOGUE_TTL_MS } from "@/lib/booking/agent";
import { campaignBriefSql, campaignBriefText, type CampaignBriefRow } from "@/lib/campaigns/context";
import { styleOf, type AnswerSource, type ChannelKind, type ChannelStyle, type Message, type NoReplyReason } from "./types";

export type AnswerTrace = {
  source: AnswerSource | null;
  gate?: string;
  faq?: { id: string; question: string; similarity: number };
  /** origin warmed: pre-computed by the warm-cache job; agreeing: paraphrases of the answer that agreed */
  cache?: { tier: string; similarity: number; entryId: string; origin?: string; agreeing?: number; score?: number };
  model?: string;
  attempts?: Attempt[];
  routing?: string;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  latencyMs: number;
  context?: {
    history: number;
    memories: { content: string; similarity: number }[];
    chunks: { title: string; heading: string | null; score: number }[];
    faqs: { question: string; similarity: number }[];
  };
  cached: boolean;
};

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export type AnswerOutcome = {
  reply: Message | null;
  /** another call claimed this message first: `reply` is that call's answer, for it to deliver */
  duplicate?: boolean;
  noReply?: { reason: NoReplyReason; message?: string; /** rate_limited: when the limit opens again */ retryAfterSeconds?: number };
  handedOff: boolean;
  trace: AnswerTrace;
  /** the conversation as the reply's statement left it (its status and assignee), when an answer was stored or discarded */
  conversation?: { status: string; assigneeId: string | null };
};

export type AnswerOptions = {
  onDelta?: (delta: string) => void;
  /** a model failed mid-stream: drop the partial text, another model follows */
  onReset?: () => void;
  style?: ChannelStyle;
  ip?: string | null;
  defer?: Defer;
  /** the language model to use instead of the environment's (benchmarks, the channel simulator) */
  model?: LanguageModel;
};

const CLAIM_STALE_SECONDS = 120;

/** A claimed customer message with everything the gates and the prompt read about it. */
export type ClaimedMessage = {
  message: Message;
  conversation: typeof conversations.$inferSelect;
  customer: typeof customers.$inferSelect;
  business: typeof businesses.$inferSelect;
  channel: typeof channels.$inferSelect;
  settings: AiSettings;
  /** the business's rate limits (its limits column and rule rows), read in the same statement */
  limits: ResolvedLimits;
  /** the customer's last messages on every channel, oldest first, this one included (the rules and the prompt read them) */
  history: Message[];
  /** the customer's other messages of the abuse gate's repeat window, newest first */
  abuseWindow: { content: string; at: Date }[];
  /** a booking dialogue is under way in the conversation (lib/booking/agent.ts) */
  bookingOpen: boolean;
  /** the campaign message this conversation carries, if any, for the prompt (lib/campaigns/context.ts) */
  campaign: CampaignBriefRow | null;
};
type Loaded = ClaimedMessage;

/** How many of the customer's last messages the rules and the prompt read (this one included). */
export const HISTORY_MESSAGES = 11;

/**
 * What the gates and the prompt read, in the statement that claims the message (`ctes`: the
 * message's row as `src` and its conversation's as `conv`; see `storedMessage`): the message, its
 * conversation, customer, business and channel, the business's rate-limit rules, the customer's
 * recent history (any channel, this message included) and their messages of the abuse gate's repeat
 * window. A data-modifying CTE's row is not in the statement's view of its table, so this message
 * joins the history from `src` (`returning *`: the table's own columns, in its order). When it
 * stores the message it runs after the customer's lock, in the transaction that stores it, so
 * deliveries of the same customer that came first are in it. Null when nothing was claimed.
 */
async function load(ex: Executor, businessId: string, ctes: SQL): Promise<Loaded | null> {
  const [row] = await rows<{
    message: unknown;
    conversation: unknown;
    customer: unknown;
    business: unknown;
    channel: unknown;
    limit_rules: unknown;
    history: unknown;
    abuse_window: unknown;
    booking_open: boolean;
    campaign: unknown;
  }>(
    ex,
    sql`with ${ctes}
        select row_to_json(src) as message, row_to_json(conv) as conversation, row_to_json(u) as customer, row_to_json(b) as business, row_to_json(ch) as channel,
          coalesce((select json_agg(json_build_object('scope', r.scope, 'limit', r."limit", 'windowSeconds', r.window_seconds))
                    from rate_limit_rules r where r.business_id = b.id), '[]'::json) as limit_rules,
          coalesce((select json_agg(h order by h.created_at, h.id) from (
                      select * from (select hm.* from messages hm where hm.business_id = ${businessId} and hm.customer_id = src.customer_id and hm.role <> 'note' and hm.id <> src.id
                                     union all select * from src) x
                      order by x.created_at desc limit ${HISTORY_MESSAGES}) h), '[]'::json) as history,
          coalesce((select json_agg(json_build_object('content', w.content, 'at', w.created_at) order by w.created_at desc) from (
                      select wm.content, wm.created_at from messages wm
                      where wm.business_id = ${businessId} and wm.customer_id = src.customer_id and wm.role = 'customer' and wm.id <> src.id
                        and wm.created_at > now() - make_interval(secs => ${ABUSE_RULES.repeat.windowMs / 1000}) and wm.created_at <= now()
                      order by wm.created_at desc limit 200) w), '[]'::json) as abuse_window,
          exists (select 1 from booking_dialogues d where d.business_id = ${businessId} and d.conversation_id = src.conversation_id
                  and d.updated_at > now() - make_interval(secs => ${DIALOGUE_TTL_MS / 1000})) as booking_open,
          ${campaignBriefSql(businessId, sql`src.conversation_id`)} as campaign
        from src
        left join conv on conv.id = src.conversation_id and conv.business_id = src.business_id
        left join customers u on u.id = src.customer_id and u.business_id = src.business_id
        left join businesses b on b.id = src.business_id
        left join channels ch on ch.id = src.channel_id and ch.business_id = src.business_id
        where src.business_id = ${businessId}`,
  );
  // nothing claimed (or stored: a delivery of it was stored already)
  if (!row) return null;
  const business = rowFromJson(businesses, row.business);
  // claimed, or stored, and the statement stands: the caller's failure path gives the claim back
  if (!business || !row.conversation || !row.customer || !row.channel) throw new Error("Claimed a message that cannot be loaded");
  const ruleRows = fromJson<Parameters<typeof resolveLimits>[1]>(row.limit_rules);
  const windowRows = fromJson<{ content: string; at: string }[]>(row.abuse_window) ?? [];
  return {
    message: rowFromJson(messages, row.message)!,
    conversation: rowFromJson(conversations, row.conversation)!,
    customer: rowFromJson(customers, row.customer)!,
    business,
    channel: rowFromJson(channels, row.channel)!,
    settings: readAiSettings(business.aiSettings),
    limits: { timeZone: business.timeZone, rules: resolveLimits(business.limits, ruleRows ?? []) },
    history: rowsFromJson(messages, row.history),
    abuseWindow: windowRows.map((w) => ({ content: w.content, at: new Date(w.at) })),
    bookingOpen: row.booking_open === true,
    campaign: fromJson<CampaignBriefRow>(row.campaign),
  };
}

/**
 * storeMessage for a customer's message that is answered next (storeInbound, under the customer's
 * lock): stored, claimed and loaded for its answer (`claimed`) in one statement. A delivery of it
 * stored already comes back as storeMessage returns it, with nothing claimed.
 */
export async function storeClaimed(tx: Tx, values: NewMessage, opts: { conversationTouched?: boolean } = {}) {
  const claimed = await load(tx, values.businessId, sql`${storedMessage(tx, values, { ...opts, claim: true })}, src as (select * from stored)`);
  if (claimed) return { message: claimed.message, duplicate: false, claimed };
  return { message: await firstDelivery(tx, values), duplicate: true, claimed: null };
}

/**
 * Only one caller answers a message: the claim is a conditional update on the message row, and
 * the same statement loads what the answer needs. Null when it was not this caller's to claim.
 */
async function claimAndLoad(ex: Executor, businessId: string, messageId: string): Promise<Loaded | null> {
  return load(
    ex,
    businessId,
    sql`src as (
          update messages set metadata = metadata || jsonb_build_object('answering', now())
          where id = ${messageId} and business_id = ${businessId} and role = 'customer'
            and not (metadata ? 'outcome')
            and (not (metadata ? 'answering') or (metadata->>'answering')::timestamptz < now() - make_interval(secs => ${CLAIM_STALE_SECONDS}))
            and not exists (select 1 from messages r where r.reply_to_id = ${messageId} and r.business_id = ${businessId})
          returning *),
        conv as (select c.* from conversations c join src on c.id = src.conversation_id and c.business_id = src.business_id)`,
  );
}

async function markOutcome(tx: Tx, businessId: string, messageId: string, outcome: string, extra: Record<string, unknown> = {}) {
  await tx.execute(
    sql`update messages set metadata = (metadata - 'answering') || ${JSON.stringify({ outcome, ...extra })}::jsonb
        where id = ${messageId} and business_id = ${businessId}`,
  );
}

async function setWaitingHuman(tx: Tx, businessId: string, conversationId: string) {
  await tx
    .update(conversations)
    .set({ status: "waiting_human", unread: true, updatedAt: new Date() })
    .where(and(eq(conversations.id, conversationId), eq(conversations.businessId, businessId)));
}

/** Staff hear about a waiting conversation at most every 10 minutes, however much the customer writes. */
async function notifyThrottled(tx: Tx, businessId: string, conversationId: string, reason?: string) {
  const recent = await rows(
    tx,
    sql`select 1 from outbox where business_id = ${businessId} and payload->>'kind' = 'handoff'
        and payload->>'conversationId' = ${conversationId} and created_at > now() - interval '10 minutes' limit 1`,
  );
  if (!recent.length) await notifyHandoff(tx, { businessId, conversationId, reason });
}

const emptyTrace = (): AnswerTrace => ({ source: null, tokensIn: 0, tokensOut: 0, costUsd: 0, latencyMs: 0, cached: false });

/** Claims a stored customer message and answers it (the sweeper; a channel answering after its acknowledgement). */
export async function answerMessage(businessId: string, messageId: string, opts: AnswerOptions = {}): Promise<AnswerOutcome> {
  return givenBackOnFailure(businessId, messageId, async () => {
    // one statement: the claim and what the answer needs; claimed by another call, its answer if any
    const ctx = await claimAndLoad(await getDb(), businessId, messageId);
    if (!ctx) {
      const reply = await withService((tx) => findReply(tx, businessId, messageId));
      return { reply: reply ?? null, duplicate: true, noReply: reply ? undefined : { reason: "duplicate" }, handedOff: false, trace: emptyTrace() };
    }
    return answerClaimed(ctx, opts);
  });
}

/** Answers a message its caller already claimed and loaded (handleInbound: in the transaction that stored it). */
export async function answerClaimedMessage(ctx: ClaimedMessage, opts: AnswerOptions = {}): Promise<AnswerOutcome> {
  return givenBackOnFailure(ctx.business.id, ctx.message.id, () => answerClaimed(ctx, opts));
}

async function givenBackOnFailure(businessId: string, messageId: string, answer: () => Promise<AnswerOutcome>): Promise<AnswerOutcome> {
  try {
    return await answer();
  } catch (err) {
    // Give the message back (the sweeper answers it later): a failure here must not strand it.
    await withService((tx) =>
      tx.execute(sql`update messages set metadata = metadata - 'answering' where id = ${messageId} and business_id = ${businessId} and not (metadata ? 'outcome')`),
    ).catch(() => undefined);
    throw err;
  }
}

/** How one answer ends: with no reply (the outcome marked) or with a reply stored. */
type Run = {
  trace: AnswerTrace;
  stop: (reason: NoReplyReason, how?: { text?: string; extra?: Record<string, unknown>; retryAfterSeconds?: number; before?: (tx: Tx) => Promise<void> }) => Promise<AnswerOutcome>;
  reply: (text: string, source: AnswerSource, details?: ReplyDetails) => Promise<AnswerOutcome>;
};

type ReplyDetails = {
  model?: string | null;
  tokensIn?: number;
  tokensOut?: number;
  costUsd?: number;
  handoff?: boolean;
  handoffReason?: string;
  handoffCategory?: string;
  /** the model call's settlement (reservation → spent, its cost event of costUsd): in the reply's statement */
  settle?: Settlement;
  /** anything else that commits with the reply (a FAQ's hit) */
  also?: (tx: Tx) => Promise<void>;
};

/**
 * The answer chain, step by step. Each step either ends the answer (a gate's no-reply, a rule's,
 * the FAQ's, the cache's or the model's reply) or hands on to the next. The decisions are in
 * ./steps.ts; the reading and writing is here.
 */
async function answerClaimed(ctx: Loaded, opts: AnswerOptions): Promise<AnswerOutcome> {
  const run = startRun(ctx, opts);
  const { message, conversation, customer, business } = ctx;

  // ---- gates, before any money is spent
  const gate = firstGate(ctx);
  if (gate === "waiting_human") {
    return run.stop(gate, { before: (tx) => notifyThrottled(tx, business.id, conversation.id, "the customer wrote again") });
  }
  if (gate) return run.stop(gate);
  const limited = await limitsGate(ctx, opts);
  if (!limited.ok) return run.stop("rate_limited", { text: limited.message, extra: { scope: limited.scope }, retryAfterSeconds: limited.retryAfterSeconds });
  const abuse = await abuseGate(ctx);
  if (abuse.verdict === "block") return run.stop("abuse", { extra: { kinds: abuse.kinds } });
  const lowTrust = abuse.verdict === "suspicious" || abuse.trustScore < 30;

  // ---- the owner's rules (before any FAQ, cache or model can answer: hand-offs, emergencies,
  // languages), on the history the load read
  const ruled = await applyRules({ businessId: business.id, customerId: customer.id, message, settings: ctx.settings, history: ctx.history });
  if (ruled.decided) {
    const { decision } = ruled.decided;
    run.trace.gate = `rule:${decision.kind === "handoff" ? decision.category : decision.kind}`;
    opts.onDelta?.(ruled.decided.text);
    return run.reply(ruled.decided.text, "fallback", {
      handoff: ruled.decided.handoff,
      handoffReason: ruled.decided.reason,
      handoffCategory: decision.kind === "handoff" ? decision.category : decision.kind,
    });
  }
  const closed = afterHoursReply(ctx.settings, business.timeZone);
  if (closed !== null) return run.reply(closed, "fallback");

  // ---- a booking conversation: the booking tools answer it (lib/booking/agent.ts)
  const booking = await bookingTurn(
    { business, customerId: customer.id, conversationId: conversation.id, channelId: ctx.channel.id, messageId: message.id, text: message.content, history: ruled.history.filter((m) => m.id !== message.id), dialogueOpen: ctx.bookingOpen },
    { model: opts.model },
  );
  if (booking) {
    opts.onDelta?.(booking.reply);
    return run.reply(booking.reply, booking.source, booking.details);
  }

  // ---- what the business knows and remembers, then the FAQ, then the semantic cache
  const style = opts.style ?? styleOf(ctx.channel.kind as ChannelKind);
  const found = await retrieve(ctx, { question: ruled.question, followUp: ruled.followUp, history: ruled.history, style });
  const faq = faqAnswer(found.retrieval.faqs, ruled.question, ctx.settings.cacheThreshold);
  if (faq) {
    run.trace.faq = { id: faq.id, question: faq.question, similarity: faq.similarity };
    opts.onDelta?.(faq.answer);
    // the hit is counted with the reply, in faq_hits
    return run.reply(faq.answer, "faq", { also: (tx) => countFaqHit(tx, business.id, faq.id) });
  }
  const hit = found.resolved?.hit;
  if (hit) {
    run.trace.cache = { tier: hit.tier, similarity: hit.similarity, entryId: hit.entryId, origin: hit.origin, agreeing: hit.agreeing, score: hit.score };
    getSemanticCache().countServed(business.id, hit);
    opts.onDelta?.(hit.answer);
    return run.reply(hit.answer, "cache");
  }

  // ---- the model: only within budget and while the business is active
  return answerWithModel(ctx, run, { ruled, found, lowTrust, style }, opts);
}

/** The limiter (Redis, or in-process), with the rules that came with the message: the only store asked. */
async function limitsGate(ctx: Loaded, opts: AnswerOptions) {
  return checkLimits(
    await getDb(),
    { businessId: ctx.business.id, customerId: ctx.customer.id, ip: opts.ip ?? null, trustScore: ctx.customer.trustScore, channelKind: ctx.channel.kind },
    { limits: ctx.limits },
  );
}

/** The abuse gate, on what the load read: the database is written only when trust moves (in a transaction of its own). */
async function abuseGate(ctx: Loaded) {
  const { message, customer } = ctx;
  return assessAbuse(await getDb(), {
    businessId: ctx.business.id,
    customerId: customer.id,
    messageId: message.id,
    text: message.content,
    originalLength: Number((message.metadata as { truncatedFrom?: number }).truncatedFrom ?? message.content.length),
    read: { customer: { trust_score: customer.trustScore, blocked: customer.blocked, blocked_until: customer.blockedUntil }, history: ctx.abuseWindow },
    write: withService,
  });
}

type Found = { embedding: number[]; retrieval: Retrieval; memories: RecalledMemory[]; resolved: Awaited<ReturnType<ReturnType<typeof getSemanticCache>["resolve"]>> | undefined };

/**
 * One embedding of the question, then one statement: the FAQs and knowledge for it, what is
 * remembered about the customer, and the semantic cache's nearest entries (a wording the cache's
 * memory or KV tier knows needs none; a large business's HNSW walk is a read of its own). A
 * follow-up ("and on Saturdays?") means what it means only in its conversation: never the cache's.
 */
async function retrieve(ctx: Loaded, input: { question: string; followUp: boolean; history: Message[]; style: ChannelStyle }): Promise<Found> {
  const { business, customer, message, conversation } = ctx;
  const businessId = business.id;
  const { vectors, tokens, model } = await getEmbedder().embed([input.question], "query");
  const embedding = vectors[0]!;
  if (tokens) await chargeEmbedding({ businessId, tokens, model, messageId: message.id, conversationId: conversation.id, business });
  const lookup = input.followUp
    ? undefined
    : await getSemanticCache().prepare({
        businessId,
        question: message.content,
        knowledgeVersion: business.knowledgeVersion,
        channelStyle: input.style,
        threshold: ctx.settings.cacheThreshold,
        embedding,
        // counted by the caller, only when it is the answer served (an FAQ comes first)
        count: false,
      });
  // the question's vector is sent once and read by every select (an 8 KB literal, parsed once)
  const vectorSql = sql`(select v from question)`;
  const knowledge = knowledgeSearch({ businessId, query: input.question, embedding, vectorSql, limit: 4, faqLimit: 3 });
  const recall = { businessId, customerId: customer.id, embedding, vectorSql, excludeMessageIds: input.history.map((m) => m.id), limit: 3 };
  const nearest = lookup && "nearest" in lookup ? lookup.nearest : null;
  const found = await selectTogether(
    await getDb(),
    { knowledge: knowledge.query, memories: recallQuery(recall), cache: nearest ? nearestQuery({ ...nearest, vectorSql }) : null },
    sql`question as (select ${toVectorLiteral(embedding)}::vector as v)`,
  );
  const resolved = !lookup ? undefined : "resolution" in lookup ? lookup.resolution : await lookup.finish(nearest ? found.cache : undefined);
  return { embedding, retrieval: { ...knowledge.rank(found.knowledge), embeddingTokens: 0 }, memories: recalled(found.memories), resolved };
}

/** The prompt, the budget's hold, the model (streamed when the caller listens), the reply, the cache. */
async function answerWithModel(
  ctx: Loaded,
  run: Run,
  input: { ruled: Awaited<ReturnType<typeof applyRules>>; found: Found; lowTrust: boolean; style: ChannelStyle },
  opts: AnswerOptions,
): Promise<AnswerOutcome> {
  const { message, conversation, customer, business, channel, settings } = ctx;
  const { ruled, found, lowTrust } = input;
  const { retrieval, memories } = found;
  const trace = run.trace;
  // The closest cached answer that did not qualify: shown to the model, which says whether it answers this too.
  const nearMiss = found.resolved?.nearMiss;
  const earlierAnswer = nearMiss && nearMiss.similarity >= CACHE_DECISION.floor ? nearMiss : undefined;
  const earlier = earlierMessages(ruled.history, message.id);
  // the other channels' kinds are read only when the history crosses channels
  const channelKinds = new Map<string, ChannelKind>([[channel.id, channel.kind as ChannelKind]]);
  if (earlier.some((m) => !channelKinds.has(m.channelId))) {
    for (const c of await withService((tx) => tx.select({ id: channels.id, kind: channels.kind }).from(channels).where(eq(channels.businessId, business.id)))) {
      channelKinds.set(c.id, c.kind as ChannelKind);
    }
  }
  const prompt = buildPrompt({
    business: { name: business.name, timeZone: business.timeZone },
    settings,
    channel: channel.kind as ChannelKind,
    message: message.content,
    customer: { name: customer.name },
    history: earlier
      .filter((m) => m.role === "customer" || m.role === "assistant" || m.role === "agent")
      .map((m) => ({ role: m.role as "customer" | "assistant" | "agent", channel: channelKinds.get(m.channelId) ?? "web", content: m.content, at: m.createdAt })),
    recalled: ruled.recalled,
    memories: memories.map((m) => ({ content: m.content, score: m.similarity })),
    chunks: retrieval.chunks.map((c) => ({ heading: c.heading ? `${c.title} › ${c.heading}` : c.title, content: c.content, score: c.score })),
    faqs: retrieval.faqs.map((f) => ({ question: f.question, answer: f.answer, score: f.similarity })),
    earlier: earlierAnswer ? { question: earlierAnswer.question, answer: earlierAnswer.answer } : undefined,
  });
  // a conversation that carries a campaign's message: the model knows what the campaign offered
  if (ctx.campaign) prompt.system = `${prompt.system}\n\n${campaignBriefText(ctx.campaign)}`;
  trace.context = {
    history: earlier.length,
    memories: memories.map((m) => ({ content: m.content.slice(0, 200), similarity: m.similarity })),
    chunks: retrieval.chunks.map((c) => ({ title: c.title, heading: c.heading, score: c.score })),
    faqs: retrieval.faqs.map((f) => ({ question: f.question, similarity: f.similarity })),
  };

  const choice = chooseModels({ text: message.content, preference: settings.modelPreference, forceCheapest: lowTrust });
  trace.routing = choice.why;
  const allowance = await spendingAllowed({
    business,
    model: dearestModel(choice.chain),
    prompt: prompt.system + prompt.messages.map((m) => m.text).join("\n"),
    maxOutputTokens: prompt.maxOutputTokens,
  });
  if (!allowance.ok) {
    trace.gate = allowance.reason;
    // the fallback reply promises a reply: the conversation waits for a person, and staff are told
    const budget = allowance.reason === "budget_exhausted";
    return run.reply(settings.fallbackReply, "fallback", { handoff: true, handoffCategory: budget ? "budget" : "paused", handoffReason: budget ? "the monthly budget is spent" : "the business is paused" });
  }

  let result: RoutedResult;
  try {
    const request = { system: prompt.system, messages: prompt.messages, maxOutputTokens: prompt.maxOutputTokens, context: prompt.context };
    const routeOpts = { fallbackReply: settings.fallbackReply, model: opts.model };
    if (opts.onDelta) {
      let final: RoutedResult | undefined;
      for await (const event of streamWithRouter(request, choice, routeOpts)) {
        if (event.type === "delta") opts.onDelta(event.text);
        else if (event.type === "reset") opts.onReset?.();
        else final = event.result;
      }
      result = final!;
    } else {
      result = await generateWithRouter(request, choice, routeOpts);
    }
  } catch (err) {
    await allowance.release();
    throw err;
  }
  const actual = { model: result.model, tokensIn: result.tokensIn, tokensOut: result.tokensOut, messageId: message.id, conversationId: conversation.id };
  trace.model = result.model;
  trace.attempts = result.attempts;
  trace.tokensIn = result.tokensIn;
  trace.tokensOut = result.tokensOut;
  const costUsd = allowance.costOf(actual);
  trace.costUsd = costUsd;

  const handoff = result.handoff.needed;
  const cacheable = mayCache({
    source: result.source,
    handoff,
    lowTrust,
    campaign: Boolean(ctx.campaign),
    reusable: result.reusable,
    remembered: memories.length,
    earlier: earlier.length,
    text: result.text,
    customerName: customer.name,
  });
  trace.cached = cacheable;
  const outcome = await run.reply(result.text, result.source, {
    model: result.model,
    tokensIn: result.tokensIn,
    tokensOut: result.tokensOut,
    costUsd,
    // settled in the reply's statement
    settle: allowance.settlement(actual),
    handoff,
    handoffReason: result.handoff.reason,
    handoffCategory: result.handoff.category,
  });

  if (cacheable) {
    (opts.defer ?? deferAfterResponse)(() =>
      getSemanticCache().store({
        businessId: business.id,
        question: message.content,
        answer: result.text,
        knowledgeVersion: business.knowledgeVersion,
        channelStyle: input.style,
        sourceMessageIds: [message.id],
        ttlSeconds: settings.cacheTtlSeconds,
        language: prompt.language ?? null,
        embedding: found.embedding,
        // the model confirmed the near miss's answer says the same: this paraphrase joins that answer's group
        answerKey: result.sameAsEarlier && earlierAnswer ? earlierAnswer.answerKey : undefined,
      }),
    );
  }
  return outcome;
}

/** The two ways an answer ends, with the trace they share. */
function startRun(ctx: Loaded, opts: AnswerOptions): Run {
  const started = Date.now();
  const trace = emptyTrace();
  const { message, conversation, customer, channel } = ctx;
  const businessId = ctx.business.id;
  const messageId = message.id;

  /** No reply: the outcome marked (`before`: anything else that commits with it). */
  const stop: Run["stop"] = async (reason, how = {}) => {
    trace.gate = reason;
    await withService(async (tx) => {
      await how.before?.(tx);
      await markOutcome(tx, businessId, messageId, `no_reply:${reason}`, how.extra ?? {});
    });
    return { reply: null, noReply: { reason, message: how.text, ...(how.retryAfterSeconds ? { retryAfterSeconds: how.retryAfterSeconds } : {}) }, handedOff: false, trace };
  };

  const reply: Run["reply"] = async (text, source, details = {}) => {
    trace.source = source;
    trace.latencyMs = Date.now() - started;
    const settlement = details.settle;
    // Only a FAQ's hit or a hand-off writes more than the one statement below; without them the
    // statement is the whole write, and commits on its own, the model call's settlement in it. With
    // them, the settlement is the transaction's last statement, so the business's budget row stays
    // locked only for its commit (a hand-off's notice to staff takes several statements).
    const alone = !details.also && !details.handoff;
    const parts = settlement && alone ? await settlement.parts() : null;
    // the conversation is not this customer's any more (merged away): given back, answered again by the sweeper
    const moved = () => new Error("The conversation moved while its answer was made");
    const write = async (ex: Executor) => {
      await details.also?.(ex as Tx);
      // Staff may have taken the conversation over while this answer was being made (the model can
      // take seconds). The conversation's row is locked and read again in the statement: a take-over
      // that committed first is seen here and nothing is stored; one that comes later waits for this
      // commit, so an AI reply never lands after a person took over. The customer's row is locked
      // first, in the sub-select (key share, as the reply's foreign key takes it anyway): a merge of
      // this customer holds it for update and then writes this conversation, so taking the
      // conversation first could deadlock against it. (A delivery being stored holds it only for
      // no-key update, which key share does not wait for.)
      // One statement, each part in this order (the select below reads them in turn, `marked` only so
      // that the outcome comes before the budget; the cost event, read by nothing, is written last):
      // the lock and read (and last activity, unless the conversation waits for a person); the reply,
      // unless it waits for a person; the customer message's outcome either way; the model call's
      // settlement, if it is in the statement, either way: the call was made. A data-modifying CTE's
      // rows reach the others only through RETURNING, hence the sub-selects.
      const metadata = details.handoff ? { trace, handoff: { category: details.handoffCategory ?? "model", reason: details.handoffReason ?? null } } : { trace };
      const discarded = { source, model: details.model ?? null, costUsd: details.costUsd ?? 0 };
      const [written] = await rows<{ status: string | null; assignee_id: string | null; reply: unknown; budget: unknown }>(
        ex,
        sql`with current as (
              update conversations c
              set last_message_at = case when c.status = 'waiting_human' then c.last_message_at else now() end,
                  updated_at = case when c.status = 'waiting_human' then c.updated_at else now() end
              from (select u.id from customers u where u.id = ${customer.id} and u.business_id = ${businessId} for key share) u
              where c.id = ${conversation.id} and c.business_id = ${businessId} and c.customer_id = u.id
              returning c.status, c.assignee_id),
            reply as (
              insert into messages (business_id, conversation_id, customer_id, channel_id, role, source, content, reply_to_id, model,
                                    tokens_in, tokens_out, cost_usd, latency_ms, delivery_status, metadata)
              select ${businessId}::uuid, ${conversation.id}::uuid, ${customer.id}::uuid, ${channel.id}::uuid, 'assistant'::message_role, ${source}::answer_source, ${text}::text, ${messageId}::uuid,
                     ${details.model ?? null}::text, ${details.tokensIn ?? 0}::int, ${details.tokensOut ?? 0}::int, ${details.costUsd ?? 0}::numeric,
                     ${trace.latencyMs}::int, ${channel.kind === "web" ? "delivered" : "queued"}::text, ${JSON.stringify(metadata)}::jsonb
              from current where current.status <> 'waiting_human'
              returning *),
            outcome as (
              update messages set metadata = (metadata - 'answering') || case
                  when exists (select 1 from reply) then jsonb_build_object('outcome', 'replied', 'replyId', (select id from reply))
                  else jsonb_build_object('outcome', 'no_reply:' || (select case when assignee_id is not null then 'taken_over' else 'waiting_human' end from current),
                                          'discarded', ${JSON.stringify(discarded)}::jsonb)
                end
              where id = ${messageId} and business_id = ${businessId} and exists (select 1 from current)
              returning id)
            ${parts ? sql`, settled as (${parts.budget})` : sql``}
            ${parts?.event ? sql`, cost_event as (${parts.event})` : sql``}
            select (select status from current)::text as status, (select assignee_id from current) as assignee_id, (select row_to_json(r) from reply r) as reply,
                   (select count(*) from outcome)::int as marked,
                   ${parts ? sql`(select row_to_json(s) from settled s)` : sql`null::json`} as budget`,
      );
      return written;
    };
    let written: Awaited<ReturnType<typeof write>>;
    try {
      // on its own, the statement is run again after a deadlock, as a transaction is (it commits nothing when it loses)
      written = alone
        ? await withRetries(async () => write(await getDb()))
        : await withService(async (tx) => {
            const w = await write(tx);
            if (!w?.status) throw moved(); // rolled back: settled on its own below
            // a reply is stored only when the conversation does not wait for a person
            if (details.handoff && w.status !== "waiting_human") {
              await setWaitingHuman(tx, businessId, conversation.id);
              await notifyThrottled(tx, businessId, conversation.id, details.handoffReason);
            }
            await settlement?.alone(tx);
            return w;
          });
    } catch (err) {
      // nothing of it stands, its settlement neither: the call was still made, and is charged on its own
      if (settlement) await settlement.alone().catch((e: unknown) => console.error("[prismai] a model call's settlement failed", errorText(e)));
      throw err;
    }
    // committed, the settlement with it
    if (parts) await settlement!.after(fromJson<SettledBudget>(written?.budget)).catch((err: unknown) => console.error("[prismai] budget alerts after a reply failed", errorText(err)));
    if (!written?.status) throw moved();
    const after = { status: details.handoff ? "waiting_human" : written.status, assigneeId: written.assignee_id };
    if (written.status === "waiting_human") {
      // A person took over (assignee set), or another message of this conversation was handed off.
      // Channels answer this reason as they answer any conversation waiting for a person: no AI
      // text, no notice (a call is put through or takes a message). The message's outcome keeps why.
      trace.gate = written.assignee_id ? "taken_over" : "waiting_human";
      return { reply: null, noReply: { reason: "waiting_human" }, handedOff: false, trace, conversation: after };
    }
    const stored = rowFromJson(messages, written.reply);
    if (!stored) throw new Error("The reply was not stored");
    // both messages are in hand: remembered without reading them back (an existing memory stays)
    (opts.defer ?? deferAfterResponse)(() => rememberMessages([message, stored]));
    (opts.defer ?? deferAfterResponse)(() => analyzeConversation(businessId, conversation.id, undefined, { business: ctx.business }));
    return { reply: stored, handedOff: Boolean(details.handoff), trace, conversation: after };
  };

  return { trace, stop, reply };
}
