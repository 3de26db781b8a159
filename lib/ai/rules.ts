// The owner's hand-off rules as deterministic checks, the same for every answer path: a person asked
// for (or accepted), emergencies (the owner's advice at once, then a person), complaints, legal and
// medical risk, the escalation rules and prohibited topics written in Settings → AI, and the
// languages the business serves. lib/pipeline/rules.ts runs them before any FAQ, cache or model;
// the Gemini prompt carries the same list (lib/ai/prompts.ts).
import "server-only";
import { asksForHuman, isAffirmative, offersPerson } from "./intents";
import { phrasesFor, servedLanguagesNote } from "./language";
import type { AiSettings } from "./prompts";
import { normalizeText, stem, STOP_WORDS } from "./text";

/** low_confidence: the customer said yes to a person after the AI said it could not answer. */
export type HandoffCategory = "person" | "offer_accepted" | "low_confidence" | "emergency" | "complaint" | "legal" | "medical" | "owner_rule";

export type RuleDecision =
  | { kind: "handoff"; category: HandoffCategory; reason: string }
  | { kind: "prohibited"; topic: string }
  | { kind: "language"; language: string };

// ---------------------------------------------------------------- built-in rules

/** "What should I do if…" asks about a situation; it does not report one. */
const HYPOTHETICAL = /\b(what (should|do|would|can) (i|we|you|one) do if|if (i|you|we|someone|somebody|a|an|my|your|the|they|he|she)|in case|what happens if|how do you (treat|deal with)|what to do if)\b/;

const EMERGENCY: RegExp[] = [
  /\b(this is|it is|i have|we have|i have got|having|need|needs) (an? )?(emergency|urgent (help|appointment|care))\b/,
  /^(emergency|urgent|help)( please| help| now| asap)*$/,
  /\b(really|very|so|extremely|terribly|incredibly|awful|bad|severe|unbearable|excruciating|horrible|terrible|agonising|agonizing|throbbing|intense|worst|killing)\b.{0,20}\b(pain|toothache|tooth ache|ache|hurts|hurting)\b/,
  /\b(pain|toothache|ache)\b.{0,20}\b(unbearable|excruciating|killing me|getting worse|is terrible|is awful|so bad|really bad|severe|agony)\b/,
  /\bin (so much|a lot of|severe|terrible|real|unbearable) pain\b|\bin agony\b/,
  /\b(face|jaw|cheek|gum|gums|mouth|eye|lip|neck|tongue)\b.{0,20}\b(swollen|swelling|swelled up|puffed up)\b/,
  /\b(swollen|swelling)\b.{0,20}\b(face|jaw|cheek|gum|gums|mouth|eye|lip|neck|tongue)\b/,
  /\b(will not|wont|can not|cannot|does not|doesnt|not) stop(ped)? bleeding\b|\bbleeding\b.{0,20}\b(will not|wont|does not|doesnt|has not|not) stop|\bbleeding (heavily|a lot|badly|everywhere)\b|\b(lots of|so much) blood\b/,
  /\b(can not|cannot|struggling to|trouble|difficulty|hard to|hurts to|painful to) (breathe|breathing|swallow|swallowing|open my mouth)\b/,
  /\b(tooth|teeth)\b.{0,25}\b(knocked out|fell out|came out|come out|snapped|broke|broken|smashed)\b/,
  /\b(knocked out|broke|broken|snapped|smashed)\b.{0,15}\b(tooth|teeth)\b/,
  /\b(have|got|has|had) (an? )?abscess\b|\babscess (is|has)\b/,
  /\b(smell|smells|smelling|smelt) (of )?gas\b|\b(there is|there s|we have|i have|got) (a )?gas leak\b|\bgas (is )?leaking\b|\bleaking gas\b|\b(carbon monoxide|co) alarm (is )?(going off|beeping|sounding)\b/,
  /\b(there is a fire|on fire|caught fire|flames)\b/,
  /\b(is|are|has|have|got|getting|keeps) (been )?(flooded|flooding)\b|\bflooding (in|into|through|from)\b|\bthere (is|s) (a )?flood\b|\bwater\b.{0,25}\b(pouring|gushing|leaking|coming through|coming in|dripping through|everywhere)\b|\bburst (pipe|water)\b|\bpipe (has )?burst\b/,
  /\b(been|was|were|got) (burgled|broken into)\b|\bsomeone (broke|has broken|is breaking) in\b/,
  /\b(electric shock|sparking|exposed wires)\b/,
  /\b(chest pain|heart attack|stroke|unconscious|passed out|fainted|seizure|anaphyla\w*|allergic reaction|overdose|suicid\w*|kill myself|self harm|want to die)\b/,
];

