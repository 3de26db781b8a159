// POST /api/webhooks/twilio/whatsapp — inbound WhatsApp (text, media with captions) through Twilio's sender.
import { whatsappWebhook } from "@/lib/channels/whatsapp/webhook";

export const dynamic = "force-dynamic";
export const maxDuration = 60;

export const POST = whatsappWebhook;
