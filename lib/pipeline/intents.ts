// Asks that decide the path without a model: a person, please.
const HUMAN = [
  /\b(speak|talk|chat)\s+(to|with)\s+(a|an|some|the)?\s*(real\s+|actual\s+|live\s+)?(human|person|someone|somebody|agent|representative|member of (your )?staff|receptionist|manager)\b/i,
  /\b(real|actual|live)\s+(human|person|agent)\b/i,
  /\b(human|person|agent|representative|operator)\s*,?\s*(please|pls)\b/i,
  /^\s*(agent|human|operator|representative)\s*[.!?]*\s*$/i,
  /\bcan i (get|have) (a|an) (human|person|agent)\b/i,
  /\bhablar con (una persona|un humano|alguien)\b/i,
  /\bparler à (une personne|un humain|quelqu'un)\b/i,
  /\bmit (einem menschen|einer person) sprechen\b/i,
];

export function asksForHuman(text: string): boolean {
  return HUMAN.some((re) => re.test(text));
}
