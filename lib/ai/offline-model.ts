// The offline adapter of the language-model port (the embedded default): answers from the FAQs and
// knowledge chunks the pipeline retrieved — only where a passage holds evidence for what was asked
// (lib/ai/evidence.ts) — and from the customer's own history on every channel; otherwise says
// plainly that it does not know and offers a person. Deterministic: the same request always gets
// the same answer.
import "server-only";
import { analyze, analyzeFollowUp, figures, followUpOf, holdsEvidence, isContentFree, matchPassage, stemWord, type Analysis, type Passage, type UnitMatch } from "./evidence";
import { asksForHuman, isAffirmative, isGreeting, isNote, isThanks, offersPerson, recallRequest, RECALL_WORDS, type RecallChannel } from "./intents";
import { conversationLanguage, languageName, passageLanguage, phrasesFor, type Phrases } from "./language";
import {
  ModelError,
  type ContextChunk,
  type ContextFaq,
  type ContextMessage,
  type GenerateRequest,
  type LanguageModel,
  type ModelResult,
  type StreamEvent,
} from "./model";

export const OFFLINE_MODEL = "offline";

/** Between the best passage and a runner-up that states other figures: closer than this is a guess. */
const MARGIN = 0.15;

export type OfflineMatch =
  | { kind: "faq"; faq: ContextFaq; text: string; score: number }
  | { kind: "chunk"; chunk: ContextChunk; text: string; score: number }
  | { kind: "none"; reason: "no_topic" | "no_evidence" | "ambiguous" };

function answerText(m: UnitMatch): string {
  // An FAQ the question is about is answered whole, as the business wrote it.
  return m.passage.kind === "faq" && (m.subject >= 0.5 || m.headCoversAll) ? m.passage.body.trim() : m.sentences.join(" ");
}

/**
 * Picks what answers the question among the retrieved FAQs and chunks: a passage holding every topic,
 * number and kind of answer asked for, clearly ahead of any runner-up that says something else.
 */
export function matchContext(
  question: string | Analysis,
  faqs: ContextFaq[] = [],
  chunks: ContextChunk[] = [],
  language?: string,
): OfflineMatch {
  const analysis = typeof question === "string" ? analyze(question) : question;
  if (isContentFree(analysis)) return { kind: "none", reason: "no_topic" };
  const passages: Passage[] = [
    ...faqs.map((f, i) => ({ kind: "faq" as const, key: `faq:${i}`, head: f.question, body: f.answer })),
    ...chunks.map((c, i) => ({ kind: "chunk" as const, key: `chunk:${i}`, head: c.heading ?? "", body: c.content })),
  ];
  const matches = passages
    .map((p) => matchPassage(analysis, p))
    .filter((m): m is UnitMatch => m !== null)
    .map((m) => ({ ...m, score: m.score + (language && passageLanguage(m.passage.body) === language ? 0.1 : 0) }))
    .sort((a, b) => b.score - a.score);
  const best = matches[0];
  if (!best) return { kind: "none", reason: "no_evidence" };
  const text = answerText(best);
  // a close runner-up stating other figures (and none of these) is another answer: choosing would be a guess
  const stated = figures(best.sentences.join(" "));
  const rival = matches.find((m) => {
    if (m.passage.key === best.passage.key || best.score - m.score >= MARGIN) return false;
    const other = [...figures(m.sentences.join(" "))];
    return other.length > 0 && !other.some((f) => stated.has(f));
  });
  if (rival) return { kind: "none", reason: "ambiguous" };
  const index = Number(best.passage.key.split(":")[1]);
  return best.passage.kind === "faq" ? { kind: "faq", faq: faqs[index]!, text, score: best.score } : { kind: "chunk", chunk: chunks[index]!, text, score: best.score };
}

// ---------------------------------------------------------------- recall

const CHANNEL_NAMES: Record<string, string> = {
  web: "web chat",
  sms: "SMS",
  whatsapp: "WhatsApp",
  voice: "phone call",
  email: "email",
  telegram: "Telegram",
  instagram: "Instagram",
};
const RECALL_STEMS = new Set([...RECALL_WORDS].map(stemWord));

/**
 * What the customer told us before, on any channel: the messages on the channel they name, or those
 * about the topic they name ("my allergy", "my budget"), most recent first.
 */
