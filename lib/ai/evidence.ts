// Whether a passage answers a question, by evidence rather than similarity: every topic the question
// names (with the synonyms customers use — a cleaning is a scale and polish), every number it gives,
// and what kind of answer it wants (a price, a time, a place, a duration) must be in one sentence of
// the passage with its heading. Used by the offline responder, the FAQ shortcut and the prompt's
// choice of context, so a question about insurance never gets the walk-ins policy.
import "server-only";
import { normalizeText, stem, STOP_WORDS } from "./text";

// ---------------------------------------------------------------- vocabulary

/**
 * Words that carry no topic: discourse, generic verbs and adverbs, chat shorthand, and the
 * function words of the other languages we answer in. A question made only of these has nothing to
 * answer ("one", "ok", "hmm not sure").
 */
const FILLER = new Set(
  (
    "u ur r im ive id dont cant whats hows wheres thats next last coming upcoming pls plz thx ok okay yes yeah yep yup nope sure hmm hm um uh oh ah well like " +
    "just only really actually basically quite pretty so very many lot lots bit little question questions query wondering wonder wondered " +
    "know tell let help need needs want wants wanted would love get gets got getting go goes going come coming see look looking find " +
    "give use using ask asking able possible currently moment now still already yet ever else also again anything something " +
    "everything thing things stuff way kind sort one ones happen happens happened after before mean means say said usually typically " +
    "normally generally exactly roughly approximately around per time long soon often quick quickly much how why when where what which " +
    "who there here not no sure thanks thank please hi hello hey dear regards cheers best kind someone somebody people person guys " +
    "okay right great good morning afternoon evening day days today tomorrow tonight week weeks year years ago take taking " +
    "make making made try trying work working bring put keep allowed allow anyway maybe perhaps probably anywhere somewhere near nearby " +
    // es fr de pt it
    "el la los las un una unos unas y o en es son que qué por para con su sus mi mis me se lo le al del cuál cual cómo como hay hola " +
    "gracias favor usted ustedes puedo puede pueden quiero tiene tienen tengo está están este esta eso " +
    "le les une des de du et ou est sont qui quoi pour avec votre vos mon ma mes je vous nous il elle ce cette bonjour merci êtes etes avez faites pouvez peut peux " +
    "der die das den dem ein eine und oder ist sind ich sie wir mit für am im an auf zu haben hat was wie wann wo guten tag hallo können kann gibt es " +
    "os as um uma em no na do da com vocês voce você olá ola obrigado estão está são têm tem pode podem " +
    "il gli di della che ciao grazie sono avete potete"
  ).split(" "),
);

/** Nouns every business of a kind uses: they say nothing about which passage answers. */
const WEAK = new Set(
  "appointment appointments visit service services treatment treatments treat clinic practice surgery office company business agency dentist dentists dental doctor staff team process procedure policy policies rules".split(
    " ",
  ),
);

export type Facet = "price" | "time" | "when" | "duration" | "location" | "reason";

const FACET_WORDS: [Facet, RegExp][] = [
  ["price", /\b(how much(?! (notice|time|longer|do i need to earn|space|room))|price|prices|priced|cost|costs|costing|charge|charges|charged|fee|fees|expensive|cheap|cheaper|afford|budget|quote|cuánto|cuanto|cuánta|cuesta|cuestan|precio|precios|coste|costo|combien|prix|tarif|tarifs|kosten|kostet|preis|quanto|custa|preço|costa|prezzo)\b/],
  ["time", /\b(what time|open|opening|opens|close|closing|closes|hours|horario|abren|abre|abierto|abiertos|cierran|ouvert|ouverts|ouvre|horaires|geöffnet|offen|öffnungszeiten|aberto|abertos|abrem|aperto|aperti|orari)\b/],
  ["duration", /\b(how long|how quickly|how soon|how often|how many (minutes|hours|days|weeks|months|years)|how much (notice|time|longer))\b/],
  ["reason", /^(why|what causes|what caused)\b|\b(why (is|are|do|does|did|would)|what causes|what is causing|the reason)\b/],
  ["when", /^(when|what day|what date)\b|\b(when (is|are|do|does|can|will|should)|what day|what date)\b/],
  ["location", /\b(where|address|located|location|directions|whereabouts|dónde|donde|dirección|où|adresse|wo|onde|dove|indirizzo)\b/],
];

