import "server-only";
// A phone number proven by a code, shared by the owners' digest phone (lib/services/digest-phone.ts)
// and each member's hand-off phone (lib/relay/phone.ts): an E.164 number, a 6-digit code texted
// through the business's own SMS or WhatsApp channel and kept only as a keyed hash, valid 10 minutes,
// 5 wrong tries, a new one at most once a minute.
import crypto from "node:crypto";
import { parsePhoneNumberFromString } from "libphonenumber-js";
import { z } from "zod";
import type { Executor } from "@/lib/db/client";
import { type Channel } from "@/lib/channels/twilio/channels";
import { findBusinessChannel } from "@/lib/channels/common/channels";
import { sendMessage } from "@/lib/channels/twilio/deliver";
import { AppError } from "@/lib/errors";

export const PHONE_KINDS = ["sms", "whatsapp"] as const;
export type PhoneKind = (typeof PHONE_KINDS)[number];
export const CODE_TTL_MS = 10 * 60_000;
export const CODE_MAX_ATTEMPTS = 5;
export const CODE_RESEND_MS = 60_000;
const KIND_NAME: Record<PhoneKind, string> = { sms: "SMS", whatsapp: "WhatsApp" };
const PHONE_MESSAGE = "Enter the number in international format: + and the country code, e.g. +14155550100.";

/** A real number written with its country code, as E.164 ("+44 7700 900123" → "+447700900123"). */
export const PhoneNumber = z
  .string({ message: PHONE_MESSAGE })
  .trim()
  .max(40, PHONE_MESSAGE)
  .transform((v, ctx) => {
    const phone = v.startsWith("+") ? parsePhoneNumberFromString(v) : undefined;
    if (!phone || !phone.isValid()) {
      ctx.addIssue({ code: "custom", message: PHONE_MESSAGE });
      return z.NEVER;
    }
    return phone.number;
  });

export const PhoneInput = z.object({ kind: z.enum(PHONE_KINDS, { message: "Choose SMS or WhatsApp." }), phone: PhoneNumber });
export const PhoneCode = z.object({ code: z.string({ message: "Enter the 6-digit code." }).trim().regex(/^\d{6}$/, "Enter the 6-digit code.") });

/** The business's channels a code or a notice can be texted from. */
export async function textSenders(ex: Executor, businessId: string): Promise<Partial<Record<PhoneKind, Channel>>> {
  const out: Partial<Record<PhoneKind, Channel>> = {};
  for (const kind of PHONE_KINDS) {
    const channel = await findBusinessChannel(ex, businessId, kind);
    if (channel) out[kind] = channel;
  }
  return out;
}

/** A fresh code and when it expires; refused when the last one went out less than a minute ago. */
export function newCode(now: Date, lastSentAt: Date | null | undefined): { code: string; expiresAt: Date } {
  if (lastSentAt && now.getTime() - lastSentAt.getTime() < CODE_RESEND_MS) {
    throw new AppError("rate_limited", "A code was sent less than a minute ago. Wait a moment before asking for another.");
  }
  return { code: String(crypto.randomInt(0, 1_000_000)).padStart(6, "0"), expiresAt: new Date(now.getTime() + CODE_TTL_MS) };
}

/** The channel of `kind`, or a refusal naming who can connect one. */
export function senderOf(senders: Partial<Record<PhoneKind, Channel>>, kind: PhoneKind, whoConnects: string): Channel {
  const channel = senders[kind];
  if (!channel) throw new AppError("bad_request", `This business has no ${KIND_NAME[kind]} channel to send from. ${whoConnects}`, { field: "kind" });
  return channel;
}

/** Texts the code the way every SMS and WhatsApp message goes (Twilio with an account, else the dev outbox). */
export async function textCode(input: { channel: Channel; kind: PhoneKind; to: string; body: string }): Promise<void> {
  const sent = await sendMessage({ channel: input.channel, to: input.to, text: input.body, purpose: "verification" });
  if (sent.status === "failed") throw new AppError("unavailable", `The code could not be sent by ${KIND_NAME[input.kind]}: ${sent.error?.message ?? "the provider refused it"}. Try again.`);
}

type CodeRow = { codeHash: string | null; codeExpiresAt: Date | null; codeAttempts: number; verifiedAt: Date | null };

/**
 * Checks a typed code's keyed hash against the stored one: null when it is right, else the refusal to
 * show. A wrong code is counted through `countWrong` (in the caller's transaction, committed before
 * the refusal is thrown).
 */
export async function checkCode(row: CodeRow | undefined, givenHash: string, now: Date, countWrong: (attempts: number) => Promise<unknown>): Promise<string | null> {
  if (!row || !row.codeHash || !row.codeExpiresAt) return row?.verifiedAt ? "This number is already verified." : "Send a code to the number first.";
  if (row.codeAttempts >= CODE_MAX_ATTEMPTS) return "Too many wrong codes. Send a new code.";
  if (row.codeExpiresAt <= now) return "This code has expired. Send a new code.";
  const given = Buffer.from(givenHash);
  const expected = Buffer.from(row.codeHash);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
    const attempts = row.codeAttempts + 1;
    await countWrong(attempts);
    const left = CODE_MAX_ATTEMPTS - attempts;
    return left > 0 ? `That code is not right. ${left} ${left === 1 ? "try" : "tries"} left.` : "That code is not right. Too many wrong codes: send a new code.";
  }
  return null;
}
