// POST /api/webhooks/resend — inbound email (email.received) and delivery events of our email, svix-signed.
import { resendWebhook } from "@/lib/channels/email/webhook";

export const dynamic = "force-dynamic";
export const maxDuration = 60;

export const POST = resendWebhook;
