// When the semantic cache may answer: not "the nearest cached question is close enough" but "the
// nearest cached questions agree on one answer, nothing else is about as close, and the question
// asks nothing those paraphrases do not". Entries are grouped by answer (answer_key): a group with
// many paraphrases near the question is strong evidence; a lone entry must be very close. When in
// doubt, miss. The parameters are chosen on a validation split of Banking77 by `npm run bench:cache`.
import "server-only";
import { normalizeText, stem, STOP_WORDS } from "@/lib/ai/text";

export type DecisionParams = {
  /** nearest cached questions looked at */
  neighbours: number;
  /** a cached question less similar than this is no evidence for or against anything */
  floor: number;
  /** what each further paraphrase of the same answer adds to the nearest one's similarity */
  agreementBonus: number;
  /** the answer's share of the similarity-weighted votes of the evidence */
  minShare: number;
  /** how much closer the answer's nearest paraphrase must be than the nearest question with another answer */
  minMargin: number;
  /** the most of the question's word weight (IDF) that none of the agreeing paraphrases contains */
  maxNovelty: number;
  /** one cached question at least this similar serves on its own (never below the business's threshold) */
  alone: number;
};

/**
 * Chosen by `npm run bench:cache` on a validation split of Banking77's training set (the test set
 * and half of bench/data/out-of-scope.csv held out), with the local embedder and the default
 * threshold 0.88, the same on PGlite and PostgreSQL: on the test set 46.4 % of questions are
 * answered and 0.62 % get another intent's answer (the nearest-entry rule: 24.2 % and 0.81 %), and
 * none of the 270 out-of-scope questions is. bench/results/cache.json has the run. Gemini's vectors
 * sit on another similarity scale: re-run the bench with them before trusting these in production.
 */
export const CACHE_DECISION: DecisionParams = {
  neighbours: 10,
  floor: 0.5,
  agreementBonus: 0.2,
  minShare: 0.7,
  minMargin: 0.06,
  maxNovelty: 0.15,
  alone: 0.93,
};

/** One cached question near the asked one. */
export type Neighbour = {
  id: string;
  answerKey: string;
  similarity: number;
  /** the cached question's terms (questionTerms) */
  terms: readonly string[];
};

/** Document frequencies of terms over a business's cached questions (IDF weights). */
export type TermStats = { entries: number; df: ReadonlyMap<string, number> };

export type MissReason = "no_neighbours" | "below_threshold" | "split" | "contested" | "novel";

export type Decision = {
  serve: boolean;
  /** why it serves (agreement: several paraphrases; nearest: one, unchallenged; alone: one, very close) or misses */
  reason: "agreement" | "nearest" | "alone" | MissReason;
  /** the nearest paraphrase of the answer the evidence points to (also on a miss: the near miss) */
  entryId?: string;
  answerKey?: string;
  /** of that paraphrase to the question */
  similarity: number;
  /** paraphrases of that answer among the evidence */
  agreeing: number;
  share: number;
  margin: number;
  /** share of the question's word weight the paraphrases lack (1 when a gate before it already failed) */
  novelty: number;
  /** similarity plus the agreement bonus: what the business's threshold is compared with */
  score: number;
};

/** The words of a question that say what it is about: content words, stemmed, once each. */
export function questionTerms(text: string): string[] {
  const out = new Set<string>();
  for (const w of normalizeText(text).split(" ")) if (w && !STOP_WORDS.has(w)) out.add(stem(w));
  return [...out];
}

/** Rarer words weigh more; always positive, so a word every entry has still counts a little. */
export function idf(stats: TermStats, term: string): number {
  let known = weights.get(stats);
  if (!known) weights.set(stats, (known = new Map()));
  let w = known.get(term);
  if (w === undefined) known.set(term, (w = Math.log((stats.entries + 1) / ((stats.df.get(term) ?? 0) + 0.5))));
  return w;
}
const weights = new WeakMap<TermStats, Map<string, number>>();

