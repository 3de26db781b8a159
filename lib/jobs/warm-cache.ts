// Cache warming: the questions a business's customers asked most in the last 30 days, answered once
// by the model with no customer in the prompt and stored in the semantic cache (origin "warmed"), so
// the next customer who asks is answered at no model cost. It runs for a business once its FAQ or
// knowledge edits have settled (bumpKnowledgeVersion asks for it) and nightly (2–5 am in the
// business's time zone); never for a paused business, never past the budget (each call is reserved
// and settled like a customer's, its cost recorded), and never twice for a question already warm.
import { sql } from "drizzle-orm";
import { rows, withService } from "@/lib/db/client";
import type { businesses } from "@/lib/db/schema";
import { cosine, type Embedder } from "@/lib/ai/embeddings";
import type { LanguageModel } from "@/lib/ai/model";
import { getLanguageModel } from "@/lib/ai/get-model";
import { buildPrompt, readAiSettings, type ChannelStyle } from "@/lib/ai/prompts";
import { chooseModels, generateWithRouter } from "@/lib/ai/router";
import { priceModelCall } from "@/lib/billing/prices";
import { budgetState } from "@/lib/billing/budgets";
import { CACHE_DECISION, getSemanticCache, normalizeQuestion, type SemanticCache } from "@/lib/cache";
import { retrieveKnowledge } from "@/lib/knowledge/retrieve";
import { chargeEmbedding, spendingAllowed, worstCaseCost } from "@/lib/pipeline/spend";
import { styleOf, type ChannelKind } from "@/lib/pipeline/types";

type Business = typeof businesses.$inferSelect;

export type WarmOptions = {
  /** the language model (tests, benchmarks); the environment's by default */
  model?: LanguageModel;
  cache?: SemanticCache;
  /** the job's clock */
  now?: Date;
  /** quiet time after the last FAQ or knowledge change before warming */
  debounceSeconds?: number;
  /** questions answered per business per run at most */
  questionsPerRun?: number;
};

export type BusinessWarm = {
  businessId: string;
  /** questions answered and stored now */
  warmed: number;
  /** top questions the cache already answers */
  alreadyWarm: number;
  /** top questions an FAQ answers (free already) */
  coveredByFaq: number;
  /** answers the model marked as depending on a customer, or that handed off or failed */
  notReusable: number;
  costUsd: number;
  /** why nothing (more) was done */
  stopped?: "paused" | "offline_model" | "budget_exhausted" | "budget_reserved_for_customers" | "not_found";
};

export const WARM_DEFAULTS = {
  debounceSeconds: 120,
  questionsPerRun: 20,
  days: 30,
  /** a question asked this often (counting paraphrases) is worth an answer in advance */
  minAsked: 2,
  /** warming stops at this share of the month's budget: the rest is for customers' own questions */
  budgetShare: 0.8,
  /** local hours of the nightly run, [from, to) */
  night: [2, 5] as const,
  /** a run that has not finished after this long is taken to have crashed */
  staleMinutes: 15,
};

/** Paraphrase grouping for ranking only (suggested FAQs measured the same thresholds per embedder). */
const groupSimilarity = (embedder: Embedder) => (embedder.model.startsWith("local") ? 0.7 : 0.82);
const looksLikeQuestion = (q: string) => q.length >= 8 && q.length <= 300 && /\p{L}{2,}/u.test(q);

/** The job: every business due for warming (a settled change, or its night), one after another. */
export async function warmCache(opts: WarmOptions = {}): Promise<{ businesses: number; warmed: number; results: BusinessWarm[] }> {
  const now = opts.now ?? new Date();
  const debounce = opts.debounceSeconds ?? WARM_DEFAULTS.debounceSeconds;
  const at = now.toISOString();
  const due = await withService((tx) =>
    rows<{ id: string }>(
      tx,
      sql`select b.id from businesses b
          left join cache_warming w on w.business_id = b.id
          where b.status = 'active'
            and (w.started_at is null or w.finished_at >= w.started_at or w.started_at < ${at}::timestamptz - make_interval(mins => ${WARM_DEFAULTS.staleMinutes}))
            and (
              (w.requested_at is not null and w.requested_at <= ${at}::timestamptz - make_interval(secs => ${debounce})
                and (w.started_at is null or w.started_at < w.requested_at))
              or (extract(hour from ${at}::timestamptz at time zone b.time_zone) >= ${WARM_DEFAULTS.night[0]}
                and extract(hour from ${at}::timestamptz at time zone b.time_zone) < ${WARM_DEFAULTS.night[1]}
                and (w.finished_at is null or w.finished_at < ${at}::timestamptz - interval '12 hours')
                and exists (select 1 from messages m where m.business_id = b.id and m.role = 'customer'
                            and m.created_at > ${at}::timestamptz - make_interval(days => ${WARM_DEFAULTS.days})))
            )
          order by coalesce(w.requested_at, b.created_at)
          limit 20`,
    ),
  );
  const results: BusinessWarm[] = [];
  for (const { id } of due) {
    if (!(await claim(id, now))) continue;
    let result: BusinessWarm | undefined;
    try {
      result = await warmBusiness(id, opts);
      results.push(result);
    } catch (err) {
      console.error("[prismai] cache warming failed for a business", err instanceof Error ? err.message : String(err));
    } finally {
      await withService((tx) =>
        tx.execute(
          sql`update cache_warming set finished_at = greatest(now(), started_at), last_run = ${JSON.stringify(result ?? { failed: true })}::jsonb
              where business_id = ${id}`,
        ),
      );
    }
  }
  return { businesses: results.length, warmed: results.reduce((n, r) => n + r.warmed, 0), results };
}

