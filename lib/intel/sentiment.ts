// Offline sentiment of one customer message, on five levels: -2 very negative, -1 negative, 0 neutral,
// 1 positive, 2 very positive. Keyword rules with negation ("not happy" is negative, "not bad" is
// not), intensity (shouting, "!!!") and a few phrases; deterministic, so a test can name the level.
import { normalizeText } from "@/lib/ai/text";

export type Sentiment = -2 | -1 | 0 | 1 | 2;
export const SENTIMENT_LABELS: Record<Sentiment, string> = { [-2]: "very negative", [-1]: "negative", 0: "neutral", 1: "positive", 2: "very positive" };

/** Weighted words and phrases (normalised text, contractions expanded). */
const LEXICON: [string, number][] = [
  // very negative: anger, contempt, threats
  ...words("unacceptable disgraceful disgusting appalling outrageous furious livid horrible horrendous atrocious worst terrible awful pathetic useless incompetent ridiculous scam rip-off ripoff shocking abysmal", -3),
  ...phrases(["rip off", "never again", "fed up", "sick of", "sick and tired", "waste of time", "waste of money", "report you", "take legal action", "see you in court", "leave a bad review", "one star", "how dare"], -3),
  // negative: unhappy, let down, worried
  ...words("unhappy disappointed disappointing annoyed annoying frustrated frustrating upset angry rude poor bad wrong late problem problems issue complaint complain complaining worried confused unfortunately cancelled overcharged charged twice hurt hurts painful pain mistake broken ignored waiting", -1),
  ...phrases(["not happy", "not good", "not working", "does not work", "did not work", "no one", "nobody", "still waiting", "still not", "no reply", "no response", "let down", "not impressed", "not acceptable"], -2),
  // positive
  ...words("thanks thank good great helpful nice pleased happy glad fine perfect lovely kind appreciate appreciated easy quick sorted", 1),
  // very positive
  ...words("excellent amazing fantastic wonderful brilliant outstanding superb delighted thrilled love loved awesome", 2),
  ...phrases(["thank you so much", "thanks so much", "really appreciate", "highly recommend", "best service", "so helpful"], 2),
];

function words(list: string, weight: number): [string, number][] {
  return list.split(" ").map((w) => [w, weight]);
}
function phrases(list: string[], weight: number): [string, number][] {
  return list.map((p) => [normalizeText(p), weight]);
}

const SINGLE = new Map(LEXICON.filter(([w]) => !w.includes(" ")));
const MULTI = LEXICON.filter(([w]) => w.includes(" ")).sort((a, b) => b[0].split(" ").length - a[0].split(" ").length);
const NEGATORS = new Set(["not", "no", "never", "hardly", "nothing", "without"]);
const INTENSIFIERS = new Set(["very", "really", "so", "extremely", "absolutely", "totally", "completely", "incredibly"]);

/** The raw score: negative words and phrases pull down, positive ones up. */
export function sentimentScore(text: string): number {
  const n = normalizeText(text);
  if (!n) return 0;
  let tokens = n.split(" ");
  let score = 0;
  // phrases first, then their words are consumed
  let joined = ` ${tokens.join(" ")} `;
  for (const [p, w] of MULTI) {
    const needle = ` ${p} `;
    while (joined.includes(needle)) {
      score += w;
      joined = joined.replace(needle, " _ ");
    }
  }
  tokens = joined.trim().split(" ");
  tokens.forEach((t, i) => {
    const w = SINGLE.get(t);
    if (w === undefined) return;
    const before = tokens.slice(Math.max(0, i - 3), i);
    const negated = before.some((b) => NEGATORS.has(b));
    const boosted = before.some((b) => INTENSIFIERS.has(b));
    let v = boosted ? w * 1.5 : w;
    // "not bad" is mildly fine, "not great" mildly bad: a negation flips and weakens
    if (negated) v = -v / 2;
    score += v;
  });
  // Shouting and "!!!" make whatever is said stronger.
  const shouted = (text.match(/\b[A-Z]{3,}\b/g) ?? []).length >= 2;
  const bangs = /!{2,}/.test(text);
  if ((shouted || bangs) && score !== 0) score *= 1.5;
  return score;
}

export function sentimentOf(text: string): Sentiment {
  const s = sentimentScore(text);
  if (s <= -3) return -2;
  if (s <= -1) return -1;
  if (s >= 3) return 2;
  if (s >= 1) return 1;
  return 0;
}
