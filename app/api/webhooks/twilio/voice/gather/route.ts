// POST /api/webhooks/twilio/voice/gather — one utterance of a call — answered through the pipeline, spoken back.
import { gatherWebhook } from "@/lib/channels/voice/webhook";

export const dynamic = "force-dynamic";
export const maxDuration = 60;

export const POST = gatherWebhook;
