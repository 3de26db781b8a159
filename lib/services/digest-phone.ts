import "server-only";
// The phone the owners' digest is also texted to (Settings → Limits & budget): an E.164 number, sealed
// at rest, never logged (the audit log and the outbox keep it masked), and used only after the 6-digit
// code sent to it was typed back, so a typo never texts a stranger. A code lasts 10 minutes and takes 5
// wrong tries; a new one can be asked for once a minute. Sent through the business's own SMS or
// WhatsApp channel (Twilio, or the dev outbox in embedded mode) and priced like any send.
import { eq } from "drizzle-orm";
import { withTenant, type Executor } from "@/lib/db/client";
import { findBusinessById } from "@/lib/db/businesses";
import { digestPhones } from "@/lib/db/schema";
import { type Channel } from "@/lib/channels/twilio/channels";
import { findBusinessChannel } from "@/lib/channels/common/channels";
import { maskPhone } from "@/lib/channels/common/channels";
import { AppError } from "@/lib/errors";
import { decrypt, encrypt, keyedHash } from "@/lib/security/crypto";
import { audit } from "./audit";
import { MANAGERS, requireRole, type Ctx } from "./context";
import { checkCode, newCode, PhoneCode, PhoneInput, senderOf, textCode, textSenders, type PhoneKind } from "./phone-code";

export type DigestPhoneKind = PhoneKind;
export const DIGEST_PHONE_FIELDS = ["kind", "phone", "code"];

export type DigestPhoneSettings = {
  /** the business's channels a digest can be texted from */
  kinds: DigestPhoneKind[];
  phone: null | { kind: DigestPhoneKind; masked: string; verified: boolean; codeExpiresAt: string | null };
};

const codeHash = (businessId: string, code: string) => keyedHash(`digest-phone:${businessId}:${code}`);


export async function getDigestPhoneSettings({ ctx }: { ctx: Ctx }): Promise<DigestPhoneSettings> {
  requireRole(ctx, MANAGERS);
  return withTenant(ctx.actor.userId, async (tx) => {
    const kinds = Object.keys(await textSenders(tx, ctx.businessId)) as DigestPhoneKind[];
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
  const v = PhoneInput.parse(input);
  const now = opts.now ?? new Date();
  const { channel, businessName, code, expiresAt } = await withTenant(ctx.actor.userId, async (tx) => {
    const channel = senderOf(await textSenders(tx, ctx.businessId), v.kind, "Connect one under Channels first.");
    const [row] = await tx.select().from(digestPhones).where(eq(digestPhones.businessId, ctx.businessId)).for("update");
    const { code, expiresAt } = newCode(now, row?.codeSentAt);
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
    return { channel, businessName: (await findBusinessById(tx, ctx.businessId))?.name ?? "PrismAI", code, expiresAt };
  });
  await textCode({ channel, kind: v.kind, to: v.phone, body: `${businessName} digest: your code is ${code}. It expires in 10 minutes. If you did not ask for it, ignore this message.` });
  return { masked: maskPhone(v.phone), expiresAt: expiresAt.toISOString() };
}

/** Checks the code typed back; the number is verified on the right one. */
export async function verifyDigestPhone({ ctx, input }: { ctx: Ctx; input: unknown }, opts: { now?: Date } = {}): Promise<{ verified: true }> {
  requireRole(ctx, MANAGERS);
  const { code } = PhoneCode.parse(input);
  const now = opts.now ?? new Date();
  // A wrong code is counted (committed) before the refusal is thrown.
  const refusal = await withTenant(ctx.actor.userId, async (tx) => {
    const [row] = await tx.select().from(digestPhones).where(eq(digestPhones.businessId, ctx.businessId)).for("update");
    const wrong = await checkCode(row, codeHash(ctx.businessId, code), now, (attempts) =>
      tx.update(digestPhones).set({ codeAttempts: attempts, updatedAt: now }).where(eq(digestPhones.businessId, ctx.businessId)),
    );
    if (wrong || !row) return wrong;
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
