import "server-only";
// A member's own phone for hand-offs (Settings → Notifications): an E.164 number sealed at rest and
// found again only by its keyed hash, used once the 6-digit code sent to it was typed back (10 minutes,
// 5 wrong tries, a new code once a minute). The code leaves through the business's SMS or WhatsApp
// channel like every text (Twilio, or the dev outbox in embedded mode). The member also chooses the ladder (dashboard first, a text after N
// minutes, a call after M when the business has a voice channel) and quiet hours.
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { rows, withService, withTenant, type Executor } from "@/lib/db/client";
import { findBusinessById } from "@/lib/db/businesses";
import { memberPhones } from "@/lib/db/schema";
import { findBusinessChannel } from "@/lib/channels/common/channels";
import { maskPhone } from "@/lib/channels/common/channels";
import { AppError } from "@/lib/errors";
import { decrypt, encrypt, keyedHash } from "@/lib/security/crypto";
import { audit } from "@/lib/services/audit";
import { requireMember, type Ctx } from "@/lib/services/context";
import { checkCode, newCode, PHONE_KINDS, PhoneCode, PhoneInput, senderOf, textCode, textSenders, type PhoneKind } from "@/lib/services/phone-code";

export { PHONE_KINDS, type PhoneKind };

/** The keyed hash an inbound number is looked up by. */
export const phoneHash = (e164: string) => keyedHash(`member-phone:${e164}`);
const codeHash = (businessId: string, userId: string, code: string) => keyedHash(`member-phone-code:${businessId}:${userId}:${code}`);


const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;
/** "22:00" → minutes of the day; "" → none */
const clock = z
  .string({ message: "Write quiet hours as HH:MM, e.g. 22:00." })
  .trim()
  .optional()
  .refine((v) => !v || CLOCK.test(v), "Write quiet hours as HH:MM, e.g. 22:00.")
  .transform((v) => (!v ? null : Number(v.slice(0, 2)) * 60 + Number(v.slice(3, 5))));
const minutes = (what: string) =>
  z
    .union([z.literal(""), z.null(), z.coerce.number({ message: `${what} must be a number of minutes.` }).int(`${what} must be whole minutes.`).min(0, `${what} cannot be negative.`).max(1440, `${what} is at most 1440 minutes (a day).`)])
    .transform((v) => (v === "" || v === null ? null : v));

export const LadderInput = z
  .object({
    textAfterMinutes: minutes("The text delay"),
    callAfterMinutes: minutes("The call delay"),
    quietStart: clock,
    quietEnd: clock,
  })
  .superRefine((v, ctx) => {
    if ((v.quietStart === null) !== (v.quietEnd === null)) ctx.addIssue({ code: "custom", path: ["quietEnd"], message: "Give quiet hours both a start and an end, or neither." });
    if (v.textAfterMinutes !== null && v.callAfterMinutes !== null && v.callAfterMinutes < v.textAfterMinutes) {
      ctx.addIssue({ code: "custom", path: ["callAfterMinutes"], message: "The call comes after the text: give it at least as many minutes." });
    }
  });
export const MEMBER_PHONE_FIELDS = ["kind", "phone", "code", "textAfterMinutes", "callAfterMinutes", "quietStart", "quietEnd"];

const hhmm = (m: number | null) => (m === null ? "" : `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`);

export type MemberPhoneSettings = {
  /** the business's channels a notice can be texted from */
  kinds: PhoneKind[];
  /** whether the business has a voice channel to call from */
  canCall: boolean;
  timeZone: string;
  phone: null | {
    kind: PhoneKind;
    masked: string;
    verified: boolean;
    codeExpiresAt: string | null;
    textAfterMinutes: number | null;
    callAfterMinutes: number | null;
    quietStart: string;
    quietEnd: string;
  };
};


const own = (ctx: Ctx & { actor: { userId: string } }) => and(eq(memberPhones.businessId, ctx.businessId), eq(memberPhones.userId, ctx.actor.userId));

export async function getMemberPhoneSettings({ ctx }: { ctx: Ctx }): Promise<MemberPhoneSettings> {
  requireMember(ctx);
  return withTenant(ctx.actor.userId, async (tx) => {
    const kinds = Object.keys(await textSenders(tx, ctx.businessId)) as PhoneKind[];
    const canCall = Boolean(await findBusinessChannel(tx, ctx.businessId, "voice"));
    const timeZone = (await findBusinessById(tx, ctx.businessId))?.timeZone ?? "UTC";
    const [row] = await tx.select().from(memberPhones).where(own(ctx));
    if (!row) return { kinds, canCall, timeZone, phone: null };
    return {
      kinds,
      canCall,
      timeZone,
      phone: {
        kind: row.channelKind as PhoneKind,
        masked: maskPhone(decrypt(row.phoneEncrypted)),
        verified: row.verifiedAt !== null,
        codeExpiresAt: row.codeHash && row.codeExpiresAt ? row.codeExpiresAt.toISOString() : null,
        textAfterMinutes: row.textAfterMinutes,
        callAfterMinutes: row.callAfterMinutes,
        quietStart: hhmm(row.quietStartMinute),
        quietEnd: hhmm(row.quietEndMinute),
      },
    };
  });
}

