import "server-only";
// Retrieval of the business's own knowledge: vector (pgvector cosine) and full-text (tsvector)
// together, merged by reciprocal-rank fusion. The pipeline and the dashboard's "what would the
// agent find?" box both call retrieveKnowledge, so what the owner sees is what the agent gets.
import { sql, type SQL } from "drizzle-orm";
import { embedOne, toVectorLiteral, type Embedder } from "@/lib/ai/embeddings";
import { normalizeText, stem, STOP_WORDS } from "@/lib/ai/text";
import { relatedTerms, topicCoverage } from "@/lib/ai/evidence";
import { rows, type Executor } from "@/lib/db/client";

export type RetrievedChunk = {
  id: string;
  documentId: string;
  title: string;
  heading: string | null;
  content: string;
  /** fused score, 0–1: 1 is first by meaning and first by words */
  score: number;
  /** cosine similarity to the query, when the chunk was among the nearest by meaning */
  similarity: number | null;
  /** full-text rank, when the chunk shares words with the query */
  textRank: number | null;
  /** the share of the question's content words the chunk contains, when it shares any */
  wordMatch: number | null;
};

export type RetrievedFaq = {
  id: string;
  question: string;
  answer: string;
  /** fused score, 0–1 */
  score: number;
  /** cosine similarity of the query to the FAQ's question (0 when it was only found by words) */
  similarity: number;
  textRank: number | null;
  wordMatch: number | null;
};

export type Retrieval = {
  chunks: RetrievedChunk[];
  faqs: RetrievedFaq[];
  embeddingTokens: number;
  /** "text" when the query could not be embedded (the embedder failed): words only */
  mode: "hybrid" | "text";
};

export type RetrieveInput = {
  businessId: string;
  query: string;
  /** chunks to return (default 4) */
  limit?: number;
  /** FAQs to return (default 3) */
  faqLimit?: number;
  /** the query's embedding when the caller already has it (purpose "query") */
  embedding?: number[];
  /** the embedding as an expression of the caller's statement (one parameter several selects read); its literal by default */
  vectorSql?: SQL;
  embedder?: Embedder;
  /** results scoring below this are left out (default MIN_SCORE) */
  minScore?: number;
};

/** The usual reciprocal-rank-fusion constant: ranks matter, raw scores of the two lists never meet. */
export const RRF_K = 60;
const MAX_TERMS = 32;
/** Below this fused score a result shares too little with the question to help the agent. */
export const MIN_SCORE = 0.15;

/** The query's content words, stemmed: the terms of the full-text side and of its coverage. */
export function queryTerms(query: string): string[] {
  const terms = new Set<string>();
  for (const word of normalizeText(query).split(" ")) {
    if (!word || STOP_WORDS.has(word)) continue;
    if (word.length < 3 && !/\d/.test(word)) continue;
    terms.add(stem(word));
    if (terms.size >= MAX_TERMS) break;
  }
  return [...terms];
}

/**
 * The full-text side as an OR of the query's content words (stemmed, as prefixes) and the other
 * names of its topics, so a paraphrase sharing only some words still matches; ts_rank puts chunks
 * sharing more of them first.
 */
export function textQuery(query: string): string | null {
  const terms = queryTerms(query);
  // the other names of its topics too ("cleaning" finds "scale and polish")
  const all = [...terms, ...relatedTerms(query).filter((t) => !terms.includes(t))].slice(0, MAX_TERMS);
  return all.length ? all.map((t) => (t.length >= 3 ? `${t}:*` : t)).join(" | ") : null;
}

/** The share of the query's terms a text contains (as word prefixes, like the tsquery above). */
export function coverage(terms: string[], text: string): number {
  if (!terms.length) return 0;
  const words = normalizeText(text).split(" ");
  return terms.filter((t) => words.some((w) => (t.length >= 3 ? w.startsWith(t) : w === t))).length / terms.length;
}

/** An FAQ's identity as text: the same question with the same answer is one FAQ. */
const FAQ_KEY = sql.raw(`md5(lower(question) || E'\\n' || answer)`);

/**
 * similarity for the vector list, rank and coverage for the words list; quality weighs the rank.
 * `key` is the text's hash: the same text stored twice (a file uploaded twice before uploads were
 * de-duplicated, an FAQ entered twice) is one result, never two.
 */
type Ranked = { id: string; key: string; similarity?: number; rank?: number; quality: number };

/** A list without its repeats of the same text (the better-ranked copy stays), ranks closed up. */
const distinct = (list: Ranked[]): Ranked[] => {
  const seen = new Set<string>();
  return list.filter((r) => !seen.has(r.key) && Boolean(seen.add(r.key)));
};

