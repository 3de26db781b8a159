import "server-only";
// The Channel simulator for email, Telegram, Instagram and WhatsApp (Cloud API): plays the customer
// by handing the real webhook handler the request the provider would make — Resend's email.received
// signed with svix, a Telegram update with the bot's secret header, a Meta notification with
// X-Hub-Signature-256 — so verification, parsing, idempotency, threading and the pipeline all run.
// Answers leave after the response, so the page reads them from the dev outbox. Only a simulated
// channel can be played (no real token or secret), so this can never impersonate a provider.
import crypto from "node:crypto";
import { and, desc, eq, gte, inArray, isNull, or, sql } from "drizzle-orm";
import { z } from "zod";
import { withService } from "@/lib/db/client";
import { conversations, customerIdentities, messages, outbox } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import { identityHash, normaliseIdentity, type Identity } from "@/lib/pipeline/identities";
import type { Ctx } from "@/lib/services/context";
import { replyAddress } from "@/lib/channels/email/address";
import { threadOf } from "@/lib/channels/email/send";
import { resendWebhook } from "@/lib/channels/email/webhook";
import { signingSecret, svixHeaders } from "@/lib/channels/email/svix";
import { SECRET_HEADER, telegramWebhook } from "@/lib/channels/telegram/webhook";
import { telegramCredentials } from "@/lib/channels/telegram/channels";
import { appSecretFor, metaSignature } from "@/lib/channels/meta/app";
import { metaNotifications } from "@/lib/channels/meta/webhook";
import { WEBHOOK_PATHS } from "@/lib/channels/meta/channels";
import { env } from "@/lib/env";
import { findMessagingChannel, isMessagingType, TYPE_INFO, type Channel, type MessagingType } from "./channels";
import { findBusinessChannel, toE164 } from "@/lib/channels/twilio/channels";
import { ADAPTERS, type AdapterKey, type ChannelAdapter } from "@/lib/channels/adapter";
import { transportOf } from "./outbound";
import { nameFromAddress } from "./sample-people";

export const SIMULATED = {
  email: { from: "alex.customer@example.com" },
  telegram: { from: "700100200", name: "Alex" },
  instagram: { from: "17841400000000001", name: "alex.customer" },
  "whatsapp-cloud": { from: "+447700900123", name: "Alex" },
} as const;

const text = z.string().trim().min(1, "Write the customer's message.").max(4000);

export const SimulateInput = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("email"),
    from: z.email("Enter the customer's email address.").default(SIMULATED.email.from),
    /** the sender's display name; empty: made from the address ("maria.garcia@…" → "Maria Garcia") */
    name: z.string().trim().max(80).default(""),
    subject: z.string().trim().max(200).default(""),
    text,
    /** answer in the customer's latest conversation, as a mail client's "Reply" would */
    reply: z.boolean().default(false),
    /** headers an email client or an autoresponder would add (Auto-Submitted…) */
    headers: z.record(z.string(), z.string()).default({}),
  }),
  z.object({ type: z.literal("telegram"), from: z.string().trim().regex(/^\d{3,15}$/, "A Telegram user id is digits.").default(SIMULATED.telegram.from), name: z.string().trim().max(80).default(SIMULATED.telegram.name), text }),
  z.object({ type: z.literal("instagram"), from: z.string().trim().regex(/^\d{5,25}$/, "An Instagram-scoped id is digits.").default(SIMULATED.instagram.from), text }),
  z.object({ type: z.literal("whatsapp-cloud"), from: z.string().trim().default(SIMULATED["whatsapp-cloud"].from), name: z.string().trim().max(80).default(SIMULATED["whatsapp-cloud"].name), text }),
]);
export type SimulateInput = z.input<typeof SimulateInput>;

export type SimulateResult = { status: number; body: Record<string, unknown>; error?: string; sentAt: string };

const uuid = () => crypto.randomUUID();

/** Whether the channel is one the simulator may play: nothing real behind it. */
export function isSimulated(type: MessagingType, channel: Channel): boolean {
  if (transportOf(type, channel) !== "outbox") return false;
  if (type === "email") return signingSecret().simulated;
  if (type === "telegram") return true;
  return appSecretFor(channel).source === "simulator";
}

