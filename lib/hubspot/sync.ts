import "server-only";
// The `hubspot` job: works through hubspot_sync, which triggers fill in the transaction of each change.
// A contact: the customer is upserted by email or phone (search, then PATCH the match or create one;
// a customer with neither is skipped). A closed conversation: a note with its summary (made now if the
// summaries job has not yet) and the customer's lead score and stage with the quotes that earned each
// point (lib/intel/leads.ts), associated with the customer's contact. There are no bookings yet, so a
// note carries none. Rate limits are the client's; a 429 that outlasts its
// retries, a 5xx or an unreachable HubSpot is tried again later; a refused token stops the business's
// sync until it is reconnected.
import { and, eq, sql } from "drizzle-orm";
import { rows, withService } from "@/lib/db/client";
import { hubspotConnections, hubspotContacts, hubspotSync } from "@/lib/db/schema";
import { decrypt } from "@/lib/security/crypto";
import { stageOf } from "@/lib/intel/leads";
import { summarizeConversation } from "@/lib/jobs/summaries";
import { openIdentity, type IdentityKind } from "@/lib/pipeline/identities";
import { createContact, createNote, HubspotError, searchContacts, updateContact, type HubspotOptions } from "./client";

const RETRY_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 6 * 3600_000];
const LEASE_MS = 10 * 60_000;

export type HubspotSyncOptions = { now?: () => Date; sleep?: (ms: number) => Promise<void>; limit?: number; businessId?: string };
export type HubspotSyncResult = { done: number; skipped: number; retrying: number; failed: number };

type Job = { id: string; business_id: string; kind: "contact" | "note"; customer_id: string; conversation_id: string | null; attempts: number };

class Skip extends Error {}

/** The contact properties a customer gives: email, phone, first and last name (none left blank). */
async function contactOf(businessId: string, customerId: string) {
  return withService(async (tx) => {
    const [customer] = await rows<{ name: string | null }>(tx, sql`select name from customers where id = ${customerId} and business_id = ${businessId}`);
    if (!customer) return null;
    const ids = await rows<{ kind: IdentityKind; value_encrypted: string }>(
      tx,
      sql`select kind, value_encrypted from customer_identities where customer_id = ${customerId} and business_id = ${businessId} and kind in ('email', 'phone') order by created_at`,
    );
    const [mapped] = await tx.select().from(hubspotContacts).where(and(eq(hubspotContacts.customerId, customerId), eq(hubspotContacts.businessId, businessId)));
    const email = ids.find((i) => i.kind === "email");
    const phone = ids.find((i) => i.kind === "phone");
    const props: Record<string, string> = {};
    if (email) props.email = openIdentity({ kind: "email", valueEncrypted: email.value_encrypted }).value;
    if (phone) props.phone = openIdentity({ kind: "phone", valueEncrypted: phone.value_encrypted }).value;
    const name = customer.name?.trim();
    if (name) {
      const [first, ...rest] = name.split(/\s+/);
      props.firstname = first!;
      if (rest.length) props.lastname = rest.join(" ");
    }
    return { props, contactId: mapped?.contactId ?? null };
  });
}

/** Upserts the customer as a contact; its HubSpot id. */
async function upsertContact(client: HubspotOptions, businessId: string, customerId: string): Promise<string> {
  const c = await contactOf(businessId, customerId);
  if (!c) throw new Skip("The customer no longer exists.");
  const { props } = c;
  let contactId: string | null = c.contactId;
  if (!contactId) {
    if (!props.email && !props.phone) throw new Skip("The customer has no email address or phone number to match a contact on.");
    const [match] = await searchContacts(client, { email: props.email, phone: props.phone });
    contactId = match?.id ?? null;
  }
  if (contactId) {
    try {
      await updateContact(client, contactId, props);
    } catch (err) {
      // deleted in HubSpot since: make it again
      if (!(err instanceof HubspotError && err.status === 404)) throw err;
      contactId = null;
    }
  }
  if (!contactId) {
    try {
      contactId = (await createContact(client, props)).id;
    } catch (err) {
      // made by someone else between the search and the create: update that one
      if (!(err instanceof HubspotError && err.status === 409)) throw err;
      const [match] = await searchContacts(client, { email: props.email, phone: props.phone });
      if (!match) throw err;
      contactId = match.id;
      await updateContact(client, contactId, props);
    }
  }
  await withService((tx) =>
    tx
      .insert(hubspotContacts)
      .values({ customerId, businessId, contactId: contactId!, syncedAt: new Date() })
      .onConflictDoUpdate({ target: hubspotContacts.customerId, set: { contactId: contactId!, syncedAt: new Date() } }),
  );
  return contactId;
}

