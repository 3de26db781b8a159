import "server-only";
// Message status callbacks (queued → sent → delivered / undelivered / failed, and read on WhatsApp):
// the stored message follows, never backwards — callbacks can arrive out of order. Carrier verdicts
// that mean "stop sending" are remembered on the customer.
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { withService, type Tx } from "@/lib/db/client";
import { customerIdentities, messages } from "@/lib/db/schema";
import { identityHash } from "@/lib/pipeline/identities";
import { setConsent } from "@/lib/channels/sms/consent";
import { toE164 } from "./channels";
import { claimEvent, finishEvent } from "./events";
import { emptyTwiml, twimlResponse } from "./twiml";
import type { TwilioWebhook } from "./webhook";

export const MESSAGE_STATUSES = [
  "accepted",
  "scheduled",
  "queued",
  "sending",
  "sent",
  "delivered",
  "read",
  "undelivered",
  "failed",
  "canceled",
  "partially_delivered",
  "receiving",
  "received",
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

const RANK: Record<string, number> = {
  accepted: 1,
  scheduled: 1,
  queued: 1,
  outbox: 1,
  sending: 2,
  sent: 3,
  undelivered: 4,
  failed: 4,
  canceled: 4,
  partially_delivered: 4,
  delivered: 5,
  read: 6,
};

/** Whether a callback's status may replace the stored one (a late "sent" never undoes "delivered"). */
export function advances(current: string | null, next: string): boolean {
  return (RANK[next] ?? 0) >= (RANK[current ?? ""] ?? 0);
}

/** 21610: the recipient replied STOP at the carrier. 30005/30006: unknown number, or a landline. */
const UNSUBSCRIBED = new Set([21610]);
const UNREACHABLE = new Set([30005, 30006]);

export const MessageStatusCallback = z.looseObject({
  MessageSid: z.string({ message: "MessageSid is required" }).regex(/^(SM|MM)[0-9a-fA-F]{32}$/, "MessageSid is not a Twilio message SID"),
  MessageStatus: z.enum(MESSAGE_STATUSES, { message: "MessageStatus is not a Twilio message status" }),
  AccountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, "AccountSid is not a Twilio account SID"),
  To: z.string().optional(),
  ErrorCode: z.coerce.number().int().optional(),
});

const ourMessageId = (url: string) => {
  const m = new URL(url).searchParams.get("m");
  return m && /^[0-9a-f-]{36}$/i.test(m) ? m : null;
};

async function findMessage(tx: Tx, hook: TwilioWebhook, sid: string) {
  const id = ourMessageId(hook.url);
  const where = id
    ? and(eq(messages.id, id), eq(messages.businessId, hook.channel.businessId), eq(messages.channelId, hook.channel.id))
    : and(eq(messages.channelId, hook.channel.id), eq(messages.providerMessageId, sid));
  const [row] = await tx.select().from(messages).where(where).for("update").limit(1);
  return row;
}

export async function handleMessageStatus(hook: TwilioWebhook): Promise<Response> {
  const p = MessageStatusCallback.parse(hook.fields);
  const claim = await withService((tx) =>
    claimEvent(tx, { businessId: hook.channel.businessId, eventId: `${p.MessageSid}:${p.MessageStatus}`, kind: "status", params: hook.params }),
  );
  if (!claim.fresh) return twimlResponse(emptyTwiml());

  const outcome = await withService(async (tx) => {
    const message = await findMessage(tx, hook, p.MessageSid);
    if (!message) return { matched: false as const };
    const statuses = { ...((message.metadata?.statuses as Record<string, string> | undefined) ?? {}), [p.MessageStatus]: new Date().toISOString() };
    const moves = advances(message.deliveryStatus, p.MessageStatus);
    await tx
      .update(messages)
      .set({
        ...(moves ? { deliveryStatus: p.MessageStatus } : {}),
        ...(message.providerMessageId ? {} : { providerMessageId: p.MessageSid }),
        metadata: sql`${messages.metadata} || ${JSON.stringify({ statuses, ...(p.ErrorCode ? { deliveryError: p.ErrorCode } : {}) })}::jsonb`,
      })
      .where(and(eq(messages.id, message.id), eq(messages.businessId, message.businessId)));

    if (p.ErrorCode && UNSUBSCRIBED.has(p.ErrorCode)) {
      await setConsent(tx, { businessId: message.businessId, customerId: message.customerId, kind: hook.kind as "sms" | "whatsapp", optedOut: true, source: "carrier" });
    }
    const to = toE164(p.To);
    if (p.ErrorCode && UNREACHABLE.has(p.ErrorCode) && to) {
      await tx
        .update(customerIdentities)
        .set({ undeliverable: true })
        .where(
          and(
            eq(customerIdentities.businessId, message.businessId),
            eq(customerIdentities.customerId, message.customerId),
            eq(customerIdentities.kind, "phone"),
            eq(customerIdentities.valueHash, identityHash({ kind: "phone", value: to })),
          ),
        );
    }
    return { matched: true as const, messageId: message.id, moved: moves };
  });
  await finishEvent(claim.id, { status: outcome.matched ? "processed" : "ignored", result: outcome });
  return twimlResponse(emptyTwiml());
}
