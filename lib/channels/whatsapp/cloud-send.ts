import "server-only";
// Text through WhatsApp's Cloud API: POST /<phone number id>/messages { messaging_product: "whatsapp",
// to, type: "text", text: { body } }. Free-form text is allowed only inside the 24-hour window after
// the customer's last message (the same rule as through Twilio); outside it nothing is sent and the
// reason is said. Service messages inside the window carry no Meta fee, so the cost event is $0.
import { withService } from "@/lib/db/client";
import { sendOut, skipped, recordSkip, splitBody, type Delivery, type SendResult } from "@/lib/channels/common/send";
import { maskPhone } from "@/lib/channels/common/channels";
import { encrypt } from "@/lib/security/crypto";
import { metaCredentials, metaTransport } from "@/lib/channels/meta/app";
import { graphPost } from "@/lib/channels/meta/graph";
import { serviceWindow } from "./window";

export const WHATSAPP_MAX_CHARS = 4096;

export async function sendWhatsAppCloud(input: Delivery): Promise<SendResult> {
  const { channel } = input;
  const transport = metaTransport(channel);
  if (input.conversationId) {
    const window = await withService((tx) => serviceWindow(tx, channel.businessId, input.conversationId!));
    if (!window.open) return recordSkip(channel, input.messageId, skipped(transport, "window_closed"));
  }
  const token = metaCredentials(channel)?.accessToken;
  const to = input.to.replace(/^\+/, "");
  return sendOut({
    ...input,
    transport,
    costKind: "whatsapp",
    costUsd: 0,
    accepted: "queued",
    preview: { recipient: maskPhone(`+${to}`), payload: { toEncrypted: encrypt(`+${to}`), provider: "meta" } },
    texts: splitBody(input.text, WHATSAPP_MAX_CHARS),
    send: async (body) => {
      const payload = { messaging_product: "whatsapp", recipient_type: "individual", to, type: "text", text: { preview_url: false, body } };
      const sent = await graphPost<{ messages: { id: string }[] }>("whatsapp", `${channel.address}/messages`, token!, payload);
      return sent.messages[0]!.id;
    },
  });
}
