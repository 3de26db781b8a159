// GET/POST /api/webhooks/meta/instagram — Meta's webhook check, and Instagram DMs (X-Hub-Signature-256).
import { metaNotifications, metaVerification } from "@/lib/channels/meta/webhook";

export const dynamic = "force-dynamic";
export const maxDuration = 60;

export const GET = metaVerification("instagram");
export const POST = metaNotifications("instagram");
