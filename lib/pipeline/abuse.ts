// Abuse checks on an inbound customer text, before any money is spent. The detectors are pure functions
// (exported for tests); assessAbuse applies them to the customer's recent history, moves the trust score,
// records each finding as an abuse_events row with its evidence, and blocks for an hour on repeated abuse.
// These are heuristics, a first line: a clever injection can pass them, so the model's own instructions
// still guard the answer, and a false positive only costs a little trust, never an answer on its own.
import "server-only";
import { sql } from "drizzle-orm";
import { AppError } from "@/lib/errors";
import { rows, type Executor } from "@/lib/db/client";
import { abuseEvents } from "@/lib/db/schema";

export const ABUSE_RULES = {
  maxChars: 4000,
  /** more than `maxMessages` customer messages within `windowMs` */
  rapidFire: { maxMessages: 5, windowMs: 10_000 },
  /** the same (normalised) text `times` or more within `windowMs`; shorter texts ("ok", "yes") never count */
  repeat: { times: 3, windowMs: 60 * 60_000, minChars: 8, minCharsCjk: 4 },
  /** trust below `trustBelow`, or `flaggedMessages` flagged messages within `windowMs`, blocks for `durationMs` */
  block: { trustBelow: 10, flaggedMessages: 3, windowMs: 10 * 60_000, durationMs: 60 * 60_000 },
  penalty: { oversized: 10, prompt_injection: 20, gibberish: 5, repeated_question: 5, rapid_fire: 10 },
  /** a clean message gives back `step` trust, up to the default score; above it only staff raise trust */
  recovery: { step: 1, upTo: 50 },
  /** below this the verdict stays "suspicious": cheaper answers and tighter limits */
  suspiciousBelow: 30,
} as const;

export type AbuseKind = keyof typeof ABUSE_RULES.penalty;
export type Detection = { kind: AbuseKind; evidence: Record<string, unknown> };
export type HistoryMessage = { content: string; at: Date };

// ---------------------------------------------------------------- oversized

/** `originalLength`: the length before the pipeline truncated the stored text, when it did. */
export function detectOversized(text: string, max: number = ABUSE_RULES.maxChars, originalLength?: number): Detection | null {
  if (text.length <= max && !(originalLength && originalLength > max)) return null; // UTF-16 length ≥ code points
  const length = Math.max(Array.from(text).length, originalLength ?? 0);
  return length > max ? { kind: "oversized", evidence: { length, max } } : null;
}

// ---------------------------------------------------------------- prompt injection

