import "server-only";
// Reading customer messages in the background, after the answer: each message gets one of the
// owner's intents (or "other") with a confidence, a sentiment level and any lead evidence it quotes —
// by one structured call of the language model per batch when there is one (lib/intel/model-read.ts),
// else offline; a conversation that turns very negative, or a customer who turns hot, alerts staff. Queued after every answer (lib/pipeline/answer.ts); the `insights` job
// catches any message that was not (a hand-off, a crash).
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { LRUCache } from "lru-cache";
import { getDb, rows, withService, type Executor, type Tx } from "@/lib/db/client";
import { fromJson, rowFromJson, rowsFromJson } from "@/lib/db/json-rows";
import { businesses, conversations, customers, intentExamples, intents, leadEvidence, members, users } from "@/lib/db/schema";
import { getEmbedder, toVectorLiteral, fromVectorLiteral, type Embedder } from "@/lib/ai/embeddings";
import { enqueueEmail } from "@/lib/channels/outbox";
import { chargeEmbedding } from "@/lib/pipeline/spend";
import { env } from "@/lib/env";
import { IntentIndex, intentDescriptionText, type IntentGuess } from "./classify";
import { readWithModel } from "./model-read";
import { BUSINESS_KINDS, DEFAULT_INTENTS, type BusinessKind } from "./defaults";
import { SENTIMENT_LABELS, sentimentOf, type Sentiment } from "./sentiment";
import { HOT_FROM, leadEvidence as findEvidence, leadScoreSql, type EvidenceKind } from "./leads";

export const OFFLINE_ENGINE = "offline";

function kindOf(kind: string): BusinessKind {
  return (BUSINESS_KINDS as readonly string[]).includes(kind) ? (kind as BusinessKind) : "general";
}

/** Adds the default intents of a kind of business; names the business already has are skipped. */
export async function addDefaultIntents(tx: Tx, businessId: string, kind: BusinessKind): Promise<number> {
  let added = 0;
  for (const d of DEFAULT_INTENTS[kind]) {
    const [row] = await tx
      .insert(intents)
      .values({ businessId, name: d.name, description: d.description })
      .onConflictDoNothing()
      .returning({ id: intents.id });
    if (!row) continue;
    added++;
    await tx.insert(intentExamples).values(d.examples.map((text) => ({ businessId, intentId: row.id, text })));
  }
  return added;
}

/**
 * The first time a business's messages are read, it gets the default intents of its kind — once:
 * whoever marks the business seeded adds them, and the owner's later deletions stand.
 */
export async function ensureIntents(tx: Tx, businessId: string): Promise<void> {
  const [claimed] = await tx
    .update(businesses)
    .set({ intentsSeededAt: new Date() })
    .where(and(eq(businesses.id, businessId), isNull(businesses.intentsSeededAt)))
    .returning({ kind: businesses.kind });
  if (claimed) await addDefaultIntents(tx, businessId, kindOf(claimed.kind));
}

// Descriptions are short and change rarely: their vectors are kept per embedder and text.
const descriptionVectors = new LRUCache<string, number[]>({ max: 2000 });
const exampleVectors = new LRUCache<string, number[]>({ max: 50_000 });

/**
 * The business's intents as a classifier: each intent's description and examples, embedded. Examples
 * without a vector from this embedder (new corrections, seeded ones, a changed embedder) are embedded
 * now and stored.
 */
export async function loadIntentIndex(businessId: string, embedder: Embedder = getEmbedder()): Promise<{ index: IntentIndex; names: Map<string, string> }> {
  const rowsRead = await withService(async (tx) => {
    await ensureIntents(tx, businessId);
    return readIntentRows(tx, businessId, embedder);
  });
  return buildIntentIndex(businessId, embedder, rowsRead);
}

type IntentRows = {
  list: (typeof intents.$inferSelect)[];
  examples: { id: string; intent_id: string; text: string; stored: boolean; embedding_model: string | null }[];
};

/** The business's intents and examples, and the stored example vectors this process does not hold yet. */
async function readIntentRows(tx: Tx, businessId: string, embedder: Embedder): Promise<IntentRows> {
  const list = await tx.select().from(intents).where(eq(intents.businessId, businessId)).orderBy(intents.name);
  const examples = await rows<IntentRows["examples"][number]>(
    tx,
    sql`select id, intent_id, text, (embedding is not null) as stored, embedding_model from intent_examples where business_id = ${businessId}`,
  );
  await fetchExampleVectors(tx, businessId, embedder, examples);
  return { list, examples };
}

