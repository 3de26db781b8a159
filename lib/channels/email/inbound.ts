import "server-only";
// email.received: find the channel by the address the mail was sent to, fetch the content as Resend
// documents (the event carries only metadata), refuse loops (our own address, automatic mail), keep
// only what the customer newly wrote, put it in its conversation, store it, and answer it in the
// same thread after the response.
import { and, eq } from "drizzle-orm";
import { AppError } from "@/lib/errors";
import { env } from "@/lib/env";
import { withService } from "@/lib/db/client";
import { stripNulDeep } from "@/lib/validation/text";
import { messages } from "@/lib/db/schema";
import { resolveCustomer } from "@/lib/pipeline/customers";
import { withRetries } from "@/lib/channels/twilio/client";
import { findChannelByAddress, type Channel } from "@/lib/channels/common/channels";
import { finishEvent } from "@/lib/channels/twilio/events";
import { claimProviderEvent, receive, recordOnly, settle, type ProviderEvent } from "@/lib/channels/common/receive";
import { addressesOf, baseAddress, conversationFromAddress, parseMailbox } from "./address";
import { emailTransport } from "./channels";
import { automaticReason, baseSubject, header, messageIds, visibleText } from "./content";
import { ReceivedEmail, type EmailReceived } from "./payload";
import { resendClient, unwrap } from "./resend";
import { sendEmail } from "./send";
import { citedIds, resolveEmailThread } from "./threading";

export const PROVIDER = "resend";

const ok = (body: Record<string, unknown>) => Response.json({ ok: true, ...body });

/** The channel the mail was addressed to: To, then Cc, then the envelope recipients, +tags ignored. */
async function channelFor(data: EmailReceived): Promise<{ channel: Channel; recipients: string[] } | null> {
  const recipients = addressesOf([...data.to, ...data.cc, ...data.received_for]);
  const db = await withService(async (tx) => {
    for (const address of recipients) {
      const channel = await findChannelByAddress(tx, "email", baseAddress(address));
      if (channel) return channel;
    }
    return null;
  });
  return db ? { channel: db, recipients } : null;
}

/** The email's content: from Resend's Received Emails API, or (embedded mode only) from the simulator's event. */
async function fetchContent(data: EmailReceived): Promise<ReceivedEmail> {
  if (emailTransport() === "outbox") {
    if (!data.simulated) throw new AppError("unprocessable", "In embedded mode inbound email comes from the Channel simulator, which sends its content with the event.");
    return ReceivedEmail.parse({ id: data.email_id, from: data.from, to: data.to, subject: data.subject, message_id: data.message_id, attachments: data.attachments, ...data.simulated });
  }
  const client = resendClient()!;
  const { value } = await withRetries(() => unwrap(client.emails.receiving.get(data.email_id)));
  // Fetched, not posted: the content did not pass through parseJsonBody, so NUL is dropped here.
  return ReceivedEmail.parse(stripNulDeep(value));
}

async function alreadyStored(channel: Channel, messageId: string): Promise<boolean> {
  const [row] = await withService((tx) =>
    tx
      .select({ id: messages.id })
      .from(messages)
      .where(and(eq(messages.businessId, channel.businessId), eq(messages.channelId, channel.id), eq(messages.providerMessageId, messageId)))
      .limit(1),
  );
  return Boolean(row);
}

export async function handleEmailReceived(event: ProviderEvent, data: EmailReceived): Promise<Response> {
  const found = await channelFor(data);
  if (!found) {
    await recordOnly(null, event, { status: "ignored", result: { reason: "no_channel" } });
    return ok({ ignored: "No email channel is connected for the addresses this email was sent to." });
  }
  const { channel, recipients } = found;
  const eventId = await claimProviderEvent(channel.businessId, event);
  if (!eventId) return ok({ duplicate: true });
  const ignore = async (reason: string, message: string, detail?: string) => {
    await finishEvent(eventId, { status: "ignored", result: { reason, ...(detail ? { detail } : {}) } });
    return ok({ ignored: message });
  };

  return settle(eventId, async () => {
    if (!channel.enabled) return ignore("channel_disabled", "This email channel is turned off.");
    const content = await fetchContent(data);
    const from = parseMailbox(content.from ?? data.from);
    if (!from) throw new AppError("bad_request", "data.from is not an email address.");
    const subject = content.subject ?? data.subject ?? null;

    // ---- loops: our own mail coming back, and automatic mail that must not be answered
    const platformFrom = parseMailbox(env().EMAIL_FROM)?.address;
    if (baseAddress(from.address) === channel.address || from.address === platformFrom) {
      return ignore("own_address", "Mail from this channel's own address is never answered.");
    }
    const automatic = automaticReason({ headers: content.headers, subject, from: from.address });
    if (automatic) return ignore("automatic", `Automatic email (${automatic}): not answered.`, automatic);

    const messageId = messageIds(data.message_id ?? header(content.headers, "message-id"))[0] ?? `<resend.${data.email_id}>`;
    // The same email delivered twice (two events, one Message-ID) is one message.
    if (await alreadyStored(channel, messageId)) return ignore("duplicate_message", "This email was already received.");

    const body = await visibleText(content.text, content.html);
    const files = content.attachments.map((a) => a.filename || "attachment");
    const cited = citedIds(messageIds(header(content.headers, "in-reply-to")), messageIds(header(content.headers, "references")));
    const tagged = recipients.map(conversationFromAddress).find(Boolean) ?? null;

    // A new thread's subject often is the question ("Parking on Saturdays?"): the assistant reads it too.
    const topic = baseSubject(subject);
    let text = body.text;
    const isReply = Boolean(tagged) || cited.length > 0;
    if (!isReply && topic && !text.toLowerCase().includes(topic.toLowerCase())) text = text ? `${topic}\n\n${text}` : topic;
    if (!text && files.length) text = `[${files.length === 1 ? "attachment" : `${files.length} attachments`}: ${files.join(", ")}]`;
    if (!text) return ignore("empty", "The email has no text to answer.");

    const thread = await withService(async (tx) => {
      const { customer } = await resolveCustomer(tx, channel.businessId, { kind: "email", value: from.address }, from.name);
      return resolveEmailThread(tx, {
        businessId: channel.businessId,
        channelId: channel.id,
        customerId: customer.id,
        taggedConversationId: tagged,
        references: cited.filter((id) => id !== messageId),
        messageId,
        subject,
      });
    });

    const received = await receive(
      eventId,
      {
        businessId: channel.businessId,
        channelId: channel.id,
        channelKind: "email",
        from: { kind: "email", value: from.address },
        name: from.name,
        text,
        providerMessageId: messageId,
        conversationId: thread.conversationId,
        subject,
        emailThreadKey: thread.threadKey,
        metadata: {
          email: { subject, thread: thread.via, fromHtml: body.fromHtml, quotedRemoved: body.trimmed, attachments: files, resendId: data.email_id, cited: cited.slice(0, 10) },
        },
      },
      {
        style: "email",
        deliver: (target) =>
          sendEmail({ channel, to: from.address, text: target.text, conversationId: target.conversationId, messageId: target.reply?.id ?? null, purpose: "reply" }),
      },
    );
    return ok(received.status === "stored" ? { conversationId: received.conversationId, thread: thread.via } : { duplicate: true });
  });
}
