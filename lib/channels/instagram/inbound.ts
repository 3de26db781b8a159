import "server-only";
// One verified Instagram messaging event, read by the Instagram adapter: a customer's DM is recorded
// once per mid, stored, and answered after Meta has its 200; our own messages coming back as echoes,
// reads and reactions are recorded and passed over.
import { ADAPTERS } from "@/lib/channels/adapter";
import { acceptMessage, recordOnly } from "@/lib/channels/common/receive";
import type { Channel } from "@/lib/channels/common/channels";
import type { InstagramMessaging } from "./parse";
import { sendInstagram } from "./send";

export const PROVIDER = "meta";

export type EntryOutcome = "stored" | "duplicate" | "ignored";

export async function handleInstagramMessaging(channel: Channel, event: InstagramMessaging): Promise<EntryOutcome> {
  if (!event.message) return "ignored";
  const provider = { provider: PROVIDER, eventId: `ig:${event.message.mid}`, kind: "instagram", payload: event as Record<string, unknown> };
  const parsed = await ADAPTERS.instagram.parse!(channel, event);
  if (!("message" in parsed)) {
    await recordOnly(channel.businessId, provider, { status: "ignored", result: { reason: parsed.ignored } });
    return "ignored";
  }
  const customerId = parsed.message.from.value;
  return acceptMessage(channel, provider, parsed.message, {
    style: "chat",
    deliver: (target) =>
      sendInstagram({ channel, to: customerId, text: target.text, messageId: target.reply?.id ?? null, conversationId: target.conversationId, purpose: "reply" }),
  });
}
