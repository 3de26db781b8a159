// POST /api/webhooks/twilio/whatsapp — inbound WhatsApp (text, media with captions) through Twilio's sender.
import { messagingWebhook } from "@/lib/channels/twilio/messaging";

export const dynamic = "force-dynamic";
export const maxDuration = 60;

export const POST = messagingWebhook("whatsapp");
