import "server-only";
// Embedded mode's owner's phone (the inbox's "Your phone" panel): the member plays themselves texting
// the business from their verified number, through the real SMS or WhatsApp webhook as the Channel
// simulator posts it (signed), and reads what reached that number — codes, hand-off notices, call
// records — from the dev outbox.
import { and, eq, gte, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { withService } from "@/lib/db/client";
import { memberPhones, outbox } from "@/lib/db/schema";
import { simulate, type Post } from "@/lib/channels/simulator";
import { maskPhone } from "@/lib/channels/common/channels";
import { AppError } from "@/lib/errors";
import { decrypt } from "@/lib/security/crypto";
import { requireMember, type Ctx } from "@/lib/services/context";

export const OwnerPhoneText = z.object({ text: z.string({ message: "Write a message." }).trim().min(1, "Write a message.").max(1600, "At most 1600 characters.") });

/** The kinds of dev-outbox rows addressed to a member's own phone. */
const TO_MEMBER = ["verification", "relay_notice", "relay_call"];

export type OwnerPhoneState = {
  phone: null | { kind: "sms" | "whatsapp"; masked: string; verified: boolean };
  /** the panel opens on the last hour of what reached the phone */
  since: string;
};

async function ownPhone(ctx: Ctx & { actor: { userId: string } }) {
  const [row] = await withService((tx) =>
    tx
      .select()
      .from(memberPhones)
      .where(and(eq(memberPhones.businessId, ctx.businessId), eq(memberPhones.userId, ctx.actor.userId))),
  );
  return row ?? null;
}

export async function ownerPhoneState({ ctx }: { ctx: Ctx }): Promise<OwnerPhoneState> {
  requireMember(ctx);
  const row = await ownPhone(ctx);
  const since = new Date(Date.now() - 3_600_000).toISOString();
  if (!row) return { phone: null, since };
  return { phone: { kind: row.channelKind as "sms" | "whatsapp", masked: maskPhone(decrypt(row.phoneEncrypted)), verified: row.verifiedAt !== null }, since };
}

/** The member texts the business from their verified number; returns what the webhook answered them. */
export async function ownerPhoneSend({ ctx, input, origin, post }: { ctx: Ctx; input: unknown; origin: string; post: Post }): Promise<{ replies: string[] }> {
  requireMember(ctx);
  const { text } = OwnerPhoneText.parse(input);
  const row = await ownPhone(ctx);
  if (!row?.verifiedAt) throw new AppError("bad_request", "Add and verify your phone under Settings → Notifications first.");
  const r = await simulate({ ctx, input: { kind: row.channelKind, from: decrypt(row.phoneEncrypted), text }, origin, post });
  if (r.error) throw new AppError("unavailable", `The webhook answered ${r.status}: ${r.error}`);
  return { replies: r.replies.map((m) => m.body) };
}

/** What reached the member's own number since `since` (oldest first, at most 20). */
export async function ownerPhoneFeed({ ctx, since }: { ctx: Ctx; since: Date }): Promise<{ id: string; body: string; at: string; call: boolean }[]> {
  requireMember(ctx);
  const row = await ownPhone(ctx);
  if (!row) return [];
  const mine = decrypt(row.phoneEncrypted);
  const found = await withService((tx) =>
    tx
      .select({ id: outbox.id, body: outbox.body, payload: outbox.payload, createdAt: outbox.createdAt })
      .from(outbox)
      .where(and(eq(outbox.businessId, ctx.businessId), gte(outbox.createdAt, since), inArray(sql`${outbox.payload}->>'kind'`, TO_MEMBER)))
      .orderBy(outbox.createdAt, outbox.id)
      .limit(200),
  );
  const out: { id: string; body: string; at: string; call: boolean }[] = [];
  for (const r of found) {
    const p = r.payload as { kind?: string; toEncrypted?: string; to?: string };
    let to: string | null = null;
    try {
      to = p.toEncrypted ? decrypt(p.toEncrypted) : null;
    } catch {
      to = null;
    }
    if (to === mine) out.push({ id: r.id, body: r.body, at: r.createdAt.toISOString(), call: p.kind === "relay_call" });
  }
  return out.slice(0, 20);
}
