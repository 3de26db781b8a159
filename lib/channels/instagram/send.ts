import "server-only";
// Replies through Instagram's Send API: POST /<account id>/messages { recipient: { id }, message: { text } }
// with the account's token; Instagram takes at most 1,000 characters a message, so longer answers go
// as several. A simulated account's replies go to the dev outbox.
import { sendOut, type SendPurpose, type SendResult } from "@/lib/channels/common/send";
import type { Channel } from "@/lib/channels/common/channels";
import { splitBody } from "@/lib/channels/twilio/segments";
import { metaCredentials, metaTransport } from "@/lib/channels/meta/app";
import { graphPost } from "@/lib/channels/meta/graph";

export const INSTAGRAM_MAX_CHARS = 1000;

export type InstagramSend = { channel: Channel; recipientId: string; text: string; messageId?: string | null; conversationId?: string | null; purpose: SendPurpose };

export async function sendInstagram(input: InstagramSend): Promise<SendResult> {
  const { channel } = input;
  const transport = metaTransport(channel);
  const token = metaCredentials(channel)?.accessToken;
  return sendOut({
    ...input,
    transport,
    costKind: "instagram",
    accepted: "sent",
    preview: { recipient: `IG user …${input.recipientId.slice(-4)}`, payload: { recipientId: input.recipientId } },
    texts: splitBody(input.text, INSTAGRAM_MAX_CHARS),
    send: async (text) => {
      const sent = await graphPost<{ recipient_id: string; message_id: string }>("instagram", `${channel.address}/messages`, token!, { recipient: { id: input.recipientId }, message: { text } });
      return sent.message_id;
    },
  });
}
