import "server-only";
// Delivering the stored events (the `webhooks` job): each delivery is tried at once, then after
// 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (Svix's schedule, about 28 hours in all). Per endpoint
// and conversation (or customer) one delivery at a time, in the order the events were written: a later
// one waits while an earlier one is pending retry. An endpoint whose messages exhaust every attempt
// DISABLE_AFTER_EXHAUSTED times in a row (no success in between) is disabled and its business's owners
// are emailed. Every attempt is logged with its status, duration and the first 1,000 characters of
// the answer. The clock is injectable (`now`) so tests walk the schedule without sleeping, and
// `timeScale` compresses it for the benchmark.
import { sql } from "drizzle-orm";
import { rows, withService, type Executor } from "@/lib/db/client";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { decrypt } from "@/lib/security/crypto";
import { enqueueEmail } from "@/lib/channels/outbox";
import { postWebhook, type PostResult } from "./http";
import { webhookHeaders, webhookMessageId } from "./signing";

export const RETRY_SCHEDULE_MS = [0, 5_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 5 * 3600_000, 10 * 3600_000, 10 * 3600_000] as const;
export const MAX_ATTEMPTS = RETRY_SCHEDULE_MS.length;
/** Messages in a row that exhausted every attempt (about 28 hours of failures each) before the endpoint is disabled. */
export const DISABLE_AFTER_EXHAUSTED = 5;
/** A claimed delivery whose sender died is tried again after this (longer than the request timeout). */
const LEASE_MS = 5 * 60_000;
export const RESPONSE_BODY_CHARS = 1000;
/** The previous secret keeps signing this long after a rotation. */
export const PREVIOUS_SECRET_TTL_MS = 24 * 3600_000;

export type DrainOptions = {
  now?: () => Date;
  /** multiplies every retry delay (the benchmark compresses the schedule) */
  timeScale?: number;
  businessId?: string;
  /** deliveries claimed per round */
  limit?: number;
  /** requests in flight at once */
  concurrency?: number;
  /** stop starting new rounds after this long (real time) */
  budgetMs?: number;
};

export type DrainResult = { delivered: number; retrying: number; failed: number; disabled: number };

type Claimed = {
  id: string;
  business_id: string;
  endpoint_id: string;
  message_id: string;
  attempts: number;
  url: string;
  secret_encrypted: string;
  previous_secret_encrypted: string | null;
  previous_secret_expires_at: string | Date | null;
  event_type: string;
  payload: Record<string, unknown>;
  message_created_at: string | Date;
};

const iso = (d: string | Date) => new Date(d).toISOString();

/** The request body: Standard Webhooks' { type, timestamp, data }, the same on every attempt. */
export function webhookBody(m: { event_type: string; payload: Record<string, unknown>; message_created_at: string | Date }): string {
  return JSON.stringify({ type: m.event_type, timestamp: iso(m.message_created_at), data: m.payload });
}

function secretsOf(row: Pick<Claimed, "secret_encrypted" | "previous_secret_encrypted" | "previous_secret_expires_at">, now: Date): string[] {
  const list = [decrypt(row.secret_encrypted)];
  if (row.previous_secret_encrypted && row.previous_secret_expires_at && new Date(row.previous_secret_expires_at) > now) list.push(decrypt(row.previous_secret_encrypted));
  return list;
}

async function send(row: Claimed, now: Date): Promise<PostResult> {
  const body = webhookBody(row);
  const headers = webhookHeaders(secretsOf(row, now), webhookMessageId(row.message_id), Math.floor(Date.now() / 1000), body);
  return postWebhook(row.url, headers, body);
}

const SELECT_CLAIMED = sql`
  d.id, d.business_id, d.endpoint_id, d.message_id, d.attempts, e.url, e.secret_encrypted, e.previous_secret_encrypted,
  e.previous_secret_expires_at, m.event_type, m.payload, m.created_at as message_created_at`;

/**
 * Claims the deliveries due now that head their line (no earlier delivery of the same endpoint and
 * conversation or customer still pending), oldest first; skip locked, so two instances never send one twice.
 */
