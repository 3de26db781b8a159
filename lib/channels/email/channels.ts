import "server-only";
// The email channel: the support address customers write to (on the domain whose MX points at
// Resend's inbound servers), the name our replies come from, and the signature under them. Email
// goes through the platform's Resend account (RESEND_API_KEY), so there are no per-business secrets.
import { z } from "zod";
import { env } from "@/lib/env";
import type { Ctx } from "@/lib/services/context";
import { isEmailAddress } from "./address";
import { readStored, saveChannel, type Channel } from "@/lib/channels/common/channels";
import { text } from "@/lib/validation/text";

export const EmailSettings = z.object({
  /** the name in From; the business's name when empty */
  fromName: text().trim().max(80).default(""),
  /** under every email we send, after "-- "; the business's name when empty */
  signature: text().trim().max(600).default(""),
});
export type EmailSettings = z.infer<typeof EmailSettings>;

export const readEmailSettings = (raw: unknown): EmailSettings => readStored(EmailSettings, raw);

export const ConnectEmailInput = z.object({
  address: z
    .string()
    .trim()
    .toLowerCase()
    .refine(isEmailAddress, "Enter the address customers write to, e.g. support@yourdomain.com")
    .refine((v) => !v.split("@")[0]!.includes("+"), "Use the address without a +tag: replies use +tags to find their conversation."),
  name: text().trim().max(80).optional(),
  enabled: z.boolean().default(true),
  settings: EmailSettings.default({ fromName: "", signature: "" }),
});

export async function connectEmailChannel({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<Channel> {
  const v = ConnectEmailInput.parse(input);
  return saveChannel(ctx, { key: "email", name: v.name || `Email ${v.address}`, address: v.address, settings: v.settings, enabled: v.enabled });
}

/** Where our email goes: Resend in production, the dev outbox in embedded mode. */
export function emailTransport(): "resend" | "outbox" {
  return env().adapters.email === "resend" ? "resend" : "outbox";
}
