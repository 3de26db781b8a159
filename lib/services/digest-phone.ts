import "server-only";
// The phone the owners' digest is also texted to (Settings → Limits & budget): an E.164 number, sealed
// at rest, never logged (the audit log and the outbox keep it masked), and used only after the 6-digit
// code sent to it was typed back, so a typo never texts a stranger. A code lasts 10 minutes and takes 5
// wrong tries; a new one can be asked for once a minute. Sent through the business's own SMS or
// WhatsApp channel (Twilio, or the dev outbox in embedded mode) and priced like any send.
import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { parsePhoneNumberFromString } from "libphonenumber-js";
import { z } from "zod";
import { withTenant, type Executor } from "@/lib/db/client";
import { findBusinessById } from "@/lib/db/businesses";
import { digestPhones } from "@/lib/db/schema";
import { findBusinessChannel, type Channel } from "@/lib/channels/twilio/channels";
import { maskPhone, sendMessage } from "@/lib/channels/twilio/deliver";
import { AppError } from "@/lib/errors";
import { decrypt, encrypt, keyedHash } from "@/lib/security/crypto";
import { audit } from "./audit";
import { MANAGERS, requireRole, type Ctx } from "./context";

export const DIGEST_PHONE_KINDS = ["sms", "whatsapp"] as const;
export type DigestPhoneKind = (typeof DIGEST_PHONE_KINDS)[number];
export const CODE_TTL_MS = 10 * 60_000;
export const CODE_MAX_ATTEMPTS = 5;
export const CODE_RESEND_MS = 60_000;

const KIND_NAME: Record<DigestPhoneKind, string> = { sms: "SMS", whatsapp: "WhatsApp" };
const PHONE_MESSAGE = "Enter the number in international format: + and the country code, e.g. +14155550100.";

/** A real number written with its country code, as E.164 ("+44 7700 900123" → "+447700900123"). */
export const DigestPhoneNumber = z
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

export const DigestPhoneInput = z.object({
  kind: z.enum(DIGEST_PHONE_KINDS, { message: "Choose SMS or WhatsApp." }),
  phone: DigestPhoneNumber,
});
export const DigestPhoneCode = z.object({ code: z.string({ message: "Enter the 6-digit code." }).trim().regex(/^\d{6}$/, "Enter the 6-digit code.") });
export const DIGEST_PHONE_FIELDS = ["kind", "phone", "code"];

export type DigestPhoneSettings = {
  /** the business's channels a digest can be texted from */
  kinds: DigestPhoneKind[];
  phone: null | { kind: DigestPhoneKind; masked: string; verified: boolean; codeExpiresAt: string | null };
};

const codeHash = (businessId: string, code: string) => keyedHash(`digest-phone:${businessId}:${code}`);

async function senders(ex: Executor, businessId: string): Promise<Partial<Record<DigestPhoneKind, Channel>>> {
  const out: Partial<Record<DigestPhoneKind, Channel>> = {};
  for (const kind of DIGEST_PHONE_KINDS) {
    const channel = await findBusinessChannel(ex, businessId, kind);
    if (channel) out[kind] = channel;
  }
  return out;
}

export async function getDigestPhoneSettings({ ctx }: { ctx: Ctx }): Promise<DigestPhoneSettings> {
  requireRole(ctx, MANAGERS);
  return withTenant(ctx.actor.userId, async (tx) => {
    const kinds = Object.keys(await senders(tx, ctx.businessId)) as DigestPhoneKind[];
    const [row] = await tx.select().from(digestPhones).where(eq(digestPhones.businessId, ctx.businessId));
    if (!row) return { kinds, phone: null };
    return {
      kinds,
      phone: {
        kind: row.channelKind as DigestPhoneKind,
        masked: maskPhone(decrypt(row.phoneEncrypted)),
        verified: row.verifiedAt !== null,
        codeExpiresAt: row.codeHash && row.codeExpiresAt ? row.codeExpiresAt.toISOString() : null,
      },
    };
  });
}

/**
 * Sets the number (or sends a new code to the one set): until its code is typed back, no digest goes
 * there. Returns the masked number and when the code expires.
 */
