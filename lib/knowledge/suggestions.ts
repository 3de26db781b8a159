import "server-only";
// Suggested FAQs: questions customers asked more than once that the model had to answer, or that the
// cache answered with a model's answer (a repeated model answer is the best candidate for an FAQ, which
// then serves it at no cost and never expires). Questions are grouped by their normalised text and then by meaning
// (the memories' embeddings where the pipeline stored them, else the embedder); a group already
// covered by an FAQ is left out. Questions the AI could not answer (it handed them to a person, or
// nobody answered) that staff then answered are drafted from the staff's answer, from the first time.
import { sql } from "drizzle-orm";
import { cosine, fromVectorLiteral, getEmbedder, type Embedder } from "@/lib/ai/embeddings";
import { normalizeText } from "@/lib/ai/text";
import { rows, type Executor } from "@/lib/db/client";

export type SuggestedFaq = {
  /** a stable key for the group (the normalised representative question) */
  key: string;
  question: string;
  /** the staff's most recent answer to it when there is one (drafted from it), else the model's */
  answer: string;
  /** "staff": the AI handed it over or declined, and the draft is what staff replied */
  from: "model" | "staff";
  /** how many times it was asked, and by how many customers */
  count: number;
  customers: number;
  lastAskedAt: string;
  examples: string[];
};

export type SuggestOptions = {
  days?: number;
  /** most recent questions looked at */
  maxQuestions?: number;
  minCount?: number;
  /** cosine similarity at which two questions are one */
  similarity?: number;
  embedder?: Embedder;
  limit?: number;
};

type Asked = { id: string; customer_id: string; question: string; answer: string; from_staff: boolean; created_at: string | Date; embedding: string | null };

const looksLikeQuestion = (q: string) => q.length >= 8 && q.length <= 300 && /\p{L}{2,}/u.test(q);