const MONEY = /[£$€]\s?\d|\b(one|two|three|four|five|six|\d+) (week|weeks|month|months)['’]?s?['’]? rent\b|\b(una|dos|tres|cuatro|cinco|seis|\d+) (semana|semanas|mes|meses) de alquiler\b|\d\s?(%|percent|pounds|euros|dollars|p\b)|\bfree\b|\bno (fee|fees|charge)\b|\bnot charge|\bgratis\b|\bgratuit|\bkostenlos/i;
const CLOCK = /\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s?(am|pm)\b|\b(closed|cerrad[oa]s?|fermé|geschlossen|fechad[oa]s?|chius[oa])\b/i;
const DAYS = /\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekday|weekdays|weekend|mornings?|afternoons?|evenings?|lunes|martes|miércoles|jueves|viernes|sábados?|domingos?)\b/i;
const SPAN = /\b\d+\s?(to \d+\s)?(minutes?|mins?|hours?|hrs?|days?|working days|weeks?|months?|years?)\b|\b(a|an|one|two|three|four|five|six|seven|ten|twelve|few|24) (minutes?|hours?|days?|weeks?|months?|years?)\b|\bevery (year|month|week|day|\w+ (years|months))\b|\b(annual|annually|yearly|monthly|weekly|daily|within)\b/i;
const PLACE = /\b\d+[a-z]?\s+[A-Z][a-z]+(\s[A-Z][a-z]+)?\s(Street|Road|Walk|Lane|Avenue|Way|Place|Square|Row|Hill|Parade|Grove)\b|\b(street|road|lane|avenue|station|car park|postcode)\b|\b[A-Z]{1,2}\d{1,2}[A-Z]?\s?\d[A-Z]{2}\b/i;

/** A span of time, not an amount counted in weeks of rent ("five weeks' rent"). */
function hasSpan(s: string): boolean {
  for (const m of s.matchAll(new RegExp(SPAN.source, "gi"))) {
    if (!/^['’]?s?['’]?\s+(of\s+)?(rent|deposit)\b/i.test(s.slice(m.index! + m[0].length))) return true;
  }
  return false;
}

const FACET_EVIDENCE: Record<Facet, (s: string) => boolean> = {
  price: (s) => MONEY.test(s),
  time: (s) => CLOCK.test(s),
  when: (s) => CLOCK.test(s) || DAYS.test(s) || hasSpan(s) || /\b(straight away|immediately|as soon as|the day after|the next day|before|after)\b/i.test(s),
  duration: (s) => hasSpan(s),
  location: (s) => PLACE.test(s),
  reason: (s) => /\b(because|caused? by|causes?|comes? from|due to|(the )?result of|the reason|so that|can cause)\b/i.test(s),
};

/**
 * Synonyms that matter: each group is one topic, written the ways customers and businesses write
 * it. Multi-word entries are phrases. Kept general (any clinic, agency or shop) with the domains we
 * seed; a business's own wording is matched word for word anyway.
 */
