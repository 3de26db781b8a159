// POST /api/webhooks/twilio/sms — inbound SMS: verified, recorded once per MessageSid, answered with TwiML.
import { smsWebhook } from "@/lib/channels/sms/webhook";

export const dynamic = "force-dynamic";
export const maxDuration = 60;

export const POST = smsWebhook;
