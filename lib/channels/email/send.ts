import "server-only";
// Sending an email in a conversation: From the business's name at the channel's address, Reply-To
// the address carrying the conversation, "Re:" and the thread's subject, In-Reply-To the customer's
// latest email and References the thread from its first message, plain text and HTML with the
// signature under a "-- " line. One Idempotency-Key per stored message, so a retried send is one email.
import { and, asc, eq, isNotNull, like } from "drizzle-orm";
import { withService } from "@/lib/db/client";
import { businesses, conversations, customerIdentities, messages } from "@/lib/db/schema";
import { identityHash } from "@/lib/pipeline/identities";
import { encrypt } from "@/lib/security/crypto";
import { sendOut, recordSkip, skipped, type Delivery, type SendResult } from "@/lib/channels/common/send";
import { replyAddress } from "./address";
import { emailTransport, readEmailSettings } from "./channels";
import { baseSubject } from "./content";
import { resendClient, unwrap } from "./resend";

export type Thread = { subject: string; inReplyTo: string | null; references: string[] };

const MAX_REFERENCES = 10;

/** The threading headers of our next email in a conversation. */
export async function threadOf(businessId: string, conversationId: string): Promise<Thread> {
  return withService(async (tx) => {
    const [conversation] = await tx
      .select({ subject: conversations.subject, threadKey: conversations.emailThreadKey })
      .from(conversations)
      .where(and(eq(conversations.id, conversationId), eq(conversations.businessId, businessId)));
    const ids = await tx
      .select({ id: messages.providerMessageId })
      .from(messages)
      .where(
        and(
          eq(messages.businessId, businessId),
          eq(messages.conversationId, conversationId),
          eq(messages.role, "customer"),
          isNotNull(messages.providerMessageId),
          like(messages.providerMessageId, "<%>"),
        ),
      )
      .orderBy(asc(messages.createdAt));
    const chain = ids.map((r) => r.id!);
    const root = conversation?.threadKey ?? chain[0] ?? null;
    const tail = chain.filter((id) => id !== root).slice(-(MAX_REFERENCES - 1));
    return { subject: baseSubject(conversation?.subject), inReplyTo: chain.at(-1) ?? null, references: root ? [root, ...tail] : tail };
  });
}

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The HTML part: the same words, paragraphs kept, nothing the model wrote interpreted as markup. */
export function emailHtml(text: string, signature: string): string {
  const paragraphs = text
    .trim()
    .split(/\n{2,}/)
    .map((p) => `<p style="margin:0 0 1em">${escapeHtml(p).replace(/\n/g, "<br>")}</p>`)
    .join("\n");
  const sig = signature ? `\n<p style="margin:1.5em 0 0;color:#64748b">-- <br>${escapeHtml(signature).replace(/\n/g, "<br>")}</p>` : "";
  return `<!doctype html><html><body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#0f172a">\n${paragraphs}${sig}\n</body></html>`;
}

/** A display name safe inside a From header. */
const quoteName = (name: string) => `"${name.replace(/[\\"]/g, "").replace(/[\r\n]+/g, " ").trim()}"`;

const maskEmail = (address: string) => {
  const [user = "", domain = ""] = address.split("@");
  return `${user.slice(0, 1)}•••@${domain}`;
};

async function undeliverable(businessId: string, address: string): Promise<boolean> {
  const [row] = await withService((tx) =>
    tx
      .select({ undeliverable: customerIdentities.undeliverable })
      .from(customerIdentities)
      .where(
        and(
          eq(customerIdentities.businessId, businessId),
          eq(customerIdentities.kind, "email"),
          eq(customerIdentities.valueHash, identityHash({ kind: "email", value: address.toLowerCase() })),
        ),
      ),
  );
  return Boolean(row?.undeliverable);
}

/** In a conversation, threaded (its headers and the reply-to tag); without one (a test), on its own. */
export async function sendEmail(input: Delivery): Promise<SendResult> {
  const { channel } = input;
  const transport = emailTransport();
  const text = input.text.trim();
  // An address that bounced hard or complained gets nothing more (tests included).
  if (await undeliverable(channel.businessId, input.to)) return recordSkip(channel, input.messageId, skipped(transport, "undeliverable"));

  const [business] = await withService((tx) => tx.select({ name: businesses.name }).from(businesses).where(eq(businesses.id, channel.businessId)));
  const settings = readEmailSettings(channel.settings);
  const fromName = settings.fromName || business?.name || "Support";
  const signature = settings.signature || business?.name || "";
  const thread = input.conversationId ? await threadOf(channel.businessId, input.conversationId) : null;
  const subject = input.subject ?? `Re: ${thread?.subject || "Your message"}`;
  const replyTo = input.conversationId ? replyAddress(channel.address, input.conversationId) : undefined;
  const headers: Record<string, string> = {};
  if (thread?.inReplyTo) headers["In-Reply-To"] = thread.inReplyTo;
  if (thread?.references.length) headers.References = thread.references.join(" ");
  // The assistant's answers and campaigns are automatic (RFC 3834): another assistant, helpdesk or
  // autoresponder must not answer them, or two of them write to each other forever. Staff replies
  // and tests are written by a person and stay unmarked.
  if (input.purpose === "reply" || input.purpose === "campaign") headers["Auto-Submitted"] = "auto-replied";
  const body = signature ? `${text}\n\n-- \n${signature}` : text;
  const email = {
    from: `${quoteName(fromName)} <${channel.address}>`,
    to: [input.to],
    subject,
    text: body,
    html: emailHtml(text, signature),
    ...(replyTo ? { replyTo } : {}),
    ...(Object.keys(headers).length ? { headers } : {}),
  };
  const client = resendClient();
  return sendOut({
    ...input,
    transport,
    costKind: "email",
    accepted: "queued",
    preview: { recipient: maskEmail(input.to), subject, payload: { toEncrypted: encrypt(input.to), from: email.from, replyTo: replyTo ?? null, headers } },
    texts: text ? [body] : [],
    send: async () => {
      // One key per stored message: Resend answers a retried request with the first email instead of sending twice.
      const sent = await unwrap(client!.emails.send(email, input.messageId ? { idempotencyKey: `prismai-${input.messageId}` } : {}));
      return sent.id;
    },
    delivery: { subject, ...headers },
  });
}