/** One runner per business: a conditional update, so two instances never warm the same business at once. */
async function claim(businessId: string, now: Date): Promise<boolean> {
  return withService(async (tx) => {
    await tx.execute(sql`insert into cache_warming (business_id) values (${businessId}) on conflict (business_id) do nothing`);
    const claimed = await rows(
      tx,
      sql`update cache_warming set started_at = ${now.toISOString()}::timestamptz
          where business_id = ${businessId}
            and (started_at is null or finished_at >= started_at or started_at < ${now.toISOString()}::timestamptz - make_interval(mins => ${WARM_DEFAULTS.staleMinutes}))
          returning business_id`,
    );
    return claimed.length === 1;
  });
}

type Asked = { text: string; style: ChannelStyle; count: number; customers: Set<string>; messageIds: string[]; vector: number[] };

/** The business's most asked questions of the last 30 days that the model or the cache answered, paraphrases counted together. */
async function topQuestions(business: Business, cache: SemanticCache, now: Date): Promise<{ asked: Asked[]; embeddingTokens: number; embeddingModel: string }> {
  const found = await withService((tx) =>
    rows<{ id: string; content: string; customer_id: string; channel_kind: string }>(
      tx,
      sql`select m.id, m.content, m.customer_id, ch.kind::text as channel_kind
          from messages m
          join channels ch on ch.id = m.channel_id and ch.business_id = m.business_id
          where m.business_id = ${business.id} and m.role = 'customer' and not (m.metadata ? 'test')
            and m.created_at > ${now.toISOString()}::timestamptz - make_interval(days => ${WARM_DEFAULTS.days})
            and exists (select 1 from messages r where r.business_id = m.business_id and r.reply_to_id = m.id
                        and r.role = 'assistant' and r.source in ('model', 'cache'))
          order by m.created_at desc
          limit 2000`,
    ),
  );
  // one entry per wording and style (the most recent first), then paraphrases merged by meaning
  const wordings = new Map<string, Omit<Asked, "vector">>();
  for (const m of found) {
    const text = m.content.trim();
    if (!looksLikeQuestion(text)) continue;
    const style = styleOf(m.channel_kind as ChannelKind);
    const key = `${style}\u0000${normalizeQuestion(text)}`;
    const w = wordings.get(key) ?? { text, style, count: 0, customers: new Set<string>(), messageIds: [] };
    w.count++;
    w.customers.add(m.customer_id);
    w.messageIds.push(m.id);
    wordings.set(key, w);
  }
  const list = [...wordings.values()].sort((a, b) => b.count - a.count).slice(0, 500);
  if (!list.length) return { asked: [], embeddingTokens: 0, embeddingModel: cache.embedder.model };
  // embedded as the pipeline embeds a message (its text as written), so entries and lookups meet
  const embedded = await cache.embedder.embed(list.map((w) => w.text), "query");
  const threshold = groupSimilarity(cache.embedder);
  const groups: Asked[] = [];
  list.forEach((w, i) => {
    const vector = embedded.vectors[i]!;
    // the most asked wording leads its group (and is the one answered)
    const group = groups.find((g) => g.style === w.style && cosine(g.vector, vector) >= threshold);
    if (!group) return void groups.push({ ...w, customers: new Set(w.customers), messageIds: [...w.messageIds], vector });
    group.count += w.count;
    for (const c of w.customers) group.customers.add(c);
    group.messageIds.push(...w.messageIds);
  });
  const asked = groups.filter((g) => g.count >= WARM_DEFAULTS.minAsked).sort((a, b) => b.count - a.count || b.customers.size - a.customers.size);
  return { asked, embeddingTokens: embedded.tokens, embeddingModel: embedded.model };
}