const COMPLAINT: RegExp[] = [
  /\b(complain|complaint|complaints|complaining|complained)\b/,
  /\b(rude|unprofessional|disrespectful|patronising|patronizing)\b/,
  /\b(not|never) (happy|satisfied|pleased)\b|\b(unhappy|dissatisfied|disappointed|disgusted|appalled|furious|angry|upset|livid|fuming)\b/,
  /\b(unacceptable|ridiculous|disgraceful|appalling|shocking|outrageous|pathetic)\b/,
  /\b(terrible|awful|horrible|worst|poor|bad) (service|experience|customer service|care|job|treatment)\b/,
  /\b(overcharged|ripped off|rip off|scam|waste of (time|money))\b/,
  /\bnever (again|coming back|using you)\b/,
];

const LEGAL: RegExp[] = [
  /\b(lawyer|lawyers|solicitor|solicitors|attorney|barrister|legal action|take (you|them|this|it) to court|tribunal|sue|suing|sued|lawsuit|ombudsman|trading standards|small claims|negligence|negligent|compensation|gdpr|data protection|subject access)\b/,
  /\b(is (that|this|it) (even )?(legal|lawful)|illegal|illegally|unlawful|against the law|my legal rights|evict|evicted|eviction)\b/,
];

const MEDICATION = /\b(antibiotic|antibiotics|painkiller|painkillers|medication|medications|medicine|medicines|tablets|pills|ibuprofen|paracetamol|codeine|aspirin|amoxicillin|penicillin|prescription|prescribe|dose|dosage|blood thinners?|warfarin|apixaban)\b/;
const ASKS = /\b(should|can|could|may|shall|which|what|how (much|many|often)|is it|is that|safe|ok|okay)\b/;
const MEDICAL: RegExp[] = [
  /\b(diagnose|diagnosis|is (it|this|that) (infected|an infection|cancer|serious)|do i (need|have) (an? )?(antibiotics|infection|abscess|cancer))\b/,
];
const PREGNANCY = /\b(pregnant|pregnancy|breastfeeding|breast feeding)\b/;

function builtIn(n: string): { category: HandoffCategory; reason: string } | null {
  const hypothetical = HYPOTHETICAL.test(n);
  if (!hypothetical && EMERGENCY.some((re) => re.test(n))) return { category: "emergency", reason: "an emergency: the customer was given the emergency advice" };
  if (COMPLAINT.some((re) => re.test(n))) return { category: "complaint", reason: "a complaint or an upset customer" };
  if (LEGAL.some((re) => re.test(n))) return { category: "legal", reason: "a legal matter" };
  const question = ASKS.test(n) || n.includes("?");
  if ((MEDICATION.test(n) && question) || MEDICAL.some((re) => re.test(n)) || (PREGNANCY.test(n) && question)) {
    return { category: "medical", reason: "medical advice only a professional can give" };
  }
  return null;
}

/** An owner's rule the built-in ones already apply ("The customer wants to make a complaint or is upset."). */
export function coveredByBuiltIn(rule: string): boolean {
  return builtIn(normalizeText(rule)) !== null;
}

// ---------------------------------------------------------------- the owner's own words

/** Words a rule uses to describe who and how, not what: "The customer wants to…", "asks about…". */
const RULE_WORDS = new Set(
  "customer customers client clients caller callers patient patients guest guests buyer buyers seller sellers user users visitor visitors tenant tenants they their them he she his her person someone somebody wants want wanted wishes wish would like asks ask asking mentions mention mentioned says say said reports report reported tells tell needs need requests request tries try seems is are was be been has have had to of on in at for with about that which who any an a the".split(
    " ",
  ),
);
const VAGUE = /\b(something|anything|things|whatever|only (a |the )?(person|staff|human|team|someone))\b/;
/** A few words whose everyday forms a rule's one word must also catch. */
const RULE_SYNONYMS: Record<string, string[]> = {
  complaint: ["complain", "complaint", "complaining"],
  upset: ["upset", "angry", "annoyed", "furious", "unhappy"],
  refund: ["refund", "money back", "reimburse", "chargeback"],
  property: ["property", "flat", "house", "home", "apartment", "maisonette"],
  exception: ["exception", "make an exception"],
};
const SYNONYM_STEMS = new Map(Object.entries(RULE_SYNONYMS).map(([k, v]) => [stem(k), v.map((w) => normalizeText(w).split(" ").map(stem))]));