/** Texts a code to the number (set or changed): until it is typed back, no hand-off goes there and no text from it is the member's. */
export async function requestMemberPhoneCode({ ctx, input }: { ctx: Ctx; input: unknown }, opts: { now?: Date } = {}): Promise<{ masked: string; expiresAt: string }> {
  requireMember(ctx);
  const v = PhoneInput.parse(input);
  const now = opts.now ?? new Date();
  const { channel, businessName, code, expiresAt } = await withTenant(ctx.actor.userId, async (tx) => {
    const channel = senderOf(await textSenders(tx, ctx.businessId), v.kind, "An owner or admin connects one under Channels.");
    const [row] = await tx.select().from(memberPhones).where(own(ctx)).for("update");
    const { code, expiresAt } = newCode(now, row?.codeSentAt);
    const values = {
      channelKind: v.kind,
      phoneEncrypted: encrypt(v.phone),
      phoneHash: phoneHash(v.phone),
      codeHash: codeHash(ctx.businessId, ctx.actor.userId, code),
      codeSentAt: now,
      codeExpiresAt: expiresAt,
      codeAttempts: 0,
      verifiedAt: null,
      updatedAt: now,
    };
    await tx
      .insert(memberPhones)
      .values({ businessId: ctx.businessId, userId: ctx.actor.userId, ...values })
      .onConflictDoUpdate({ target: [memberPhones.businessId, memberPhones.userId], set: values });
    await audit(tx, ctx, "member_phone.code_sent", { type: "user", id: ctx.actor.userId }, { kind: v.kind, phone: maskPhone(v.phone) });
    return { channel, businessName: (await findBusinessById(tx, ctx.businessId))?.name ?? "PrismAI", code, expiresAt };
  });
  await textCode({ channel, kind: v.kind, to: v.phone, body: `${businessName}: your code for hand-off alerts is ${code}. It expires in 10 minutes. If you did not ask for it, ignore this message.` });
  return { masked: maskPhone(v.phone), expiresAt: expiresAt.toISOString() };
}

/** Checks the code typed back; the number is the member's on the right one (a number is one member's per business). */
export async function verifyMemberPhone({ ctx, input }: { ctx: Ctx; input: unknown }, opts: { now?: Date } = {}): Promise<{ verified: true }> {
  requireMember(ctx);
  const { code } = PhoneCode.parse(input);
  const now = opts.now ?? new Date();
  // Another member's verified row with this number is hidden from this member by RLS: the service role
  // looks first (the unique index on verified numbers stays the last word).
  const taken = await withService(async (s) => {
    const found = await rows(
      s,
      sql`select 1 from member_phones mine join member_phones other on other.business_id = mine.business_id and other.phone_hash = mine.phone_hash
          where mine.business_id = ${ctx.businessId} and mine.user_id = ${ctx.actor.userId} and other.user_id <> mine.user_id and other.verified_at is not null`,
    );
    return found.length > 0;
  });
  // A wrong code is counted (committed) before the refusal is thrown.
  const refusal = await withTenant(ctx.actor.userId, async (tx) => {
    const [row] = await tx.select().from(memberPhones).where(own(ctx)).for("update");
    const wrong = await checkCode(row, codeHash(ctx.businessId, ctx.actor.userId, code), now, (attempts) =>
      tx.update(memberPhones).set({ codeAttempts: attempts, updatedAt: now }).where(own(ctx)),
    );
    if (wrong || !row) return wrong;
    if (taken) return "Another member of this business already uses this number.";
    await tx.update(memberPhones).set({ verifiedAt: now, codeHash: null, codeExpiresAt: null, codeAttempts: 0, updatedAt: now }).where(own(ctx));
    await audit(tx, ctx, "member_phone.verified", { type: "user", id: ctx.actor.userId }, { kind: row.channelKind });
    return null;
  });
  if (refusal) throw new AppError("bad_request", refusal, { field: "code" });
  return { verified: true };
}

/** The ladder and quiet hours; saved whether or not the number is verified yet. */
export async function saveMemberLadder({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<void> {
  requireMember(ctx);
  const v = LadderInput.parse(input);
  await withTenant(ctx.actor.userId, async (tx) => {
    const updated = await tx
      .update(memberPhones)
      .set({
        textAfterMinutes: v.textAfterMinutes,
        callAfterMinutes: v.callAfterMinutes,
        quietStartMinute: v.quietStart,
        quietEndMinute: v.quietEnd,
        updatedAt: new Date(),
      })
      .where(own(ctx))
      .returning({ userId: memberPhones.userId });
    if (!updated.length) throw new AppError("bad_request", "Add your phone number first.");
    await audit(tx, ctx, "member_phone.ladder_saved", { type: "user", id: ctx.actor.userId }, { textAfterMinutes: v.textAfterMinutes, callAfterMinutes: v.callAfterMinutes });
  });
}

export async function removeMemberPhone({ ctx }: { ctx: Ctx }): Promise<void> {
  requireMember(ctx);
  await withTenant(ctx.actor.userId, async (tx) => {
    await tx.delete(memberPhones).where(own(ctx));
    await audit(tx, ctx, "member_phone.removed", { type: "user", id: ctx.actor.userId }, {});
  });
}

export type VerifiedMember = { userId: string; role: string; channelKind: PhoneKind; phoneEncrypted: string };

/** The member whose verified number this is, for an inbound text to the business (service role). */
export async function memberByPhone(ex: Executor, businessId: string, e164: string): Promise<VerifiedMember | null> {
  const [row] = await rows<{ user_id: string; role: string; channel_kind: PhoneKind; phone_encrypted: string }>(
    ex,
    sql`select p.user_id, m.role, p.channel_kind, p.phone_encrypted from member_phones p
        join members m on m.business_id = p.business_id and m.user_id = p.user_id
        where p.business_id = ${businessId} and p.phone_hash = ${phoneHash(e164)} and p.verified_at is not null`,
  );
  return row ? { userId: row.user_id, role: row.role, channelKind: row.channel_kind, phoneEncrypted: row.phone_encrypted } : null;
}
