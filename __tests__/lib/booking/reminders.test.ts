// Booking reminders at a fixed clock on both engines: 24 h and 2 h before on the customer's channel
// through the outbox, quiet hours, opt-outs, once however often the job runs; the customer's "can't
// make it" in reply opens the booking dialogue with new times.
import { and, eq } from "drizzle-orm";
import { closeDb, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { bookingTurn } from "@/lib/booking/agent";
import { book } from "@/lib/booking/bookings";
import { sendReminders } from "@/lib/booking/reminders";
import { JOBS } from "@/lib/jobs";
import { encrypt, keyedHash } from "@/lib/security/crypto";
import { useTestDb } from "../../helpers/db";
import { makeTenant, makeUser } from "../../helpers/fixtures";

// Monday 7 December 2026, 08:00 in London
const NOW = new Date("2026-12-07T08:00:00Z");
const at = (iso: string) => new Date(iso);

let businessId: string;
let customerId: string;
let serviceId: string;
let sms: { channelId: string; conversationId: string };

const outbox = () => withService((tx) => tx.select().from(s.outbox).where(and(eq(s.outbox.businessId, businessId), eq(s.outbox.channelKind, "sms"))));
const reminders = () =>
  withService((tx) => tx.select().from(s.messages).where(and(eq(s.messages.businessId, businessId), eq(s.messages.role, "system"), eq(s.messages.conversationId, sms.conversationId))));

beforeAll(async () => {
  await useTestDb();
  await withService(async (tx) => {
    const owner = await makeUser(tx, "owner@dentist.test");
    const t = await makeTenant(tx, "dentist", owner.id);
    businessId = t.businessId;
    customerId = t.customerId;
    await tx.update(s.businesses).set({ timeZone: "Europe/London" }).where(eq(s.businesses.id, businessId));
    await tx.update(s.bookingResources).set({ active: false }).where(eq(s.bookingResources.id, t.bookingResourceId));
    await tx.delete(s.bookingDialogues).where(eq(s.bookingDialogues.businessId, businessId));
    await tx.update(s.bookingSettings).set({ leadMinutes: 0 }).where(eq(s.bookingSettings.businessId, businessId));
    const [ch] = await tx.insert(s.channels).values({ businessId, kind: "sms", name: "SMS", address: "+15550002222" }).returning();
    const [co] = await tx.insert(s.conversations).values({ businessId, customerId, channelId: ch!.id }).returning();
    sms = { channelId: ch!.id, conversationId: co!.id };
    await tx.insert(s.customerIdentities).values({ businessId, customerId, kind: "phone", valueHash: keyedHash("phone:+447700900123"), valueEncrypted: encrypt("+447700900123") });
    const [svc] = await tx.insert(s.bookingServices).values({ businessId, name: "Check-up", durationMinutes: 30 }).returning();
    serviceId = svc!.id;
    const [room] = await tx.insert(s.bookingResources).values({ businessId, name: "Dr Patel" }).returning();
    await tx.insert(s.bookingHours).values([0, 1, 2, 3, 4].map((weekday) => ({ businessId, resourceId: room!.id, weekday, opensMinute: 540, closesMinute: 1020 })));
  });
});

afterAll(() => closeDb());

describe("reminders", () => {
  let bookingId: string;

  it("24 hours before, then 2 hours before, on the SMS the booking came from, each once", async () => {
    // Wednesday 9 December, 10:00
    const b = await book({ ctx: { businessId, actor: { type: "customer", customerId } }, input: { serviceId, start: "2026-12-09T10:00:00.000Z", channelId: sms.channelId, conversationId: sms.conversationId } }, { now: NOW });
    bookingId = b.id;
    expect(await sendReminders(NOW)).toEqual({ sent: 0, skipped: 0 });
    // Tuesday 10:00: 24 hours before
    expect(await sendReminders(at("2026-12-08T10:00:00Z"))).toEqual({ sent: 1, skipped: 0 });
    expect(await sendReminders(at("2026-12-08T10:05:00Z"))).toEqual({ sent: 0, skipped: 0 });
    const [first] = await reminders();
    expect(first!.content).toBe(
      `Reminder: your Check-up with Dr Patel is on Wednesday, 9 December 2026 at 10:00 (Greenwich Mean Time, Europe/London). Reply "can't make it" to choose another time, or "cancel" to cancel.`,
    );
    const [queued] = await outbox();
    expect(queued).toMatchObject({ status: "pending", body: first!.content, messageId: first!.id });
    expect(queued!.recipient).not.toContain("900123");
    // two runs at the same moment: one reminder
    expect(typeof JOBS["booking-reminders"].run).toBe("function");
    const both = await Promise.all([sendReminders(at("2026-12-09T08:00:00Z")), sendReminders(at("2026-12-09T08:00:00Z"))]);
    expect(both.reduce((n, r) => n + r.sent, 0)).toBe(1);
    expect((await reminders()).length).toBe(2);
    const [row] = await withService((tx) => tx.select().from(s.bookings).where(eq(s.bookings.id, bookingId)));
    expect([...row!.remindersSent].sort((x, y) => x - y)).toEqual([120, 1440]);
  });

  it("quiet hours: a reminder due at night waits for 08:00; a booking made late gets one reminder, not two", async () => {
    // Thursday 10 December 08:30: the 2 h reminder falls at 06:30
    const b = await book({ ctx: { businessId, actor: { type: "customer", customerId } }, input: { serviceId, start: "2026-12-10T09:00:00.000Z", conversationId: sms.conversationId } }, { now: NOW });
    const before = (await reminders()).length;
    expect(await sendReminders(at("2026-12-10T06:30:00Z"))).toEqual({ sent: 0, skipped: 0 });
    expect((await reminders()).length).toBe(before);
    // at 08:00 both the 24 h and the 2 h reminders are due: one message
    expect(await sendReminders(at("2026-12-10T08:00:00Z"))).toEqual({ sent: 1, skipped: 0 });
    expect((await reminders()).length).toBe(before + 1);
    const [row] = await withService((tx) => tx.select().from(s.bookings).where(eq(s.bookings.id, b.id)));
    expect([...row!.remindersSent].sort((x, y) => x - y)).toEqual([120, 1440]);
  });

  it("no reminder on a channel the customer opted out of", async () => {
    await withService((tx) => tx.update(s.customers).set({ consent: { sms: { optedOut: true } } }).where(eq(s.customers.id, customerId)));
    await book({ ctx: { businessId, actor: { type: "customer", customerId } }, input: { serviceId, start: "2026-12-11T14:00:00.000Z", conversationId: sms.conversationId } }, { now: NOW });
    const queued = (await outbox()).length;
    // the customer's web chat (the fixture's conversation) is still open to them: the reminder goes there
    expect(await sendReminders(at("2026-12-10T14:00:00Z"))).toEqual({ sent: 1, skipped: 0 });
    expect((await outbox()).length).toBe(queued);
    await withService((tx) => tx.update(s.customers).set({ consent: {} }).where(eq(s.customers.id, customerId)));
  });

  it("the customer answers “can't make it”: the AI offers to move the booking", async () => {
    const [business] = await withService((tx) => tx.select().from(s.businesses).where(eq(s.businesses.id, businessId)));
    const turn = await bookingTurn(
      { business: business!, customerId, conversationId: sms.conversationId, channelId: sms.channelId, messageId: crypto.randomUUID(), text: "Sorry, can't make it", history: [] },
      { now: at("2026-12-08T10:01:00Z") },
    );
    expect(turn!.reply).toBe("No problem. Your Check-up is on Wednesday, 9 December 2026 at 10:00 (Greenwich Mean Time, Europe/London). Which other day would suit you?");
    const next = await bookingTurn(
      { business: business!, customerId, conversationId: sms.conversationId, channelId: sms.channelId, messageId: crypto.randomUUID(), text: "Friday morning", history: [] },
      { now: at("2026-12-08T10:02:00Z") },
    );
    expect(next!.reply).toMatch(/^For Check-up on Friday, 11 December 2026 I can offer 09:00, .* \(Greenwich Mean Time, Europe\/London\)\. Which time suits you\?$/);
  });
});
