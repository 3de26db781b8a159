import "server-only";
// The email adapter's parse: one received email (Resend's event, the content fetched for it, and the
// thread it says it belongs to) → the one InboundMessage, or why it is never answered: mail from the
// channel's own address, automatic mail (auto-replies, bounces, lists), nothing to read.
import { AppError } from "@/lib/errors";
import { env } from "@/lib/env";
import type { Parsed } from "@/lib/channels/adapter";
import type { Channel } from "@/lib/channels/common/channels";
import { baseAddress, parseMailbox } from "./address";
import { automaticReason, baseSubject, header, messageIds, visibleText } from "./content";
import type { EmailReceived, ReceivedEmail } from "./payload";

export type ReceivedMail = {
  data: EmailReceived;
  content: ReceivedEmail;
  /** the conversation named by a tagged reply-to address, if any */
  tagged: string | null;
  /** the Message-IDs it answers (In-Reply-To, References) */
  cited: string[];
};

export async function parseEmail(channel: Channel, { data, content, tagged, cited }: ReceivedMail): Promise<Parsed> {
  const from = parseMailbox(content.from ?? data.from);
  if (!from) throw new AppError("bad_request", "data.from is not an email address.");
  const subject = content.subject ?? data.subject ?? null;

  // ---- loops: our own mail coming back, and automatic mail that must not be answered
  const platformFrom = parseMailbox(env().EMAIL_FROM)?.address;
  if (baseAddress(from.address) === channel.address || from.address === platformFrom) {
    return { ignored: "own_address", note: "Mail from this channel's own address is never answered." };
  }
  const automatic = automaticReason({ headers: content.headers, subject, from: from.address });
  if (automatic) return { ignored: "automatic", note: `Automatic email (${automatic}): not answered.`, detail: automatic };

  const messageId = messageIds(data.message_id ?? header(content.headers, "message-id"))[0] ?? `<resend.${data.email_id}>`;
  const body = await visibleText(content.text, content.html);
  const files = content.attachments.map((a) => a.filename || "attachment");
  // A new thread's subject often is the question ("Parking on Saturdays?"): the assistant reads it too.
  const topic = baseSubject(subject);
  let text = body.text;
  const isReply = Boolean(tagged) || cited.length > 0;
  if (!isReply && topic && !text.toLowerCase().includes(topic.toLowerCase())) text = text ? `${topic}\n\n${text}` : topic;
  if (!text && files.length) text = `[${files.length === 1 ? "attachment" : `${files.length} attachments`}: ${files.join(", ")}]`;
  if (!text) return { ignored: "empty", note: "The email has no text to answer." };

  return {
    message: {
      businessId: channel.businessId,
      channelId: channel.id,
      channelKind: "email",
      from: { kind: "email", value: from.address },
      name: from.name,
      text,
      providerMessageId: messageId,
      subject,
      metadata: {
        email: { subject, fromHtml: body.fromHtml, quotedRemoved: body.trimmed, attachments: files, resendId: data.email_id, cited: cited.slice(0, 10) },
      },
    },
  };
}