export async function suggestFaqs(ex: Executor, businessId: string, options: SuggestOptions = {}): Promise<SuggestedFaq[]> {
  const days = options.days ?? 90;
  const maxQuestions = options.maxQuestions ?? 400;
  const minCount = options.minCount ?? 2;
  const embedder = options.embedder ?? getEmbedder();
  // Measured on paraphrase pairs: the local hashed embedder scores same-intent rewordings 0.7–0.92
  // and different questions on one topic up to 0.63; Gemini's vectors sit higher across the board.
  const threshold = options.similarity ?? (embedder.model.startsWith("local") ? 0.7 : 0.82);

  // Each customer message with the assistant reply that answered it (reply_to_id, or else the next
  // assistant message in the conversation), kept when that reply came from the model or its cache; or,
  // when the AI handed it over, gave its fixed reply or did not reply, with the first staff reply after it.
  const asked = await rows<Asked>(
    ex,
    sql`select m.id, m.customer_id, m.content as question, m.created_at, mem.embedding::text as embedding,
               case when a.source in ('model', 'cache') and not a.handoff then a.content else st.content end as answer,
               not coalesce(a.source in ('model', 'cache') and not a.handoff, false) as from_staff
        from messages m
        left join lateral (
          select r.content, r.source, (r.metadata ? 'handoff') as handoff from messages r
          where r.business_id = m.business_id and r.conversation_id = m.conversation_id and r.role = 'assistant'
            and (r.reply_to_id = m.id or (r.reply_to_id is null and r.created_at >= m.created_at))
          order by (r.reply_to_id = m.id) desc nulls last, r.created_at
          limit 1
        ) a on true
        left join lateral (
          select s.content from messages s
          where s.business_id = m.business_id and s.conversation_id = m.conversation_id and s.role = 'agent' and s.created_at > m.created_at
          order by s.created_at limit 1
        ) st on true
        left join memories mem on mem.message_id = m.id and mem.business_id = m.business_id and mem.embedding is not null
        where m.business_id = ${businessId} and m.role = 'customer' and not (m.metadata ? 'csatRating')
          and (
            (a.source in ('model', 'cache') and not a.handoff)
            or ((a.source is null or a.source = 'fallback' or a.handoff) and st.content is not null)
          )
          and m.created_at > now() - make_interval(days => ${days})
        order by m.created_at desc
        limit ${maxQuestions}`,
  );
  const questions = asked.filter((a) => looksLikeQuestion(a.question.trim()));
  if (!questions.length || (questions.length < minCount && !questions.some((q) => q.from_staff))) return [];

  const existing = await rows<{ question: string; embedding: string | null }>(
    ex,
    sql`select question, embedding::text as embedding from faqs where business_id = ${businessId}`,
  );

  // Vectors: the memory's where there is one, otherwise embedded now (as queries, like the cache does).
  const missing = questions.filter((q) => !q.embedding);
  const vectors = new Map<string, number[]>();
  for (const q of questions) if (q.embedding) vectors.set(q.id, fromVectorLiteral(q.embedding));
  for (let i = 0; i < missing.length; i += 100) {
    const batch = missing.slice(i, i + 100);
    const r = await embedder.embed(batch.map((q) => q.question), "query");
    batch.forEach((q, j) => vectors.set(q.id, r.vectors[j]!));
  }
  const faqVectors: number[][] = [];
  const faqTexts = new Set(existing.map((f) => normalizeText(f.question)));
  const unembeddedFaqs = existing.filter((f) => !f.embedding);
  for (const f of existing) if (f.embedding) faqVectors.push(fromVectorLiteral(f.embedding));
  if (unembeddedFaqs.length) faqVectors.push(...(await embedder.embed(unembeddedFaqs.map((f) => f.question), "query")).vectors);

  // Greedy grouping, newest first: a question joins the first group whose lead it matches.
  type Group = { lead: number[]; members: Asked[]; texts: Map<string, number> };
  const groups: Group[] = [];
  for (const q of questions) {
    const v = vectors.get(q.id)!;
    const norm = normalizeText(q.question);
    const group = groups.find((g) => g.texts.has(norm) || cosine(g.lead, v) >= threshold);
    if (group) {
      group.members.push(q);
      group.texts.set(norm, (group.texts.get(norm) ?? 0) + 1);
    } else {
      groups.push({ lead: v, members: [q], texts: new Map([[norm, 1]]) });
    }
  }

  const out: SuggestedFaq[] = [];
  for (const g of groups) {
    const staff = g.members.filter((m) => m.from_staff);
    // what staff wrote is an answer someone already approved: one question is enough for a draft
    if (g.members.length < minCount && !staff.length) continue;
    const covered = [...g.texts.keys()].some((t) => faqTexts.has(t)) || faqVectors.some((fv) => cosine(fv, g.lead) >= threshold);
    if (covered) continue;
    // The wording asked most often stands for the group, written the tidiest way a customer wrote
    // it (a capital first, one question mark last) among equals.
    const tidiness = (q: string) => (/^\p{Lu}/u.test(q) ? 2 : 0) + (/[^?!.]\?$/.test(q) ? 2 : 0) - (/[?!]{2,}|\s{2,}/.test(q) ? 1 : 0);
    const representative = g.members
      .map((m) => ({ m, q: m.question.trim(), n: g.texts.get(normalizeText(m.question)) ?? 0 }))
      .sort((x, y) => y.n - x.n || tidiness(y.q) - tidiness(x.q))[0]!.m;
    const bestText = normalizeText(representative.question);
    const newest = g.members[0]!;
    const lastAskedAt = newest.created_at instanceof Date ? newest.created_at.toISOString() : new Date(newest.created_at).toISOString();
    out.push({
      key: bestText,
      question: representative.question.trim(),
      answer: (staff[0] ?? newest).answer.trim(),
      from: staff.length ? "staff" : "model",
      count: g.members.length,
      customers: new Set(g.members.map((m) => m.customer_id)).size,
      lastAskedAt,
      examples: [...new Set(g.members.map((m) => m.question.trim()))].slice(0, 3),
    });
  }
  return out.sort((a, b) => b.count - a.count || b.customers - a.customers).slice(0, options.limit ?? 20);
}
