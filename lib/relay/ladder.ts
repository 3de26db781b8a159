import "server-only";
// The escalation ladder (a job, every minute): a hand-off first reaches the dashboard (the inbox's
// notification and the email notifyHandoff sends), then, for each owner, admin or assignee with a
// verified phone, a text by SMS or WhatsApp after their N minutes, then a call from the voice channel
// after their M minutes when the business has one — never inside their quiet hours (the rung waits
// for the morning), never twice (relay_notices), and not at all once a person has answered.
import { sql } from "drizzle-orm";
import { rows, withService, type Tx } from "@/lib/db/client";
import { readSettings, wireAddress, type Channel } from "@/lib/channels/twilio/channels";
import { findBusinessChannel, maskPhone } from "@/lib/channels/common/channels";
import { restClient } from "@/lib/channels/twilio/client";
import { withRetries, describeRestError } from "@/lib/channels/common/retry";
import { restCredentials } from "@/lib/channels/twilio/credentials";
import { sendMessage } from "@/lib/channels/twilio/deliver";
import { farewellTwiml, voiceOf } from "@/lib/channels/voice/twiml";
import { localParts } from "@/lib/billing/period";
import { decrypt, encrypt } from "@/lib/security/crypto";
import type { Embedder } from "@/lib/ai/embeddings";
import { closeSettledHandoffs, listOpenHandoffs, noticeText, suggestionFor } from "./handoffs";

/** Whether `now` falls in quiet hours [start, end) written as minutes of the day in the zone (they may span midnight). */
export function inQuietHours(now: Date, timeZone: string, start: number | null, end: number | null): boolean {
  if (start === null || end === null || start === end) return false;
  const p = localParts(now, timeZone);
  const m = p.hour * 60 + p.minute;
  return start < end ? m >= start && m < end : m >= start || m < end;
}

type Recipient = {
  user_id: string;
  channel_kind: "sms" | "whatsapp";
  phone_encrypted: string;
  text_after_minutes: number | null;
  call_after_minutes: number | null;
  quiet_start_minute: number | null;
  quiet_end_minute: number | null;
  steps: string[] | null;
};

export type LadderResult = { texts: number; calls: number };
type Pending = { handoffId: string; code: string; userId: string; channel: Channel; to: string; body: string };

/** One place call: through Twilio when the voice channel has an account, else the dev outbox's record of it. */
async function placeCall(tx: Tx, businessId: string, to: string, text: string): Promise<void> {
  const channel = await findBusinessChannel(tx, businessId, "voice");
  if (!channel) return;
  const twiml = farewellTwiml(voiceOf(readSettings("voice", channel.settings)), text);
  const credentials = restCredentials(channel);
  let status = "sent";
  let error: string | null = null;
  let sid: string | null = null;
  if (credentials) {
    try {
      const { value } = await withRetries(() => restClient(credentials).calls.create({ to, from: wireAddress("voice", channel.address), twiml }));
      sid = value.sid;
    } catch (err) {
      status = "failed";
      error = describeRestError(err).message;
    }
  }
  await tx.execute(
    sql`insert into outbox (business_id, channel_kind, recipient, body, payload, status, sent_at, provider_message_id, error)
        values (${businessId}, 'voice', ${maskPhone(to)}, ${text}, ${JSON.stringify({ kind: "relay_call", channelId: channel.id, toEncrypted: encrypt(to), twiml })}::jsonb,
                ${status}, ${status === "sent" ? new Date() : null}, ${sid}, ${error})`,
  );
}

/** Records a rung as reached; false when another run already reached it. */
async function claimRung(tx: Tx, handoffId: string, businessId: string, userId: string, step: "text" | "call", now: Date): Promise<boolean> {
  const inserted = await rows(
    tx,
    sql`insert into relay_notices (handoff_id, business_id, user_id, step, sent_at) values (${handoffId}, ${businessId}, ${userId}, ${step}, ${now})
        on conflict do nothing returning 1`,
  );
  return inserted.length > 0;
}

