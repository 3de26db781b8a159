import "server-only";
// POST /api/webhooks/twilio/whatsapp — verify · parse · hand over, for a business's WhatsApp sender.
import { handleInboundMessage } from "@/lib/channels/twilio/messaging";
import { emptyTwiml, twimlResponse } from "@/lib/channels/twilio/twiml";
import { withTwilioWebhook } from "@/lib/channels/twilio/webhook";
import { parseWhatsApp } from "./parse";

export const whatsappWebhook = withTwilioWebhook(
  { kind: () => "whatsapp", address: (f) => f.To, disabled: () => twimlResponse(emptyTwiml()) },
  (hook) => handleInboundMessage(hook, "whatsapp", parseWhatsApp(hook.fields)),
);
