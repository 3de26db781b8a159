// Which language a customer writes in (tinyld), so replies can follow it and the offline responder
// can say plainly when it cannot.
import "server-only";
import { detectAll, langName } from "tinyld";

/** Below this many letters tinyld guesses ("yes" → Berber), so short messages stay undetected. */
const MIN_LETTERS = 10;
/**
 * Languages customers of our businesses plausibly write in: leaving out the long tail stops
 * "¿Venden tarjetas…?" coming back as Turkmen.
 */
const CANDIDATES = "en es fr de pt it nl sv da no fi pl cs ro hu tr el ru uk ar he fa hi bn ur zh ja ko vi th id ms tl".split(" ");

/**
 * ISO 639-1 code of the text's language, or undefined when unsure: a wrong guess ("reply in
 * Hungarian") is worse than none, so the top candidate must be confident or clearly ahead.
 */
export function detectLanguage(text: string): string | undefined {
  const letters = text.replace(/[^\p{L}]/gu, "");
  if (letters.length < MIN_LETTERS) return undefined;
  const [best, second] = detectAll(text, { only: CANDIDATES });
  if (!best) return undefined;
  if (best.accuracy >= 0.5) return best.lang;
  if (best.accuracy >= 0.05 && best.accuracy >= 1.5 * (second?.accuracy ?? 0)) return best.lang;
  return undefined;
}

/** Name of a language, in English or in another language ("en" in "es" → "inglés"). */
export function languageName(code: string, inLanguage = "en"): string {
  try {
    return new Intl.DisplayNames([inLanguage], { type: "language" }).of(code) ?? code;
  } catch {
    try {
      return langName(code) || code;
    } catch {
      return code;
    }
  }
}

/** Lines the offline responder needs, in the languages it can at least say them in. */
export type OfflinePhrases = {
  /** the business's content is in another language (named in this one) */
  onlyIn: (contentLanguageName: string) => string;
  dontKnow: (business: string) => string;
  handoff: string;
};

const PHRASES: Record<string, OfflinePhrases> = {
  en: {
    onlyIn: (l) => `I can only answer in ${l} at the moment.`,
    dontKnow: (b) =>
      `I'm sorry, I don't know the answer to that from the information ${b} has given me. Would you like me to pass your question to a person on the team?`,
    handoff: "Of course — I'll pass this conversation to a person on the team, and they'll reply here as soon as they can.",
  },
  es: {
    onlyIn: (l) => `Por ahora solo puedo responder en ${l}.`,
    dontKnow: (b) =>
      `Lo siento, no sé la respuesta con la información que ${b} me ha dado. ¿Quiere que pase su pregunta a una persona del equipo?`,
    handoff: "Por supuesto: paso esta conversación a una persona del equipo, que le responderá aquí lo antes posible.",
  },
  fr: {
    onlyIn: (l) => `Pour l'instant, je ne peux répondre qu'en ${l}.`,
    dontKnow: (b) =>
      `Désolé, je ne connais pas la réponse d'après les informations que ${b} m'a données. Voulez-vous que je transmette votre question à une personne de l'équipe ?`,
    handoff: "Bien sûr : je transmets cette conversation à une personne de l'équipe, qui vous répondra ici dès que possible.",
  },
  de: {
    onlyIn: (l) => `Ich kann im Moment nur auf ${l} antworten.`,
    dontKnow: (b) =>
      `Entschuldigung, das weiß ich aus den Informationen von ${b} nicht. Soll ich Ihre Frage an eine Person aus dem Team weitergeben?`,
    handoff: "Gern — ich gebe dieses Gespräch an eine Person aus dem Team weiter, die Ihnen hier so bald wie möglich antwortet.",
  },
  pt: {
    onlyIn: (l) => `De momento só consigo responder em ${l}.`,
    dontKnow: (b) =>
      `Desculpe, não sei a resposta com as informações que ${b} me deu. Quer que eu passe a sua pergunta a uma pessoa da equipa?`,
    handoff: "Claro — vou passar esta conversa a uma pessoa da equipa, que lhe responderá aqui assim que possível.",
  },
  it: {
    onlyIn: (l) => `Al momento posso rispondere solo in ${l}.`,
    dontKnow: (b) =>
      `Mi dispiace, non conosco la risposta dalle informazioni che ${b} mi ha dato. Vuole che passi la sua domanda a una persona del team?`,
    handoff: "Certo: passo questa conversazione a una persona del team, che le risponderà qui il prima possibile.",
  },
};

/** Phrases in the customer's language when known, English otherwise. */
export function offlinePhrases(language: string | undefined): { language: string; phrases: OfflinePhrases } {
  if (language && PHRASES[language]) return { language, phrases: PHRASES[language]! };
  return { language: "en", phrases: PHRASES.en! };
}
