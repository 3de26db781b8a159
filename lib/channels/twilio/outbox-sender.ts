import "server-only";
// The Twilio sender of the outbox: staff replies from the inbox on SMS and WhatsApp are written to
// the outbox first (lib/services/conversations), and this delivers them through Twilio with the same
// rules as every other send — consent, the WhatsApp window, the customer's sealed number. Run by a
// job and right after a reply is queued; in embedded mode the rows stay in the dev outbox.
import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import { withService } from "@/lib/db/client";
import { outbox } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { redactNumbers } from "./client";
import { sendToConversation } from "./outbound";

export const MAX_OUTBOX_ATTEMPTS = 5;

export type DrainResult = { sent: number; failed: number; retrying: number; skipped?: "embedded" };

/** Minutes before the next try: 1, 4, 9, 16… */
const retryDelayMinutes = (attempts: number) => attempts * attempts;

export async function drainTwilioOutbox(opts: { limit?: number; businessId?: string } = {}): Promise<DrainResult> {
  if (env().adapters.sms !== "twilio") return { sent: 0, failed: 0, retrying: 0, skipped: "embedded" };
  // Claim rows first (pending → sending), so two drains never send the same reply.
  const claimed = await withService((tx) =>
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
                inArray(outbox.channelKind, ["sms", "whatsapp"]),
                eq(outbox.status, "pending"),
                lte(outbox.nextAttemptAt, sql`now()`),
                sql`${outbox.payload}->>'kind' = 'staff_reply'`,
                sql`${outbox.createdAt} > now() - interval '2 days'`,
                ...(opts.businessId ? [eq(outbox.businessId, opts.businessId)] : []),
              ),
            )
            .orderBy(asc(outbox.createdAt))
            .limit(opts.limit ?? 20),
        ),
      )
      .returning(),
  );

  const result: DrainResult = { sent: 0, failed: 0, retrying: 0 };
  for (const row of claimed) {
    const { conversationId, template } = row.payload as { conversationId?: string; template?: { contentSid: string } };
    const finish = (values: Partial<typeof outbox.$inferInsert>) =>
      withService((tx) => tx.update(outbox).set(values).where(eq(outbox.id, row.id)));
    try {
      if (!row.businessId || !conversationId) throw new AppError("bad_request", "The queued reply names no conversation.");
      const sent = await sendToConversation({
        ctx: { businessId: row.businessId, actor: { type: "job", name: "twilio-outbox" } },
        input: { conversationId, ...(template ? { template } : { text: row.body }), messageId: row.messageId, purpose: "staff" },
      });
      if (sent.status === "queued") {
        await finish({ status: "sent", sentAt: new Date(), providerMessageId: sent.sids[0] ?? null, error: null });
        result.sent++;
      } else if (sent.status === "skipped") {
        await finish({ status: "failed", error: sent.reason === "opted_out" ? "The customer opted out of this channel (STOP)." : "Nothing to send." });
        result.failed++;
      } else if (row.attempts < MAX_OUTBOX_ATTEMPTS && (sent.error?.status === null || (sent.error?.status ?? 0) >= 500 || sent.error?.status === 429)) {
        await finish({ status: "pending", error: sent.error?.message ?? null, nextAttemptAt: new Date(Date.now() + retryDelayMinutes(row.attempts) * 60_000) });
        result.retrying++;
      } else {
        await finish({ status: "failed", error: sent.error?.message ?? "Twilio refused the message." });
        result.failed++;
      }
    } catch (err) {
      // A reason a person can act on (the window closed, no number on file); anything else is logged.
      const message = err instanceof AppError ? err.message : "Sending failed; see the server log.";
      if (!(err instanceof AppError)) console.error("[prismai] twilio outbox send failed", { outboxId: row.id, error: redactNumbers(err instanceof Error ? err.message : String(err)) });
      await finish({ status: "failed", error: message });
      result.failed++;
    }
  }
  return result;
}
