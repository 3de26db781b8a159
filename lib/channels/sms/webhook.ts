import "server-only";
// POST /api/webhooks/twilio/sms — verify · parse · hand over, for a business's SMS number.
import { handleInboundMessage } from "@/lib/channels/twilio/messaging";
import { emptyTwiml, twimlResponse } from "@/lib/channels/twilio/twiml";
import { withTwilioWebhook } from "@/lib/channels/twilio/webhook";
import { parseSms } from "./parse";

export const smsWebhook = withTwilioWebhook(
  { kind: () => "sms", address: (f) => f.To, disabled: () => twimlResponse(emptyTwiml()) },
  (hook) => handleInboundMessage(hook, "sms", parseSms(hook.fields)),
);
