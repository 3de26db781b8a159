import "server-only";
// email.received: find the channel by the address the mail was sent to, fetch the content as Resend
// documents (the event carries only metadata), have the email adapter read it (loops refused: our own
// address, automatic mail; only what the customer newly wrote kept), put it in its conversation, store
// it, and answer it in the same thread after the response.
import { and, eq } from "drizzle-orm";
import { AppError } from "@/lib/errors";
import { withService } from "@/lib/db/client";
import { stripNulDeep } from "@/lib/validation/text";
import { messages } from "@/lib/db/schema";
import { resolveCustomer } from "@/lib/pipeline/customers";
import { withRetries } from "@/lib/channels/common/retry";
import { findChannelByAddress, type Channel } from "@/lib/channels/common/channels";
import { finishEvent } from "@/lib/channels/common/events";
import { claimProviderEvent, receive, recordOnly, settle, type ProviderEvent } from "@/lib/channels/common/receive";
import { ADAPTERS } from "@/lib/channels/adapter";
import { addressesOf, baseAddress, conversationFromAddress } from "./address";
import { emailTransport } from "./channels";
import { header, messageIds } from "./content";
import type { ReceivedMail } from "./parse";
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
    const cited = citedIds(messageIds(header(content.headers, "in-reply-to")), messageIds(header(content.headers, "references")));
    const tagged = recipients.map(conversationFromAddress).find(Boolean) ?? null;
    const parsed = await ADAPTERS.email.parse!(channel, { data, content, tagged, cited } satisfies ReceivedMail);
    if (!("message" in parsed)) return ignore(parsed.ignored, parsed.note ?? parsed.ignored, parsed.detail);
    const mail = parsed.message;
    const messageId = mail.providerMessageId!;
    // The same email delivered twice (two events, one Message-ID) is one message.
    if (await alreadyStored(channel, messageId)) return ignore("duplicate_message", "This email was already received.");

    const thread = await withService(async (tx) => {
      const { customer } = await resolveCustomer(tx, channel.businessId, mail.from, mail.name);
      return resolveEmailThread(tx, {
        businessId: channel.businessId,
        channelId: channel.id,
        customerId: customer.id,
        taggedConversationId: tagged,
        references: cited.filter((id) => id !== messageId),
        messageId,
        subject: mail.subject ?? null,
      });
    });

    const email = mail.metadata?.email as Record<string, unknown>;
    const input = { ...mail, conversationId: thread.conversationId, emailThreadKey: thread.threadKey, metadata: { email: { ...email, thread: thread.via } } };
    const received = await receive(eventId, input, {
      style: "email",
      deliver: (target) =>
        sendEmail({ channel, to: mail.from.value, text: target.text, conversationId: target.conversationId, messageId: target.reply?.id ?? null, purpose: "reply" }),
    });
    return ok(received.status === "stored" ? { conversationId: received.conversationId, thread: thread.via } : { duplicate: true });
  });
}
