import "server-only";
// One send on a pushed channel, whatever the provider: through its REST API with retries (429, 5xx
// and network failures, exponential backoff with jitter), or into the dev outbox when the channel is
// simulated. Either way the stored message learns its delivery status and provider id, and the send
// is a cost event charged to the budget.
import { withService } from "@/lib/db/client";
import { outbox } from "@/lib/db/schema";
import { chargeChannelCost, type ChannelCostKind } from "@/lib/channels/twilio/costs";
import { describeRestError, withRetries } from "@/lib/channels/twilio/client";
import { updateMessage } from "@/lib/channels/twilio/deliver";
import type { Channel } from "./channels";

export type Transport = "resend" | "telegram" | "meta" | "outbox";
export type SendPurpose = "reply" | "staff" | "test";

export type SendResult = {
  transport: Transport;
  status: "queued" | "failed" | "skipped";
  /** the provider's ids for what went out (one per part) */
  providerIds: string[];
  outboxIds: string[];
  parts: number;
  attempts: number;
  costUsd: number;
  /** window_closed: WhatsApp's 24 hours, or Instagram's for an automated answer; human_agent_window_closed: Instagram's 7 days for a person */
  reason?: "empty" | "no_address" | "undeliverable" | "window_closed" | "human_agent_window_closed";
  error?: { status: number | null; code: number | null; message: string };
};

export type Outgoing = {
  channel: Channel;
  transport: Transport;
  costKind: ChannelCostKind;
  /** the provider's price when it is not the price table's (Meta's service messages are free) */
  costUsd?: number;
  /** the stored message this delivers (its delivery status follows) */
  messageId?: string | null;
  conversationId?: string | null;
  purpose: SendPurpose;
  /** what the dev outbox shows: a masked recipient, the subject, facts about the send (never a secret) */
  preview: { recipient: string; subject?: string | null; payload: Record<string, unknown> };
  /** the message in the parts the provider takes (empty: nothing is sent) */
  texts: string[];
  /** sends one part through the provider; returns the provider's id for it */
  send: (text: string) => Promise<string>;
  /** the stored status once the provider took it: "sent" where no receipts follow, "queued" where they do */
  accepted: "queued" | "sent";
  /** extra facts kept on the message's delivery record */
  delivery?: Record<string, unknown>;
};

export function skipped(transport: Transport, reason: NonNullable<SendResult["reason"]>): SendResult {
  return { transport, status: "skipped", providerIds: [], outboxIds: [], parts: 0, attempts: 0, costUsd: 0, reason };
}

export async function sendOut(out: Outgoing): Promise<SendResult> {
  const { channel } = out;
  if (!out.texts.length) return recordSkip(channel, out.messageId, skipped(out.transport, "empty"));
  const result: SendResult = { transport: out.transport, status: "queued", providerIds: [], outboxIds: [], parts: out.texts.length, attempts: 0, costUsd: 0 };
  if (out.transport === "outbox") {
    const [row] = await withService((tx) =>
      tx
        .insert(outbox)
        .values({
          businessId: channel.businessId,
          channelKind: channel.kind,
          recipient: out.preview.recipient,
          subject: out.preview.subject ?? null,
          body: out.texts.join("\n\n"),
          payload: { kind: out.purpose, channelId: channel.id, ...(out.conversationId ? { conversationId: out.conversationId } : {}), ...out.preview.payload },
          messageId: out.messageId ?? null,
          // Nothing delivers it in embedded mode: the dev outbox is where it stays.
          status: "sent",
          sentAt: new Date(),
        })
        .returning({ id: outbox.id }),
    );
    result.outboxIds.push(row!.id);
  } else {
    for (const text of out.texts) {
      try {
        const { value, attempts } = await withRetries(() => out.send(text));
        result.providerIds.push(value);
        result.attempts += attempts;
      } catch (err) {
        result.status = "failed";
        const described = describeRestError(err);
        // Providers quote the recipient in some errors: never keep or log an address.
        result.error = { ...described, message: described.message.replace(/[^\s@<>"'()]+@[^\s@<>"'()]+/g, "[address]") };
        console.error(`[prismai] ${out.transport} send failed`, { channelId: channel.id, ...result.error });
        break;
      }
    }
  }
  const sent = out.transport === "outbox" ? out.texts.length : result.providerIds.length;
  if (sent > 0) {
    result.costUsd = await withService((tx) =>
      chargeChannelCost(tx, {
        businessId: channel.businessId,
        kind: out.costKind,
        units: sent,
        messageId: out.messageId,
        conversationId: out.conversationId,
        ...(out.costUsd !== undefined ? { costUsd: out.costUsd * sent } : {}),
      }),
    );
  }
  if (out.messageId) {
    await updateMessage(channel.businessId, out.messageId, {
      providerMessageId: result.providerIds[0] ?? null,
      deliveryStatus: result.status === "failed" ? "failed" : out.transport === "outbox" ? "outbox" : out.accepted,
      delivery: {
        transport: out.transport,
        parts: result.parts,
        providerIds: result.providerIds,
        outboxIds: result.outboxIds,
        attempts: result.attempts,
        ...out.delivery,
        ...(result.error ? { error: result.error } : {}),
      },
    });
  }
  return result;
}

/** Marks a stored message as not sent, and why (no address, opted out, window closed). */
export async function recordSkip(channel: Channel, messageId: string | null | undefined, result: SendResult): Promise<SendResult> {
  if (messageId) await updateMessage(channel.businessId, messageId, { deliveryStatus: "blocked", delivery: { transport: result.transport, blocked: result.reason } });
  return result;
}