const GROUPS: string[][] = [
  ["clean", "cleaning", "scale and polish", "clean and polish", "scale", "polish", "hygienist", "hygiene", "limpieza", "nettoyage", "détartrage", "zahnreinigung", "limpeza", "pulizia"],
  ["check up", "checkup", "examination", "exam", "routine check"],
  ["tooth out", "teeth out", "taken out", "take out", "pulled out", "extraction", "extract", "removal"],
  ["back tooth", "back teeth", "molar", "molars"],
  ["front tooth", "front teeth", "incisor"],
  ["kid", "kids", "child", "children", "son", "daughter", "under 18", "under 18s", "toddler", "baby", "teen", "teenager"],
  ["nervous", "anxious", "scared", "afraid", "fear", "phobia", "anxiety", "frightened"],
  ["wheelchair", "step free", "accessible", "accessibility", "disabled", "disability", "mobility", "access"],
  ["park", "parking", "car park"],
  ["include", "includes", "included", "cover", "covers", "covered", "come with", "comes with"],
  ["refund", "money back", "deposit back", "back", "return", "returned", "refunded", "reimburse"],
  ["pay", "payment", "payments", "paying"],
  ["spread", "instalment", "instalments", "installment", "installments", "monthly payments", "finance", "payment plan", "interest free"],
  ["cancel", "cancellation", "cancelling", "canceling", "reschedule", "move my appointment"],
  ["miss", "missed", "no show", "don't turn up"],
  ["book", "booking", "reserve", "arrange", "schedule"],
  ["address", "located", "location", "directions", "whereabouts", "based", "where"],
  ["fix", "repair", "repairs", "mend", "sort out"],
  ["weekday", "weekdays", "monday to friday", "mon to fri", "mon fri", "during the week"],
  ["open", "opening", "close", "closing", "hours", "opening times", "horario", "abren", "abierto", "ouvert", "ouverts", "geöffnet", "aberto"],
  ["hurt", "hurts", "painful", "pain", "sore", "ache", "aching", "discomfort"],
  ["sensitive", "sensitivity"],
  ["allergy", "allergic", "allergies"],
  ["pet", "pets", "dog", "dogs", "cat", "cats", "puppy", "kitten", "animal", "animals"],
  ["property", "properties", "flat", "flats", "house", "houses", "home", "homes", "apartment", "maisonette", "bungalow"],
  ["sell", "selling", "sale", "sold", "seller"],
  ["let", "letting", "lettings", "landlord", "landlords"],
  ["earn", "income", "salary", "wage"],
  ["viewing", "viewings", "view", "look round", "see the property"],
  ["valuation", "valuations", "value", "valuer", "worth"],
  ["protect", "protected", "protection"],
  ["consultation", "consult"],
  ["monday", "mondays", "lunes", "lundi", "montag", "segunda"],
  ["tuesday", "tuesdays", "martes", "mardi", "dienstag", "terça"],
  ["wednesday", "wednesdays", "miércoles", "mercredi", "mittwoch", "quarta"],
  ["thursday", "thursdays", "jueves", "jeudi", "donnerstag", "quinta"],
  ["friday", "fridays", "viernes", "vendredi", "freitag", "sexta"],
  ["saturday", "saturdays", "sábado", "sábados", "sabado", "samedi", "samstag", "sábado", "sabato"],
  ["sunday", "sundays", "domingo", "domingos", "dimanche", "sonntag", "domenica"],
];

type Alternative = string[]; // stems of one word or phrase
/** evidence: a pattern of the raw text that also shows the topic ("where are you?" is shown by a street address) */
type Concept = { id: string; alternatives: Alternative[]; evidence?: RegExp };

/** A word's stem, with a final silent e dropped so "move" meets "moving" (the stemmer keeps short words whole). */
export function stemWord(w: string): string {
  const st = stem(w);
  return st.length >= 4 && st.endsWith("e") && !/\d/.test(st) ? st.slice(0, -1) : st;
}
const stems = (text: string) => normalizeText(text).split(" ").filter(Boolean).map(stemWord);

const CONCEPT_EVIDENCE: Record<string, RegExp> = { address: PLACE };
const CONCEPTS: Concept[] = GROUPS.map((g) => ({ id: g[0]!, alternatives: g.map(stems), evidence: CONCEPT_EVIDENCE[g[0]!] }));
/** Phrases first (longest first), then single words: "scale and polish" before "scale". */
const PHRASE_INDEX = CONCEPTS.flatMap((c) => c.alternatives.filter((a) => a.length > 1).map((a) => ({ concept: c, phrase: a }))).sort(
  (a, b) => b.phrase.length - a.phrase.length,
);
const WORD_INDEX = new Map<string, Concept>();
for (const c of CONCEPTS) for (const a of c.alternatives) if (a.length === 1 && !WORD_INDEX.has(a[0]!)) WORD_INDEX.set(a[0]!, c);

const FILLER_STEMS = new Set([...FILLER].map(stemWord));
const WEAK_STEMS = new Set([...WEAK].map(stemWord));
const STOP_STEMS = new Set([...STOP_WORDS].map(stemWord));

/**
 * The same FAQs, chunks and questions are read on every message: their analyses are kept (a
 * bounded map, cleared when full), which makes the matcher cheap enough to run on every path.
 */
function memo<T>(fn: (text: string) => T, max = 5000): (text: string) => T {
  const cache = new Map<string, T>();
  return (text) => {
    let hit = cache.get(text);
    if (hit === undefined) {
      if (cache.size >= max) cache.clear();
      hit = fn(text);
      cache.set(text, hit);
    }
    return hit;
  };
}

/** An email's sign-off ("Thanks, Jo") names nobody the question is about. */
function withoutSignOff(text: string): string {
  return text.replace(/(?:^|\n|[.!?]\s+)(?:many thanks|thanks|thank you|cheers|regards|kind regards|best wishes|best)[,!.]?\s+[\p{L}'-]+(?:\s[\p{L}'-]+)?[.!]?\s*$/iu, ".");
}

