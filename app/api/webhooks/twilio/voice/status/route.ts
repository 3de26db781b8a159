// POST /api/webhooks/twilio/voice/status — call status callback — duration and cost of the call.
import { callStatusWebhook } from "@/lib/channels/voice/webhook";

export const dynamic = "force-dynamic";
export const maxDuration = 60;

export const POST = callStatusWebhook;
