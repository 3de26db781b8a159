import "server-only";
// What a Channels page shows about any channel: its latest messages with their delivery status, and
// every channel of the business for the overview. Per kind: an email, Telegram, Instagram or WhatsApp
// (Cloud API) channel: how it is connected (tokens masked, never shown), where sends go, and the values
// to paste into the provider's console. The Meta verify token is shown to owners and admins only.
import { ADAPTERS } from "@/lib/channels/adapter";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { withTenant } from "@/lib/db/client";
import { channels, messages } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { emailTransport, readEmailSettings } from "@/lib/channels/email/channels";
import { readTelegramSettings, telegramCredentials } from "@/lib/channels/telegram/channels";
import { appSecretFor, metaCredentials } from "@/lib/channels/meta/app";
import { readMetaSettings, WEBHOOK_PATHS } from "@/lib/channels/meta/channels";
import { findBusinessChannel, maskSecret, TYPE_INFO, type MessagingType } from "./channels";
import { isSimulated } from "@/lib/channels/simulator";
import { isSampleChannel } from "./sample-mark";
import type { Transport } from "./send";

export type PasteValue = { id: string; label: string; value: string; hint: string };

export type MessagingChannelView = {
  type: MessagingType;
  label: string;
  provider: string;
  /** sample: connected with sample values ("Try it with a sample number") */
  channel: { id: string; name: string; address: string; enabled: boolean; settings: Record<string, unknown>; sample: boolean } | null;
  /** "Bot token 123…wxyz", "Access token EAA…", or why there is none */
  account: string;
  /** a token or app secret is stored (the form says "Stored" instead of showing it) */
  hasSecret: boolean;
  transport: Transport;
  simulated: boolean;
  paste: PasteValue[];
  /** things the owner must fix before the channel works for real */
  warnings: string[];
  /** the server's clock when the page was made: where the simulator starts reading the dev outbox */
  now: string;
};

export async function messagingChannelView(userId: string, businessId: string, type: MessagingType, opts: { canManage: boolean }): Promise<MessagingChannelView> {
  const channel = await withTenant(userId, (tx) => findBusinessChannel(tx, businessId, type));
  const origin = env().appUrl;
  const info = TYPE_INFO[type];
  const view: MessagingChannelView = {
    type,
    label: info.label,
    provider: info.provider,
    channel: null,
    account: "",
    hasSecret: false,
    transport: channel ? ADAPTERS[type].transport(channel) : type === "email" ? emailTransport() : "outbox",
    simulated: channel ? isSimulated(type, channel) : false,
    paste: [],
    warnings: [],
    now: new Date().toISOString(),
  };
  if (type === "email") {
    view.account = env().adapters.email === "resend" ? "PrismAI's Resend account (RESEND_API_KEY)" : "Embedded mode: no Resend account, email stays in the dev outbox";
    view.paste.push({
      id: "resend-webhook",
      label: "Resend webhook endpoint",
      value: origin + ADAPTERS.email.webhooks[0],
      hint: "Resend → Webhooks → Add webhook, with the events email.received, email.sent, email.delivered, email.bounced and email.complained.",
    });
    if (channel) {
      const domain = channel.address.split("@")[1];
      view.paste.push({
        id: "resend-domain",
        label: "Receiving domain",
        value: domain ?? "",
        hint: "Add this domain under Resend → Domains and its MX record at your DNS host, so mail to your support address reaches Resend (a subdomain keeps your own mailboxes untouched).",
      });
    }
  }
  if (!channel) return view;
  view.channel = { id: channel.id, name: channel.name, address: channel.address, enabled: channel.enabled, settings: {}, sample: isSampleChannel(channel) };

  if (type === "email") {
    view.channel.settings = readEmailSettings(channel.settings);
  } else if (type === "telegram") {
    const settings = readTelegramSettings(channel.settings);
    const token = telegramCredentials(channel)?.botToken;
    view.channel.settings = { greeting: settings.greeting };
    view.account = token ? `Bot @${channel.address}, token ${maskSecret(token)}` : `Simulated bot @${channel.address} (no token)`;
    view.hasSecret = Boolean(token);
    if (settings.webhook) {
      view.paste.push({ id: "telegram-webhook", label: "Webhook (registered with setWebhook)", value: settings.webhook.url, hint: settings.webhook.ok ? "Telegram accepted it." : `Telegram refused it: ${settings.webhook.error}` });
      if (!settings.webhook.ok) view.warnings.push(`Telegram refused the webhook: ${settings.webhook.error}. Save again once APP_URL is a public https address.`);
    }
  } else {
    const settings = readMetaSettings(type, channel.settings);
    const credentials = metaCredentials(channel);
    const app = appSecretFor(channel);
    view.channel.settings = settings as Record<string, unknown>;
    view.hasSecret = Boolean(credentials?.accessToken || credentials?.appSecret);
    view.account = [
      credentials?.accessToken ? `Access token ${maskSecret(credentials.accessToken)}` : "No access token (simulated)",
      app.source === "channel" ? "your own Meta app" : app.source === "platform" ? "PrismAI's Meta app" : "no app secret",
    ].join(" · ");
    view.paste.push({ id: `${type}-callback`, label: "Callback URL", value: origin + WEBHOOK_PATHS[type], hint: `Meta app → ${type === "instagram" ? "Instagram" : "WhatsApp"} → Configuration → Webhooks; subscribe to the "messages" field.` });
    if (opts.canManage && credentials) {
      view.paste.push({ id: `${type}-verify-token`, label: "Verify token", value: credentials.verifyToken, hint: "Paste beside the callback URL; Meta checks it once when you save." });
    }
    if (credentials?.accessToken && app.source === "simulator") view.warnings.push("Sends go through Meta, but no app secret is set: Meta's webhooks cannot be verified. Enter your app secret, or set META_APP_SECRET.");
  }
  return view;
}

export type RecentMessage = { id: string; role: string; content: string; deliveryStatus: string | null; createdAt: Date };

/** The channel's latest messages with their delivery status (status callbacks move these). */
export async function recentChannelMessages(userId: string, businessId: string, channelId: string, limit = 8): Promise<RecentMessage[]> {
  return withTenant(userId, (tx) =>
    tx
      .select({ id: messages.id, role: messages.role, content: messages.content, deliveryStatus: messages.deliveryStatus, createdAt: messages.createdAt })
      .from(messages)
      .where(and(eq(messages.businessId, businessId), eq(messages.channelId, channelId), inArray(messages.role, ["customer", "assistant", "agent", "system"])))
      .orderBy(desc(messages.createdAt))
      .limit(limit),
  );
}

export type ChannelSummary = { id: string; kind: string; name: string; address: string; enabled: boolean; sample: boolean };

/** Every channel of the business, for the Channels overview. */
export async function listBusinessChannels(userId: string, businessId: string): Promise<ChannelSummary[]> {
  return withTenant(userId, (tx) =>
    tx
      .select({
        id: channels.id,
        kind: channels.kind,
        name: channels.name,
        address: channels.address,
        enabled: channels.enabled,
        sample: sql<boolean>`coalesce((${channels.settings}->>'sample')::boolean, false)`,
      })
      .from(channels)
      .where(eq(channels.businessId, businessId))
      .orderBy(channels.kind, channels.createdAt),
  );
}
