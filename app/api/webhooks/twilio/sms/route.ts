// POST /api/webhooks/twilio/sms — inbound SMS: verified, recorded once per MessageSid, answered with TwiML.
import { messagingWebhook } from "@/lib/channels/twilio/messaging";

export const dynamic = "force-dynamic";
export const maxDuration = 60;

export const POST = messagingWebhook("sms");
