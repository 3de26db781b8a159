import "server-only";
// A Twilio channel's account: the business's own SID and auth token (encrypted at rest in
// channels.credentials_encrypted), else the platform's from the environment. With neither (the
// embedded default), a token derived from the app's secret signs the Channel simulator's requests.
import { z } from "zod";
import { env } from "@/lib/env";
import { decryptJson, encryptJson, keyedHash } from "@/lib/security/crypto";

export const TwilioCredentials = z.object({
  accountSid: z
    .string()
    .trim()
    .regex(/^AC[0-9a-fA-F]{32}$/, "The account SID starts with AC followed by 32 hexadecimal characters (Twilio Console → Account info)"),
  authToken: z
    .string()
    .trim()
    .regex(/^[0-9a-zA-Z]{32}$/, "The auth token is 32 characters (Twilio Console → Account info)"),
});
export type TwilioCredentials = z.infer<typeof TwilioCredentials>;

type ChannelLike = { id: string; credentialsEncrypted: string | null };

export function sealCredentials(credentials: TwilioCredentials): string {
  return encryptJson(TwilioCredentials.parse(credentials));
}

/** The channel's own credentials, when the business entered them. */
export function channelCredentials(channel: ChannelLike): TwilioCredentials | null {
  if (!channel.credentialsEncrypted) return null;
  const parsed = TwilioCredentials.safeParse(decryptJson<unknown>(channel.credentialsEncrypted));
  return parsed.success ? parsed.data : null;
}

/** The platform's Twilio account from the environment, when set. */
export function platformCredentials(): TwilioCredentials | null {
  const e = env();
  return e.TWILIO_ACCOUNT_SID && e.TWILIO_AUTH_TOKEN ? { accountSid: e.TWILIO_ACCOUNT_SID, authToken: e.TWILIO_AUTH_TOKEN } : null;
}

/** Credentials for REST sends: the channel's, else the platform's; null means the dev outbox. */
export function restCredentials(channel: ChannelLike): TwilioCredentials | null {
  if (env().adapters.sms !== "twilio") return null;
  return channelCredentials(channel) ?? platformCredentials();
}

/** A stable stand-in account for a channel with no Twilio account (embedded mode). */
export function simulatorCredentials(channel: { id: string }): TwilioCredentials {
  const digest = Buffer.from(keyedHash(`twilio-simulator:${channel.id}`), "base64url").toString("hex");
  return { accountSid: `AC${digest.slice(0, 32)}`, authToken: digest.slice(32, 64) };
}

/**
 * The auth token Twilio signs this channel's webhooks with. The simulator's derived token is only
 * accepted while no real account exists for the channel, so it never opens a production channel.
 */
export function signingCredentials(channel: ChannelLike): TwilioCredentials & { simulated: boolean } {
  const real = channelCredentials(channel) ?? platformCredentials();
  return real ? { ...real, simulated: false } : { ...simulatorCredentials(channel), simulated: true };
}

/** "AC…1a2b": enough to recognise an account on screen, never the whole SID. */
export function maskSid(sid: string): string {
  return sid.length > 8 ? `${sid.slice(0, 2)}…${sid.slice(-4)}` : "…";
}