/** The stored example vectors this process does not hold yet (an example's vector never changes for one embedder). */
async function fetchExampleVectors(ex: Executor, businessId: string, embedder: Embedder, examples: IntentRows["examples"]): Promise<void> {
  const wanted = examples.filter((e) => e.stored && e.embedding_model === embedder.model && !exampleVectors.has(`${embedder.model}\u0000${e.id}`)).map((e) => e.id);
  if (!wanted.length) return;
  const got = await rows<{ id: string; embedding: string }>(
    ex,
    sql`select id, embedding::text as embedding from intent_examples where business_id = ${businessId} and id in (${sql.join(wanted.map((id) => sql`${id}::uuid`), sql`, `)})`,
  );
  for (const g of got) exampleVectors.set(`${embedder.model}\u0000${g.id}`, fromVectorLiteral(g.embedding));
}

/** The classifier from the rows: examples and descriptions without a vector from this embedder are embedded now. */
async function buildIntentIndex(businessId: string, embedder: Embedder, { list, examples }: IntentRows): Promise<{ index: IntentIndex; names: Map<string, string> }> {
  const stale = examples.filter((e) => !e.stored || e.embedding_model !== embedder.model);
  const fresh = new Map<string, number[]>();
  if (stale.length) {
    const { vectors, tokens, model } = await embedder.embed(stale.map((e) => e.text), "query");
    if (tokens) await chargeEmbedding({ businessId, tokens, model, messageId: null, conversationId: null });
    stale.forEach((e, i) => {
      fresh.set(e.id, vectors[i]!);
      exampleVectors.set(`${embedder.model}\u0000${e.id}`, vectors[i]!);
    });
    await withService(async (tx) => {
      for (const e of stale) {
        await tx.execute(
          sql`update intent_examples set embedding = ${toVectorLiteral(fresh.get(e.id)!)}::vector, embedding_model = ${embedder.model}
              where id = ${e.id} and business_id = ${businessId}`,
        );
      }
    });
  }
  const missing = list.filter((i) => !descriptionVectors.has(`${embedder.model}\u0000${intentDescriptionText(i.name, i.description)}`));
  if (missing.length) {
    const { vectors, tokens, model } = await embedder.embed(missing.map((i) => intentDescriptionText(i.name, i.description)), "query");
    if (tokens) await chargeEmbedding({ businessId, tokens, model, messageId: null, conversationId: null });
    missing.forEach((i, k) => descriptionVectors.set(`${embedder.model}\u0000${intentDescriptionText(i.name, i.description)}`, vectors[k]!));
  }
  // the same intents and examples make the same classifier: built once per business and version of them
  const fingerprint = [
    embedder.model,
    ...list.map((i) => `${i.id}\u0001${i.name}\u0001${i.description}`),
    ...examples.map((e) => `${e.id}\u0001${e.intent_id}\u0001${e.text}`).sort(),
  ].join("\u0000");
  const built = builtIndexes.get(businessId);
  if (built?.fingerprint === fingerprint) return built.value;
  const byIntent = new Map<string, number[][]>(list.map((i) => [i.id, [descriptionVectors.get(`${embedder.model}\u0000${intentDescriptionText(i.name, i.description)}`)!]]));
  for (const e of examples) {
    const v = fresh.get(e.id) ?? exampleVectors.get(`${embedder.model}\u0000${e.id}`);
    if (v) byIntent.get(e.intent_id)?.push(v);
  }
  const value = {
    index: new IntentIndex(list.map((i) => ({ id: i.id, vectors: byIntent.get(i.id)! }))),
    names: new Map(list.map((i) => [i.id, i.name])),
  };
  builtIndexes.set(businessId, { fingerprint, value });
  return value;
}

const builtIndexes = new LRUCache<string, { fingerprint: string; value: { index: IntentIndex; names: Map<string, string> } }>({ max: 500 });

export type AnalyzeResult = { analyzed: number; alerted: boolean; hot: boolean };

/**
 * One statement: the conversation's customer messages still to read, and (when any) the business,
 * its intents and examples. The first read of a business seeds its default intents first, in a
 * transaction of its own; example vectors this process does not hold yet are fetched after.
 */
