import "server-only";
// webhook_events for every provider: one row per event the provider means (a MessageSid, a call's
// turn, an update_id, a message id), so a retry finds the first and never answers twice. The payload
// is sealed: it holds phone numbers and addresses. Twilio's is the default provider.
import { and, eq, sql } from "drizzle-orm";
import { withService, type Executor } from "@/lib/db/client";
import { webhookEvents } from "@/lib/db/schema";
import { encryptJson } from "@/lib/security/crypto";
import { stripNul } from "@/lib/validation/text";
import type { TwilioParams } from "@/lib/channels/twilio/request";
import { redactNumbers } from "./retry";

export const PROVIDER = "twilio";

export type EventResult = { twiml?: string; [key: string]: unknown };
export type WebhookEvent = typeof webhookEvents.$inferSelect;

export type Claim = { fresh: true; id: string } | { fresh: false; event: WebhookEvent };

/** Records the event; `fresh: false` hands back the row a previous delivery of it made. */
export async function claimEvent(
  ex: Executor,
  input: { businessId: string | null; eventId: string; kind: string; params: TwilioParams | Record<string, unknown>; provider?: string },
): Promise<Claim> {
  const provider = input.provider ?? PROVIDER;
  const [row] = await ex
    .insert(webhookEvents)
    .values({
      businessId: input.businessId,
      provider,
      eventId: input.eventId,
      payload: { kind: input.kind, sealed: encryptJson(input.params) },
    })
    .onConflictDoNothing({ target: [webhookEvents.provider, webhookEvents.eventId] })
    .returning({ id: webhookEvents.id });
  if (row) return { fresh: true, id: row.id };
  const [event] = await ex
    .select()
    .from(webhookEvents)
    .where(and(eq(webhookEvents.provider, provider), eq(webhookEvents.eventId, input.eventId)))
    .limit(1);
  return { fresh: false, event: event! };
}

/** A failed event's retry takes it over (once: concurrent retries race on the status). */
export async function reclaimFailedEvent(event: WebhookEvent): Promise<string | null> {
  if (event.status !== "failed") return null;
  const [row] = await withService((tx) =>
    tx
      .update(webhookEvents)
      .set({ status: "received", error: null })
      .where(and(eq(webhookEvents.id, event.id), eq(webhookEvents.status, "failed")))
      .returning({ id: webhookEvents.id }),
  );
  return row?.id ?? null;
}

export type EventOutcome = { status: "processed" | "failed" | "ignored"; result?: EventResult; error?: string };

/** Records how an event ended; pass `ex` to make it part of a transaction already open. */
export async function finishEvent(id: string, outcome: EventOutcome, ex?: Executor) {
  const update = (e: Executor) =>
    e
      .update(webhookEvents)
      .set({ status: outcome.status, result: outcome.result ?? null, error: outcome.error ? stripNul(redactNumbers(outcome.error)).slice(0, 500) : null, processedAt: sql`now()` })
      .where(eq(webhookEvents.id, id));
  if (ex) await update(ex);
  else await withService(update);
}

export async function loadEvent(eventId: string): Promise<WebhookEvent | undefined> {
  const [event] = await withService((tx) =>
    tx
      .select()
      .from(webhookEvents)
      .where(and(eq(webhookEvents.provider, PROVIDER), eq(webhookEvents.eventId, eventId)))
      .limit(1),
  );
  return event;
}

/** Waits (polling) for another request's result on the same event, up to `ms`. */
export async function awaitEventResult(eventId: string, ms: number, everyMs = 200): Promise<WebhookEvent | undefined> {
  const until = Date.now() + ms;
  for (;;) {
    const event = await loadEvent(eventId);
    if (event && event.status !== "received") return event;
    if (Date.now() + everyMs > until) return undefined;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
