import "server-only";
// Booking reminders (24 h and 2 h before by default, per business) on the customer's own channel:
// the conversation the booking came from, else their latest one. A system message in that
// conversation, queued in the outbox like a staff reply for the pushed channels (enqueueReply, the one
// delivery path). Never during quiet hours (21:00–08:00 local: a reminder due then waits for the
// morning), never to a channel the customer opted out of. The customer answers in the same
// conversation: "can't make it" or "cancel" starts the booking dialogue (lib/booking/agent.ts).
import { and, desc, eq, sql } from "drizzle-orm";
import { rows, withService, type Tx } from "@/lib/db/client";
import { bookingResources, bookingServices, bookings, channels, conversations, customers, messages } from "@/lib/db/schema";
import { storeMessage } from "@/lib/pipeline/conversations";
import { enqueueReply } from "@/lib/services/reply-queue";
import { DEFAULT_BOOKING_SETTINGS, expireHolds, loadBookingContext } from "./bookings";
import { describeInstant, localMinuteOf } from "./time";

/** Local minutes of the day when no reminder is sent. */
export const QUIET_FROM = 21 * 60;
export const QUIET_UNTIL = 8 * 60;
const isQuiet = (minute: number) => minute >= QUIET_FROM || minute < QUIET_UNTIL;

/** The channels a reminder can go out on (a voice line cannot carry one). */
const REMINDER_CHANNELS = new Set(["web", "sms", "whatsapp", "email", "telegram", "instagram"]);
/** The furthest ahead any business may remind (the settings allow up to 14 days). */
const MAX_OFFSET_MINUTES = 20160;

export function reminderText(serviceName: string, resourceName: string, label: string): string {
  return `Reminder: your ${serviceName} with ${resourceName} is on ${label}. Reply "can't make it" to choose another time, or "cancel" to cancel.`;
}

type Due = { id: string; business_id: string; customer_id: string; conversation_id: string | null; starts_at: string; reminders_sent: number[] | string; reminder_offsets: number[] | string | null };

const ints = (v: number[] | string | null): number[] | null => (v === null ? null : Array.isArray(v) ? v.map(Number) : v.replace(/[{}]/g, "").split(",").filter(Boolean).map(Number));

export type ReminderOutcome = { sent: number; skipped: number };

/** The job: expired holds first, then every reminder now due. Safe to run twice at once (each booking's reminder is claimed). */
export async function sendReminders(now: Date = new Date()): Promise<ReminderOutcome> {
  await expireHolds(now);
  const due = await withService((tx) =>
    rows<Due>(
      tx,
      sql`select b.id, b.business_id, b.customer_id, b.conversation_id, b.starts_at, b.reminders_sent, s.reminder_offsets
          from bookings b left join booking_settings s on s.business_id = b.business_id
          where b.status = 'confirmed' and b.starts_at > ${now.toISOString()}::timestamptz
            and b.starts_at <= ${now.toISOString()}::timestamptz + make_interval(mins => ${MAX_OFFSET_MINUTES})
          order by b.starts_at
          limit 500`,
    ),
  );
  const outcome: ReminderOutcome = { sent: 0, skipped: 0 };
  for (const b of due) {
    const offsets = ints(b.reminder_offsets) ?? DEFAULT_BOOKING_SETTINGS.reminderOffsets;
    const sent = ints(b.reminders_sent) ?? [];
    const startsAt = new Date(b.starts_at);
    const passed = offsets.filter((o) => !sent.includes(o) && startsAt.getTime() - o * 60_000 <= now.getTime());
    if (!passed.length) continue;
    const result = await withService((tx) => remind(tx, b, startsAt, passed, now));
    if (result === "sent") outcome.sent++;
    else if (result === "skipped") outcome.skipped++;
  }
  return outcome;
}

async function remind(tx: Tx, b: Due, startsAt: Date, passed: number[], now: Date): Promise<"sent" | "skipped" | "waiting" | "claimed"> {
  const bc = await loadBookingContext(tx, b.business_id);
  if (isQuiet(localMinuteOf(now, bc.timeZone))) return "waiting";
  // the claim: only one run marks these offsets, and only that run sends (one reminder, however many are due)
  const claimed = await tx
    .update(bookings)
    .set({ remindersSent: sql`${bookings.remindersSent} || ${`{${passed.join(",")}}`}::integer[]` })
    .where(and(eq(bookings.id, b.id), eq(bookings.businessId, b.business_id), eq(bookings.status, "confirmed"), sql`not (${bookings.remindersSent} && ${`{${passed.join(",")}}`}::integer[])`))
    .returning({ id: bookings.id });
  if (!claimed.length) return "claimed";
  const [detail] = await tx
    .select({ serviceName: bookingServices.name, resourceName: bookingResources.name, consent: customers.consent })
    .from(bookings)
    .innerJoin(bookingServices, eq(bookingServices.id, bookings.serviceId))
    .innerJoin(bookingResources, eq(bookingResources.id, bookings.resourceId))
    .innerJoin(customers, eq(customers.id, bookings.customerId))
    .where(and(eq(bookings.id, b.id), eq(bookings.businessId, b.business_id)));
  // the conversation the booking came from, else the customer's latest on a channel that carries text
  const candidates = await tx
    .select({ id: conversations.id, channelId: conversations.channelId, kind: channels.kind })
    .from(conversations)
    .innerJoin(channels, eq(channels.id, conversations.channelId))
    .where(and(eq(conversations.businessId, b.business_id), eq(conversations.customerId, b.customer_id)))
    .orderBy(sql`${conversations.id} = ${b.conversation_id ?? "00000000-0000-0000-0000-000000000000"} desc`, desc(conversations.lastMessageAt))
    .limit(10);
  const consent = (detail?.consent ?? {}) as Record<string, { optedOut?: boolean } | undefined>;
  const target = candidates.find((c) => REMINDER_CHANNELS.has(c.kind) && !consent[c.kind]?.optedOut);
  if (!detail || !target) return "skipped";
  const body = reminderText(detail.serviceName, detail.resourceName, describeInstant(startsAt, bc.timeZone));
  const pushed = target.kind !== "web";
  const { message } = await storeMessage(tx, {
    businessId: b.business_id,
    conversationId: target.id,
    customerId: b.customer_id,
    channelId: target.channelId,
    role: "system",
    content: body,
    deliveryStatus: pushed ? "queued" : "delivered",
    metadata: { bookingReminder: { bookingId: b.id, offsets: passed } },
  });
  if (pushed) {
    const c = { id: target.id, channel_id: target.channelId, channel_kind: target.kind, customer_id: b.customer_id };
    if ((await enqueueReply(tx, c, b.business_id, message.id, body)) === "failed") {
      await tx.update(messages).set({ deliveryStatus: "failed" }).where(and(eq(messages.id, message.id), eq(messages.businessId, b.business_id)));
    }
  }
  return "sent";
}