export function recallMessages<T extends ContextMessage>(question: string, channels: RecallChannel[], messages: T[]): T[] {
  const own = messages.filter((m) => m.role === "customer" && m.content.trim() && m.content.trim() !== question.trim());
  const onChannel = channels.length ? own.filter((m) => channels.includes(m.channel as RecallChannel)) : own;
  const a = analyze(question);
  const topic: Analysis = { ...a, concepts: a.concepts.filter((c) => !RECALL_STEMS.has(c.id)) };
  const named = !isContentFree(topic) || topic.facets.length > 0;
  const found = named ? onChannel.filter((m) => holdsEvidence(topic, m.content)) : channels.length ? onChannel : [];
  return [...found].sort((x, y) => y.at.getTime() - x.at.getTime()).slice(0, 2);
}

function quote(m: ContextMessage, language: string): string {
  const text = m.content.replace(/\s+/g, " ").trim();
  const clipped = text.length > 300 ? `${text.slice(0, 299)}…` : text;
  let date = m.at.toISOString().slice(0, 10);
  try {
    date = new Intl.DateTimeFormat(language, { day: "numeric", month: "short", timeZone: "UTC" }).format(m.at);
  } catch {
    // keep the ISO date
  }
  return `“${clipped}” (${CHANNEL_NAMES[m.channel] ?? m.channel}, ${date})`;
}

// ---------------------------------------------------------------- the responder

function truncate(text: string, maxChars: number | undefined): string {
  if (!maxChars || text.length <= maxChars) return text;
  const cut = text.slice(0, maxChars - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > maxChars / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** The history the request carries, or, for a bare multi-turn request, its earlier turns. */
function historyOf(request: GenerateRequest, question: string): ContextMessage[] {
  if (request.context?.history) return request.context.history;
  const turns = request.messages.slice(0, request.messages.map((m) => m.text).lastIndexOf(question));
  const at = new Date();
  return turns.map((m) => ({ role: m.role === "user" ? ("customer" as const) : ("assistant" as const), channel: "web", content: m.text, at }));
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
    const question = [...request.messages].reverse().find((m) => m.role === "user")?.text.trim() ?? "";
    const context = request.context ?? {};
    const history = historyOf(request, question);
    const earlierCustomer = history.filter((m) => m.role === "customer");
    const language = context.language ?? conversationLanguage(question, earlierCustomer.map((m) => m.content));
    const { language: phraseLanguage, phrases } = phrasesFor(language);
    const business = context.businessName ?? "the business";
    const maxChars = request.maxOutputTokens ? request.maxOutputTokens * 4 : undefined;
    const say = (text: string, handoff?: string): ModelResult => ({
      ...base,
      text: truncate(text, maxChars),
      handoff: handoff ? { needed: true, reason: handoff } : { needed: false },
    });

    const lastReply = [...history].reverse().find((m) => m.role !== "customer");
    if (asksForHuman(question)) return say(phrases.handoff, "The customer asked for a person.");
    if (isAffirmative(question) && offersPerson(lastReply?.content)) return say(phrases.handoff, "The customer accepted the offer of a person.");
    if (isGreeting(question)) return say(phrases.greeting);
    if (isThanks(question)) return say(phrases.thanks);
    if (isNote(question)) return say(phrases.noted);

    const recall = recallRequest(question);
    if (recall) {
      const found = recallMessages(question, recall.channels, [...(context.recalled ?? []), ...history]);
      return say(found.length ? `${phrases.recallFound}\n${found.map((m) => quote(m, phraseLanguage)).join("\n")}` : phrases.recallNone);
    }

    const previous = followUpOf(question, earlierCustomer);
    const analysis = previous ? analyzeFollowUp(question, previous) : analyze(question);
    // "when is my next appointment?" names no topic but is a real question: only a person can look
    if (isContentFree(analysis)) return say(analysis.weak?.length ? phrases.dontKnow(business) : phrases.clarify);
    const match = matchContext(analysis, context.faqs, context.chunks, language);
    if (match.kind === "none") return say(phrases.dontKnow(business));
    return say(withLanguageNote(match.text, language, phraseLanguage, phrases));
  }
}

/** It cannot translate: an answer in another language than the customer's says so first, in theirs. */
function withLanguageNote(answer: string, language: string | undefined, phraseLanguage: string, phrases: Phrases): string {
  const answerLanguage = passageLanguage(answer);
  if (!language || !answerLanguage || answerLanguage === language) return answer;
  return `${phrases.contentIn(languageName(answerLanguage, phraseLanguage))}\n\n${answer}`;
}
