import "server-only";
// The outbox row of a message for a customer on a pushed channel (SMS, WhatsApp, email, Telegram,
// Instagram): staff replies, the satisfaction survey and its thank-you all leave this way.
import { customerIdentityRows } from "@/lib/db/conversations";
import type { Tx } from "@/lib/db/client";
import { outbox } from "@/lib/db/schema";
import { maskContact } from "@/lib/chat/service";
import type { IdentityKind } from "@/lib/pipeline/identities";
import { decrypt } from "@/lib/security/crypto";

export type QueuedConversation = { id: string; channel_id: string; channel_kind: string; customer_id: string };

/** Which identity a reply on each channel goes to. */
const ADDRESS_KIND: Record<string, IdentityKind | undefined> = {
  sms: "phone",
  whatsapp: "phone",
  voice: "phone",
  email: "email",
  telegram: "telegram",
  instagram: "instagram",
};

/**
 * A person's reply on a channel other than web chat: a row in the outbox first (so it cannot be
 * lost), which the channel's sender delivers; in embedded mode the dashboard shows it there.
 */
export async function enqueueReply(
  tx: Tx,
  c: QueuedConversation,
  businessId: string,
  messageId: string,
  body: string,
  template?: { contentSid: string },
  /** what else the row says: a campaign's message is { kind: "campaign", campaignId, recipientId } */
  extra?: { kind?: "staff_reply" | "campaign"; [key: string]: unknown },
) {
  const kind = ADDRESS_KIND[c.channel_kind];
  const address = kind ? (await customerIdentityRows(tx, businessId, [c.customer_id])).find((i) => i.kind === kind && !i.undeliverable) : undefined;
  let recipient = "(no address on file)";
  if (address) {
    try {
      recipient = maskContact({ kind: kind!, value: decrypt(address.valueEncrypted) });
    } catch {
      recipient = "(unreadable address)";
    }
  }
  await tx.insert(outbox).values({
    businessId,
    channelKind: c.channel_kind,
    recipient,
    body,
    messageId,
    status: address ? "pending" : "failed",
    error: address ? null : `The customer has no ${kind ?? c.channel_kind} address to reply to.`,
    payload: { ...extra, kind: extra?.kind ?? "staff_reply", conversationId: c.id, channelId: c.channel_id, ...(template ? { template } : {}), ...(address ? { toEncrypted: address.valueEncrypted } : {}) },
  });
  return address ? "queued" : "failed";
}

