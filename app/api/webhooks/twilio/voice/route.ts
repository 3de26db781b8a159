// POST /api/webhooks/twilio/voice — incoming call — greeting, then listening for speech.
import { incomingCallWebhook } from "@/lib/channels/voice/webhook";

export const dynamic = "force-dynamic";
export const maxDuration = 60;

export const POST = incomingCallWebhook;