export async function requestDigestPhoneCode({ ctx, input }: { ctx: Ctx; input: unknown }, opts: { now?: Date } = {}): Promise<{ masked: string; expiresAt: string }> {
  requireRole(ctx, MANAGERS);
  const v = DigestPhoneInput.parse(input);
  const now = opts.now ?? new Date();
  const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, "0");
  const expiresAt = new Date(now.getTime() + CODE_TTL_MS);
  const { channel, businessName } = await withTenant(ctx.actor.userId, async (tx) => {
    const channel = (await senders(tx, ctx.businessId))[v.kind];
    if (!channel) throw new AppError("bad_request", `This business has no ${KIND_NAME[v.kind]} channel to send from. Connect one under Channels first.`, { field: "kind" });
    const [row] = await tx.select().from(digestPhones).where(eq(digestPhones.businessId, ctx.businessId)).for("update");
    if (row?.codeSentAt && now.getTime() - row.codeSentAt.getTime() < CODE_RESEND_MS) {
      throw new AppError("rate_limited", "A code was sent less than a minute ago. Wait a moment before asking for another.");
    }
    const values = {
      channelKind: v.kind,
      phoneEncrypted: encrypt(v.phone),
      codeHash: codeHash(ctx.businessId, code),
      codeSentAt: now,
      codeExpiresAt: expiresAt,
      codeAttempts: 0,
      verifiedAt: null,
      updatedAt: now,
    };
    await tx
      .insert(digestPhones)
      .values({ businessId: ctx.businessId, ...values })
      .onConflictDoUpdate({ target: digestPhones.businessId, set: values });
    await audit(tx, ctx, "digest_phone.code_sent", { type: "business", id: ctx.businessId }, { kind: v.kind, phone: maskPhone(v.phone) });
    return { channel, businessName: (await findBusinessById(tx, ctx.businessId))?.name ?? "PrismAI" };
  });
  const sent = await sendMessage({
    channel,
    to: v.phone,
    body: `${businessName} digest: your code is ${code}. It expires in 10 minutes. If you did not ask for it, ignore this message.`,
    purpose: "verification",
  });
  if (sent.status === "failed") throw new AppError("unavailable", `The code could not be sent by ${KIND_NAME[v.kind]}: ${sent.error?.message ?? "the provider refused it"}. Try again.`);
  return { masked: maskPhone(v.phone), expiresAt: expiresAt.toISOString() };
}

/** Checks the code typed back; the number is verified on the right one. */
export async function verifyDigestPhone({ ctx, input }: { ctx: Ctx; input: unknown }, opts: { now?: Date } = {}): Promise<{ verified: true }> {
  requireRole(ctx, MANAGERS);
  const { code } = DigestPhoneCode.parse(input);
  const now = opts.now ?? new Date();
  // A wrong code is counted (committed) before the refusal is thrown.
  const refusal = await withTenant(ctx.actor.userId, async (tx) => {
    const [row] = await tx.select().from(digestPhones).where(eq(digestPhones.businessId, ctx.businessId)).for("update");
    if (!row || !row.codeHash || !row.codeExpiresAt) return row?.verifiedAt ? "This number is already verified." : "Send a code to the number first.";
    if (row.codeAttempts >= CODE_MAX_ATTEMPTS) return "Too many wrong codes. Send a new code.";
    if (row.codeExpiresAt <= now) return "This code has expired. Send a new code.";
    const given = Buffer.from(codeHash(ctx.businessId, code));
    const expected = Buffer.from(row.codeHash);
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
      const attempts = row.codeAttempts + 1;
      await tx.update(digestPhones).set({ codeAttempts: attempts, updatedAt: now }).where(eq(digestPhones.businessId, ctx.businessId));
      const left = CODE_MAX_ATTEMPTS - attempts;
      return left > 0 ? `That code is not right. ${left} ${left === 1 ? "try" : "tries"} left.` : "That code is not right. Too many wrong codes: send a new code.";
    }
    await tx
      .update(digestPhones)
      .set({ verifiedAt: now, codeHash: null, codeExpiresAt: null, codeAttempts: 0, updatedAt: now })
      .where(eq(digestPhones.businessId, ctx.businessId));
    await audit(tx, ctx, "digest_phone.verified", { type: "business", id: ctx.businessId }, { kind: row.channelKind });
    return null;
  });
  if (refusal) throw new AppError("bad_request", refusal, { field: "code" });
  return { verified: true };
}

export async function removeDigestPhone({ ctx }: { ctx: Ctx }): Promise<void> {
  requireRole(ctx, MANAGERS);
  await withTenant(ctx.actor.userId, async (tx) => {
    await tx.delete(digestPhones).where(eq(digestPhones.businessId, ctx.businessId));
    await audit(tx, ctx, "digest_phone.removed", { type: "business", id: ctx.businessId }, {});
  });
}

/** For the digest job: the verified number and the channel that texts it, or null. */
export async function verifiedDigestPhone(ex: Executor, businessId: string): Promise<{ channel: Channel; phoneEncrypted: string; masked: string } | null> {
  const [row] = await ex
    .select()
    .from(digestPhones)
    .where(eq(digestPhones.businessId, businessId));
  if (!row?.verifiedAt) return null;
  const channel = await findBusinessChannel(ex, businessId, row.channelKind as DigestPhoneKind);
  if (!channel) return null;
  return { channel, phoneEncrypted: row.phoneEncrypted, masked: maskPhone(decrypt(row.phoneEncrypted)) };
}
