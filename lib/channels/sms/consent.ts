import "server-only";
// Consent per channel on the customer (customers.consent): { sms: { optedOut: true, at, source } }.
// Every outbound path — replies, staff messages, campaigns — asks canMessage first.
import { and, eq, sql } from "drizzle-orm";
import type { Executor } from "@/lib/db/client";
import { customers } from "@/lib/db/schema";

export type ConsentKind = "sms" | "whatsapp" | "voice" | "email" | "telegram" | "instagram" | "web";
export type ConsentEntry = { optedOut: boolean; at: string; source: "keyword" | "carrier" | "staff" };

type CustomerLike = { consent: Record<string, unknown> | null | undefined };

export function consentOf(customer: CustomerLike, kind: ConsentKind): ConsentEntry | null {
  const entry = (customer.consent ?? {})[kind] as Partial<ConsentEntry> | undefined;
  return entry && typeof entry === "object" ? { optedOut: Boolean(entry.optedOut), at: String(entry.at ?? ""), source: entry.source ?? "keyword" } : null;
}

/** False once the customer opted out of this channel: they get nothing more on it, campaigns included. */
export function canMessage(customer: CustomerLike, kind: ConsentKind): boolean {
  return !consentOf(customer, kind)?.optedOut;
}

/** Records an opt-out or opt-in on one channel, keeping the other channels' entries. */
export async function setConsent(
  ex: Executor,
  input: { businessId: string; customerId: string; kind: ConsentKind; optedOut: boolean; source: ConsentEntry["source"]; at?: Date },
): Promise<void> {
  const entry: ConsentEntry = { optedOut: input.optedOut, at: (input.at ?? new Date()).toISOString(), source: input.source };
  await ex
    .update(customers)
    .set({ consent: sql`${customers.consent} || jsonb_build_object(${input.kind}::text, ${JSON.stringify(entry)}::jsonb)`, updatedAt: new Date() })
    .where(and(eq(customers.id, input.customerId), eq(customers.businessId, input.businessId)));
}
