import "server-only";
// The platform's own email through Resend: password resets, invitations, hand-off notices and budget
// alerts are written to the outbox (lib/channels/outbox) and, with Resend configured, sent from here
// as EMAIL_FROM. In embedded mode they stay in the dev outbox (/dev/outbox). One Idempotency-Key per
// outbox row, so a row retried after a timeout is still one email.
import { eq, sql } from "drizzle-orm";
import { withService } from "@/lib/db/client";
import { outbox } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { describeRestError, withRetries } from "@/lib/channels/common/retry";
import { claimOutbox, retryAt } from "@/lib/channels/outbox";
import { isEmailAddress } from "./address";
import { resendClient, unwrap } from "./resend";

export type MailDrain = { sent: number; failed: number; retrying: number; skipped?: "embedded" };

export async function drainSystemMail(opts: { limit?: number; businessId?: string } = {}): Promise<MailDrain> {
  const client = resendClient();
  const from = env().EMAIL_FROM;
  if (!client || !from) return { sent: 0, failed: 0, retrying: 0, skipped: "embedded" };
  const claimed = await claimOutbox(
    [
      eq(outbox.channelKind, "email"),
      // Messages to customers name their email channel and go through it (lib/channels/delivery).
      sql`${outbox.payload}->>'channelId' is null`,
    ],
    opts,
  );
  const result: MailDrain = { sent: 0, failed: 0, retrying: 0 };
  for (const row of claimed) {
    let values: Partial<typeof outbox.$inferInsert>;
    if (!isEmailAddress(row.recipient)) {
      values = { status: "failed", error: "The recipient is not an email address." };
    } else {
      try {
        const mail = { from, to: [row.recipient], subject: row.subject ?? "PrismAI", text: row.body };
        const { value } = await withRetries(() => unwrap(client.emails.send(mail, { idempotencyKey: `prismai-outbox-${row.id}` })));
        values = { status: "sent", sentAt: new Date(), providerMessageId: value.id, error: null };
      } catch (err) {
        const e = describeRestError(err);
        const again = retryAt(row.attempts, e.status);
        values = again ? { status: "pending", error: e.message, nextAttemptAt: again } : { status: "failed", error: e.message };
      }
    }
    await withService((tx) => tx.update(outbox).set(values).where(eq(outbox.id, row.id)));
    result[values.status === "sent" ? "sent" : values.status === "pending" ? "retrying" : "failed"]++;
  }
  return result;
}
