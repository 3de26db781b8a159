// Which language a customer writes in (tinyld), robust to repetition and very short messages, and
// the fixed lines every answer path says in the customer's language (hand-offs, declines, the
// languages a business serves), so a rule or the offline responder never answers in the wrong one.
import "server-only";
import { detectAll, langName } from "tinyld";

/** Below this many distinct letters tinyld guesses ("yes" → Berber), so short messages use the lexicon below. */
const MIN_LETTERS = 10;
/** Enough distinct words for a guess; more only slows tinyld down. */
const MAX_SAMPLE_CHARS = 600;
/**
 * Languages customers of our businesses plausibly write in: leaving out the long tail stops
 * "¿Venden tarjetas…?" coming back as Turkmen.
 */
const CANDIDATES = "en es fr de pt it nl sv da no fi pl cs ro hu tr el ru uk ar he fa hi bn ur zh ja ko vi th id ms tl".split(" ");

/** Short messages tinyld cannot tell apart: greetings, thanks, yes and no. */
const SHORT_WORDS: Record<string, string[]> = {
  // not "ok" or "no": half the world writes those
  en: ["hello", "hi", "hey", "thanks", "thank you", "cheers", "yes", "yeah", "please", "good morning", "good afternoon", "good evening", "bye"],
  es: ["hola", "gracias", "muchas gracias", "buenos días", "buenos dias", "buenas tardes", "buenas noches", "buenas", "sí", "vale", "por favor", "adiós", "adios"],
  fr: ["bonjour", "bonsoir", "salut", "merci", "merci beaucoup", "oui", "non merci", "d'accord", "s'il vous plaît", "au revoir"],
  de: ["hallo", "guten tag", "guten morgen", "guten abend", "danke", "danke schön", "danke schon", "vielen dank", "ja", "nein", "bitte", "tschüss"],
  pt: ["olá", "ola", "oi", "obrigado", "obrigada", "bom dia", "boa tarde", "boa noite", "sim", "tchau"],
  it: ["ciao", "buongiorno", "buonasera", "grazie", "grazie mille", "prego", "arrivederci"],
  nl: ["hoi", "dank je", "dank u", "bedankt", "goedemorgen", "goedemiddag", "doei"],
  pl: ["cześć", "dzień dobry", "dziękuję", "dzięki", "tak"],
};
const SHORT_LOOKUP = new Map(Object.entries(SHORT_WORDS).flatMap(([lang, words]) => words.map((w) => [w, lang] as const)));

/** The distinct words of a text in first-seen order: "Hello Hello Hello …" reads as "Hello". */
function sample(text: string): string {
  const seen = new Set<string>();
  const out: string[] = [];
  let length = 0;
  for (const word of text.normalize("NFC").split(/\s+/)) {
    const key = word.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
    if (!key || seen.has(key)) continue;
    seen.add(key);
    out.push(word);
    length += word.length + 1;
    if (length >= MAX_SAMPLE_CHARS) break;
  }
  return out.join(" ");
}