/** The share of the question's word weight that the covering paraphrases never use. */
export function novelty(queryTerms: readonly string[], covered: ReadonlySet<string>, stats: TermStats): number {
  let total = 0;
  let missing = 0;
  for (const t of new Set(queryTerms)) {
    const w = idf(stats, t);
    total += w;
    if (!covered.has(t)) missing += w;
  }
  return total > 0 ? missing / total : 0;
}

type Group = { key: string; votes: number; members: Neighbour[] };

/**
 * The decision for one question. `neighbours` are the nearest cached questions of this business,
 * knowledge version and channel style, most similar first; `threshold` is the business's own
 * (AiSettings.cacheThreshold): raising it makes every path stricter.
 */
export function decide(input: {
  neighbours: readonly Neighbour[];
  queryTerms: readonly string[];
  stats: TermStats;
  threshold: number;
  params?: DecisionParams;
}): Decision {
  const p = input.params ?? CACHE_DECISION;
  const near = input.neighbours.slice(0, p.neighbours);
  const none: Decision = { serve: false, reason: "no_neighbours", similarity: 0, agreeing: 0, share: 0, margin: 0, novelty: 1, score: 0 };
  if (!near.length) return none;

  const evidence = near.filter((n) => n.similarity >= p.floor);
  const groups = new Map<string, Group>();
  for (const n of evidence) {
    const g = groups.get(n.answerKey) ?? { key: n.answerKey, votes: 0, members: [] };
    g.votes += n.similarity;
    g.members.push(n);
    groups.set(n.answerKey, g);
  }
  const coveredBy = (g: Group | undefined, first: Neighbour) => new Set((g?.members ?? [first]).flatMap((m) => m.terms));
  const marginOf = (key: string, similarity: number) => similarity - Math.max(0, ...near.filter((n) => n.answerKey !== key).map((n) => n.similarity));

  // one cached question so close that it needs no company (still: nothing new may be asked)
  const first = near[0]!;
  const closeEnough = first.similarity >= Math.max(input.threshold, p.alone);
  const aloneNovelty = closeEnough ? novelty(input.queryTerms, coveredBy(groups.get(first.answerKey), first), input.stats) : 1;
  if (closeEnough && aloneNovelty <= p.maxNovelty) {
    return {
      serve: true,
      reason: "alone",
      entryId: first.id,
      answerKey: first.answerKey,
      similarity: first.similarity,
      agreeing: groups.get(first.answerKey)?.members.length ?? 1,
      share: groups.size ? (groups.get(first.answerKey)?.votes ?? 0) / [...groups.values()].reduce((s, g) => s + g.votes, 0) : 1,
      margin: marginOf(first.answerKey, first.similarity),
      novelty: aloneNovelty,
      score: first.similarity,
    };
  }
  if (!groups.size) return { ...none, entryId: first.id, answerKey: first.answerKey, similarity: first.similarity, score: first.similarity };

  let best: Group | undefined;
  let total = 0;
  for (const g of groups.values()) {
    total += g.votes;
    if (!best || g.votes > best.votes || (g.votes === best.votes && g.members[0]!.similarity > best.members[0]!.similarity)) best = g;
  }
  const lead = best!.members[0]!;
  const agreeing = best!.members.length;
  const d: Decision = {
    serve: false,
    reason: "below_threshold",
    entryId: lead.id,
    answerKey: best!.key,
    similarity: lead.similarity,
    agreeing,
    share: best!.votes / total,
    margin: marginOf(best!.key, lead.similarity),
    novelty: 1,
    score: lead.similarity + p.agreementBonus * (agreeing - 1),
  };
  if (d.score < input.threshold) return d;
  if (d.share < p.minShare) return { ...d, reason: "split" };
  if (d.margin < p.minMargin) return { ...d, reason: "contested" };
  // the costliest check last (on a miss before it, novelty reads 1: not looked at)
  d.novelty = novelty(input.queryTerms, coveredBy(best, lead), input.stats);
  if (d.novelty > p.maxNovelty) return { ...d, reason: "novel" };
  return { ...d, serve: true, reason: agreeing > 1 ? "agreement" : "nearest" };
}
