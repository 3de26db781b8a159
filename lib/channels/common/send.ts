import "server-only";
// The one send core for every pushed channel (Twilio's SMS and WhatsApp, email, Telegram, Instagram,
// WhatsApp through Meta): each part through the provider with retries (429, 5xx and network failures,
// exponential backoff with jitter), or into the dev outbox when the channel is simulated. Either way
// the stored message learns its delivery status and provider id, and the send is a cost event
// charged to the budget. An adapter only builds its `Outgoing`: the parts, and how one part leaves.
import { and, eq, sql } from "drizzle-orm";
import { withService } from "@/lib/db/client";
import { messages, outbox } from "@/lib/db/schema";
import { chargeChannelCost, type ChannelCostKind } from "./costs";
import { describeRestError, withRetries } from "./retry";
import type { Channel } from "./channels";

/** How a send leaves: its provider, or the dev outbox (embedded mode); web chat's answers are read by the chat page. */
export type Transport = "twilio" | "resend" | "telegram" | "meta" | "outbox" | "web";
export type SendPurpose = "reply" | "staff" | "test" | "keyword" | "campaign" | "verification" | "digest";

export type SendResult = {
  transport: Transport;
  status: "queued" | "failed" | "skipped";
  /** the provider's ids for what went out (one per part) */
  providerIds: string[];
  outboxIds: string[];
  parts: number;
  /** the price table's units charged (SMS: segments) */
  units: number;
  attempts: number;
  costUsd: number;
  /** window_closed: WhatsApp's 24 hours, or Instagram's for an automated answer; human_agent_window_closed: Instagram's 7 days for a person */
  reason?: "empty" | "opted_out" | "no_address" | "undeliverable" | "window_closed" | "human_agent_window_closed";
  error?: { status: number | null; code: number | null; message: string };
};

/**
 * One message to one address on a channel: what an adapter's `deliver` sends (an answer, a staff
 * reply, a campaign, a test from the channel page, the owners' digest).
 */
export type Delivery = {
  channel: Channel;
  /** the address as the channel's identity keeps it: E.164, an email address, a chat id, an Instagram-scoped id */
  to: string;
  text: string;
  /** an approved template, where the channel has them (WhatsApp through Twilio, outside its 24 hours) */
  template?: { contentSid: string; variables?: Record<string, string> };
  conversationId?: string | null;
  /** the stored message this delivers (its delivery status follows) */
  messageId?: string | null;
  purpose: SendPurpose;
  /** the queued outbox row this send already is (see Outgoing.outboxId) */
  outboxId?: string | null;
  /** the customer it goes to, for their consent (STOP) where the channel keeps one */
  customer?: { id: string; consent: Record<string, unknown> | null } | null;
  /** an email's subject (a test's own; otherwise "Re:" and the thread's) */
  subject?: string;
};

export type Outgoing = {
  channel: Channel;
  transport: Transport;
  costKind: ChannelCostKind;
  /** the provider's price per unit when it is not the price table's (Meta's service messages are free) */
  costUsd?: number;
  /** the stored message this delivers (its delivery status follows) */
  messageId?: string | null;
  conversationId?: string | null;
  purpose: SendPurpose;
  /** what the dev outbox shows: a masked recipient, the subject, facts about the send (never a secret) */
  preview: { recipient: string; subject?: string | null; payload: Record<string, unknown> };
  /** the message in the parts the provider takes (empty: nothing is sent) */
  texts: string[];
  /**
   * Where the provider sends and bills each part on its own (Twilio): the units of each part (SMS
   * segments). Each part is then its own cost event and its own dev-outbox row. Absent: one cost
   * event for the parts sent, one dev-outbox row for the whole message.
   */
  units?: number[];
  /** facts of one part's dev-outbox row beside the preview's (Twilio: the media go with the first) */
  partPayload?: (index: number) => Record<string, unknown>;
  /** sends one part through the provider; returns the provider's id for it */
  send: (text: string, index: number) => Promise<string>;
  /** the stored status once the provider took it: "sent" where no receipts follow, "queued" where they do */
  accepted: "queued" | "sent";
  /** the queued outbox row this send already is: in embedded mode it stays the dev outbox's record, no second row is written */
  outboxId?: string | null;
  /** extra facts kept on the message's delivery record */
  delivery?: Record<string, unknown> | ((result: SendResult) => Record<string, unknown>);
};