/** The customer's latest email conversation on the channel, for a simulated "Reply". */
async function latestEmailConversation(channel: Channel, address: string): Promise<string | null> {
  const [row] = await withService((tx) =>
    tx
      .select({ id: conversations.id })
      .from(conversations)
      .innerJoin(customerIdentities, and(eq(customerIdentities.customerId, conversations.customerId), eq(customerIdentities.businessId, conversations.businessId)))
      .where(
        and(
          eq(conversations.businessId, channel.businessId),
          eq(conversations.channelId, channel.id),
          eq(customerIdentities.kind, "email"),
          eq(customerIdentities.valueHash, identityHash({ kind: "email", value: address.toLowerCase() })),
        ),
      )
      .orderBy(desc(conversations.lastMessageAt))
      .limit(1),
  );
  return row?.id ?? null;
}

/** The From header: "Name <address>", the name made from the address when none was typed. */
export function senderOf(name: string, address: string): string {
  const display = (name.trim() || nameFromAddress(address)).replace(/["<>\\]/g, "");
  return display ? `${display} <${address}>` : address;
}

/** Resend's email.received event (https://resend.com/docs/webhooks/emails/received), with its content inline. */
export async function emailReceivedEvent(channel: Channel, v: Extract<z.output<typeof SimulateInput>, { type: "email" }>) {
  const emailId = uuid();
  const messageId = `<sim.${emailId}@mail.example.com>`;
  const headers: Record<string, string> = { "message-id": messageId, date: new Date().toUTCString(), ...v.headers };
  let to = channel.address;
  let subject = v.subject || "Question";
  if (v.reply) {
    const conversationId = await latestEmailConversation(channel, v.from);
    if (!conversationId) throw new AppError("bad_request", "This customer has no email conversation to reply in yet: send a new email first.");
    const thread = await threadOf(channel.businessId, conversationId);
    to = replyAddress(channel.address, conversationId);
    subject = `Re: ${thread.subject || subject}`;
    if (thread.inReplyTo) headers["in-reply-to"] = thread.inReplyTo;
    if (thread.references.length) headers.references = thread.references.join(" ");
  }
  return {
    type: "email.received",
    created_at: new Date().toISOString(),
    data: {
      email_id: emailId,
      created_at: new Date().toISOString(),
      from: senderOf(v.name, v.from),
      to: [to],
      cc: [],
      bcc: [],
      received_for: [to],
      message_id: messageId,
      subject,
      attachments: [],
      simulated: { text: v.text, html: null, headers },
    },
  };
}

/** A Telegram Update (https://core.telegram.org/bots/api#update) for a private chat with the bot. */
export function telegramUpdate(from: string, name: string, message: string) {
  const command = /^\/\w+/.exec(message);
  return {
    update_id: crypto.randomInt(100_000_000, 999_999_999),
    message: {
      message_id: crypto.randomInt(1, 2_000_000_000),
      from: { id: Number(from), is_bot: false, first_name: name, language_code: "en" },
      chat: { id: Number(from), first_name: name, type: "private" },
      date: Math.floor(Date.now() / 1000),
      text: message,
      ...(command ? { entities: [{ offset: 0, length: command[0].length, type: "bot_command" }] } : {}),
    },
  };
}

/** An Instagram messaging notification (Business Login for Instagram). */
export function instagramNotification(accountId: string, from: string, message: string) {
  const now = Date.now();
  return {
    object: "instagram",
    entry: [
      {
        id: accountId,
        time: now,
        messaging: [{ sender: { id: from }, recipient: { id: accountId }, timestamp: now, message: { mid: `aWdfZAG1faXRlbTpzaW06${crypto.randomBytes(12).toString("hex")}`, text: message } }],
      },
    ],
  };
}

/** A WhatsApp Cloud API text message notification. */
export function whatsappNotification(channel: Channel, from: string, name: string, message: string) {
  const waId = from.replace(/^\+/, "");
  const display = String(channel.settings?.displayPhoneNumber ?? "").replace(/^\+/, "");
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: String(channel.settings?.businessAccountId ?? "0"),
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: display, phone_number_id: channel.address },
              contacts: [{ profile: { name }, wa_id: waId }],
              messages: [{ from: waId, id: `wamid.${crypto.randomBytes(24).toString("base64url")}`, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: message } }],
            },
          },
        ],
      },
    ],
  };
}