/** Climbs every open hand-off's ladder as far as `now` allows. */
export async function runRelayLadder(opts: { now?: Date; businessId?: string; embedder?: Embedder } = {}): Promise<LadderResult> {
  const now = opts.now ?? new Date();
  const result: LadderResult = { texts: 0, calls: 0 };
  const businesses = await withService((tx) =>
    rows<{ id: string; name: string; time_zone: string }>(
      tx,
      sql`select distinct b.id, b.name, b.time_zone from relay_handoffs h join businesses b on b.id = h.business_id
          where h.closed_at is null ${opts.businessId ? sql`and b.id = ${opts.businessId}` : sql``} order by b.id`,
    ),
  );
  for (const business of businesses) {
    const pending: Pending[] = [];
    await withService(async (tx) => {
      await closeSettledHandoffs(tx, business.id);
      for (const h of await listOpenHandoffs(tx, business.id)) {
        // a person already answered (dashboard or phone): nobody needs to be chased any more
        const answered = await rows(tx, sql`select 1 from messages where business_id = ${business.id} and conversation_id = ${h.conversationId} and role = 'agent' and created_at >= ${h.openedAt} limit 1`);
        if (answered.length) continue;
        const minutesOpen = (now.getTime() - h.openedAt.getTime()) / 60_000;
        const people = await rows<Recipient>(
          tx,
          sql`select p.user_id, p.channel_kind, p.phone_encrypted, p.text_after_minutes, p.call_after_minutes, p.quiet_start_minute, p.quiet_end_minute,
                     (select array_agg(n.step) from relay_notices n where n.handoff_id = ${h.id} and n.user_id = p.user_id) as steps
              from member_phones p
              join members m on m.business_id = p.business_id and m.user_id = p.user_id
              join conversations c on c.id = ${h.conversationId} and c.business_id = p.business_id
              where p.business_id = ${business.id} and p.verified_at is not null
                and (m.role in ('owner', 'admin') or m.user_id = c.assignee_id)
              order by p.user_id`,
        );
        for (const p of people) {
          if (inQuietHours(now, business.time_zone, p.quiet_start_minute, p.quiet_end_minute)) continue;
          const done = new Set(p.steps ?? []);
          const to = decrypt(p.phone_encrypted);
          if (p.text_after_minutes !== null && minutesOpen >= p.text_after_minutes && !done.has("text")) {
            const channel = await findBusinessChannel(tx, business.id, p.channel_kind);
            if (channel) {
              const suggestion = await suggestionFor(tx, h, business.id, opts.embedder);
              if (await claimRung(tx, h.id, business.id, p.user_id, "text", now)) pending.push({ handoffId: h.id, code: h.code, userId: p.user_id, channel, to, body: noticeText(business.name, h, suggestion) });
            }
          }
          if (p.call_after_minutes !== null && minutesOpen >= p.call_after_minutes && !done.has("call") && (await findBusinessChannel(tx, business.id, "voice"))) {
            if (await claimRung(tx, h.id, business.id, p.user_id, "call", now)) {
              const spokenCode = h.code.split("").join(" ");
              await placeCall(tx, business.id, to, `${business.name}: a customer has been waiting ${Math.floor(minutesOpen)} minutes for a person. Hand-off ${spokenCode}. Reply to the text message to answer them. Goodbye.`);
              result.calls++;
            }
          }
        }
      }
    });
    // after the rung is recorded (so two runs never both send it), by the path every text takes; a
    // failed send gives the rung back for the next run
    for (const n of pending) {
      const sent = await sendMessage({ channel: n.channel, to: n.to, text: n.body, purpose: "digest" });
      if (sent.status === "failed") {
        await withService((tx) => tx.execute(sql`delete from relay_notices where handoff_id = ${n.handoffId} and user_id = ${n.userId} and step = 'text'`));
        continue;
      }
      result.texts++;
      // the dev outbox's record of it says what it was
      if (sent.outboxIds.length) {
        await withService((tx) =>
          tx.execute(
            sql`update outbox set payload = payload || ${JSON.stringify({ kind: "relay_notice", handoffId: n.handoffId, code: n.code })}::jsonb
                where business_id = ${business.id} and id in (${sql.join(sent.outboxIds.map((id) => sql`${id}`), sql`, `)})`,
          ),
        );
      }
    }
  }
  return result;
}