/** every term must appear; a term is alternatives, each one or more stems */
type Clause = string[][][];

/** A rule as clauses of terms: "a gas leak, flooding or no heating" → [gas, leak] | [flood] | [no, heat]. */
export function ruleClauses(rule: string): Clause[] {
  return rule
    .replace(/\b(e\.g\.|for example|such as|including|like)\b/gi, ",")
    .split(/[,;:]|\bor\b/i)
    .map((c) => normalizeText(c))
    .filter((c) => c && !VAGUE.test(c))
    .map((c) =>
      c
        .split(" ")
        .filter((w) => w && (!STOP_WORDS.has(w) || w === "no" || w === "not") && !RULE_WORDS.has(w))
        .map((w) => SYNONYM_STEMS.get(stem(w)) ?? [[stem(w)]]),
    )
    .filter((terms) => terms.length > 0);
}

function hasTerm(tokens: string[], alternatives: string[][]): boolean {
  return alternatives.some((alt) => {
    if (alt.length > 1) return tokens.some((_, i) => alt.every((p, j) => tokens[i + j] === p));
    const w = alt[0]!;
    // the rule's word, a longer form ("complain" → "complaining") or a slightly shorter one ("diagnosis" → "diagnose"),
    // never a short word it merely starts with ("charge" is not "chargeback")
    return tokens.some((t) => t === w || (w.length >= 5 && (t.startsWith(w) || (t.length >= 5 && w.startsWith(t) && w.length - t.length <= 3))));
  });
}

/** The owner's escalation rule the message meets, if any. */
export function matchOwnerRule(text: string, rules: string[]): string | undefined {
  const tokens = normalizeText(text).split(" ").map(stem);
  return rules.find((rule) => ruleClauses(rule).some((clause) => clause.every((term) => hasTerm(tokens, term))));
}

const TOPIC_WORDS = new Set("advice information info questions question topics topic discussion discussions about any other general specific personal related issues matters medical legal financial".split(" "));

/** The prohibited topic the message is about, if any: every distinctive word of the topic present. */
export function matchProhibitedTopic(text: string, topics: string[]): string | undefined {
  const tokens = normalizeText(text).split(" ").map(stem);
  return topics.find((topic) => {
    const words = normalizeText(topic)
      .split(" ")
      .filter((w) => w && !STOP_WORDS.has(w) && !TOPIC_WORDS.has(w));
    return words.length > 0 && words.every((w) => hasTerm(tokens, [[stem(w)]]));
  });
}

// ---------------------------------------------------------------- the check

export type RuleInput = {
  text: string;
  settings: AiSettings;
  /** the last thing the assistant or staff said in this customer's history */
  lastReply?: string;
  /** the conversation's language, when it can be told */
  language?: string;
};

/** The first rule the message meets, in order of what matters most; null when none does. */
export function checkRules({ text, settings, lastReply, language }: RuleInput): RuleDecision | null {
  const n = normalizeText(text);
  if (asksForHuman(text)) return { kind: "handoff", category: "person", reason: "the customer asked for a person" };
  if (isAffirmative(text) && offersPerson(lastReply)) return { kind: "handoff", category: "offer_accepted", reason: "the customer accepted the offer of a person" };
  const fixed = builtIn(n);
  if (fixed) return { kind: "handoff", ...fixed };
  const rule = matchOwnerRule(text, settings.escalationRules);
  if (rule) return { kind: "handoff", category: "owner_rule", reason: rule };
  const topic = matchProhibitedTopic(text, settings.prohibitedTopics);
  if (topic) return { kind: "prohibited", topic };
  if (language && settings.languages.length && !settings.languages.includes(language)) return { kind: "language", language };
  return null;
}

/** What the customer reads, in their language; an emergency gets the owner's advice first. */
export function ruleReply(decision: RuleDecision, settings: AiSettings, language: string | undefined): string {
  const { phrases } = phrasesFor(language);
  switch (decision.kind) {
    case "language":
      return servedLanguagesNote(decision.language, settings.languages);
    case "prohibited":
      return phrases.prohibited(decision.topic);
    case "handoff":
      if (decision.category === "emergency") return `${settings.emergencyAdvice}\n\n${phrases.emergency}`;
      if (decision.category === "complaint") return phrases.complaint;
      return phrases.handoff;
  }
}