async function call(type: MessagingType, channel: Channel, v: z.output<typeof SimulateInput>): Promise<Response> {
  const base = env().appUrl;
  if (v.type === "email") {
    const body = JSON.stringify(await emailReceivedEvent(channel, v));
    const headers = await svixHeaders(signingSecret().secret, `msg_${crypto.randomBytes(12).toString("hex")}`, body);
    return resendWebhook(new Request(`${base}/api/webhooks/resend`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body }));
  }
  if (v.type === "telegram") {
    const body = JSON.stringify(telegramUpdate(v.from, v.name, v.text));
    const secret = telegramCredentials(channel)!.webhookSecret;
    return telegramWebhook(new Request(`${base}/api/webhooks/telegram/${channel.id}`, { method: "POST", headers: { "content-type": "application/json", [SECRET_HEADER]: secret }, body }), {
      params: Promise.resolve({ channel: channel.id }),
    });
  }
  const payload = v.type === "instagram" ? instagramNotification(channel.address, v.from, v.text) : whatsappNotification(channel, v.from, v.name, v.text);
  const body = JSON.stringify(payload);
  const meta = type === "instagram" ? "instagram" : "whatsapp-cloud";
  return metaNotifications(meta)(
    new Request(`${base}${WEBHOOK_PATHS[meta]}`, { method: "POST", headers: { "content-type": "application/json", "x-hub-signature-256": metaSignature(appSecretFor(channel).secret, body) }, body }),
  );
}

export async function simulateMessaging({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<SimulateResult> {
  const v = SimulateInput.parse(input);
  const type = v.type;
  const channel = await withService((tx) => findMessagingChannel(tx, ctx.businessId, type));
  if (!channel) throw new AppError("not_found", `Connect ${TYPE_INFO[type].label} first.`);
  if (!isSimulated(type, channel)) throw new AppError("forbidden", `This ${TYPE_INFO[type].label} channel is live: the Channel simulator only plays simulated channels. Write to it for real instead.`);
  const sentAt = new Date().toISOString();
  const res = await call(type, channel, v);
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  const error = res.ok ? (typeof body.ignored === "string" ? body.ignored : undefined) : ((body.error as { message?: string } | undefined)?.message ?? `The webhook answered ${res.status}.`);
  return { status: res.status, body, error, sentAt };
}

/** The simulated customer's identity on this channel, as the webhook records it; null when `from` is not one. */
function simulatedIdentity(adapter: ChannelAdapter, from: string): Identity | null {
  if (!adapter.identity) return null;
  // Twilio's simulator posts the number as toE164 reads it; the others' webhooks normalise it themselves.
  if (adapter.provider === "Twilio") {
    const phone = toE164(from);
    return phone ? { kind: "phone", value: phone } : null;
  }
  try {
    return normaliseIdentity({ kind: adapter.identity, value: from });
  } catch {
    return null;
  }
}

/**
 * What reached the simulated customer on a channel since the simulator wrote, from the dev outbox:
 * answers sent after the webhook answered, staff replies and campaigns, the rate limit's notice.
 * With `from`, only what went to that customer. The Channel simulator of every channel reads this.
 */
export async function simulatorReplies(
  businessId: string,
  key: Exclude<AdapterKey, "web">,
  since: Date,
  from?: string | null,
): Promise<{ id: string; body: string; subject: string | null; at: string }[]> {
  const identity = from ? simulatedIdentity(ADAPTERS[key], from) : null;
  if (from && !identity) return [];
  const rows = await withService(async (tx) => {
    const channel = isMessagingType(key) ? await findMessagingChannel(tx, businessId, key) : await findBusinessChannel(tx, businessId, key);
    if (!channel) return [];
    // This customer's: rows delivering a message of theirs, and rows sent into their conversation
    // without a stored message (the rate limit's notice).
    const theirs = () =>
      and(
        eq(messages.businessId, businessId),
        eq(messages.channelId, channel.id),
        eq(customerIdentities.kind, identity!.kind),
        eq(customerIdentities.valueHash, identityHash(identity!)),
      );
    const joined = (cols: Parameters<typeof tx.select>[0]) =>
      tx
        .select(cols)
        .from(messages)
        .innerJoin(customerIdentities, and(eq(customerIdentities.customerId, messages.customerId), eq(customerIdentities.businessId, messages.businessId)))
        .where(theirs());
    const toCustomer = identity
      ? [
          or(
            inArray(outbox.messageId, joined({ id: messages.id })),
            and(isNull(outbox.messageId), inArray(sql`${outbox.payload}->>'conversationId'`, joined({ id: sql<string>`${messages.conversationId}::text` }))),
          ),
        ]
      : [];
    return tx
      .select({ id: outbox.id, body: outbox.body, subject: outbox.subject, createdAt: outbox.createdAt })
      .from(outbox)
      .where(and(eq(outbox.businessId, businessId), gte(outbox.createdAt, since), sql`${outbox.payload}->>'channelId' = ${channel.id}`, ...toCustomer))
      .orderBy(outbox.createdAt)
      .limit(20);
  });
  return rows.map((r) => ({ id: r.id, body: r.body, subject: r.subject, at: r.createdAt.toISOString() }));
}
