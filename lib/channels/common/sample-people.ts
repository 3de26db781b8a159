// The people the Channel simulator plays by default: a different one each time the page opens, so
// the customers a new owner makes while trying channels do not all share one name. Pure, so the
// simulator's form can use nameFromAddress as the owner types an address.

export const SAMPLE_PEOPLE = [
  { name: "Maria Garcia", email: "maria.garcia@example.com" },
  { name: "Tom Okafor", email: "tom.okafor@example.com" },
  { name: "Priya Shah", email: "priya.shah@example.org" },
  { name: "Lena Fischer", email: "lena.fischer@example.net" },
  { name: "Sam Whitaker", email: "sam.whitaker@example.com" },
  { name: "Aiko Tanaka", email: "aiko.tanaka@example.org" },
  { name: "Jonas Berg", email: "jonas.berg@example.net" },
  { name: "Chloé Martin", email: "chloe.martin@example.com" },
] as const;

export type SamplePerson = (typeof SAMPLE_PEOPLE)[number];

/** One of the sample people; `pick` in [0, 1) chooses which (Math.random by default). */
export function samplePerson(pick: number = Math.random()): SamplePerson {
  return SAMPLE_PEOPLE[Math.floor(Math.max(0, Math.min(pick, 0.999999)) * SAMPLE_PEOPLE.length)]!;
}

/** "maria.garcia@example.com" → "Maria Garcia", "jo_smith99@…" → "Jo Smith"; "" when the address names nobody. */
export function nameFromAddress(address: string): string {
  const local = address.split("@")[0] ?? "";
  return local
    .split(/[._+-]+/)
    .map((part) => part.replace(/[^\p{L}]/gu, ""))
    .filter(Boolean)
    .slice(0, 3)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
    .join(" ");
}
