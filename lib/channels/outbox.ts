// The outbox: everything that must go out is a row first, so nothing is lost. In embedded mode the
// rows stay here and the dashboard shows them (the dev outbox); production adapters deliver them.
import { and, desc, eq, isNull, or, sql } from "drizzle-orm";
import type { Executor } from "@/lib/db/client";
import { outbox } from "@/lib/db/schema";

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

/** System mail (password resets, invitations) for the dev outbox page. */
export async function listSystemMail(ex: Executor, limit = 50) {
  return ex
    .select()
    .from(outbox)
    .where(and(eq(outbox.channelKind, "email"), or(isNull(outbox.businessId), sql`${outbox.payload}->>'kind' = 'invitation'`)))
    .orderBy(desc(outbox.createdAt))
    .limit(limit);
}

export async function listBusinessOutbox(ex: Executor, businessId: string, limit = 100) {
  return ex.select().from(outbox).where(eq(outbox.businessId, businessId)).orderBy(desc(outbox.createdAt)).limit(limit);
}
