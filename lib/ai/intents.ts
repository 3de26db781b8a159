// Cheap, deterministic reads of a customer message that must not depend on a model answering:
// "a customer who asks for a human always gets one".
import "server-only";
import { normalizeText } from "./text";

const PEOPLE = "human|humans|person|people|agent|someone|somebody|representative|rep|operator|staff|manager|team member|real person|live agent";

const ASK_FOR_HUMAN: RegExp[] = [
  new RegExp(`\\b(talk|speak|chat|connect|transfer|put|escalate)\\b.{0,30}\\b(${PEOPLE})\\b`),
  new RegExp(`^(a |an )?(${PEOPLE})( please| now| asap)?$`),
  /\b(real|actual|live) (person|human|agent)\b/,
  /\bnot (a )?(bot|robot|machine|ai)\b/,
  // es, fr, de, pt, it
  /\b(hablar|comunicarme|contactar)\b.{0,30}\b(persona|humano|agente|alguien|asesor)\b/,
  /\b(parler|discuter)\b.{0,30}\b(personne|humain|conseiller|quelqu un|agent)\b/,
  /\b(sprechen|reden)\b.{0,30}\b(mensch|menschen|mitarbeiter|mitarbeiterin|person|jemandem)\b/,
  /\bmit einem (menschen|mitarbeiter)\b/,
  /\b(falar)\b.{0,30}\b(pessoa|humano|atendente|alguém|alguem)\b/,
  /\b(parlare)\b.{0,30}\b(persona|umano|operatore|qualcuno)\b/,
];

/** True when the customer asks to talk to a person rather than the assistant. */
export function asksForHuman(text: string): boolean {
  const n = normalizeText(text);
  return ASK_FOR_HUMAN.some((re) => re.test(n));
}

const AFFIRMATIVE = /^(yes|yeah|yep|yup|sure|ok|okay|please|yes please|please do|go ahead|sí|si|claro|oui|ja|sim|certo)( please| thanks| thank you)?$/;

/** A short yes ("yes please", "sí", "oui"): with an offer on the table, that accepts it. */
export function isAffirmative(text: string): boolean {
  return AFFIRMATIVE.test(normalizeText(text));
}