async function readPending(businessId: string, conversationId: string, embedder: Embedder, business?: typeof businesses.$inferSelect) {
  const [row] = await rows<{ pending: unknown; business: unknown; intents: unknown; examples: unknown }>(
    await getDb(),
    sql`with pending as (
          select m.id, m.content, m.customer_id, m.created_at from messages m
          where m.business_id = ${businessId} and m.conversation_id = ${conversationId} and m.role = 'customer'
            and not (m.metadata ? 'csatRating') and length(trim(m.content)) > 0
            and not exists (select 1 from message_insights i where i.message_id = m.id)
          order by m.created_at, m.id limit 50)
        select
          (select coalesce(json_agg(json_build_object('id', p.id, 'content', p.content, 'customer_id', p.customer_id) order by p.created_at, p.id), '[]'::json) from pending p) as pending,
          ${business ? sql`null::json` : sql`(select row_to_json(b) from businesses b where b.id = ${businessId})`} as business,
          (select coalesce(json_agg(i order by i.name), '[]'::json) from intents i where i.business_id = ${businessId} and exists (select 1 from pending)) as intents,
          (select coalesce(json_agg(json_build_object('id', e.id, 'intent_id', e.intent_id, 'text', e.text, 'stored', e.embedding is not null, 'embedding_model', e.embedding_model)), '[]'::json)
             from intent_examples e where e.business_id = ${businessId} and exists (select 1 from pending)) as examples`,
  );
  const pending = fromJson<{ id: string; content: string; customer_id: string }[]>(row?.pending) ?? [];
  if (!pending.length) return null;
  const found = business ?? rowFromJson(businesses, row?.business);
  if (!found) return null;
  // the defaults are seeded once per business: the row says whether that happened
  if (!found.intentsSeededAt) {
    return { pending, business: found, ...(await withService(async (tx) => (await ensureIntents(tx, businessId), readIntentRows(tx, businessId, embedder)))) };
  }
  const examples = fromJson<IntentRows["examples"]>(row!.examples) ?? [];
  await fetchExampleVectors(await getDb(), businessId, embedder, examples);
  return { pending, business: found, list: rowsFromJson(intents, row!.intents), examples };
}

/**
 * Reads the conversation's customer messages that have no insight yet. Staff's corrections are never
 * overwritten (a row, once there, stays). Alerts staff when the conversation turns very negative: a
 * very negative message after none before it.
 */
