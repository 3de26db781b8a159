// The outbox: everything that must go out is a row first, so nothing is lost. In embedded mode the
// rows stay here and the dashboard shows them (the dev outbox); production adapters deliver them.
import { and, asc, desc, eq, inArray, isNull, lte, or, sql, type SQL } from "drizzle-orm";
import { withService, type Executor } from "@/lib/db/client";
import { businesses, outbox } from "@/lib/db/schema";

export type OutboxEmail = {
  businessId: string | null;
  to: string;
  subject: string;
  body: string;
  payload?: Record<string, unknown>;
};

export async function enqueueEmail(ex: Executor, mail: OutboxEmail) {
  const [row] = await ex
    .insert(outbox)
    .values({
      businessId: mail.businessId,
      channelKind: "email",
      recipient: mail.to,
      subject: mail.subject,
      body: mail.body,
      payload: mail.payload ?? {},
    })
    .returning();
  return row!;
}

/**
 * System mail (password resets, invitations) for the dev outbox page, as one signed-in person may see
 * it: mail to their own address, and the invitations their own businesses sent. A reset link opens
 * the account it was sent for, so nobody else's ever shows.
 */
export async function listSystemMail(ex: Executor, user: { id: string; email: string }, limit = 50) {
  const invitation = sql`${outbox.payload}->>'kind' = 'invitation'`;
  const mine = sql`lower(${outbox.recipient}) = ${user.email.trim().toLowerCase()}`;
  const ofMyBusinesses = sql`${outbox.businessId} in (select m.business_id from members m where m.user_id = ${user.id})`;
  return ex
    .select()
    .from(outbox)
    .where(and(eq(outbox.channelKind, "email"), or(and(isNull(outbox.businessId), mine), and(invitation, or(mine, ofMyBusinesses)))))
    .orderBy(desc(outbox.createdAt))
    .limit(limit);
}

/**
 * Channel messages for the dev outbox page: what simulated channels sent (answers, staff replies,
 * tests) in embedded mode, of the businesses the person is a member of, newest first. System mail is
 * listSystemMail's.
 */
export async function listChannelOutbox(ex: Executor, user: { id: string }, limit = 50) {
  return ex
    .select({
      id: outbox.id,
      business: businesses.name,
      channelKind: outbox.channelKind,
      recipient: outbox.recipient,
      subject: outbox.subject,
      body: outbox.body,
      status: outbox.status,
      kind: sql<string | null>`${outbox.payload}->>'kind'`,
      createdAt: outbox.createdAt,
    })
    .from(outbox)
    .innerJoin(businesses, eq(businesses.id, outbox.businessId))
    .where(
      and(
        sql`${outbox.businessId} in (select m.business_id from members m where m.user_id = ${user.id})`,
        or(sql`${outbox.channelKind} <> 'email'`, sql`${outbox.payload}->>'channelId' is not null`),
      ),
    )
    .orderBy(desc(outbox.createdAt))
    .limit(limit);
}

export type OutboxRow = typeof outbox.$inferSelect;

/**
 * A sender's claim on the rows it may send now: pending, due, younger than two days (older replies
 * would only confuse), matching `where`; each moves to "sending" with one more attempt, oldest first,
 * so two senders (or two instances) never send the same row.
 */
export async function claimOutbox(where: SQL[], opts: { limit?: number; businessId?: string } = {}): Promise<OutboxRow[]> {
  return withService((tx) =>
    tx
      .update(outbox)
      .set({ status: "sending", attempts: sql`${outbox.attempts} + 1` })
      .where(
        inArray(
          outbox.id,
          tx
            .select({ id: outbox.id })
            .from(outbox)
            .where(
              and(
                eq(outbox.status, "pending"),
                lte(outbox.nextAttemptAt, sql`now()`),
                sql`${outbox.createdAt} > now() - interval '2 days'`,
                ...(opts.businessId ? [eq(outbox.businessId, opts.businessId)] : []),
                ...where,
              ),
            )
            .orderBy(asc(outbox.createdAt))
            .limit(opts.limit ?? 20),
        ),
      )
      .returning(),
  );
}

export const MAX_OUTBOX_ATTEMPTS = 5;

/**
 * When a failed send is tried again: after 1, 4, 9, 16… minutes, for failures that may pass (rate
 * limits, the provider's 5xx, no answer at all: status null), up to MAX_OUTBOX_ATTEMPTS; else null.
 */
export function retryAt(attempts: number, status: number | null | undefined): Date | null {
  const mayPass = status === null || status === 429 || (status ?? 0) >= 500;
  return mayPass && attempts < MAX_OUTBOX_ATTEMPTS ? new Date(Date.now() + attempts * attempts * 60_000) : null;
}
