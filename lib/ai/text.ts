// Text normalisation shared by the local embedder, the offline responder and the semantic cache,
// so a question is cleaned the same way wherever it is compared.
import "server-only";

const CONTRACTIONS: [RegExp, string][] = [
  [/\bcan['’]t\b/g, "can not"],
  [/\bwon['’]t\b/g, "will not"],
  [/n['’]t\b/g, " not"],
  [/['’]m\b/g, " am"],
  [/['’]re\b/g, " are"],
  [/['’]ve\b/g, " have"],
  [/['’]ll\b/g, " will"],
  [/['’]d\b/g, " would"],
  [/['’]s\b/g, ""],
];

/**
 * The canonical form of a customer question: Unicode-compatible, lower-case, contractions
 * expanded, punctuation dropped, whitespace collapsed. Two questions that differ only in case,
 * punctuation or spacing normalise to the same string (the exact-match cache key relies on it).
 */
export function normalizeText(text: string): string {
  let s = text.normalize("NFKC").toLowerCase();
  for (const [re, to] of CONTRACTIONS) s = s.replace(re, to);
  return s
    .replace(/[^\p{L}\p{N}\s]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** Words of the normalised text. */
export function words(text: string): string[] {
  const n = normalizeText(text);
  return n ? n.split(" ") : [];
}

/**
 * Function words carry little of what a customer asks, so the local embedder weights them down
 * rather than dropping them. Negations and "why/how/when/where" are deliberately absent: they
 * separate intents ("why was I charged" vs "how do I pay").
 */
export const STOP_WORDS = new Set(
  (
    "a an the and or but if of to in on at by for with from as is are was were be been being am " +
    "i me my mine we us our you your it its this that these those there here he she they them their " +
    "do does did doing have has had having can could would should will shall may might must " +
    "please hi hello hey thanks thank so just also too very really about into than then some any " +
    "what which who whom whose"
  ).split(" "),
);

const STEM_EXCEPTIONS = new Map<string, string>([
  ["is", "is"],
  ["was", "was"],
  ["has", "has"],
  ["does", "do"],
  ["this", "this"],
  ["yes", "yes"],
  ["news", "news"],
  ["bus", "bus"],
  ["atm", "atm"],
  ["atms", "atm"],
  ["paid", "pay"],
  ["sent", "send"],
  ["got", "get"],
  ["gotten", "get"],
  ["made", "make"],
  ["lost", "lose"],
  ["stolen", "steal"],
  ["stole", "steal"],
  ["bought", "buy"],
  ["received", "receiv"],
  ["children", "child"],
]);

/**
 * A light English suffix stripper (a subset of Porter's steps): enough that "charged", "charges"
 * and "charging" meet, cheap, and harmless on other languages' words, which rarely end this way.
 */
export function stem(word: string): string {
  const exception = STEM_EXCEPTIONS.get(word);
  if (exception) return exception;
  if (word.length <= 3 || /\d/.test(word)) return word;
  let w = word;
  if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("ies") && w.length > 4) w = w.slice(0, -3) + "y";
  else if (w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us") && !w.endsWith("is")) w = w.slice(0, -1);

  for (const suffix of ["ingly", "edly", "ing", "ed"]) {
    if (w.endsWith(suffix) && /[aeiouy]/.test(w.slice(0, -suffix.length)) && w.length - suffix.length >= 3) {
      w = w.slice(0, -suffix.length);
      // hopp(ed) → hop, charg(ed) → charge-ish: undouble a final double consonant
      if (/([^aeiouylsz])\1$/.test(w)) w = w.slice(0, -1);
      break;
    }
  }
  for (const [suffix, to] of [
    ["ational", "ate"],
    ["ization", "ize"],
    ["fulness", "ful"],
    ["ousness", "ous"],
    ["iveness", "ive"],
    ["ation", "ate"],
    ["ment", ""],
    ["ness", ""],
    ["ly", ""],
  ] as const) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 4) {
      w = w.slice(0, -suffix.length) + to;
      break;
    }
  }
  // a final silent e makes "charge" and "charg(ed)" differ
  if (w.endsWith("e") && w.length > 4) w = w.slice(0, -1);
  return w;
}

/** Approximate tokens for text the provider did not count (≈ 4 characters a token in English). */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.max(1, Math.ceil(text.length / 4));
}