/**
 * Reciprocal-rank fusion, each list's contribution weighed by how good the match is (cosine
 * similarity; share of the query's words), so being first in a list of poor matches does not look
 * like a strong match. 1 = first by meaning with similarity 1 and first by words with every word.
 */
type Fused = { id: string; score: number; similarity: number | null; textRank: number | null; wordMatch: number | null };

function fuse(lists: Ranked[][]): Fused[] {
  // By text, not by id: one copy of a text stands for all of them, and first-seen is the closest.
  const fused = new Map<string, Fused & { rrf: number }>();
  for (const list of lists.map(distinct)) {
    list.forEach((r, i) => {
      const e = fused.get(r.key) ?? { id: r.id, rrf: 0, score: 0, similarity: null, textRank: null, wordMatch: null };
      e.rrf += Math.max(0, Math.min(1, r.quality)) / (RRF_K + i + 1);
      if (r.similarity !== undefined) e.similarity = Number(r.similarity);
      if (r.rank !== undefined) {
        e.textRank = Number(r.rank);
        e.wordMatch = r.quality;
      }
      fused.set(r.key, e);
    });
  }
  const best = lists.length / (RRF_K + 1);
  return [...fused.values()]
    .map((e) => ({ id: e.id, score: best ? e.rrf / best : 0, similarity: e.similarity, textRank: e.textRank, wordMatch: e.wordMatch }))
    .sort((a, b) => b.score - a.score || (b.similarity ?? 0) - (a.similarity ?? 0));
}

/**
 * The chunks and FAQs the agent would use to answer `query`, best first. Only enabled FAQs; only
 * this business's rows. Chunks not yet embedded are still found by their words.
 */
export async function retrieveKnowledge(ex: Executor, input: RetrieveInput): Promise<Retrieval> {
  let embeddingTokens = 0;
  let vector = input.embedding;
  const query = input.query.trim().slice(0, 2000);
  if (!vector && query) {
    try {
      const e = await embedOne(query, "query", input.embedder);
      vector = e.vector;
      embeddingTokens = e.tokens;
    } catch (err) {
      // Words alone still find most answers; say what failed, never the query.
      console.warn(`[prismai] knowledge retrieval without vectors: ${err instanceof Error ? err.name : typeof err}`);
    }
  }
  const search = knowledgeSearch({ ...input, embedding: vector });
  const candidates = search.query ? await rows<Record<string, unknown>>(ex, search.query) : [];
  return { ...search.rank(candidates), embeddingTokens };
}

/** A candidate row: which list found it, its scores, and its text (with the chunk's document title). */
type Candidate = {
  list: "chunk_vector" | "faq_vector" | "chunk_text" | "faq_text";
  id: string;
  key: string;
  similarity: number | null;
  rank: number | null;
  document_id: string | null;
  title: string | null;
  heading: string | null;
  content: string | null;
  question: string | null;
  answer: string | null;
};

/**
 * The search in two halves, for a caller that reads the candidates inside a bigger statement (the
 * pipeline reads them beside the customer's memories and the cache's entries): `query`, the four
 * candidate lists in one select (null when there is nothing to search with), and `rank`, which fuses
 * the rows it returned. The embedding is the caller's: without one, words alone.
 */
