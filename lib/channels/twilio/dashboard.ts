import "server-only";
// What the Channels pages show about a Twilio channel — never a secret: where its account comes
// from (masked), how sends leave, the URLs to paste.
import { withTenant } from "@/lib/db/client";
import { env } from "@/lib/env";
import { readSettings, webhookUrls, type TwilioKind } from "./channels";
import { findBusinessChannel } from "@/lib/channels/common/channels";
import { channelCredentials, maskSid, platformCredentials } from "./credentials";
import { isSampleChannel } from "@/lib/channels/common/sample-mark";

export type AccountSource = { source: "channel" | "platform" | "simulator"; label: string };

export type TwilioChannelView = {
  kind: TwilioKind;
  channel: {
    id: string;
    name: string;
    address: string;
    enabled: boolean;
    hasCredentials: boolean;
    settings: Record<string, unknown>;
    /** connected with sample values ("Try it with a sample number") */
    sample: boolean;
  } | null;
  account: AccountSource;
  transport: "twilio" | "outbox";
  urls: { incoming: string; status: string };
  embedded: boolean;
  /** the server's clock when the page was made: where the simulator starts reading the dev outbox */
  now: string;
};

export async function twilioChannelView(userId: string, businessId: string, kind: TwilioKind): Promise<TwilioChannelView> {
  const channel = await withTenant(userId, (tx) => findBusinessChannel(tx, businessId, kind));
  const own = channel ? channelCredentials(channel) : null;
  const platform = platformCredentials();
  const embedded = env().adapters.sms === "outbox";
  const account: AccountSource = own
    ? { source: "channel", label: `Your Twilio account ${maskSid(own.accountSid)}` }
    : platform
      ? { source: "platform", label: `PrismAI's Twilio account ${maskSid(platform.accountSid)}` }
      : { source: "simulator", label: "No Twilio account yet: only the Channel simulator can reach this number" };
  return {
    kind,
    channel: channel
      ? {
          id: channel.id,
          name: channel.name,
          address: channel.address,
          enabled: channel.enabled,
          hasCredentials: Boolean(own),
          settings: readSettings(kind, channel.settings) as Record<string, unknown>,
          sample: isSampleChannel(channel),
        }
      : null,
    account,
    transport: embedded ? "outbox" : "twilio",
    urls: webhookUrls(kind),
    embedded,
    now: new Date().toISOString(),
  };
}
