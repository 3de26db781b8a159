// POST /api/webhooks/twilio/voice/dial — how putting the caller through to the business went.
import { dialWebhook } from "@/lib/channels/voice/webhook";

export const dynamic = "force-dynamic";
export const maxDuration = 60;

export const POST = dialWebhook;