export function knowledgeSearch(input: RetrieveInput): { query: SQL | null; rank: (candidates: Record<string, unknown>[]) => Omit<Retrieval, "embeddingTokens"> } {
  const limit = Math.max(1, Math.min(input.limit ?? 4, 50));
  const faqLimit = Math.max(0, Math.min(input.faqLimit ?? 3, 50));
  const pool = Math.max(limit * 5, 20);
  const b = input.businessId;
  const query = input.query.trim().slice(0, 2000);
  const terms = queryTerms(query);
  const tq = textQuery(query);
  const minScore = input.minScore ?? MIN_SCORE;
  const v = input.vectorSql ?? (input.embedding ? sql`${toVectorLiteral(input.embedding)}::vector` : null);

  // The four candidate lists (chunks and FAQs, by meaning and by words), each its own parenthesised
  // select with its own order and limit (by meaning: the distance the HNSW index orders by, the
  // vector written once), carrying its text: the winners need no second read. Every
  // list names its columns (any of them may come first); the rows are split by list again in `rank`.
  const chunk = sql`document_id, null::text as title, heading, content, null::text as question, null::text as answer`;
  const faq = sql`null::uuid as document_id, null::text as title, null::text as heading, null::text as content, question, answer`;
  const lists: SQL[] = [];
  if (v) {
    lists.push(
      sql`(select 'chunk_vector' as list, id, md5(content) as key, embedding <=> ${v} as distance, null::real as rank, ${chunk}
           from knowledge_chunks
           where business_id = ${b} and embedding is not null
           order by distance limit ${pool})`,
    );
    if (faqLimit)
      lists.push(
        sql`(select 'faq_vector' as list, id, ${FAQ_KEY} as key, embedding <=> ${v} as distance, null::real as rank, ${faq}
             from faqs
             where business_id = ${b} and enabled and embedding is not null
             order by distance limit ${pool})`,
      );
  }
  if (tq) {
    lists.push(
      sql`(select 'chunk_text' as list, id, md5(content) as key, null::float8 as distance, ts_rank(tsv, q, 1) as rank, ${chunk}
           from knowledge_chunks, to_tsquery('simple', ${tq}) q
           where business_id = ${b} and tsv @@ q order by rank desc, id limit ${pool})`,
    );
    if (faqLimit)
      lists.push(
        sql`(select 'faq_text' as list, id, ${FAQ_KEY} as key, null::float8 as distance, ts_rank(to_tsvector('simple', question || ' ' || answer), q, 1) as rank, ${faq}
             from faqs, to_tsquery('simple', ${tq}) q
             where business_id = ${b} and enabled and to_tsvector('simple', question || ' ' || answer) @@ q
             order by rank desc, id limit ${pool})`,
      );
  }
  // a chunk's document title from its document (of the same business); a chunk without one is left out
  const found = lists.length
    ? sql`select l.list, l.id, l.key, 1 - l.distance as similarity, l.rank, l.document_id, coalesce(d.title, l.title) as title, l.heading, l.content, l.question, l.answer
          from (${sql.join(lists, sql` union all `)}) l
          left join knowledge_documents d on d.id = l.document_id and d.business_id = ${b}`
    : null;

  const rank = (raw: Record<string, unknown>[]): Omit<Retrieval, "embeddingTokens"> => {
    const candidates = raw as Candidate[];
    const textOf = (r: Candidate) => (r.question !== null ? `${r.question} ${r.answer}` : `${r.heading ?? ""} ${r.content}`);
    // each list in its own order: nearest first by meaning, best ranked (then id) first by words
    const listOf = (name: Candidate["list"]) => candidates.filter((r) => r.list === name);
    const byMeaning = (name: Candidate["list"]): Ranked[] =>
      listOf(name)
        .map((r) => ({ id: r.id, key: r.key, similarity: Number(r.similarity), quality: Number(r.similarity) }))
        .sort((a, b) => b.similarity - a.similarity);
    const byWords = (name: Candidate["list"]): Ranked[] =>
      listOf(name)
        .map((r) => ({ id: r.id, key: r.key, rank: Number(r.rank), quality: Math.max(coverage(terms, textOf(r)), topicCoverage(query, textOf(r))) }))
        .sort((a, b) => b.rank - a.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

    const chunkLists: Ranked[][] = [];
    const faqLists: Ranked[][] = [];
    if (v) {
      chunkLists.push(byMeaning("chunk_vector"));
      if (faqLimit) faqLists.push(byMeaning("faq_vector"));
    }
    if (tq) {
      chunkLists.push(byWords("chunk_text"));
      if (faqLimit) faqLists.push(byWords("faq_text"));
    }
    // Both sides count even when one found nothing (a query with no content words, or no vector).
    while (chunkLists.length < 2) chunkLists.push([]);
    while (faqLists.length < 2) faqLists.push([]);
    const byId = new Map(candidates.map((r) => [r.id, r]));
    const topChunks = fuse(chunkLists)
      .filter((c) => c.score >= minScore && byId.get(c.id)?.title != null)
      .slice(0, limit);
    const topFaqs = fuse(faqLists).filter((f) => f.score >= minScore).slice(0, faqLimit);
    return {
      chunks: topChunks.map((t) => {
        const r = byId.get(t.id)!;
        return { id: r.id, documentId: r.document_id!, title: r.title!, heading: r.heading, content: r.content!, score: t.score, similarity: t.similarity, textRank: t.textRank, wordMatch: t.wordMatch };
      }),
      faqs: topFaqs.map((t) => {
        const r = byId.get(t.id)!;
        return { id: r.id, question: r.question!, answer: r.answer!, score: t.score, similarity: t.similarity ?? 0, textRank: t.textRank, wordMatch: t.wordMatch };
      }),
      mode: v ? "hybrid" : "text",
    };
  };
  return { query: found, rank };
}