function shortWordLanguage(text: string): string | undefined {
  const key = text
    .toLowerCase()
    .replace(/[^\p{L}\s']/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  return SHORT_LOOKUP.get(key);
}

/**
 * ISO 639-1 code of the text's language, or undefined when unsure: a wrong guess ("reply in
 * Hungarian") is worse than none, so the top candidate must be confident or clearly ahead. The guess
 * is made on the distinct words, so repeating a word does not turn it into another language.
 */
export function detectLanguage(text: string): string | undefined {
  // the same message is read by the rules, the prompt and the responder; tinyld takes milliseconds
  if (detected.has(text)) return detected.get(text);
  if (detected.size >= 2000) detected.clear();
  const lang = detect(text);
  detected.set(text, lang);
  return lang;
}
const detected = new Map<string, string | undefined>();

function detect(text: string): string | undefined {
  const distinct = sample(text);
  const letters = distinct.replace(/[^\p{L}]/gu, "");
  // "aaaa…" has length but no language
  const varied = new Set(letters.toLowerCase()).size >= 4;
  if (letters.length < MIN_LETTERS || !varied) return shortWordLanguage(distinct);
  const [best, second] = detectAll(distinct, { only: CANDIDATES });
  if (!best) return shortWordLanguage(distinct);
  if (best.accuracy >= 0.5) return best.lang;
  if (best.accuracy >= 0.05 && best.accuracy >= 1.5 * (second?.accuracy ?? 0)) return best.lang;
  return shortWordLanguage(distinct);
}

const passageLanguages = new Map<string, string | undefined>();

/** detectLanguage for the business's own texts (FAQs, chunks), which recur: kept, bounded. */
export function passageLanguage(text: string): string | undefined {
  if (!passageLanguages.has(text)) {
    if (passageLanguages.size >= 2000) passageLanguages.clear();
    passageLanguages.set(text, detectLanguage(text));
  }
  return passageLanguages.get(text);
}

/**
 * The language of a conversation's latest message: its own when it can be told, else that of the
 * customer's earlier messages (most recent first), so "ok" after a Spanish question stays Spanish.
 */
export function conversationLanguage(message: string, earlierCustomerMessages: string[] = []): string | undefined {
  const own = detectLanguage(message);
  if (own) return own;
  for (const earlier of [...earlierCustomerMessages].reverse().slice(0, 3)) {
    const lang = detectLanguage(earlier);
    if (lang) return lang;
  }
  return undefined;
}

/** Name of a language, in English or in another language ("en" in "es" → "inglés"). */
const displayNames = new Map<string, Intl.DisplayNames>();

export function languageName(code: string, inLanguage = "en"): string {
  try {
    let names = displayNames.get(inLanguage);
    if (!names) displayNames.set(inLanguage, (names = new Intl.DisplayNames([inLanguage], { type: "language" })));
    return names.of(code) ?? code;
  } catch {
    try {
      return langName(code) || code;
    } catch {
      return code;
    }
  }
}

/** "English and Spanish" in the given language ("inglés y español"). */
export function languageList(codes: string[], inLanguage = "en"): string {
  const names = codes.map((c) => languageName(c, inLanguage));
  try {
    return new Intl.ListFormat([inLanguage], { type: "conjunction" }).format(names);
  } catch {
    return names.join(", ");
  }
}

// ---------------------------------------------------------------- fixed lines

/** Lines every answer path needs, in the languages it can say them in. */
export type Phrases = {
  /** the answer below is only in another language (named in this one) */
  contentIn: (languageName: string) => string;
  dontKnow: (business: string) => string;
  /** a message with nothing to answer ("one", "ok", "?") */
  clarify: string;
  greeting: string;
  thanks: string;
  handoff: string;
  complaint: string;
  /** after the owner's emergency advice */
  emergency: string;
  /** a topic the owner does not want discussed */
  prohibited: (topic: string) => string;
  /** the languages the business serves, already named in this language */
  servedLanguages: (languages: string) => string;
  /** what the customer wrote before, found in their history */
  recallFound: string;
  recallNone: string;
  /** "just so you know, I'm allergic to penicillin": kept in their messages for the team */
  noted: string;
};

const PHRASES: Record<string, Phrases> = {
  en: {
    contentIn: (l) => `I only have this information in ${l}:`,
    dontKnow: (b) =>
      `I'm sorry, I don't know the answer to that from the information ${b} has given me. Would you like me to pass your question to a person on the team?`,
    clarify: "Could you tell me a little more about what you'd like to know?",
    greeting: "Hello! What can I help you with?",
    thanks: "You're welcome! Is there anything else I can help you with?",
    handoff: "Of course — I'll pass this conversation to a person on the team, and they'll reply here as soon as they can.",
    complaint: "I'm sorry to hear that. I've passed your message to a person on the team, who will reply here as soon as they can.",
    emergency: "I've also alerted a person on the team, who will reply here as soon as they can.",
    prohibited: (t) => `I'm sorry, I can't help with ${t} here. Would you like me to pass your question to a person on the team?`,
    servedLanguages: (l) => `Sorry, we can only help in ${l}.`,
    recallFound: "Here is what you wrote to us:",
    recallNone: "I can't find that in your messages to us. Would you like me to pass your question to a person on the team?",
    noted: "Thank you — I've added this to your messages, so the team can see it.",
  },
  es: {
    contentIn: (l) => `Solo tengo esta información en ${l}:`,
    dontKnow: (b) => `Lo siento, no sé la respuesta con la información que ${b} me ha dado. ¿Quiere que pase su pregunta a una persona del equipo?`,
    clarify: "¿Podría contarme un poco más sobre lo que quiere saber?",
    greeting: "¡Hola! ¿En qué puedo ayudarle?",
    thanks: "¡De nada! ¿Hay algo más en lo que pueda ayudarle?",
    handoff: "Por supuesto: paso esta conversación a una persona del equipo, que le responderá aquí lo antes posible.",
    complaint: "Siento mucho lo ocurrido. He pasado su mensaje a una persona del equipo, que le responderá aquí lo antes posible.",
    emergency: "También he avisado a una persona del equipo, que le responderá aquí lo antes posible.",
    prohibited: (t) => `Lo siento, no puedo ayudarle con ${t} aquí. ¿Quiere que pase su pregunta a una persona del equipo?`,
    servedLanguages: (l) => `Lo sentimos, solo podemos atenderle en ${l}.`,
    recallFound: "Esto es lo que nos escribió:",
    recallNone: "No encuentro eso en sus mensajes. ¿Quiere que pase su pregunta a una persona del equipo?",
    noted: "Gracias: lo he añadido a sus mensajes para que el equipo pueda verlo.",
  },
  fr: {
    contentIn: (l) => `Je n'ai cette information qu'en ${l} :`,
    dontKnow: (b) =>
      `Désolé, je ne connais pas la réponse d'après les informations que ${b} m'a données. Voulez-vous que je transmette votre question à une personne de l'équipe ?`,
    clarify: "Pouvez-vous m'en dire un peu plus sur ce que vous souhaitez savoir ?",
    greeting: "Bonjour ! Comment puis-je vous aider ?",
    thanks: "Avec plaisir ! Puis-je vous aider pour autre chose ?",
    handoff: "Bien sûr : je transmets cette conversation à une personne de l'équipe, qui vous répondra ici dès que possible.",
    complaint: "Je suis désolé de l'apprendre. J'ai transmis votre message à une personne de l'équipe, qui vous répondra ici dès que possible.",
    emergency: "J'ai aussi prévenu une personne de l'équipe, qui vous répondra ici dès que possible.",
    prohibited: (t) => `Désolé, je ne peux pas vous aider au sujet de : ${t}. Voulez-vous que je transmette votre question à une personne de l'équipe ?`,
    servedLanguages: (l) => `Désolé, nous ne pouvons vous répondre qu'en ${l}.`,
    recallFound: "Voici ce que vous nous avez écrit :",
    recallNone: "Je ne trouve pas cela dans vos messages. Voulez-vous que je transmette votre question à une personne de l'équipe ?",
    noted: "Merci, je l'ai ajouté à vos messages pour que l'équipe puisse le voir.",
  },
  de: {
    contentIn: (l) => `Diese Information habe ich nur auf ${l}:`,
    dontKnow: (b) => `Entschuldigung, das weiß ich aus den Informationen von ${b} nicht. Soll ich Ihre Frage an eine Person aus dem Team weitergeben?`,
    clarify: "Können Sie mir etwas genauer sagen, was Sie wissen möchten?",
    greeting: "Hallo! Wie kann ich Ihnen helfen?",
    thanks: "Gern geschehen! Kann ich Ihnen sonst noch helfen?",
    handoff: "Gern — ich gebe dieses Gespräch an eine Person aus dem Team weiter, die Ihnen hier so bald wie möglich antwortet.",
    complaint: "Das tut mir leid. Ich habe Ihre Nachricht an eine Person aus dem Team weitergegeben, die Ihnen hier so bald wie möglich antwortet.",
    emergency: "Ich habe außerdem eine Person aus dem Team benachrichtigt, die Ihnen hier so bald wie möglich antwortet.",
    prohibited: (t) => `Entschuldigung, beim Thema „${t}“ kann ich hier nicht helfen. Soll ich Ihre Frage an eine Person aus dem Team weitergeben?`,
    servedLanguages: (l) => `Entschuldigung, wir können Ihnen nur auf ${l} helfen.`,
    recallFound: "Das haben Sie uns geschrieben:",
    recallNone: "Das finde ich in Ihren Nachrichten nicht. Soll ich Ihre Frage an eine Person aus dem Team weitergeben?",
    noted: "Danke — ich habe das zu Ihren Nachrichten hinzugefügt, damit das Team es sieht.",
  },
  pt: {
    contentIn: (l) => `Só tenho esta informação em ${l}:`,
    dontKnow: (b) => `Desculpe, não sei a resposta com as informações que ${b} me deu. Quer que eu passe a sua pergunta a uma pessoa da equipa?`,
    clarify: "Pode dizer-me um pouco mais sobre o que gostaria de saber?",
    greeting: "Olá! Em que posso ajudar?",
    thanks: "De nada! Posso ajudar em mais alguma coisa?",
    handoff: "Claro — vou passar esta conversa a uma pessoa da equipa, que lhe responderá aqui assim que possível.",
    complaint: "Lamento muito. Passei a sua mensagem a uma pessoa da equipa, que lhe responderá aqui assim que possível.",
    emergency: "Também avisei uma pessoa da equipa, que lhe responderá aqui assim que possível.",
    prohibited: (t) => `Desculpe, não posso ajudar com ${t} aqui. Quer que eu passe a sua pergunta a uma pessoa da equipa?`,
    servedLanguages: (l) => `Desculpe, só podemos ajudar em ${l}.`,
    recallFound: "Isto é o que nos escreveu:",
    recallNone: "Não encontro isso nas suas mensagens. Quer que eu passe a sua pergunta a uma pessoa da equipa?",
    noted: "Obrigado — acrescentei isto às suas mensagens para que a equipa o possa ver.",
  },
  it: {
    contentIn: (l) => `Ho questa informazione solo in ${l}:`,
    dontKnow: (b) => `Mi dispiace, non conosco la risposta dalle informazioni che ${b} mi ha dato. Vuole che passi la sua domanda a una persona del team?`,
    clarify: "Può dirmi qualcosa in più su ciò che vorrebbe sapere?",
    greeting: "Ciao! Come posso aiutarla?",
    thanks: "Prego! Posso aiutarla in qualcos'altro?",
    handoff: "Certo: passo questa conversazione a una persona del team, che le risponderà qui il prima possibile.",
    complaint: "Mi dispiace molto. Ho passato il suo messaggio a una persona del team, che le risponderà qui il prima possibile.",
    emergency: "Ho anche avvisato una persona del team, che le risponderà qui il prima possibile.",
    prohibited: (t) => `Mi dispiace, qui non posso aiutarla con ${t}. Vuole che passi la sua domanda a una persona del team?`,
    servedLanguages: (l) => `Ci dispiace, possiamo aiutarla solo in ${l}.`,
    recallFound: "Ecco cosa ci ha scritto:",
    recallNone: "Non lo trovo nei suoi messaggi. Vuole che passi la sua domanda a una persona del team?",
    noted: "Grazie: l'ho aggiunto ai suoi messaggi, così il team potrà vederlo.",
  },
};

/** "Sorry, we can only help in …" where no other line is translated: the one line a stranger must read. */
const SERVED_ONLY: Record<string, (l: string) => string> = {
  nl: (l) => `Sorry, we kunnen u alleen helpen in het ${l}.`,
  pl: (l) => `Przepraszamy, możemy pomóc tylko w tych językach: ${l}.`,
  sv: (l) => `Tyvärr kan vi bara hjälpa till på ${l}.`,
  ro: (l) => `Ne pare rău, vă putem ajuta doar în aceste limbi: ${l}.`,
  tr: (l) => `Üzgünüz, yalnızca şu dillerde yardımcı olabiliyoruz: ${l}.`,
  ru: (l) => `Извините, мы можем помочь только на этих языках: ${l}.`,
  uk: (l) => `Вибачте, ми можемо допомогти лише такими мовами: ${l}.`,
  ar: (l) => `عذرًا، لا يمكننا المساعدة إلا بهذه اللغات: ${l}.`,
  zh: (l) => `抱歉，我们只能使用以下语言提供帮助：${l}。`,
  ja: (l) => `申し訳ありませんが、対応できる言語は次のとおりです：${l}。`,
  ko: (l) => `죄송합니다. 다음 언어로만 도와드릴 수 있습니다: ${l}.`,
  hi: (l) => `क्षमा करें, हम केवल इन भाषाओं में मदद कर सकते हैं: ${l}।`,
};

/** Phrases in the customer's language when known, English otherwise. */
export function phrasesFor(language: string | undefined): { language: string; phrases: Phrases } {
  if (language && PHRASES[language]) return { language, phrases: PHRASES[language]! };
  return { language: "en", phrases: PHRASES.en! };
}

/** The polite note of which languages a business serves, in the customer's language where we have it. */
export function servedLanguagesNote(customerLanguage: string, served: string[]): string {
  const own = PHRASES[customerLanguage]?.servedLanguages ?? SERVED_ONLY[customerLanguage];
  if (own) return own(languageList(served, customerLanguage));
  return PHRASES.en!.servedLanguages(languageList(served, "en"));
}