// ---------------------------------------------------------------- questions

export type Analysis = {
  /** topics that must all be present, each with its alternatives */
  concepts: Concept[];
  /** generic nouns it named ("appointment"): with no topic besides, a question about the customer's own affairs */
  weak?: string[];
  /** digits the question gives ("2 bed", "24") */
  numbers: string[];
  /** what kind of answer it wants */
  facets: Facet[];
};

const conceptsOf = memo(conceptsOfText);
function conceptsOfText(text: string): { concepts: Concept[]; numbers: string[]; weak: string[] } {
  const cleaned = normalizeText(withoutSignOff(text))
    .replace(/\blet (me|us)\b|\blets\b/g, " ")
    .replace(/\bclose (by|to)\b/g, "near");
  let tokens = stems(cleaned);
  const found = new Map<string, Concept>();
  // phrases
  for (const { concept, phrase } of PHRASE_INDEX) {
    for (let i = 0; i + phrase.length <= tokens.length; i++) {
      if (phrase.every((p, j) => tokens[i + j] === p)) {
        found.set(concept.id, concept);
        tokens = [...tokens.slice(0, i), ...tokens.slice(i + phrase.length)];
        i--;
      }
    }
  }
  const numbers: string[] = [];
  const weak: string[] = [];
  for (const t of tokens) {
    if (/^\d+$/.test(t)) {
      numbers.push(t);
      continue;
    }
    if (WEAK_STEMS.has(t)) weak.push(t);
    if (t.length < 2 || STOP_STEMS.has(t) || FILLER_STEMS.has(t) || WEAK_STEMS.has(t)) continue;
    const concept = WORD_INDEX.get(t) ?? { id: t, alternatives: [[t]] };
    found.set(concept.id, concept);
  }
  return { concepts: [...found.values()], numbers, weak };
}

function facetsOf(text: string): Facet[] {
  const n = normalizeText(text);
  const facets = FACET_WORDS.filter(([, re]) => re.test(n)).map(([f]) => f);
  // "what time do you open" asks for a clock time, not any "when"
  return facets.includes("time") ? facets.filter((f) => f !== "when") : facets;
}

/** What a question asks (kept per text: callers must not change it). */
export const analyze = memo(analyzeText, 1000);
function analyzeText(question: string): Analysis {
  const { concepts, numbers, weak } = conceptsOf(question);
  const facets = facetsOf(question);
  const kept = concepts.filter((c) => !(facets.includes("price") && isPriceWord(c.id)));
  // "where are you?" is about the business's own address
  if (facets.includes("location") && kept.length === 0) kept.push(CONCEPTS.find((c) => c.id === "address")!);
  return { concepts: kept, numbers, facets, weak };
}

const PRICE_WORDS = new Set(["price", "cost", "charge", "fee", "expensive", "cheap", "cheaper", "afford", "budget", "quote", "cuánto", "cuanto", "cuesta", "precio", "coste", "costo", "combien", "prix", "tarif", "kosten", "kostet", "preis", "quanto", "custa", "preço", "costa", "prezzo"].map(stemWord));
function isPriceWord(id: string): boolean {
  return PRICE_WORDS.has(id);
}

/** Nothing to answer: no topic, no number ("one", "yes", "?", "hmm not sure"). */
export function isContentFree(analysis: Analysis): boolean {
  return analysis.concepts.length === 0 && analysis.numbers.length === 0;
}

const PRONOUN = /\b(it|that|this|they|them|those|these|one|ones)\b/;
const FOLLOW_UP_START = /^(and|also|plus|or|but|what about|how about|and what about|same for|what if|then)\b/;

/**
 * Whether a message only makes sense after the previous question ("and on Saturday?", "is there a
 * fee?", "does it hurt?"): it starts like a follow-up, has no topic of its own, or points back with a
 * pronoun while naming at most two topics.
 */
export function isFollowUp(message: string): boolean {
  const n = normalizeText(message);
  if (!n) return false;
  const a = analyze(message);
  if (FOLLOW_UP_START.test(n)) return true;
  if (a.concepts.length === 0 && a.facets.length > 0) return true;
  return PRONOUN.test(n) && a.concepts.length <= 1 && n.split(" ").length <= 8;
}