/** The note of a closed conversation: channel, when, the summary staff see, and the lead score with its quotes. */
async function noteFor(businessId: string, conversationId: string): Promise<{ body: string; at: Date }> {
  type Row = { summary: string | null; closed_at: string | Date | null; channel: string; status: string; lead_score: number; lead_stage: string | null; evidence: { kind: string; quote: string; points: number }[] | null };
  const load = () =>
    withService((tx) =>
      rows<Row>(
        tx,
        sql`select c.summary, c.closed_at, ch.kind::text as channel, c.status, cu.lead_score, cu.lead_stage,
                   (select json_agg(json_build_object('kind', e.kind, 'quote', e.quote, 'points', e.points) order by e.points desc, e.created_at)
                    from lead_evidence e where e.business_id = cu.business_id and e.customer_id = cu.id) as evidence
            from conversations c join channels ch on ch.id = c.channel_id
            join customers cu on cu.id = c.customer_id and cu.business_id = c.business_id
            where c.id = ${conversationId} and c.business_id = ${businessId}`,
      ),
    );
  let [c] = await load();
  if (!c) throw new Skip("The conversation no longer exists.");
  if (!c.summary && c.status === "closed") {
    await summarizeConversation(businessId, conversationId);
    [c] = await load();
  }
  const at = c!.closed_at ? new Date(c!.closed_at) : new Date();
  const lines = [`PrismAI conversation (${c!.channel}) closed ${at.toISOString().slice(0, 16).replace("T", " ")} UTC.`, "", c!.summary ?? "No summary could be made."];
  // the lead score only with the customer's own words behind it: no quote, no point
  const score = Number(c!.lead_score);
  lines.push("", `Lead: ${stageOf(score, c!.lead_stage)}, score ${score}/100.`);
  for (const e of c!.evidence ?? []) lines.push(`- ${e.kind} (+${e.points}): "${e.quote}"`);
  return { body: lines.join("\n"), at };
}

async function claim(now: Date, opts: HubspotSyncOptions): Promise<Job[]> {
  return withService((tx) =>
    rows<Job>(
      tx,
      sql`with due as (
            select id from hubspot_sync
            where status = 'pending' and next_attempt_at <= ${now} ${opts.businessId ? sql`and business_id = ${opts.businessId}` : sql``}
            order by (kind = 'note'), created_at
            limit ${opts.limit ?? 50}
            for update skip locked)
          update hubspot_sync s set attempts = s.attempts + 1, next_attempt_at = ${new Date(now.getTime() + LEASE_MS)}
          from due where s.id = due.id
          returning s.id, s.business_id, s.kind, s.customer_id, s.conversation_id, s.attempts`,
    ),
  );
}

export async function syncHubspot(opts: HubspotSyncOptions = {}): Promise<HubspotSyncResult> {
  const clock = opts.now ?? (() => new Date());
  const result: HubspotSyncResult = { done: 0, skipped: 0, retrying: 0, failed: 0 };
  const jobs = await claim(clock(), opts);
  const tokens = new Map<string, string | null>();
  const stopped = new Set<string>();
  for (const job of jobs) {
    const finish = (values: Partial<typeof hubspotSync.$inferInsert>) =>
      withService((tx) => tx.update(hubspotSync).set(values).where(and(eq(hubspotSync.id, job.id), eq(hubspotSync.businessId, job.business_id))));
    if (!tokens.has(job.business_id)) {
      const [conn] = await withService((tx) => tx.select().from(hubspotConnections).where(eq(hubspotConnections.businessId, job.business_id)));
      tokens.set(job.business_id, conn ? decrypt(conn.tokenEncrypted) : null);
    }
    const token = tokens.get(job.business_id);
    if (!token) {
      await finish({ status: "skipped", error: "HubSpot is not connected.", doneAt: clock() });
      result.skipped++;
      continue;
    }
    if (stopped.has(job.business_id)) {
      // the token was refused a moment ago: wait for the next run rather than fail every row
      await finish({ nextAttemptAt: new Date(clock().getTime() + RETRY_MS[0]!) });
      result.retrying++;
      continue;
    }
    const client: HubspotOptions = { token, sleep: opts.sleep };
    try {
      let hubspotId: string;
      if (job.kind === "contact") {
        hubspotId = await upsertContact(client, job.business_id, job.customer_id);
      } else {
        const contactId = await upsertContact(client, job.business_id, job.customer_id);
        const note = await noteFor(job.business_id, job.conversation_id!);
        hubspotId = (await createNote(client, contactId, note.body, note.at)).id;
      }
      await finish({ status: "done", hubspotId, error: null, doneAt: clock() });
      await withService((tx) => tx.update(hubspotConnections).set({ lastSyncedAt: clock(), lastError: null }).where(eq(hubspotConnections.businessId, job.business_id)));
      result.done++;
    } catch (err) {
      if (err instanceof Skip) {
        await finish({ status: "skipped", error: err.message, doneAt: clock() });
        result.skipped++;
        continue;
      }
      const e = err instanceof HubspotError ? err : new HubspotError(null, err instanceof Error ? err.message : String(err));
      const passing = e.status === null || e.status === 429 || e.status >= 500;
      if (e.status === 401 || e.status === 403) {
        stopped.add(job.business_id);
        await withService((tx) =>
          tx.update(hubspotConnections).set({ lastError: "HubSpot refused the token: connect again with a valid private-app token." }).where(eq(hubspotConnections.businessId, job.business_id)),
        );
      }
      if ((passing || e.status === 401 || e.status === 403) && job.attempts <= RETRY_MS.length) {
        const wait = Math.max(e.retryAfterMs ?? 0, RETRY_MS[job.attempts - 1]!);
        await finish({ status: "pending", error: e.message, nextAttemptAt: new Date(clock().getTime() + wait) });
        result.retrying++;
      } else {
        await finish({ status: "failed", error: e.message, doneAt: clock() });
        await withService((tx) => tx.update(hubspotConnections).set({ lastError: e.message }).where(eq(hubspotConnections.businessId, job.business_id)));
        result.failed++;
      }
    }
  }
  return result;
}