export async function analyzeConversation(
  businessId: string,
  conversationId: string,
  embedder: Embedder = getEmbedder(),
  /** the business row the caller already read (the answer that queued this): not read again */
  known: { business?: typeof businesses.$inferSelect } = {},
): Promise<AnalyzeResult> {
  const loaded = await readPending(businessId, conversationId, embedder, known.business);
  if (!loaded) return { analyzed: 0, alerted: false, hot: false };
  const { pending } = loaded;
  const kind = kindOf(loaded.business.kind);

  // With a language model: one structured call for the batch. What it could not read (or everything,
  // offline or when it fails) is read by the embeddings and the rules.
  const viaModel = await readWithModel({ business: loaded.business, conversationId, intents: loaded.list, messages: pending });
  const idOf = new Map(loaded.list.map((i) => [i.name, i.id]));
  const offline = pending.filter((_, i) => !viaModel?.reads[i]);
  const guesses = new Map<string, IntentGuess>();
  if (offline.length) {
    const { index } = await buildIntentIndex(businessId, embedder, loaded);
    const { vectors, tokens, model } = await embedder.embed(offline.map((m) => m.content), "query");
    // with Gemini embeddings the reading is paid for, like any embedding: one cost event per batch
    if (tokens) await chargeEmbedding({ businessId, tokens, model, messageId: offline.at(-1)!.id, conversationId });
    offline.forEach((m, i) => guesses.set(m.id, index.classify(vectors[i]!)));
  }
  const read = pending.map((m, i) => {
    const r = viaModel?.reads[i];
    if (r) {
      return { ...m, intentId: r.intent ? (idOf.get(r.intent) ?? null) : null, confidence: r.confidence, sentiment: r.sentiment, evidence: r.evidence, engine: viaModel!.model };
    }
    const g = guesses.get(m.id)!;
    return { ...m, intentId: g.intentId, confidence: g.confidence, sentiment: sentimentOf(m.content), evidence: findEvidence(m.content, kind), engine: OFFLINE_ENGINE };
  });
  const evidence = read.flatMap((m) => m.evidence.map((e) => ({ ...e, messageId: m.id, customerId: m.customer_id })));

  // Most reads add no lead evidence and turn nothing very negative: their one statement needs no
  // transaction around it. When something follows the insert, it commits with it.
  const followUps = evidence.length > 0 || read.some((m) => m.sentiment === -2);
  const write = async (tx: Executor): Promise<AnalyzeResult> => {
    // one statement: whether the conversation was already very negative (read before the insert:
    // a data-modifying CTE's rows are not visible to the rest of its statement), and the insert
    const values = sql.join(
      read.map((m) => sql`(${m.id}::uuid, ${m.intentId}::uuid, ${m.confidence}::real, ${m.sentiment}::int, ${m.engine}::text)`),
      sql`, `,
    );
    const written = await rows<{ message_id: string | null; sentiment: number | null; very_negative: boolean }>(
      tx,
      sql`with before as (
            select exists (select 1 from message_insights where business_id = ${businessId} and conversation_id = ${conversationId} and sentiment = -2) as very_negative),
          inserted as (
            insert into message_insights (message_id, business_id, conversation_id, intent_id, confidence, sentiment, engine)
            select v.message_id, ${businessId}, ${conversationId}, v.intent_id, v.confidence, v.sentiment, v.engine
            from (values ${values}) as v(message_id, intent_id, confidence, sentiment, engine)
            on conflict do nothing
            returning message_id, sentiment)
          select i.message_id, i.sentiment, b.very_negative from before b left join inserted i on true`,
    );
    const inserted = written.filter((r) => r.message_id !== null).map((r) => ({ messageId: r.message_id!, sentiment: Number(r.sentiment) }));
    const turned = !written[0]?.very_negative && inserted.some((r) => r.sentiment === -2);
    let alerted = false;
    if (turned) {
      const worst = read.find((m) => m.sentiment === -2)!;
      alerted = (await alertVeryNegative(tx, { businessId, conversationId, excerpt: worst.content })) > 0;
    }
    // only messages this run read (not a concurrent run's) add evidence
    const mine = new Set(inserted.map((r) => r.messageId));
    const added = evidence.filter((e) => mine.has(e.messageId));
    let hot = false;
    if (added.length) {
      await tx.insert(leadEvidence).values(added.map((e) => ({ businessId, customerId: e.customerId, messageId: e.messageId, kind: e.kind, quote: e.quote, points: e.points }))).onConflictDoNothing();
      for (const customerId of new Set(added.map((e) => e.customerId))) {
        const [before] = await tx
          .select({ score: customers.leadScore, stage: customers.leadStage })
          .from(customers)
          .where(and(eq(customers.id, customerId), eq(customers.businessId, businessId)))
          .for("update");
        if (!before) continue;
        const [after] = await rows<{ score: number }>(
          tx,
          sql`update customers set lead_score = ${leadScoreSql(businessId, customerId)} where id = ${customerId} and business_id = ${businessId} returning lead_score as score`,
        );
        if (!before.stage && before.score < HOT_FROM && Number(after!.score) >= HOT_FROM) {
          hot = (await notifyHotLead(tx, { businessId, customerId, conversationId, score: Number(after!.score) })) > 0 || hot;
        }
      }
    }
    return { analyzed: inserted.length, alerted, hot };
  };
  return followUps ? withService(write) : write(await getDb());
}

/** Owners and admins, and the conversation's assignee, by email. */
async function staffEmails(ex: Executor, businessId: string, assigneeId: string | null): Promise<string[]> {
  const staff = await ex
    .select({ email: users.email, userId: members.userId, role: members.role })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(eq(members.businessId, businessId));
  return staff.filter((s) => s.role === "owner" || s.role === "admin" || s.userId === assigneeId).map((s) => s.email);
}

const KIND_LABEL: Record<EvidenceKind, string> = { budget: "Budget", timing: "Timing", need: "Need", authority: "Authority" };

