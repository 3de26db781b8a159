import "server-only";
// Sending an SMS or WhatsApp message: Twilio's `Outgoing` for the one send core (common/send.ts).
// The parts are Twilio's (SMS smart-encoded to GSM-7, split under the 1,600-character cap), each
// billed by its segments; the REST `messages.create` sends one, the template and media go with the
// first, and every part reports its status to our callback for the stored message.
import { encrypt } from "@/lib/security/crypto";
import { canMessage } from "@/lib/channels/sms/consent";
import { recordSkip, sendOut, skipped, splitBody, type Delivery, type SendPurpose, type SendResult } from "@/lib/channels/common/send";
import { maskPhone } from "@/lib/channels/common/channels";
import { env } from "@/lib/env";
import { MESSAGE_STATUS_PATH, wireAddress } from "./channels";
import { restClient } from "./client";
import { restCredentials } from "./credentials";
import { countSegments, MAX_BODY_CHARS, smartEncode, type SmsEncoding } from "./segments";

export type MessagingKind = "sms" | "whatsapp";

/**
 * One message to an E.164 number: the text (none: a template, or media alone), WhatsApp's media
 * (public URLs) and template; `customer` is checked for consent unless the send is the opt-out
 * confirmation itself (purpose "keyword"). Purpose "reply" unless said.
 */
export type SendInput = Omit<Delivery, "text" | "purpose"> & { text?: string; purpose?: SendPurpose; mediaUrls?: string[] };

export function statusCallbackUrl(messageId?: string | null): string {
  return `${env().appUrl}${MESSAGE_STATUS_PATH}${messageId ? `?m=${messageId}` : ""}`;
}

/** A message as Twilio sends and bills it: SMS look-alike punctuation to GSM-7, parts under 1,600 characters, segments per part. */
export function messageParts(kind: MessagingKind, text: string): { parts: string[]; units: number[]; encoding?: SmsEncoding } {
  const parts = splitBody(kind === "sms" ? smartEncode(text) : text, MAX_BODY_CHARS);
  if (kind !== "sms") return { parts, units: parts.map(() => 1) };
  return { parts, units: parts.map((p) => countSegments(p).segments), encoding: countSegments(parts.join("")).encoding };
}

export async function sendMessage(input: SendInput): Promise<SendResult> {
  const { channel, template } = input;
  const kind = channel.kind as MessagingKind;
  const credentials = restCredentials(channel);
  const transport = credentials ? "twilio" : "outbox";
  if (input.customer && input.purpose !== "keyword" && !canMessage(input.customer, kind)) {
    return recordSkip(channel, input.messageId, skipped(transport, "opted_out"));
  }
  const media = input.mediaUrls ?? [];
  const split = messageParts(kind, (input.text ?? "").trim());
  // A template is one message whatever its text; media alone is one message with no body.
  const { parts, units, encoding } = template
    ? { parts: [`[template ${template.contentSid}] ${JSON.stringify(template.variables ?? {})}`], units: [1], encoding: undefined }
    : !split.parts.length && media.length
      ? { parts: [""], units: [1], encoding: undefined }
      : split;
  const from = wireAddress(kind, channel.address);
  const to = wireAddress(kind, input.to);
  const statusCallback = statusCallbackUrl(input.messageId);
  return sendOut({
    channel,
    transport,
    costKind: kind,
    messageId: input.messageId,
    conversationId: input.conversationId,
    purpose: input.purpose ?? "reply",
    outboxId: input.outboxId,
    preview: { recipient: maskPhone(input.to), payload: { toEncrypted: encrypt(input.to), from, ...(template ? { template } : {}), statusCallback } },
    partPayload: (i) => ({ mediaUrls: i === 0 ? media : [] }),
    texts: parts,
    units,
    accepted: "queued",
    send: async (body, i) => {
      const sent = await restClient(credentials!).messages.create({
        to,
        from,
        statusCallback,
        ...(template ? { contentSid: template.contentSid, ...(template.variables ? { contentVariables: JSON.stringify(template.variables) } : {}) } : { body }),
        ...(i === 0 && media.length ? { mediaUrl: media } : {}),
      });
      return sent.sid;
    },
    delivery: (r) => ({ segments: r.units, ...(encoding ? { encoding } : {}), sids: r.providerIds }),
  });
}
