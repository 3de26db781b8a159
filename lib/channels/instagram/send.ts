import "server-only";
// Replies through Instagram's Send API: POST /<account id>/messages { recipient: { id }, messaging_type,
// message: { text } } with the account's token; Instagram takes at most 1,000 characters a message, so
// longer answers go as several. Instagram's window decides what may go (./window): inside 24 hours of
// the customer's last message anything, as RESPONSE; from 24 hours to 7 days only a person's reply, as
// MESSAGE_TAG with tag HUMAN_AGENT; after that nothing, and the reason is kept on the message. A
// simulated account's replies go to the dev outbox.
import { withService } from "@/lib/db/client";
import { recordSkip, sendOut, skipped, splitBody, type Delivery, type SendResult } from "@/lib/channels/common/send";
import { metaCredentials, metaTransport } from "@/lib/channels/meta/app";
import { graphPost } from "@/lib/channels/meta/graph";
import { instagramWindow } from "./window";

export const INSTAGRAM_MAX_CHARS = 1000;

/** The Send API's classification of a message: a reply inside 24 hours, or a person's reply within 7 days. */
export type InstagramMessagingType = { messaging_type: "RESPONSE" } | { messaging_type: "MESSAGE_TAG"; tag: "HUMAN_AGENT" };

const RESPONSE: InstagramMessagingType = { messaging_type: "RESPONSE" };
const HUMAN_AGENT: InstagramMessagingType = { messaging_type: "MESSAGE_TAG", tag: "HUMAN_AGENT" };

/** `to` is the customer's Instagram-scoped id. */
export async function sendInstagram(input: Delivery): Promise<SendResult> {
  const { channel, to: recipientId } = input;
  const transport = metaTransport(channel);
  // A test from the channel page names no conversation: it goes as a plain response.
  let classification = RESPONSE;
  if (input.conversationId) {
    const window = await withService((tx) => instagramWindow(tx, channel.businessId, input.conversationId!));
    const human = input.purpose === "staff";
    if (window.stage === "closed") return recordSkip(channel, input.messageId, skipped(transport, human ? "human_agent_window_closed" : "window_closed"));
    if (window.stage === "human_agent") {
      // Only a person may write between 24 hours and 7 days; the AI's answer is not sent.
      if (!human) return recordSkip(channel, input.messageId, skipped(transport, "window_closed"));
      classification = HUMAN_AGENT;
    }
  }
  const token = metaCredentials(channel)?.accessToken;
  return sendOut({
    ...input,
    transport,
    costKind: "instagram",
    accepted: "sent",
    preview: { recipient: `IG user …${recipientId.slice(-4)}`, payload: { recipientId, ...classification } },
    texts: splitBody(input.text, INSTAGRAM_MAX_CHARS),
    delivery: classification === HUMAN_AGENT ? { messagingType: "MESSAGE_TAG", tag: "HUMAN_AGENT" } : undefined,
    send: async (text) => {
      const body = { recipient: { id: recipientId }, ...classification, message: { text } };
      const sent = await graphPost<{ recipient_id: string; message_id: string }>("instagram", `${channel.address}/messages`, token!, body);
      return sent.message_id;
    },
  });
}