async function claim(now: Date, opts: DrainOptions): Promise<Claimed[]> {
  const lease = new Date(now.getTime() + LEASE_MS);
  return withService(async (tx) => {
    const ids = await rows<{ id: string }>(
      tx,
      sql`with due as (
            select d.id from webhook_deliveries d
            join webhook_endpoints e on e.id = d.endpoint_id and e.business_id = d.business_id
            where d.status in ('pending', 'sending') and d.next_attempt_at <= ${now} and e.enabled
              ${opts.businessId ? sql`and d.business_id = ${opts.businessId}` : sql``}
              and not exists (
                select 1 from webhook_deliveries p
                where p.endpoint_id = d.endpoint_id and p.order_key = d.order_key and p.seq < d.seq and p.status in ('pending', 'sending'))
            order by d.seq
            limit ${opts.limit ?? 50}
            for update of d skip locked)
          update webhook_deliveries w set status = 'sending', attempts = w.attempts + 1, next_attempt_at = ${lease}, last_attempt_at = ${now}
          from due where w.id = due.id
          returning w.id`,
    );
    if (!ids.length) return [];
    return rows<Claimed>(
      tx,
      sql`select ${SELECT_CLAIMED}
          from webhook_deliveries d
          join webhook_endpoints e on e.id = d.endpoint_id and e.business_id = d.business_id
          join webhook_messages m on m.id = d.message_id and m.business_id = d.business_id
          where d.id in (${sql.join(
            ids.map((r) => sql`${r.id}::uuid`),
            sql`, `,
          )})
          order by d.seq`,
    );
  });
}

const okStatus = (r: PostResult) => r.status !== null && r.status >= 200 && r.status < 300;

async function logAttempt(tx: Executor, row: Pick<Claimed, "id" | "business_id" | "endpoint_id">, r: PostResult, trigger: "schedule" | "replay") {
  await tx.execute(sql`
    insert into webhook_attempts (business_id, delivery_id, endpoint_id, trigger, status_code, ok, duration_ms, response_body, error)
    values (${row.business_id}, ${row.id}, ${row.endpoint_id}, ${trigger}, ${r.status}, ${okStatus(r)}, ${r.durationMs},
            ${r.body.slice(0, RESPONSE_BODY_CHARS)}, ${r.error ? r.error.slice(0, 500) : null})`);
}

async function succeeded(tx: Executor, row: Pick<Claimed, "id" | "business_id" | "endpoint_id">, now: Date) {
  await tx.execute(sql`update webhook_deliveries set status = 'delivered', delivered_at = ${now} where id = ${row.id} and business_id = ${row.business_id}`);
  await tx.execute(sql`update webhook_endpoints set exhausted_streak = 0 where id = ${row.endpoint_id} and business_id = ${row.business_id} and exhausted_streak <> 0`);
}

/** The owners' email when an endpoint is disabled (the outbox: Resend in production, the dev outbox here). */
async function queueDisabledEmail(tx: Executor, businessId: string, url: string) {
  const [business] = await rows<{ name: string; slug: string }>(tx, sql`select name, slug from businesses where id = ${businessId}`);
  const owners = await rows<{ email: string }>(
    tx,
    sql`select distinct u.email from members m join users u on u.id = m.user_id where m.business_id = ${businessId} and m.role = 'owner' order by u.email`,
  );
  const link = `${env().appUrl}/${business!.slug}/settings/webhooks`;
  for (const o of owners) {
    await enqueueEmail(tx, {
      businessId,
      to: o.email,
      subject: `${business!.name}: a webhook endpoint was disabled`,
      body: [
        `The webhook endpoint ${url} of ${business!.name} failed every delivery attempt for ${DISABLE_AFTER_EXHAUSTED} events in a row (each tried ${MAX_ATTEMPTS} times over about 28 hours), so we stopped sending to it.`,
        "",
        `While it is off, new events are not kept for it. Once the receiver works again, turn the endpoint back on; the events that failed are in its delivery log, each with a Replay button: ${link}`,
      ].join("\n"),
      payload: { kind: "webhook_disabled" },
    });
  }
}

/** A delivery that failed its last attempt: failed for good; the endpoint is disabled at the streak's end. */
async function exhausted(tx: Executor, row: Claimed, now: Date): Promise<"failed" | "disabled"> {
  await tx.execute(sql`update webhook_deliveries set status = 'failed' where id = ${row.id} and business_id = ${row.business_id} and status = 'sending'`);
  const [endpoint] = await rows<{ exhausted_streak: number; enabled: boolean }>(
    tx,
    sql`update webhook_endpoints set exhausted_streak = exhausted_streak + 1 where id = ${row.endpoint_id} and business_id = ${row.business_id}
        returning exhausted_streak, enabled`,
  );
  if (!endpoint || !endpoint.enabled || endpoint.exhausted_streak < DISABLE_AFTER_EXHAUSTED) return "failed";
  await tx.execute(sql`
    update webhook_endpoints set enabled = false, disabled_at = ${now}, updated_at = ${now},
      disabled_reason = ${`Every attempt failed for ${DISABLE_AFTER_EXHAUSTED} events in a row.`}
    where id = ${row.endpoint_id} and business_id = ${row.business_id}`);
  await queueDisabledEmail(tx, row.business_id, row.url);
  return "disabled";
}