const INJECTION_PATTERNS: { name: string; re: RegExp }[] = [
  {
    // "ignore all previous instructions", "disregard your rules" — but not "ignore my previous message"
    name: "ignore_instructions",
    re: /\b(?:ignore|disregard|forget|override|bypass)\b(?:\s+(?!my\b|our\b)[\w'-]+){0,2}?\s+(?:all|any|your|previous|prior|above|earlier|preceding|system|original|initial|developer)\b(?:\s+[\w'-]+){0,3}?\s+(?:instructions?|prompts?|rules|guidelines|directives|programming|guardrails)\b/i,
  },
  { name: "ignore_instructions", re: /\b(?:ignore|disregard|forget)\s+(?:everything|all)\s+(?:above|before|you(?:'ve|\s+have)\s+been\s+told)\b/i },
  // the same in a few other languages customers write in
  { name: "ignore_instructions", re: /\b(?:ignora|ignore[zr]?|olvida|ignoriere|ignorieren)\s+(?:\p{L}+\s+){0,3}(?:instrucciones|instructions|anweisungen|istruzioni)\b/iu },
  {
    name: "role_override",
    re: /\byou\s+are\s+now\s+(?:an?\s+|my\s+)?(?:no\s+longer\b|unrestricted|unfiltered|uncensored|jailbroken|evil\b|dan\b|free\s+(?:from|of)\b|in\s+developer\s+mode)/i,
  },
  { name: "role_override", re: /\byou\s+are\s+now\s+(?:a|an)\s+[\w-]+(?:\s+[\w-]+)?\s+(?:that|who|with|without|named|called)\b/i },
  { name: "role_override", re: /\bfrom\s+now\s+on,?\s+you\s+(?:are|will\s+be|shall\s+be)\s+(?:a|an|my)\b/i },
  {
    name: "role_override",
    re: /\b(?:pretend|act|behave|roleplay)\s+(?:to\s+be|as\s+if\s+you(?:'re|\s+are)|as|like)\s+(?:an?\s+)?(?:unrestricted|unfiltered|uncensored|evil|jailbroken|different\s+(?:ai|assistant|model)|dan)\b/i,
  },
  { name: "system_prompt", re: /\bsystem\s+(?:prompt|instructions?|message)\b/i },
  { name: "system_prompt", re: /\b(?:hidden|secret|developer|initial|original)\s+(?:system\s+)?prompt\b/i },
  {
    // "reveal your instructions", "print your system prompt" — not "show me your instructions for aftercare"
    name: "reveal_instructions",
    re: /\b(?:reveal|print|repeat|output|leak|dump|display|show\s+me|tell\s+me|give\s+me)\s+(?:all\s+(?:of\s+)?)?your\s+(?:exact\s+|full\s+|original\s+|initial\s+|hidden\s+|secret\s+|system\s+)*(?:instructions|prompt|programming|configuration)\b(?!\s+(?:for|on|about|regarding)\b)/i,
  },
  { name: "reveal_instructions", re: /\b(?:verbatim|word\s+for\s+word)\b.{0,40}\b(?:instructions|prompt)\b/i },
  { name: "jailbreak", re: /\bjailbr(?:eak|oken)\b|\bdo\s+anything\s+now\b|\b(?:developer|god|dan|evil)\s+mode\b/i },
  {
    name: "jailbreak",
    re: /\b(?:without|bypass|disable|ignore)\s+(?:any\s+|all\s+|your\s+)?(?:content\s+|safety\s+)?(?:filters|filtering|censorship|guardrails|safety\s+guidelines)\b/i,
  },
  { name: "delimiter", re: /<\|(?:im_start|im_end|system|endoftext)\|>|\[\/?INST\]|<<\/?SYS>>|<\/?system>|^\s*#{2,}\s*(?:system|instructions?)\s*:/im },
];

export function detectPromptInjection(text: string): Detection | null {
  const sample = text.slice(0, 20_000); // bounded work on oversized input
  const patterns: string[] = [];
  const matched: string[] = [];
  for (const { name, re } of INJECTION_PATTERNS) {
    const m = re.exec(sample);
    if (!m) continue;
    if (!patterns.includes(name)) patterns.push(name);
    const snippet = m[0].replace(/\s+/g, " ").trim().slice(0, 80);
    if (!matched.includes(snippet)) matched.push(snippet);
  }
  return patterns.length ? { kind: "prompt_injection", evidence: { patterns, matched } } : null;
}

// ---------------------------------------------------------------- gibberish

const URLS = /\b(?:https?:\/\/|www\.)\S+|\S+@\S+\.\S+/gi;
const EMOJI = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\u200d\ufe0f]/gu;
const KEYBOARD_RUNS = (() => {
  const rows = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];
  const runs = new Set<string>();
  for (const row of rows) {
    for (const r of [row, [...row].reverse().join("")]) {
      for (let i = 0; i + 4 <= r.length; i++) runs.add(r.slice(i, i + 4));
    }
  }
  for (const real of ["wert", "erty", "trew"]) runs.delete(real); // bewerten, property, strewn
  return [...runs];
})();
const VOWELS = /[aeiouy]/g;

/** Why a single Latin word looks like keyboard mash, or null. `word` is lower-case with accents removed. */
function junkReason(word: string, original: string): string | null {
  const w = word.replace(/(.)\1{2,}/g, "$1"); // "hellooooo" is emphasis, not noise
  if (w.length < 3) return null;
  if (KEYBOARD_RUNS.some((run) => w.includes(run))) return "keyboard_run";
  const vowels = (w.match(VOWELS) ?? []).length;
  const isAcronym = original.length <= 5 && original === original.toUpperCase();
  if (vowels === 0 && w.length >= 4 && !isAcronym) return "no_vowels";
  // Digraphs count as one consonant, so German "sch"/"ch" and English "th" do not read as noise.
  const collapsed = w.replace(/sch|ch|sh|th|ph|ck|gh|sz|cz/g, "C");
  if (/[^aeiouy]{6,}/.test(collapsed)) return "consonant_run";
  const ratio = (collapsed.match(VOWELS) ?? []).length / collapsed.length;
  if ((collapsed.length >= 10 && ratio < 0.25) || (collapsed.length >= 6 && ratio < 0.15)) return "few_vowels";
  return null;
}

/**
 * Keyboard mash and symbol soup in Latin-script text. Texts mostly in other scripts (Chinese, Arabic,
 * Cyrillic…) are not judged, nor are texts with fewer than 8 letters ("ok", "asdf?").
 */
export function detectGibberish(text: string): Detection | null {
  const sample = text.slice(0, 4000).replace(URLS, " ");
  const visible = sample.replace(EMOJI, "").replace(/\s+/g, "");
  const letters = visible.match(/\p{L}/gu) ?? [];
  const latin = letters.filter((ch) => /\p{Script=Latin}/u.test(ch)).length;
  if (letters.length > 0 && latin < letters.length / 2) return null;

  const alnum = (visible.match(/[\p{L}\p{N}]/gu) ?? []).length;
  const symbols = new Set(visible.replace(/[\p{L}\p{N}]/gu, "")).size;
  if (visible.length >= 12 && alnum / visible.length < 0.3 && symbols >= 4) {
    return { kind: "gibberish", evidence: { reason: "symbols", characters: visible.length, alphanumeric: alnum } };
  }
  if (latin < 8) return null;
  const lettersOnly = visible.match(/\p{L}/gu)!.join("").toLowerCase();
  if (new Set(lettersOnly).size === 1) {
    return { kind: "gibberish", evidence: { reason: "one_letter", letters: latin } };
  }

  const words = (sample.match(/\p{L}+/gu) ?? []).filter((w) => w.length >= 3);
  let total = 0;
  let junk = 0;
  const reasons: Record<string, number> = {};
  for (const original of words) {
    const plain = original.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
    total += plain.length;
    const reason = /^[a-z]+$/.test(plain) ? junkReason(plain, original) : null;
    if (reason) {
      junk += plain.length;
      reasons[reason] = (reasons[reason] ?? 0) + 1;
    }
  }
  if (total === 0 || junk / total < 0.5) return null;
  return {
    kind: "gibberish",
    evidence: { reason: "junk_words", words: words.length, junkWords: Object.values(reasons).reduce((a, b) => a + b, 0), junkShare: Math.round((junk / total) * 100) / 100, reasons },
  };
}

// ---------------------------------------------------------------- repeats and floods

/** Lower-case, no punctuation or symbols, single spaces: "Are you open?!" and "are you open" are the same ask. */
export function normalizeQuestion(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

export function detectRepeatedQuestion(
  text: string,
  history: HistoryMessage[],
  at: Date,
  rules = ABUSE_RULES.repeat,
): Detection | null {
  const normal = normalizeQuestion(text);
  const min = CJK.test(normal) ? rules.minCharsCjk : rules.minChars;
  if ([...normal].length < min) return null;
  const since = at.getTime() - rules.windowMs;
  const earlier = history.filter((h) => h.at.getTime() > since && h.at <= at && normalizeQuestion(h.content) === normal).length;
  const count = earlier + 1;
  if (count < rules.times) return null;
  return {
    kind: "repeated_question",
    evidence: { count, windowMinutes: rules.windowMs / 60_000, excerpt: normal.slice(0, 60) },
  };
}

export function detectRapidFire(history: HistoryMessage[], at: Date, rules = ABUSE_RULES.rapidFire): Detection | null {
  const since = at.getTime() - rules.windowMs;
  const count = history.filter((h) => h.at.getTime() > since && h.at <= at).length + 1;
  return count > rules.maxMessages ? { kind: "rapid_fire", evidence: { count, windowSeconds: rules.windowMs / 1000 } } : null;
}

/** Every detector on one message; `history` is the customer's earlier messages (not this one). */
export function detectAbuse(input: { text: string; history: HistoryMessage[]; at: Date; originalLength?: number }): Detection[] {
  const found = [
    detectOversized(input.text, ABUSE_RULES.maxChars, input.originalLength),
    detectPromptInjection(input.text),
    detectGibberish(input.text),
    detectRepeatedQuestion(input.text, input.history, input.at),
    detectRapidFire(input.history, input.at),
  ];
  return found.filter((d): d is Detection => d !== null);
}

// ---------------------------------------------------------------- applying it to a customer

export type AssessAbuseInput = {
  businessId: string;
  customerId: string;
  text: string;
  /** the stored customer message being assessed: left out of the history so it is not counted twice */
  messageId?: string | null;
  /** hashIp() of the sender's address, where known */
  ipHash?: string | null;
  /** when the message arrived (default now) */
  at?: Date;
  /** the text's length before the pipeline truncated it for storage, if it did */
  originalLength?: number;
  /**
   * what the caller already read in its own statement (the pipeline's load): the customer's standing
   * and their other customer messages of the repeat window, newest first. Without it they are read here.
   */
  read?: { customer: CustomerRow; history: { content: string; at: Date }[] };
  /** how the writes run (trust moves, flags, blocks): by default on `ex`; the pipeline gives them a transaction */
  write?: <T>(fn: (ex: Executor) => Promise<T>) => Promise<T>;
};

export type AbuseVerdict = "ok" | "suspicious" | "block";

export type AbuseAssessment = {
  verdict: AbuseVerdict;
  kinds: AbuseKind[];
  trustScore: number;
  trustDelta: number;
  /** set when the customer is blocked (now or already) */
  blockedUntil?: Date;
  detections: Detection[];
};

type CustomerRow = { trust_score: number; blocked: boolean; blocked_until: Date | string | null };

const asDate = (v: Date | string | null): Date | null => (v === null ? null : v instanceof Date ? v : new Date(v));

/**
 * Judges one inbound customer text. Run it inside the pipeline's service transaction, after the message
 * is stored (pass its id) and before any model call.
 */
export async function assessAbuse(ex: Executor, input: AssessAbuseInput): Promise<AbuseAssessment> {
  const at = input.at ?? new Date();
  const { customer, history } = input.read ?? (await readStanding(ex, input, at));
  if (!customer) throw new AppError("not_found", "That customer does not exist.");
  const blockedUntil = asDate(customer.blocked_until);
  if (customer.blocked || (blockedUntil && blockedUntil > at)) {
    return { verdict: "block", kinds: [], trustScore: customer.trust_score, trustDelta: 0, blockedUntil: blockedUntil ?? undefined, detections: [] };
  }
  const write = input.write ?? (<T>(fn: (wx: Executor) => Promise<T>) => fn(ex));

  const detections = detectAbuse({ text: input.text, history, at, originalLength: input.originalLength });

  if (detections.length === 0) {
    const { step, upTo } = ABUSE_RULES.recovery;
    // a clean message wins trust back, up to the recovery ceiling (nothing to write at or above it)
    const [row] =
      customer.trust_score < upTo
        ? await write((wx) =>
            rows<{ trust_score: number }>(
              wx,
              sql`update customers set trust_score = least(trust_score + ${step}::int, ${upTo}::int)
                  where id = ${input.customerId} and business_id = ${input.businessId} and trust_score < ${upTo}::int
                  returning trust_score`,
            ),
          )
        : [];
    const trustScore = row?.trust_score ?? customer.trust_score;
    return {
      verdict: trustScore < ABUSE_RULES.suspiciousBelow ? "suspicious" : "ok",
      kinds: [],
      trustScore,
      trustDelta: trustScore - customer.trust_score,
      detections,
    };
  }
  return write((wx) => penalise(wx, input, at, customer, detections));
}

/** One statement: the customer's standing and their other customer messages of the repeat window. */
async function readStanding(ex: Executor, input: AssessAbuseInput, at: Date) {
  const [customer] = await rows<CustomerRow & { history: unknown }>(
    ex,
    sql`select c.trust_score, c.blocked, c.blocked_until,
          coalesce((select json_agg(json_build_object('content', h.content, 'created_at', h.created_at) order by h.created_at desc)
                    from (select content, created_at from messages
                          where business_id = ${input.businessId} and customer_id = ${input.customerId} and role = 'customer'
                            and created_at > ${new Date(at.getTime() - ABUSE_RULES.repeat.windowMs).toISOString()}::timestamptz
                            and created_at <= ${at.toISOString()}::timestamptz
                            ${input.messageId ? sql`and id <> ${input.messageId}` : sql``}
                          order by created_at desc limit 200) h), '[]'::json) as history
        from customers c
        where c.id = ${input.customerId} and c.business_id = ${input.businessId}`,
  );
  if (!customer) return { customer: undefined, history: [] };
  const windowed = (typeof customer.history === "string" ? JSON.parse(customer.history) : customer.history) as { content: string; created_at: string }[];
  return { customer: customer as CustomerRow, history: windowed.map((m) => ({ content: m.content, at: asDate(m.created_at)! })) };
}

/** A flagged message: trust down, one evidence row per detector, and a temporary block when it comes to that. */
async function penalise(ex: Executor, input: AssessAbuseInput, at: Date, customer: CustomerRow, detections: Detection[]): Promise<AbuseAssessment> {
  const penalties = detections.map((d) => ABUSE_RULES.penalty[d.kind]);
  const delta = -penalties.reduce((a, b) => a + b, 0);
  const [updated] = await rows<{ trust_score: number }>(
    ex,
    sql`update customers set trust_score = greatest(0, least(100, trust_score + ${delta}::int)), updated_at = now()
        where id = ${input.customerId} and business_id = ${input.businessId}
        returning trust_score`,
  );
  const trustScore = updated!.trust_score;
  await ex.insert(abuseEvents).values(
    detections.map((d, i) => ({
      businessId: input.businessId,
      customerId: input.customerId,
      kind: d.kind,
      action: "flag",
      trustDelta: -penalties[i]!,
      evidence: { ...d.evidence, ...(input.messageId ? { messageId: input.messageId } : {}) },
      ipHash: input.ipHash ?? null,
      createdAt: at,
    })),
  );

  // Flagged messages (not rows: one message may match several detectors) in the block window.
  const { trustBelow, flaggedMessages, windowMs, durationMs } = ABUSE_RULES.block;
  const [recent] = await rows<{ flagged: number }>(
    ex,
    sql`select count(distinct created_at)::int as flagged from abuse_events
        where business_id = ${input.businessId} and customer_id = ${input.customerId} and action = 'flag'
          and created_at > ${new Date(at.getTime() - windowMs).toISOString()}::timestamptz
          and created_at <= ${at.toISOString()}::timestamptz`,
  );
  const flagged = recent?.flagged ?? 0;
  const kinds = detections.map((d) => d.kind);
  if (trustScore >= trustBelow && flagged < flaggedMessages) {
    return { verdict: "suspicious", kinds, trustScore, trustDelta: trustScore - customer.trust_score, detections };
  }

  const until = new Date(at.getTime() + durationMs);
  await ex.execute(
    sql`update customers set blocked_until = ${until.toISOString()}::timestamptz, updated_at = now()
        where id = ${input.customerId} and business_id = ${input.businessId}`,
  );
  await ex.insert(abuseEvents).values({
    businessId: input.businessId,
    customerId: input.customerId,
    kind: "temporary_block",
    action: "block",
    trustDelta: 0,
    evidence: {
      reason: trustScore < trustBelow ? "low_trust" : "repeated_abuse",
      trustScore,
      flaggedMessages: flagged,
      windowMinutes: windowMs / 60_000,
      until: until.toISOString(),
      kinds,
      ...(input.messageId ? { messageId: input.messageId } : {}),
    },
    ipHash: input.ipHash ?? null,
    createdAt: at,
  });
  return { verdict: "block", kinds, trustScore, trustDelta: trustScore - customer.trust_score, blockedUntil: until, detections };
}
