// Topics: the business's customer questions grouped by meaning (their stored embeddings), each named
// by the words its questions share, with its volume, how often the AI resolved it and what the AI's
// answers cost — "what costs me money and still fails". Greedy single pass: a question joins the
// closest topic when it is close enough, or starts a new one; deterministic for a given order.
import { cosine, l2normalize } from "@/lib/ai/embeddings";
import { normalizeText, STOP_WORDS } from "@/lib/ai/text";

export type TopicQuestion = { id: string; text: string; vector: number[]; resolved: boolean; costMicros: number };
export type Topic = {
  name: string;
  /** the question closest to the topic's centre, as the customer wrote it */
  example: string;
  questions: number;
  resolved: number;
  resolutionRate: number;
  costMicros: number;
  messageIds: string[];
};

/**
 * Chosen on the demo clinic's 65 labelled questions (bench/data/clinic-intents.csv) with the local
 * embedder and average similarity to a topic's questions: at 0.2, 19 topics of two or more questions
 * hold 47 of them, 83 % under their topic's majority intent (0.3: 29 questions, 91 %; 0.15: one blob).
 */
export const TOPIC_JOIN_AT = 0.2;

const WORD_NOISE = new Set(
  "customer please hi hello thanks thank would could like want know can get need just not how what when where why which who does did any there your you are much".split(" "),
);

/** The two or three words most questions of the topic use, most used first. */
export function topicName(texts: string[]): string {
  const docs = new Map<string, number>();
  for (const t of texts) {
    for (const w of new Set(normalizeText(t).split(" "))) {
      if (w.length < 3 || STOP_WORDS.has(w) || WORD_NOISE.has(w) || /^\d+$/.test(w)) continue;
      docs.set(w, (docs.get(w) ?? 0) + 1);
    }
  }
  const ranked = [...docs.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const top = ranked.filter(([, n]) => n >= Math.min(2, texts.length)).slice(0, 3);
  return (top.length ? top : ranked.slice(0, 2)).map(([w]) => w).join(" · ") || "(no words)";
}

export function clusterTopics(questions: TopicQuestion[], opts: { joinAt?: number; minQuestions?: number; max?: number } = {}): Topic[] {
  const joinAt = opts.joinAt ?? TOPIC_JOIN_AT;
  const groups: { sum: number[]; centre: number[]; members: TopicQuestion[] }[] = [];
  for (const q of questions) {
    let best = -1;
    let bestSim = joinAt;
    groups.forEach((g, i) => {
      // average similarity to the topic's questions: a centre that drifts would swallow everything
      const s = g.members.reduce((n, m) => n + cosine(q.vector, m.vector), 0) / g.members.length;
      if (s >= bestSim) {
        bestSim = s;
        best = i;
      }
    });
    if (best < 0) {
      groups.push({ sum: q.vector.slice(), centre: q.vector.slice(), members: [q] });
      continue;
    }
    const g = groups[best]!;
    for (let d = 0; d < g.sum.length; d++) g.sum[d]! += q.vector[d]!;
    g.centre = l2normalize(g.sum);
    g.members.push(q);
  }
  return groups
    .filter((g) => g.members.length >= (opts.minQuestions ?? 2))
    .map((g) => {
      const example = g.members.reduce((a, b) => (cosine(b.vector, g.centre) > cosine(a.vector, g.centre) ? b : a));
      const resolved = g.members.filter((m) => m.resolved).length;
      return {
        name: topicName(g.members.map((m) => m.text)),
        example: example.text,
        questions: g.members.length,
        resolved,
        resolutionRate: resolved / g.members.length,
        costMicros: g.members.reduce((n, m) => n + m.costMicros, 0),
        messageIds: g.members.map((m) => m.id),
      };
    })
    .sort((a, b) => b.questions - a.questions || b.costMicros - a.costMicros || a.name.localeCompare(b.name))
    .slice(0, opts.max ?? 12);
}
