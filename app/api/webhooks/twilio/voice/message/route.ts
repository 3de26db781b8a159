// POST /api/webhooks/twilio/voice/message — a message left for the team when nobody can take the call.
import { voicemailWebhook } from "@/lib/channels/voice/webhook";

export const dynamic = "force-dynamic";
export const maxDuration = 60;

export const POST = voicemailWebhook;
