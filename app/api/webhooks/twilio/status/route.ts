// POST /api/webhooks/twilio/status — delivery status callbacks of our SMS and WhatsApp sends.
import { handleMessageStatus } from "@/lib/channels/twilio/status";
import { withTwilioWebhook } from "@/lib/channels/twilio/webhook";

export const dynamic = "force-dynamic";

// Our number is the sender of the message whose status this is; a disabled channel still learns how its last sends went.
export const POST = withTwilioWebhook(
  { kind: (f) => (/^whatsapp:/i.test(f.From ?? "") ? "whatsapp" : "sms"), address: (f) => f.From, disabled: handleMessageStatus },
  handleMessageStatus,
);