/** Splits only what the provider cannot take as one message (`max` characters), at a sentence or word boundary. */
export function splitBody(text: string, max: number): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (Array.from(rest).length > max) {
    const head = Array.from(rest).slice(0, max).join("");
    const sentence = Math.max(head.lastIndexOf(". "), head.lastIndexOf("! "), head.lastIndexOf("? "), head.lastIndexOf("\n"));
    const space = head.lastIndexOf(" ");
    const cut = sentence > max * 0.5 ? sentence + 1 : space > max * 0.5 ? space : head.length;
    parts.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) parts.push(rest);
  return parts;
}

export function skipped(transport: Transport, reason: NonNullable<SendResult["reason"]>): SendResult {
  return { transport, status: "skipped", providerIds: [], outboxIds: [], parts: 0, units: 0, attempts: 0, costUsd: 0, reason };
}

/** The dev outbox's rows for a simulated send: one per part where the provider sends parts alone, else one. */
async function writeOutbox(out: Outgoing): Promise<string[]> {
  if (out.outboxId) return [out.outboxId];
  const { channel } = out;
  const rows = out.units ? out.texts.map((text, i) => ({ text, i })) : [{ text: out.texts.join("\n\n"), i: 0 }];
  const inserted = await withService((tx) =>
    tx
      .insert(outbox)
      .values(
        rows.map(({ text, i }) => ({
          businessId: channel.businessId,
          channelKind: channel.kind,
          recipient: out.preview.recipient,
          subject: out.preview.subject ?? null,
          body: text,
          payload: {
            kind: out.purpose,
            channelId: channel.id,
            ...(out.conversationId ? { conversationId: out.conversationId } : {}),
            ...out.preview.payload,
            ...out.partPayload?.(i),
          },
          messageId: out.messageId ?? null,
          // Nothing delivers it in embedded mode: the dev outbox is where it stays.
          status: "sent",
          sentAt: new Date(),
        })),
      )
      .returning({ id: outbox.id }),
  );
  return inserted.map((r) => r.id);
}

export async function sendOut(out: Outgoing): Promise<SendResult> {
  const { channel } = out;
  if (!out.texts.length) return recordSkip(channel, out.messageId, skipped(out.transport, "empty"));
  const result: SendResult = { transport: out.transport, status: "queued", providerIds: [], outboxIds: [], parts: out.texts.length, units: 0, attempts: 0, costUsd: 0 };
  if (out.transport === "outbox") {
    result.outboxIds = await writeOutbox(out);
  } else {
    for (const [i, text] of out.texts.entries()) {
      try {
        const { value, attempts } = await withRetries(() => out.send(text, i));
        result.providerIds.push(value);
        result.attempts += attempts;
      } catch (err) {
        result.status = "failed";
        const described = describeRestError(err);
        // Providers quote the recipient in some errors: never keep or log an address.
        result.error = { ...described, message: described.message.replace(/[^\s@<>"'()]+@[^\s@<>"'()]+/g, "[address]") };
        console.error(`[prismai] ${out.transport} send failed`, { channelId: channel.id, kind: channel.kind, ...result.error });
        break;
      }
    }
  }
  const sent = out.transport === "outbox" ? out.texts.length : result.providerIds.length;
  // One cost event per part the provider bills alone, else one for all that went.
  const charges = sent === 0 ? [] : out.units ? out.units.slice(0, sent) : [sent];
  if (charges.length) {
    result.costUsd = await withService(async (tx) => {
      let total = 0;
      for (const units of charges) {
        const base = { businessId: channel.businessId, kind: out.costKind, units, messageId: out.messageId, conversationId: out.conversationId };
        total += await chargeChannelCost(tx, { ...base, ...(out.costUsd !== undefined ? { costUsd: out.costUsd * units } : {}) });
      }
      return total;
    });
    result.units = charges.reduce((a, b) => a + b, 0);
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
        ...(typeof out.delivery === "function" ? out.delivery(result) : out.delivery),
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

/** A stored message's delivery status, its provider id once known, and facts merged into its delivery record. */
export async function updateMessage(businessId: string, messageId: string, values: { providerMessageId?: string | null; deliveryStatus: string; delivery: Record<string, unknown> }) {
  await withService((tx) =>
    tx
      .update(messages)
      .set({
        ...(values.providerMessageId ? { providerMessageId: values.providerMessageId } : {}),
        deliveryStatus: values.deliveryStatus,
        metadata: sql`${messages.metadata} || ${JSON.stringify({ delivery: values.delivery })}::jsonb`,
      })
      .where(and(eq(messages.id, messageId), eq(messages.businessId, businessId))),
  );
}
