import "server-only";
// Resend's delivery events for the email we sent: the stored message follows (sent → delivered, or
// undelivered / failed), never backwards since events can arrive out of order. A hard bounce, a
// suppression and a spam complaint mark the recipient's email identity undeliverable: nothing more is
// sent to it, replies and staff messages included.
import { and, eq, inArray } from "drizzle-orm";
import { withService } from "@/lib/db/client";
import { customerIdentities } from "@/lib/db/schema";
import { identityHash } from "@/lib/pipeline/identities";
import { findChannelByAddress } from "@/lib/channels/common/channels";
import { claimProviderEvent, settle, type ProviderEvent } from "@/lib/channels/common/receive";
import { applyStatus } from "@/lib/channels/common/status";
import { finishEvent } from "@/lib/channels/common/events";
import { addressesOf, baseAddress, parseMailbox } from "./address";
import { EMAIL_STATUS, type DeliveryEvent, type DeliveryEventType } from "./payload";

/** Whether this event means the address must not be written to again. */
export function stopsDelivery(type: DeliveryEventType, data: DeliveryEvent): boolean {
  if (type === "email.complained" || type === "email.suppressed") return true;
  // Transient bounces (mailbox full, greylisting) are worth another try later; the rest are not.
  return type === "email.bounced" && (data.bounce?.type ?? "").toLowerCase() !== "transient";
}

export async function handleDeliveryEvent(event: ProviderEvent, type: DeliveryEventType, data: DeliveryEvent): Promise<Response> {
  const from = parseMailbox(data.from);
  const channel = from ? await withService((tx) => findChannelByAddress(tx, "email", baseAddress(from.address))) : undefined;
  const eventId = await claimProviderEvent(channel?.businessId ?? null, event);
  if (!eventId) return Response.json({ ok: true, duplicate: true });
  if (!channel) {
    await finishEvent(eventId, { status: "ignored", result: { reason: "no_channel" } });
    return Response.json({ ok: true, ignored: "Not sent from an email channel (system mail)." });
  }
  return settle(eventId, async () => {
    const outcome = await withService(async (tx) => {
      const applied = await applyStatus(tx, channel, {
        providerMessageId: data.email_id,
        event: type.replace("email.", ""),
        status: EMAIL_STATUS[type] ?? null,
        facts: {
          ...(data.bounce ? { deliveryError: { type: data.bounce.type ?? null, subType: data.bounce.subType ?? null, message: data.bounce.message ?? null } } : {}),
          ...(data.failed?.reason ? { deliveryError: { message: data.failed.reason } } : {}),
          ...(type === "email.complained" ? { complained: true } : {}),
        },
      });
      let undeliverable = 0;
      if (stopsDelivery(type, data)) {
        const hashes = addressesOf(data.to).map((a) => identityHash({ kind: "email", value: a }));
        if (hashes.length) {
          const marked = await tx
            .update(customerIdentities)
            .set({ undeliverable: true })
            .where(and(eq(customerIdentities.businessId, channel.businessId), eq(customerIdentities.kind, "email"), inArray(customerIdentities.valueHash, hashes)))
            .returning({ id: customerIdentities.id });
          undeliverable = marked.length;
        }
      }
      return { matched: applied.matched, messageId: applied.messageId, moved: applied.moved, undeliverable };
    });
    await finishEvent(eventId, { status: outcome.matched || outcome.undeliverable ? "processed" : "ignored", result: outcome });
    return Response.json({ ok: true, ...outcome });
  });
}