async function pool<T>(items: T[], size: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

type Sent = { row: Claimed; r: PostResult; at: Date };

/**
 * Writes a round's outcomes in one transaction: every attempt logged, the delivered marked (and their
 * endpoints' failure count reset), the failed rescheduled; an exhausted one is failed (and may disable
 * its endpoint) one by one, as that is rare.
 */
async function record(sent: Sent[], scale: number): Promise<DrainResult> {
  const result: DrainResult = { delivered: 0, retrying: 0, failed: 0, disabled: 0 };
  if (!sent.length) return result;
  await withService(async (tx) => {
    await tx.execute(sql`
      insert into webhook_attempts (business_id, delivery_id, endpoint_id, trigger, status_code, ok, duration_ms, response_body, error)
      values ${sql.join(
        sent.map(
          ({ row, r }) =>
            sql`(${row.business_id}, ${row.id}, ${row.endpoint_id}, 'schedule', ${r.status}, ${okStatus(r)}, ${r.durationMs}, ${r.body.slice(0, RESPONSE_BODY_CHARS)}, ${r.error ? r.error.slice(0, 500) : null})`,
        ),
        sql`, `,
      )}`);
    const ok = sent.filter((s) => okStatus(s.r));
    if (ok.length) {
      await tx.execute(sql`update webhook_deliveries w set status = 'delivered', delivered_at = v.at
        from (values ${sql.join(
          ok.map((s) => sql`(${s.row.id}::uuid, ${s.at}::timestamptz)`),
          sql`, `,
        )}) v(id, at) where w.id = v.id`);
      const endpoints = [...new Set(ok.map((s) => s.row.endpoint_id))];
      await tx.execute(sql`update webhook_endpoints set exhausted_streak = 0 where id in (${sql.join(
        endpoints.map((e) => sql`${e}::uuid`),
        sql`, `,
      )}) and exhausted_streak <> 0`);
      result.delivered += ok.length;
    }
    const retry = sent.filter((s) => !okStatus(s.r) && s.row.attempts < MAX_ATTEMPTS);
    if (retry.length) {
      await tx.execute(sql`update webhook_deliveries w set status = 'pending', next_attempt_at = v.next
        from (values ${sql.join(
          retry.map((s) => sql`(${s.row.id}::uuid, ${new Date(s.at.getTime() + RETRY_SCHEDULE_MS[s.row.attempts]! * scale)}::timestamptz)`),
          sql`, `,
        )}) v(id, next) where w.id = v.id and w.status = 'sending'`);
      result.retrying += retry.length;
    }
    for (const s of sent.filter((x) => !okStatus(x.r) && x.row.attempts >= MAX_ATTEMPTS)) {
      const outcome = await exhausted(tx, s.row, s.at);
      result.failed++;
      if (outcome === "disabled") result.disabled++;
    }
  });
  return result;
}

/** Sends every delivery that is due, round after round, until none is left (or the time budget is spent). */
export async function drainWebhooks(opts: DrainOptions = {}): Promise<DrainResult> {
  const clock = opts.now ?? (() => new Date());
  const scale = opts.timeScale ?? 1;
  const started = Date.now();
  const result: DrainResult = { delivered: 0, retrying: 0, failed: 0, disabled: 0 };
  while (Date.now() - started < (opts.budgetMs ?? 45_000)) {
    const claimed = await claim(clock(), opts);
    if (!claimed.length) break;
    const sent: Sent[] = [];
    await pool(claimed, opts.concurrency ?? 8, async (row) => {
      const r = await send(row, clock());
      sent.push({ row, r, at: clock() });
    });
    const round = await record(sent, scale);
    for (const k of Object.keys(result) as (keyof DrainResult)[]) result[k] += round[k];
  }
  return result;
}

export type ReplayResult = { ok: boolean; status: number | null; error: string | null; durationMs: number };

/**
 * One attempt now, outside the schedule (the delivery log's Replay): logged like the others; a success
 * marks the delivery delivered. A delivery being sent this very moment is left to that attempt.
 */
export async function replayDelivery(businessId: string, deliveryId: string, opts: { now?: Date } = {}): Promise<ReplayResult> {
  const now = opts.now ?? new Date();
  const [row] = await withService((tx) =>
    rows<Claimed & { status: string }>(
      tx,
      sql`select ${SELECT_CLAIMED}, d.status
          from webhook_deliveries d
          join webhook_endpoints e on e.id = d.endpoint_id and e.business_id = d.business_id
          join webhook_messages m on m.id = d.message_id and m.business_id = d.business_id
          where d.id = ${deliveryId} and d.business_id = ${businessId}`,
    ),
  );
  if (!row) throw new AppError("not_found", "Delivery not found.");
  if (row.status === "sending") throw new AppError("conflict", "This event is being delivered right now; look again in a moment.");
  const r = await send(row, now);
  await withService(async (tx) => {
    await logAttempt(tx, row, r, "replay");
    if (okStatus(r)) await succeeded(tx, row, now);
  });
  return { ok: okStatus(r), status: r.status, error: r.error, durationMs: r.durationMs };
}
