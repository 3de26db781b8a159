// POST /api/webhooks/telegram/[channel] — one bot's updates, checked against its secret token.
import { telegramWebhook } from "@/lib/channels/telegram/webhook";

export const dynamic = "force-dynamic";
export const maxDuration = 60;

export const POST = telegramWebhook;
