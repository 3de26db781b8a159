import "server-only";
// Retrieval of the business's own knowledge: vector (pgvector cosine) and full-text (tsvector)
// together, merged by reciprocal-rank fusion. The pipeline and the dashboard's "what would the
// agent find?" box both call retrieveKnowledge, so what the owner sees is what the agent gets.
import { sql } from "drizzle-orm";
import { embedOne, toVectorLiteral, type Embedder } from "@/lib/ai/embeddings";
import { normalizeText, stem, STOP_WORDS } from "@/lib/ai/text";
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
  embedder?: Embedder;
};

/** The usual reciprocal-rank-fusion constant: ranks matter, raw scores of the two lists never meet. */
export const RRF_K = 60;
const MAX_TERMS = 32;

/**
 * The full-text side as an OR of the query's content words (stemmed, as prefixes), so a paraphrase
 * sharing only some words still matches; ts_rank puts chunks sharing more of them first.
 */
export function textQuery(query: string): string | null {
  const terms = new Set<string>();
  for (const word of normalizeText(query).split(" ")) {
    if (!word || STOP_WORDS.has(word)) continue;
    if (word.length < 3 && !/\d/.test(word)) continue;
    const s = stem(word);
    terms.add(s.length >= 3 ? `${s}:*` : s);
    if (terms.size >= MAX_TERMS) break;
  }
  return terms.size ? [...terms].join(" | ") : null;
}

/** A uuid[] parameter that both drivers bind the same way. */
const idArray = (list: { id: string }[]) => sql`string_to_array(${list.map((x) => x.id).join(",")}, ',')::uuid[]`;

type Ranked = { id: string; similarity?: number; rank?: number };

function fuse(lists: Ranked[][]): { id: string; score: number; similarity: number | null; textRank: number | null }[] {
  const fused = new Map<string, { id: string; rrf: number; similarity: number | null; textRank: number | null }>();
  for (const list of lists) {
    list.forEach((r, i) => {
      const e = fused.get(r.id) ?? { id: r.id, rrf: 0, similarity: null, textRank: null };
      e.rrf += 1 / (RRF_K + i + 1);
      if (r.similarity !== undefined) e.similarity = Number(r.similarity);
      if (r.rank !== undefined) e.textRank = Number(r.rank);
      fused.set(r.id, e);
    });
  }
  const best = lists.length / (RRF_K + 1);
  return [...fused.values()]
    .map((e) => ({ id: e.id, score: e.rrf / best, similarity: e.similarity, textRank: e.textRank }))
    .sort((a, b) => b.score - a.score || (b.similarity ?? 0) - (a.similarity ?? 0));
}

/**
 * The chunks and FAQs the agent would use to answer `query`, best first. Only enabled FAQs; only
 * this business's rows. Chunks not yet embedded are still found by their words.
 */
export async function retrieveKnowledge(ex: Executor, input: RetrieveInput): Promise<Retrieval> {
  const limit = Math.max(1, Math.min(input.limit ?? 4, 50));
  const faqLimit = Math.max(0, Math.min(input.faqLimit ?? 3, 50));
  const pool = Math.max(limit * 5, 20);
  const b = input.businessId;
  const query = input.query.trim().slice(0, 2000);
  const tq = textQuery(query);

  let embeddingTokens = 0;
  let vector = input.embedding;
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
  const v = vector ? toVectorLiteral(vector) : null;

  const chunkLists: Ranked[][] = [];
  const faqLists: Ranked[][] = [];
  if (v) {
    chunkLists.push(
      await rows<{ id: string; similarity: number }>(
        ex,
        sql`select id, 1 - (embedding <=> ${v}::vector) as similarity from knowledge_chunks
            where business_id = ${b} and embedding is not null
            order by embedding <=> ${v}::vector limit ${pool}`,
      ),
    );
    if (faqLimit)
      faqLists.push(
        await rows<{ id: string; similarity: number }>(
          ex,
          sql`select id, 1 - (embedding <=> ${v}::vector) as similarity from faqs
              where business_id = ${b} and enabled and embedding is not null
              order by embedding <=> ${v}::vector limit ${pool}`,
        ),
      );
  }
  if (tq) {
    chunkLists.push(
      await rows<{ id: string; rank: number }>(
        ex,
        sql`select id, ts_rank(tsv, q, 1) as rank from knowledge_chunks, to_tsquery('simple', ${tq}) q
            where business_id = ${b} and tsv @@ q order by rank desc, id limit ${pool}`,
      ),
    );
    if (faqLimit)
      faqLists.push(
        await rows<{ id: string; rank: number }>(
          ex,
          sql`select id, ts_rank(to_tsvector('simple', question || ' ' || answer), q, 1) as rank
              from faqs, to_tsquery('simple', ${tq}) q
              where business_id = ${b} and enabled and to_tsvector('simple', question || ' ' || answer) @@ q
              order by rank desc, id limit ${pool}`,
        ),
      );
  }

  const topChunks = fuse(chunkLists).slice(0, limit);
  const topFaqs = fuse(faqLists).slice(0, faqLimit);

  const chunkRows = topChunks.length
    ? await rows<{ id: string; document_id: string; title: string; heading: string | null; content: string }>(
        ex,
        sql`select c.id, c.document_id, d.title, c.heading, c.content from knowledge_chunks c
            join knowledge_documents d on d.id = c.document_id and d.business_id = c.business_id
            where c.business_id = ${b} and c.id = any(${idArray(topChunks)})`,
      )
    : [];
  const faqRows = topFaqs.length
    ? await rows<{ id: string; question: string; answer: string }>(
        ex,
        sql`select id, question, answer from faqs
            where business_id = ${b} and id = any(${idArray(topFaqs)})`,
      )
    : [];

  const chunkById = new Map(chunkRows.map((r) => [r.id, r]));
  const faqById = new Map(faqRows.map((r) => [r.id, r]));
  return {
    chunks: topChunks.flatMap((t) => {
      const r = chunkById.get(t.id);
      return r ? [{ id: r.id, documentId: r.document_id, title: r.title, heading: r.heading, content: r.content, score: t.score, similarity: t.similarity, textRank: t.textRank }] : [];
    }),
    faqs: topFaqs.flatMap((t) => {
      const r = faqById.get(t.id);
      return r ? [{ id: r.id, question: r.question, answer: r.answer, score: t.score, similarity: t.similarity ?? 0, textRank: t.textRank }] : [];
    }),
    embeddingTokens,
    mode: v ? "hybrid" : "text",
  };
}
