import "server-only";
// One verified Instagram messaging event: a customer's DM is recorded once per mid, stored, and
// answered after Meta has its 200; our own messages coming back as echoes, reads and reactions are
// recorded and passed over.
import { acceptMessage, recordOnly } from "@/lib/channels/common/receive";
import type { Channel } from "@/lib/channels/common/channels";
import { instagramText, type InstagramMessaging } from "./parse";
import { sendInstagram } from "./send";

export const PROVIDER = "meta";

export type EntryOutcome = "stored" | "duplicate" | "ignored";

export async function handleInstagramMessaging(channel: Channel, event: InstagramMessaging): Promise<EntryOutcome> {
  const message = event.message;
  if (!message) return "ignored";
  const provider = { provider: PROVIDER, eventId: `ig:${message.mid}`, kind: "instagram", payload: event as Record<string, unknown> };
  // An echo is the copy of a message the account sent (through us or the Instagram app): never answered.
  if (message.is_echo || event.sender.id === channel.address) {
    await recordOnly(channel.businessId, provider, { status: "ignored", result: { reason: "echo" } });
    return "ignored";
  }
  if (!channel.enabled || message.is_deleted) {
    await recordOnly(channel.businessId, provider, { status: "ignored", result: { reason: message.is_deleted ? "deleted" : "channel_disabled" } });
    return "ignored";
  }
  const { text, attachments } = instagramText(message);
  if (!text) {
    await recordOnly(channel.businessId, provider, { status: "ignored", result: { reason: "empty" } });
    return "ignored";
  }
  const customerId = event.sender.id;
  return acceptMessage(
    channel,
    provider,
    {
      from: { kind: "instagram", value: customerId },
      text,
      attachments,
      providerMessageId: message.mid,
      metadata: { instagram: { account: channel.address, sentAt: event.timestamp?.toISOString() ?? null } },
    },
    {
      style: "chat",
      deliver: (target) =>
        sendInstagram({ channel, recipientId: customerId, text: target.text, messageId: target.reply?.id ?? null, conversationId: target.conversationId, purpose: "reply" }),
    },
  );
}