/** Merges a follow-up with the question it follows: both topics, the follow-up's kind of answer. */
export function analyzeFollowUp(message: string, previous: string): Analysis {
  const own = analyze(message);
  const before = analyze(previous);
  const concepts = new Map(before.concepts.map((c) => [c.id, c]));
  for (const c of own.concepts) concepts.set(c.id, c);
  const facets = own.facets.length ? own.facets : before.facets;
  return { concepts: [...concepts.values()].filter((c) => !(facets.includes("price") && isPriceWord(c.id))), numbers: own.numbers, facets };
}

// ---------------------------------------------------------------- passages

export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

type Indexed = { tokens: string[]; set: Set<string> };

const index = memo((text: string): Indexed => {
  const tokens = stems(text);
  return { tokens, set: new Set(tokens) };
});

function hasWord(idx: Indexed, stemmed: string): boolean {
  if (idx.set.has(stemmed)) return true;
  if (stemmed.length < 5) return false;
  // "cancel" / "cancellations", "sensitiv" / "sensitivity": a longer form of the word, or a slightly shorter one
  for (const t of idx.set) if (t.length >= 5 && (t.startsWith(stemmed) || (stemmed.startsWith(t) && stemmed.length - t.length <= 3))) return true;
  return false;
}

function hasAlternative(idx: Indexed, alt: Alternative): boolean {
  if (alt.length === 1) return hasWord(idx, alt[0]!);
  for (let i = 0; i + alt.length <= idx.tokens.length; i++) if (alt.every((p, j) => idx.tokens[i + j] === p)) return true;
  return false;
}

export function conceptIn(idx: Indexed, concept: Concept, raw?: string): boolean {
  if (concept.evidence && raw !== undefined && concept.evidence.test(raw)) return true;
  return concept.alternatives.some((a) => hasAlternative(idx, a));
}

/** One candidate answer: a passage's head (FAQ question, document title and heading) and a sentence of it. */
export type Passage = { kind: "faq" | "chunk"; key: string; head: string; body: string; language?: string };

export type UnitMatch = {
  passage: Passage;
  /** what to answer with: the sentences carrying the evidence, or the whole section the question is about */
  sentences: string[];
  /** how much the passage's own heading (an FAQ's question) is about the question, 0–1 */
  subject: number;
  /** the head (an FAQ's question, a chunk's headings) names every topic of the question */
  headCoversAll: boolean;
  score: number;
};

/** How much a sentence is about the question: the share of its topics asked about, and how early the first one comes. */
function focus(analysis: Analysis, sentence: string): number {
  const { concepts } = conceptsOf(sentence);
  if (!concepts.length) return 0;
  const idx = index(sentence);
  const share = Math.min(1, analysis.concepts.filter((c) => conceptIn(idx, c, sentence)).length / concepts.length);
  const content = idx.tokens.filter((t) => t.length >= 2 && !STOP_STEMS.has(t) && !FILLER_STEMS.has(t) && !WEAK_STEMS.has(t));
  const first = content.findIndex((t) => analysis.concepts.some((c) => conceptIn({ tokens: [t], set: new Set([t]) }, c)));
  return 0.5 * share + 0.5 * (first < 0 ? 0 : 1 / (1 + first));
}

/** Sentences of a section the question is about as a whole (its heading names every topic). */
const SECTION_SENTENCES = 3;

/**
 * The best evidence a passage holds for the question: sentences that, with the head, name every
 * topic and number of the question and give the kind of answer asked for. Null when none does.
 * Scored by how much the passage's own heading is about the question (an FAQ's question, a chunk's
 * last heading, against the topics it names itself), how many topics the sentence names itself,
 * and its focus.
 */