/** A customer became a hot lead: the score and the customer's own words that earned it. */
export async function notifyHotLead(ex: Executor, input: { businessId: string; customerId: string; conversationId: string; score: number }): Promise<number> {
  const [row] = await ex
    .select({ business: businesses, conversation: conversations })
    .from(conversations)
    .innerJoin(businesses, eq(businesses.id, conversations.businessId))
    .where(and(eq(conversations.id, input.conversationId), eq(conversations.businessId, input.businessId)));
  if (!row) return 0;
  const quotes = await ex
    .select({ kind: leadEvidence.kind, quote: leadEvidence.quote })
    .from(leadEvidence)
    .where(and(eq(leadEvidence.businessId, input.businessId), eq(leadEvidence.customerId, input.customerId)))
    .orderBy(leadEvidence.createdAt);
  const emails = await staffEmails(ex, input.businessId, row.conversation.assigneeId);
  const link = `${env().appUrl}/${row.business.slug}/customers/${input.customerId}`;
  const lines = quotes.map((q) => `${KIND_LABEL[q.kind as EvidenceKind] ?? q.kind}: "${q.quote}"`).join("\n");
  for (const to of emails) {
    await enqueueEmail(ex, {
      businessId: input.businessId,
      to,
      subject: `${row.business.name}: a hot lead (${input.score}/100)`,
      body: `A customer scores ${input.score}/100 as a lead. In their own words:\n\n${lines}\n\nOpen their profile: ${link}`,
      payload: { kind: "hot_lead", customerId: input.customerId, conversationId: input.conversationId },
    });
  }
  return emails.length;
}

/** An email through the outbox to owners, admins and the assignee: this conversation turned very negative. */
export async function alertVeryNegative(ex: Executor, input: { businessId: string; conversationId: string; excerpt: string }): Promise<number> {
  const [row] = await ex
    .select({ business: businesses, conversation: conversations })
    .from(conversations)
    .innerJoin(businesses, eq(businesses.id, conversations.businessId))
    .where(and(eq(conversations.id, input.conversationId), eq(conversations.businessId, input.businessId)));
  if (!row) return 0;
  const { business, conversation } = row;
  const staff = await ex
    .select({ email: users.email })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(and(eq(members.businessId, input.businessId), inArray(members.role, ["owner", "admin"])));
  if (conversation.assigneeId) {
    const [assignee] = await ex
      .select({ email: users.email })
      .from(members)
      .innerJoin(users, eq(users.id, members.userId))
      .where(and(eq(members.businessId, input.businessId), eq(members.userId, conversation.assigneeId)));
    if (assignee && !staff.some((s) => s.email === assignee.email)) staff.push(assignee);
  }
  const link = `${env().appUrl}/${business.slug}/inbox?c=${conversation.id}`;
  const quote = input.excerpt.replace(/\s+/g, " ").trim().slice(0, 280);
  for (const s of staff) {
    await enqueueEmail(ex, {
      businessId: input.businessId,
      to: s.email,
      subject: `${business.name}: a conversation turned ${SENTIMENT_LABELS[-2 as Sentiment]}`,
      body: `A customer is very unhappy. They wrote:\n\n"${quote}"\n\nOpen the conversation: ${link}`,
      payload: { kind: "sentiment_alert", conversationId: conversation.id },
    });
  }
  return staff.length;
}

/** The job: conversations with customer messages of the last 7 days still unread by it. */
export async function analyzePending(opts: { graceSeconds?: number; limit?: number } = {}): Promise<{ conversations: number; analyzed: number; failed: number }> {
  const pending = await withService((tx) =>
    rows<{ business_id: string; conversation_id: string }>(
      tx,
      sql`select distinct m.business_id, m.conversation_id from messages m
          where m.role = 'customer' and m.created_at > now() - interval '7 days'
            and m.created_at < now() - make_interval(secs => ${opts.graceSeconds ?? 30})
            and not (m.metadata ? 'csatRating') and length(trim(m.content)) > 0
            and not exists (select 1 from message_insights i where i.message_id = m.id)
          limit ${opts.limit ?? 20}`,
    ),
  );
  let analyzed = 0;
  let failed = 0;
  for (const p of pending) {
    try {
      analyzed += (await analyzeConversation(p.business_id, p.conversation_id)).analyzed;
    } catch (err) {
      failed++;
      console.error("[prismai] could not read a conversation's intents", err instanceof Error ? err.message : String(err));
    }
  }
  return { conversations: pending.length, analyzed, failed };
}