/** Warms one business's cache (the job claims it first; tests call it directly). */
export async function warmBusiness(businessId: string, opts: WarmOptions = {}): Promise<BusinessWarm> {
  const out: BusinessWarm = { businessId, warmed: 0, alreadyWarm: 0, coveredByFaq: 0, notReusable: 0, costUsd: 0 };
  const [business] = await withService((tx) => tx.query.businesses.findMany({ where: (b, { eq }) => eq(b.id, businessId), limit: 1 }));
  if (!business) return { ...out, stopped: "not_found" };
  if (business.status === "paused") return { ...out, stopped: "paused" };
  const model = opts.model ?? getLanguageModel();
  // The offline responder answers from the FAQ and knowledge for free: there is nothing to save.
  if (model.provider === "offline") return { ...out, stopped: "offline_model" };
  // Warming stays under its share of the budget with its worst case too, so its reservation is
  // never the one refused (a refusal marks the budget exhausted for customers as well).
  const budgetStop = async (worstCase = 0): Promise<BusinessWarm["stopped"]> => {
    const budget = await budgetState(businessId);
    if (!budget.modelAllowed) return "budget_exhausted";
    if (budget.spentUsd + budget.reservedUsd + worstCase >= WARM_DEFAULTS.budgetShare * budget.limitUsd) return "budget_reserved_for_customers";
    return undefined;
  };
  const stopped = await budgetStop();
  if (stopped) return { ...out, stopped };

  const settings = readAiSettings(business.aiSettings);
  const cache = opts.cache ?? getSemanticCache();
  const now = opts.now ?? new Date();
  const { asked, embeddingTokens, embeddingModel } = await topQuestions(business, cache, now);
  if (embeddingTokens) out.costUsd += await chargeEmbedding({ businessId, tokens: embeddingTokens, model: embeddingModel, messageId: null, conversationId: null });

  for (const q of asked) {
    if (out.warmed >= (opts.questionsPerRun ?? WARM_DEFAULTS.questionsPerRun)) break;
    const lookup = { businessId, question: q.text, knowledgeVersion: business.knowledgeVersion, channelStyle: q.style, threshold: settings.cacheThreshold, embedding: q.vector };
    const { hit, nearMiss } = await cache.resolve({ ...lookup, count: false });
    if (hit) {
      out.alreadyWarm++;
      continue;
    }
    const retrieval = await withService((tx) => retrieveKnowledge(tx, { businessId, query: q.text, embedding: q.vector, limit: 4, faqLimit: 3 }));
    if (retrieval.faqs[0] && retrieval.faqs[0].similarity >= settings.cacheThreshold) {
      out.coveredByFaq++;
      continue;
    }
    const earlier = nearMiss && nearMiss.similarity >= CACHE_DECISION.floor ? nearMiss : undefined;
    // As the first message of a customer nobody knows anything about: no history, memories or name.
    const prompt = buildPrompt({
      business: { name: business.name, timeZone: business.timeZone },
      settings,
      channel: q.style,
      message: q.text,
      chunks: retrieval.chunks.map((c) => ({ heading: c.heading ? `${c.title} › ${c.heading}` : c.title, content: c.content, score: c.score })),
      faqs: retrieval.faqs.map((f) => ({ question: f.question, answer: f.answer, score: f.similarity })),
      earlier: earlier ? { question: earlier.question, answer: earlier.answer } : undefined,
      now,
    });
    const choice = chooseModels({ text: q.text, preference: settings.modelPreference });
    const call = {
      business,
      model: choice.chain.reduce((a, b) => (priceModelCall(b, 1e6, 1e6) > priceModelCall(a, 1e6, 1e6) ? b : a)),
      prompt: prompt.system + prompt.messages.map((m) => m.text).join("\n"),
      maxOutputTokens: prompt.maxOutputTokens,
    };
    const low = await budgetStop(worstCaseCost(call));
    if (low) return { ...out, stopped: low };
    const allowance = await spendingAllowed(call);
    if (!allowance.ok) return { ...out, stopped: allowance.reason === "paused" ? "paused" : "budget_exhausted" };
    let result;
    try {
      result = await generateWithRouter(
        { system: prompt.system, messages: prompt.messages, maxOutputTokens: prompt.maxOutputTokens, context: prompt.context },
        choice,
        { fallbackReply: settings.fallbackReply, model },
      );
    } catch (err) {
      await allowance.release();
      throw err;
    }
    out.costUsd += await allowance.settle({ model: result.model, tokensIn: result.tokensIn, tokensOut: result.tokensOut, messageId: null, conversationId: null });
    if (result.source !== "model" || result.handoff.needed || result.reusable === false) {
      out.notReusable++;
      continue;
    }
    await cache.store({
      businessId,
      question: q.text,
      answer: result.text,
      knowledgeVersion: business.knowledgeVersion,
      channelStyle: q.style,
      // the customers whose words the question is: deleting one of them deletes the entry
      sourceMessageIds: q.messageIds.slice(0, 50),
      ttlSeconds: settings.cacheTtlSeconds,
      language: prompt.language ?? null,
      embedding: q.vector,
      origin: "warmed",
      answerKey: result.sameAsEarlier && earlier ? earlier.answerKey : undefined,
    });
    out.warmed++;
  }
  return out;
}
