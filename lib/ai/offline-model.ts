// The offline adapter of the language-model port (the embedded default): answers from the FAQs and
// knowledge chunks the pipeline retrieved, says plainly when it does not know and offers a person.
// Deterministic: the same request always gets the same answer.
import "server-only";
import { cosine, localEmbedding } from "./embeddings";
import { asksForHuman, isAffirmative } from "./intents";
import { detectLanguage, languageName, offlinePhrases } from "./language";
import { ModelError, type ContextChunk, type ContextFaq, type GenerateRequest, type LanguageModel, type ModelResult, type StreamEvent } from "./model";
import { normalizeText, stem, STOP_WORDS } from "./text";

export const OFFLINE_MODEL = "offline";

/** Words that say what kind of question it is, not what it is about. */
const NOT_TOPICAL = new Set(["how", "why", "when", "where", "not", "no", "tell", "know", "want", "need", "like", "get", "ask", "question"]);

/** The topical stems of a text: what an answer has to talk about. */
export function topicTerms(text: string): Set<string> {
  const out = new Set<string>();
  for (const w of normalizeText(text).split(" ")) {
    if (!w || STOP_WORDS.has(w) || NOT_TOPICAL.has(w)) continue;
    out.add(stem(w));
  }
  return out;
}

/** Share of the question's topical terms that the text mentions. */
function coverage(question: Set<string>, text: Set<string>): number {
  if (question.size === 0) return 0;
  let n = 0;
  for (const t of question) if (text.has(t)) n++;
  return n / question.size;
}

function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Deliberately strict: saying "I don't know" beats answering a different question. */
const FAQ_MIN_SIMILARITY = 0.45;
const FAQ_MIN_COVERAGE = 0.5;
const CHUNK_MIN_COVERAGE = 0.5;
const MAX_CHUNK_SENTENCES = 2;

export type OfflineMatch =
  | { kind: "faq"; faq: ContextFaq; score: number }
  | { kind: "chunk"; chunk: ContextChunk; text: string; score: number }
  | { kind: "none" };

/** Picks what answers the question best among the retrieved FAQs and chunks, if anything does. */
export function matchContext(question: string, faqs: ContextFaq[] = [], chunks: ContextChunk[] = []): OfflineMatch {
  const q = topicTerms(question);
  const qv = localEmbedding(question);

  let bestFaq: { faq: ContextFaq; score: number } | undefined;
  for (const faq of faqs) {
    const similarity = cosine(qv, localEmbedding(faq.question));
    const cover = coverage(q, topicTerms(`${faq.question} ${faq.answer}`));
    if (similarity < FAQ_MIN_SIMILARITY && cover < FAQ_MIN_COVERAGE) continue;
    const score = Math.max(similarity, cover);
    if (!bestFaq || score > bestFaq.score) bestFaq = { faq, score };
  }

  let bestChunk: { chunk: ContextChunk; text: string; score: number } | undefined;
  for (const chunk of chunks) {
    const cover = coverage(q, topicTerms(`${chunk.heading ?? ""} ${chunk.content}`));
    if (cover < CHUNK_MIN_COVERAGE) continue;
    // the sentences that mention most of the question, in their original order
    const ranked = sentences(chunk.content)
      .map((s, i) => ({ s, i, hits: coverage(q, topicTerms(s)) }))
      .filter((x) => x.hits > 0)
      .sort((a, b) => b.hits - a.hits || a.i - b.i)
      .slice(0, MAX_CHUNK_SENTENCES)
      .sort((a, b) => a.i - b.i);
    if (ranked.length === 0) continue;
    const score = cover;
    if (!bestChunk || score > bestChunk.score) bestChunk = { chunk, text: ranked.map((x) => x.s).join(" "), score };
  }

  // An FAQ is an answer the business wrote for this question: it wins a tie.
  if (bestFaq && (!bestChunk || bestFaq.score >= bestChunk.score)) return { kind: "faq", ...bestFaq };
  if (bestChunk) return { kind: "chunk", ...bestChunk };
  return { kind: "none" };
}

function truncate(text: string, maxChars: number | undefined): string {
  if (!maxChars || text.length <= maxChars) return text;
  const cut = text.slice(0, maxChars - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > maxChars / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

export class OfflineLanguageModel implements LanguageModel {
  readonly provider = "offline" as const;

  async generate(request: GenerateRequest): Promise<ModelResult> {
    if (request.signal?.aborted) throw new ModelError("aborted", "The model call was cancelled.");
    if ((request.output ?? "reply") !== "reply") {
      throw new ModelError("bad_request", "The offline responder only answers customer messages.");
    }
    return this.answer(request);
  }

  async *stream(request: GenerateRequest): AsyncGenerator<StreamEvent> {
    const result = await this.generate(request);
    // word by word, so the chat page streams the same way it does with Gemini
    for (const piece of result.text.match(/\S+\s*/g) ?? []) yield { type: "delta", text: piece };
    yield { type: "result", result };
  }

  private answer(request: GenerateRequest): ModelResult {
    const base = { tokensIn: 0, tokensOut: 0, model: OFFLINE_MODEL, provider: this.provider };
    const messages = request.messages;
    const last = [...messages].reverse().find((m) => m.role === "user");
    const question = last?.text.trim() ?? "";
    const language = detectLanguage(question);
    const { language: phraseLanguage, phrases } = offlinePhrases(language);
    const business = request.context?.businessName ?? "the business";
    const maxChars = request.maxOutputTokens ? request.maxOutputTokens * 4 : undefined;

    const previous = messages[messages.lastIndexOf(last!) - 1];
    const offerAccepted = previous?.role === "model" && previous.text.trim().endsWith("?") && isAffirmative(question) && /\b(person|persona|personne|pessoa)\b/i.test(previous.text);
    if (asksForHuman(question) || offerAccepted) {
      return { ...base, text: phrases.handoff, handoff: { needed: true, reason: "The customer asked for a person." } };
    }

    // It cannot translate: when the customer writes in another language than the business's own
    // content, it says so plainly first (in their language where it has the words).
    const faqs = request.context?.faqs ?? [];
    const chunks = request.context?.chunks ?? [];
    const contentText = [...faqs.map((f) => `${f.question} ${f.answer}`), ...chunks.map((c) => c.content)].join("\n").slice(0, 4000);
    const contentLanguage = detectLanguage(contentText) ?? "en";
    const note = language && language !== contentLanguage ? `${phrases.onlyIn(languageName(contentLanguage, phraseLanguage))} ` : "";

    const match = question ? matchContext(question, faqs, chunks) : { kind: "none" as const };
    if (match.kind === "none") {
      return { ...base, text: truncate(note + phrases.dontKnow(business), maxChars), handoff: { needed: false } };
    }
    const answer = match.kind === "faq" ? match.faq.answer.trim() : match.text;
    const reply = note ? `${note.trim()}\n\n${answer}` : answer;
    return { ...base, text: truncate(reply, maxChars), handoff: { needed: false } };
  }
}