export function matchPassage(analysis: Analysis, passage: Passage): UnitMatch | null {
  if (!analysis.concepts.length && !analysis.numbers.length) return null;
  const path = passage.head.split("›").map((x) => x.trim()).filter(Boolean);
  const specific = passage.kind === "faq" ? passage.head : (path.at(-1) ?? "");
  const specificIdx = index(specific);
  const inSpecific = analysis.concepts.filter((c) => conceptIn(specificIdx, c, specific)).length;
  const specificConcepts = conceptsOf(specific).concepts.length;
  const subject = analysis.concepts.length ? inSpecific / Math.max(analysis.concepts.length, specificConcepts) : 0;
  // a passage headed by another topic mentions this one in passing ("an implant with its crown")
  const offTopic = inSpecific === 0 && specificConcepts > 0 ? 0.2 : 0;
  const head = index(passage.head);
  const headCoversAll = analysis.concepts.length > 0 && analysis.concepts.every((c) => conceptIn(head, c));

  const all = sentences(passage.body);
  const eligible: { s: string; i: number; focus: number; own: number }[] = [];
  all.forEach((s, i) => {
    const unit = index(`${passage.head} ${s}`);
    if (!analysis.concepts.every((c) => conceptIn(unit, c, s))) return;
    if (!analysis.numbers.every((n) => unit.set.has(n) || new RegExp(`\\b${n}\\b`).test(s))) return;
    if (!analysis.facets.every((f) => FACET_EVIDENCE[f](s))) return;
    const own = index(s);
    eligible.push({ s, i, focus: focus(analysis, s), own: analysis.concepts.length ? analysis.concepts.filter((c) => conceptIn(own, c, s)).length / analysis.concepts.length : 1 });
  });
  if (!eligible.length) return null;
  const top = [...eligible].sort((a, b) => b.own + b.focus - (a.own + a.focus) || a.i - b.i)[0]!;
  // a second sentence only when it is as much about the question
  const chosen = eligible.filter((e) => e.own + e.focus >= top.own + top.focus).slice(0, 2);
  const section = passage.kind === "chunk" && headCoversAll && analysis.facets.length === 0 ? all.slice(0, SECTION_SENTENCES) : chosen.map((e) => e.s);
  const score = 0.4 * subject + 0.3 * top.own + 0.2 * top.focus + (passage.kind === "faq" ? 0.1 : 0) - offTopic;
  return { passage, sentences: section, subject, headCoversAll, score };
}

/** Whether one sentence of a text (a customer's message) holds every topic, number and kind of answer asked for. */
export function holdsEvidence(analysis: Analysis, text: string): boolean {
  return sentences(text).some((s) => {
    const idx = index(s);
    return (
      analysis.concepts.every((c) => conceptIn(idx, c, s)) &&
      analysis.numbers.every((n) => idx.set.has(n)) &&
      analysis.facets.every((f) => FACET_EVIDENCE[f](s))
    );
  });
}

/** Figures an answer states (prices, times, counts): two answers that share none state different facts. */
export function figures(text: string): Set<string> {
  return new Set((text.match(/[£$€]?\d[\d,.:]*%?/g) ?? []).map((f) => f.replace(/[.,]$/, "")));
}

// ---------------------------------------------------------------- follow-ups

/** How long a question stays the one a short follow-up refers to. */
const FOLLOW_UP_WINDOW_MS = 60 * 60_000;

/**
 * The question a follow-up refers to, from the customer's earlier messages (oldest first, without
 * the one being answered): the last one with a topic of its own within the hour, skipping "ok",
 * "thanks" and earlier follow-ups ("and on Saturday?" → "and Sunday?" both refer to the opening
 * hours question). Undefined when the message stands on its own.
 */
export function followUpOf(message: string, earlier: { content: string; at: Date }[], now: Date = new Date()): string | undefined {
  if (!isFollowUp(message)) return undefined;
  for (const m of [...earlier].reverse().slice(0, 6)) {
    if (now.getTime() - m.at.getTime() > FOLLOW_UP_WINDOW_MS) return undefined;
    if (isContentFree(analyze(m.content)) || isFollowUp(m.content)) continue;
    return m.content.trim();
  }
  return undefined;
}

/** Whether an FAQ holds the evidence for a question (the FAQ shortcut's check beside similarity). */
export function answersQuestion(question: string, faq: { question: string; answer: string }): boolean {
  return matchPassage(analyze(question), { kind: "faq", key: "faq", head: faq.question, body: faq.answer }) !== null;
}

// ---------------------------------------------------------------- retrieval

/** Other single words for the query's topics ("cleaning" → scale, polish, hygienist), stemmed: retrieval's full-text side looks for them too. */
export function relatedTerms(query: string): string[] {
  // every one-word name of a topic ("where" for an address), and the telling words of phrases
  const words = analyze(query).concepts.flatMap((c) => c.alternatives.flatMap((a) => (a.length === 1 ? a : a.filter((w) => !FILLER_STEMS.has(w)))));
  return [...new Set(words)].filter((w) => w.length >= 3 && !STOP_STEMS.has(w));
}

/** The share of the query's topics a text shows, synonyms included. */
export function topicCoverage(query: string, text: string): number {
  const { concepts } = analyze(query);
  if (!concepts.length) return 0;
  const idx = index(text);
  return concepts.filter((c) => conceptIn(idx, c, text)).length / concepts.length;
}
