// GET/POST /api/webhooks/meta/whatsapp — Meta's webhook check, and WhatsApp Cloud API messages and statuses.
import { metaNotifications, metaVerification } from "@/lib/channels/meta/webhook";

export const dynamic = "force-dynamic";
export const maxDuration = 60;

export const GET = metaVerification("whatsapp-cloud");
export const POST = metaNotifications("whatsapp-cloud");
