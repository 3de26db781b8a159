// Lead evidence, offline: the sentences of a customer's own messages that show budget, timing, need
// or authority, by keyword rules per kind of business. Every point is a quote — an exact sentence of
// the customer's message — and a message with nothing to quote earns nothing. The score is the best
// quote of each kind summed; the stage follows from the score unless staff set customer or lost.
import { sql } from "drizzle-orm";
import type { BusinessKind } from "./defaults";

export const EVIDENCE_KINDS = ["budget", "timing", "need", "authority"] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];
export const EVIDENCE_POINTS: Record<EvidenceKind, number> = { budget: 30, timing: 25, need: 25, authority: 20 };

export const LEAD_STAGES = ["new", "qualified", "hot", "customer", "lost"] as const;
export type LeadStage = (typeof LEAD_STAGES)[number];
/** Stages only staff set; the others follow the score. */
export const STAFF_STAGES = ["customer", "lost"] as const;
export const HOT_FROM = 70;
export const QUALIFIED_FROM = 25;

export type Evidence = { kind: EvidenceKind; quote: string; points: number };

const MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec";
const MONEY = /(?:[£$€]\s?\d[\d,.]*\s?(?:k|m|million|thousand|grand)?\b|\b\d[\d,.]*\s?(?:k|grand|thousand|million|pounds|dollars|euros|quid)\b)/i;

const COMMON: Record<EvidenceKind, RegExp[]> = {
  budget: [MONEY, /\b(my|our|a|the) budget\b|\bbudget (is|of|around|about|up to)\b|\bcan (afford|spend|pay) (up to|about|around)?\b|\bhappy to pay\b|\bprice (is )?not an issue\b/i],
  timing: [
    new RegExp(`\\b(before|by|in|from|until|end of|start of|early|mid|late) (${MONTHS})\\b`, "i"),
    /\b(asap|as soon as possible|urgently|this (week|weekend|month)|next (week|month|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|tomorrow|today|tonight|within (a|two|three|\d+) (days?|weeks?|months?)|in (a|two|three|\d+) (days?|weeks?|months?)|by the end of the (week|month|year)|right away)\b/i,
  ],
  need: [/\b(i|we) (am|are|'m|'re)? ?(looking (to|for)|need|want|would like|'d like) (to )?(buy|book|order|hire|get|find|rent|sell|start|arrange|have)\b/i],
  authority: [
    /\b(i am|i'm|we are|we're) (the )?(owner|director|decision maker|manager|landlord|buyer|head of|in charge|responsible)\b/i,
    /\b(i|we) (decide|make the decision|sign off|approve)\b|\bon behalf of (my|our) (company|business|firm|family)\b|\bmy (wife|husband|partner) and i\b/i,
  ],
};

/** What counts as a need, and as authority, for each kind of business (beside the common rules). */
const BY_KIND: Record<BusinessKind, Partial<Record<EvidenceKind, RegExp[]>>> = {
  general: {},
  clinic: {
    need: [/\b(need|needs|want|would like|looking for) (a |an |my |some )?(check[- ]?up|filling|crown|implant|implants|cleaning|whitening|braces|invisalign|aligners|extraction|root canal|veneers|dentist|hygienist|appointment)\b/i, /\bnew patient\b/i],
    authority: [/\b(for (my|our) (son|daughter|children|kids|family|wife|husband))\b|\bregister (the|my|our) (whole )?family\b/i],
  },
  estate_agent: {
    need: [/\b\d[- ]?(bed|bedroom|bedroomed)\b/i, /\b(looking|want|hoping|need) to (buy|rent|let|sell|move)\b/i, /\b(house|flat|apartment|home|property) (to buy|to rent|for sale|near|in)\b/i],
    authority: [/\b(cash buyers?|mortgage (in principle|agreed|approved|offer)|pre-?approved|chain[- ]free|first[- ]time buyers?|sold (my|our) (house|flat|home))\b/i],
  },
  restaurant: {
    need: [/\b(table for|party of|group of|booking for) (\d+|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty)\b/i, /\b(birthday|anniversary|wedding|christmas party|office party|private (room|dining|event)|catering)\b/i],
    authority: [/\b(i am|i'm) (organising|organizing|booking|planning)\b|\bfor (my|our) (company|team|office)\b/i],
  },
  law_firm: {
    need: [/\b(need|want|looking for) (a |an )?(lawyer|solicitor|barrister|legal advice|representation)\b/i, /\b(divorce|unfair(ly)? dismiss(ed|al)|custody|probate|will|personal injury|accident claim|tribunal|lease dispute|conveyancing)\b/i],
    authority: [/\b(i am|i'm) the (claimant|defendant|executor|director|employer|landlord|tenant)\b|\bon behalf of my (company|mother|father|client)\b/i],
  },
};

function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The evidence in one customer message: at most one quote per kind, each an exact sentence of it. */
export function leadEvidence(text: string, kind: BusinessKind): Evidence[] {
  const found: Evidence[] = [];
  for (const k of EVIDENCE_KINDS) {
    const rules = [...COMMON[k], ...(BY_KIND[kind][k] ?? [])];
    const quote = sentences(text).find((s) => rules.some((re) => re.test(s)));
    if (quote) found.push({ kind: k, quote: quote.slice(0, 300), points: EVIDENCE_POINTS[k] });
  }
  return found;
}

/** The score from every quote the customer gave: the best of each kind, summed (0–100). */
export function leadScore(evidence: Pick<Evidence, "kind" | "points">[]): number {
  const best = new Map<EvidenceKind, number>();
  for (const e of evidence) best.set(e.kind, Math.max(best.get(e.kind) ?? 0, e.points));
  return Math.min(100, [...best.values()].reduce((a, b) => a + b, 0));
}

export function stageOf(score: number, staffStage: string | null | undefined): LeadStage {
  if (staffStage === "customer" || staffStage === "lost") return staffStage;
  if (score >= HOT_FROM) return "hot";
  if (score >= QUALIFIED_FROM) return "qualified";
  return "new";
}

/** The same score in SQL, from the customer's stored evidence (after new evidence, and after a merge). */
export const leadScoreSql = (businessId: string, customerId: string) =>
  sql`(select least(100, coalesce(sum(best), 0))::int from (select max(points) as best from lead_evidence
        where business_id = ${businessId} and customer_id = ${customerId} group by kind) k)`;
