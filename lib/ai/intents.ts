// Cheap, deterministic reads of a customer message that must not depend on a model answering:
// "a customer who asks for a human always gets one", a yes to the offer of one, greetings and
// thanks, and questions about what the customer told us before.
import "server-only";
import { normalizeText } from "./text";

const PEOPLE =
  "human|humans|person|people|agent|someone|somebody|representative|rep|operator|staff|manager|team member|member of staff|member of the team|receptionist|real person|live agent";

const ASK_FOR_HUMAN: RegExp[] = [
  new RegExp(`\\b(talk|speak|chat|connect|transfer|put|escalate)\\b.{0,30}\\b(${PEOPLE})\\b`),
  new RegExp(`^(a |an )?(${PEOPLE})( please| pls| now| asap)?$`),
  new RegExp(`\\bcan i (get|have) (a |an )?(${PEOPLE})\\b`),
  /\b(human|person|agent|representative|operator) (please|pls)\b/,
  /\b(real|actual|live) (person|human|agent)\b/,
  /\bnot (a )?(bot|robot|machine|ai)\b/,
  // es, fr, de, pt, it
  /\b(hablar|comunicarme|contactar)\b.{0,30}\b(persona|humano|agente|alguien|asesor)\b/,
  /\b(parler|discuter)\b.{0,30}\b(personne|humain|conseiller|quelqu un|agent)\b/,
  /\b(sprechen|reden)\b.{0,30}\b(mensch|menschen|mitarbeiter|mitarbeiterin|person|jemandem)\b/,
  /\bmit (einem|einer) (menschen|mitarbeiter|mitarbeiterin|person)\b/,
  /\b(falar)\b.{0,30}\b(pessoa|humano|atendente|alguém|alguem)\b/,
  /\b(parlare)\b.{0,30}\b(persona|umano|operatore|qualcuno)\b/,
];

/** True when the customer asks to talk to a person rather than the assistant. */
export function asksForHuman(text: string): boolean {
  const n = normalizeText(text);
  return ASK_FOR_HUMAN.some((re) => re.test(n));
}

const AFFIRMATIVE =
  /^(yes|yeah|yep|yup|sure|ok|okay|please|yes please|please do|go ahead|do it|that would be great|sí|si|claro|vale|oui|ja|sim|certo|por favor)( please| thanks| thank you| por favor| merci| bitte)?$/;

/** A short yes ("yes please", "sí", "oui"): with an offer on the table, that accepts it. */
export function isAffirmative(text: string): boolean {
  return AFFIRMATIVE.test(normalizeText(text));
}

/** The assistant's last message offered to pass the conversation to a person (and asked). */
export function offersPerson(assistantText: string | undefined): boolean {
  if (!assistantText || !assistantText.trim().endsWith("?")) return false;
  const n = normalizeText(assistantText);
  return /\b(pass|put|connect|transfer|hand)\b.{0,60}\b(person|someone|team|colleague|staff)\b|persona del equipo|personne de l équipe|person aus dem team|pessoa da equipa|persona del team/.test(n);
}

const GREETING =
  /^(hi|hello|hey|hiya|howdy|good (morning|afternoon|evening)|hola|buenas|buenos días|buenos dias|buenas tardes|bonjour|bonsoir|salut|hallo|guten (tag|morgen|abend)|olá|ola|oi|bom dia|boa tarde|ciao|buongiorno|buonasera)( there| all| team| everyone)?$/;
const THANKS =
  /^((ok |okay |great |perfect |lovely |brilliant |cool |got it )?(thanks|thank you|thx|ta|cheers|many thanks)( so much| very much| a lot)?|gracias|muchas gracias|merci( beaucoup)?|danke( schön| schon)?|vielen dank|obrigad[oa]|grazie( mille)?)$/;

/** Distinct words in order: "Hello Hello Hello" reads as "hello". */
function distinctWords(text: string): string {
  return [...new Set(normalizeText(text).split(" ").filter(Boolean))].join(" ");
}

export function isGreeting(text: string): boolean {
  return GREETING.test(distinctWords(text));
}

export function isThanks(text: string): boolean {
  return THANKS.test(distinctWords(text));
}

const NOTE = /^(just |also )?(so you know|fyi|for your information|please note|note that|just to let you know|to let you know|i wanted to let you know|just letting you know|for the record)\b/;

/** Something the customer tells us rather than asks ("just so you know, I'm allergic to penicillin"). */
export function isNote(text: string): boolean {
  return NOTE.test(normalizeText(text)) && !text.trim().endsWith("?");
}

// ---------------------------------------------------------------- recall

export type RecallChannel = "web" | "sms" | "whatsapp" | "voice" | "email" | "telegram" | "instagram";

const RECALL: RegExp[] = [
  /\bwhat (did|have) i (just )?(ask|asked|say|said|tell|told|write|wrote|send|sent|mention|mentioned|text|texted|message|messaged|email|emailed)\b/,
  /\bdid (i|you) (ever |already )?(tell|mention|say|give|note|notice|record|save|get|see|read|receive|remember|write down|log|pass on)\b/,
  /\b(do|can|did) you (still )?(remember|recall)\b/,
  /\b(my|our) (last|previous|earlier|first) (message|question|email|text|call|chat)\b/,
  /\bwhat (\w+ ){1,2}did i (give|tell|say|mention|ask|send)\b/,
  /\b(what|when|which|where) (\w+ ){0,3}(is|was|were) (my|our) (\w+ ){0,2}again\b/,
  /\bremind me (what|when|which|of)\b/,
];

const CHANNEL_WORDS: [RecallChannel, RegExp][] = [
  ["sms", /\b(sms|text|texts|text message|texted|by text)\b/],
  ["whatsapp", /\bwhats ?app\b/],
  ["voice", /\b(phone|call|called|rang|voice|on the phone|phone call)\b/],
  ["email", /\be ?mail(ed)?\b/],
  ["telegram", /\btelegram\b/],
  ["instagram", /\b(instagram|insta|ig|dm)\b/],
  ["web", /\b(web chat|live chat|website|chat on the website)\b/],
];

/**
 * A question about what the customer told us before ("what did I ask you by SMS?", "did you note
 * my allergy?", "when is my consultation again?"), with the channels it names, if any.
 */
export function recallRequest(text: string): { channels: RecallChannel[] } | null {
  const n = normalizeText(text);
  if (!RECALL.some((re) => re.test(n))) return null;
  return { channels: CHANNEL_WORDS.filter(([, re]) => re.test(n)).map(([c]) => c) };
}

/** Words of a recall question that ask rather than say what about ("what did I ask you on SMS"). */
export const RECALL_WORDS = new Set(
  "ask asked say said tell told write wrote send sent mention mentioned note noted notice record recorded save saved remember recall remind log message messages text texted sms whatsapp phone call called rang voice email emailed mail telegram instagram insta ig dm chat website web earlier before previous last first again already ever still give gave".split(
    " ",
  ),
);
