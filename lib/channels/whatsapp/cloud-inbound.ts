import "server-only";
// One verified WhatsApp Cloud API change: customers' messages, read by the Cloud API adapter, are recorded once per wamid, stored and
// answered after Meta has its 200 (the same customer as on SMS and Twilio WhatsApp: one phone number,
// one identity); status updates move our stored messages forward (sent → delivered → read, or failed,
// with Meta's error such as 131047, outside the 24-hour window).
import { withService } from "@/lib/db/client";
import { finishEvent } from "@/lib/channels/common/events";
import { acceptMessage, claimProviderEvent, recordOnly } from "@/lib/channels/common/receive";
import type { Channel } from "@/lib/channels/common/channels";
import { applyStatus } from "@/lib/channels/common/status";
import { ADAPTERS } from "@/lib/channels/adapter";
import { CloudValue, isKnownCloudStatus, type CloudMessage, type CloudStatus } from "./cloud-parse";
import { sendWhatsAppCloud } from "./cloud-send";

export const PROVIDER = "meta";

export type ValueOutcome = { stored: number; duplicates: number; ignored: number; statuses: number };

async function handleMessage(channel: Channel, m: CloudMessage, name: string | null, out: ValueOutcome) {
  const event = { provider: PROVIDER, eventId: `wa:${m.id}`, kind: "whatsapp", payload: m as Record<string, unknown> };
  const parsed = await ADAPTERS["whatsapp-cloud"].parse!(channel, { message: m, name });
  if (!("message" in parsed)) {
    await recordOnly(channel.businessId, event, { status: "ignored", result: { reason: parsed.ignored } });
    out.ignored++;
    return;
  }
  const phone = parsed.message.from.value;
  const outcome = await acceptMessage(channel, event, parsed.message, {
    style: "chat",
    deliver: (target) => sendWhatsAppCloud({ channel, to: phone, text: target.text, messageId: target.reply?.id ?? null, conversationId: target.conversationId, purpose: "reply" }),
  });
  if (outcome === "stored") out.stored++;
  else out.duplicates++;
}

async function handleStatus(channel: Channel, s: CloudStatus, out: ValueOutcome) {
  if (!isKnownCloudStatus(s.status)) {
    out.ignored++;
    return;
  }
  const eventId = await claimProviderEvent(channel.businessId, { provider: PROVIDER, eventId: `wa:${s.id}:${s.status}`, kind: "status", payload: s as Record<string, unknown> });
  if (!eventId) return;
  out.statuses++;
  const error = s.errors?.[0];
  const result = await withService((tx) =>
    applyStatus(tx, channel, {
      providerMessageId: s.id,
      event: s.status,
      status: s.status,
      facts: error ? { deliveryError: { code: error.code, title: error.title ?? error.message ?? null } } : {},
    }),
  );
  await finishEvent(eventId, { status: result.matched ? "processed" : "ignored", result });
}

/** A `messages` change for this channel (its metadata.phone_number_id is the channel's address). */
export async function handleCloudValue(channel: Channel, raw: unknown): Promise<ValueOutcome> {
  const value = CloudValue.parse(raw);
  const out: ValueOutcome = { stored: 0, duplicates: 0, ignored: 0, statuses: 0 };
  const names = new Map(value.contacts.map((c) => [c.wa_id ?? "", c.profile?.name?.trim() || null]));
  for (const m of value.messages) await handleMessage(channel, m, names.get(m.from) ?? null, out);
  for (const s of value.statuses) await handleStatus(channel, s, out);
  return out;
}
