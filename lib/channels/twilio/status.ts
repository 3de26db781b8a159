import "server-only";
// Message status callbacks (queued → sent → delivered / undelivered / failed, and read on WhatsApp):
// the stored message follows, never backwards — callbacks can arrive out of order. Carrier verdicts
// that mean "stop sending" are remembered on the customer.
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { withService } from "@/lib/db/client";
import { customerIdentities } from "@/lib/db/schema";
import { identityHash } from "@/lib/pipeline/identities";
import { setConsent } from "@/lib/channels/sms/consent";
import { applyStatus } from "@/lib/channels/common/status";
import { toE164 } from "./channels";
import { claimEvent, finishEvent } from "@/lib/channels/common/events";
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

export async function handleMessageStatus(hook: TwilioWebhook): Promise<Response> {
  const p = MessageStatusCallback.parse(hook.fields);
  const claim = await withService((tx) =>
    claimEvent(tx, { businessId: hook.channel.businessId, eventId: `${p.MessageSid}:${p.MessageStatus}`, kind: "status", params: hook.params }),
  );
  if (!claim.fresh) return twimlResponse(emptyTwiml());

  await withService(async (tx) => {
    const { customerId, ...outcome } = await applyStatus(tx, hook.channel, {
      providerMessageId: p.MessageSid,
      messageId: ourMessageId(hook.url),
      event: p.MessageStatus,
      status: p.MessageStatus,
      facts: p.ErrorCode ? { deliveryError: p.ErrorCode } : {},
    });
    await finishEvent(claim.id, { status: outcome.matched ? "processed" : "ignored", result: outcome }, tx);
    if (!customerId) return;
    if (p.ErrorCode && UNSUBSCRIBED.has(p.ErrorCode)) {
      await setConsent(tx, { businessId: hook.channel.businessId, customerId, kind: hook.kind as "sms" | "whatsapp", optedOut: true, source: "carrier" });
    }
    const to = toE164(p.To);
    if (p.ErrorCode && UNREACHABLE.has(p.ErrorCode) && to) {
      await tx
        .update(customerIdentities)
        .set({ undeliverable: true })
        .where(
          and(
            eq(customerIdentities.businessId, hook.channel.businessId),
            eq(customerIdentities.customerId, customerId),
            eq(customerIdentities.kind, "phone"),
            eq(customerIdentities.valueHash, identityHash({ kind: "phone", value: to })),
          ),
        );
    }
  });
  return twimlResponse(emptyTwiml());
}
