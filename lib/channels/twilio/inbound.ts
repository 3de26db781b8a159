// What SMS and WhatsApp webhooks share once parsed: the message in the pipeline's terms, without
// the raw phone numbers anywhere but the identity.
import type { Parsed } from "@/lib/channels/adapter";
import type { Attachment } from "@/lib/pipeline/types";

/** A Twilio message (MessageSid `sid`, from the customer's E.164 number) as the one InboundMessage. */
export function twilioMessage(
  channel: { id: string; businessId: string },
  kind: "sms" | "whatsapp",
  m: { sid: string; from: string; text: string; attachments: Attachment[]; name: string | null; metadata: Record<string, unknown> },
): Parsed {
  return {
    message: {
      businessId: channel.businessId,
      channelId: channel.id,
      channelKind: kind,
      from: { kind: "phone", value: m.from },
      name: m.name,
      text: m.text,
      providerMessageId: m.sid,
      attachments: m.attachments,
      metadata: m.metadata,
    },
  };
}

/** MediaUrl0…MediaUrlN with their content types, as Twilio numbers them. */
export function mediaOf(fields: Record<string, string>, count: number, caption: string | null): Attachment[] {
  const out: Attachment[] = [];
  for (let i = 0; i < Math.min(count, 10); i++) {
    const url = fields[`MediaUrl${i}`];
    if (!url || !/^https?:\/\//.test(url)) continue;
    out.push({ url, contentType: fields[`MediaContentType${i}`] ?? null, caption: i === 0 ? caption : null });
  }
  return out;
}

/** "[image]", "[2 attachments]": the text of a message that is only media. */
export function mediaLabel(attachments: Attachment[]): string {
  if (attachments.length > 1) return `[${attachments.length} attachments]`;
  const type = attachments[0]?.contentType?.split("/")[0];
  return type === "image" || type === "video" || type === "audio" ? `[${type}]` : "[attachment]";
}
