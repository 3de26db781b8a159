// Booking on both engines: slots from hours, time off and bookings; holds that expire; the database's
// exclusion constraint under 100 concurrent attempts; reschedule, cancel, no-shows and who sees what.
import { eq, sql } from "drizzle-orm";
import { closeDb, rows, withService, type Tx } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import {
  book,
  cancelBooking,
  confirmBooking,
  customerBookings,
  expireHolds,
  findSlots,
  holdSlot,
  markNoShow,
  reschedule,
  TAKEN_MESSAGE,
} from "@/lib/booking/bookings";
import { AppError } from "@/lib/errors";
import type { Ctx } from "@/lib/services/context";
import { useTestDb } from "../../helpers/db";
import { makeTenant, makeUser } from "../../helpers/fixtures";

// Monday 7 December 2026, 08:00 in London (GMT): the fixed clock of every test
const NOW = new Date("2026-12-07T08:00:00Z");
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);

let businessId: string;
let otherBusinessId: string;
let owner: { id: string };
let serviceId: string;
let roomA: string;
let roomB: string;
const customerIds: string[] = [];

const customer = (i: number): Ctx => ({ businessId, actor: { type: "customer", customerId: customerIds[i]! } });
const staff = (): Ctx => ({ businessId, actor: { type: "member", userId: owner.id, role: "owner" } });

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error("expected a refusal");
}

beforeAll(async () => {
  await useTestDb();
  await withService(async (tx: Tx) => {
    owner = await makeUser(tx, "owner@clinic.test");
    const t = await makeTenant(tx, "clinic", owner.id);
    const other = await makeTenant(tx, "elsewhere", (await makeUser(tx, "other@else.test")).id);
    businessId = t.businessId;
    otherBusinessId = other.businessId;
    await tx.update(s.businesses).set({ timeZone: "Europe/London" }).where(eq(s.businesses.id, businessId));
    await tx.update(s.bookingSettings).set({ leadMinutes: 60, holdMinutes: 10, slotStepMinutes: 30 }).where(eq(s.bookingSettings.businessId, businessId));
    const [svc] = await tx.insert(s.bookingServices).values({ businessId, name: "Consultation", durationMinutes: 30, price: 40 }).returning();
    serviceId = svc!.id;
    const [a] = await tx.insert(s.bookingResources).values({ businessId, name: "Room A", serviceIds: [serviceId] }).returning();
    const [b] = await tx.insert(s.bookingResources).values({ businessId, name: "Room B", serviceIds: [serviceId] }).returning();
    roomA = a!.id;
    roomB = b!.id;
    // Room A: Tuesdays 09:00–14:00 (ten half-hour slots); Room B: Wednesdays only
    await tx.insert(s.bookingHours).values([
      { businessId, resourceId: roomA, weekday: 1, opensMinute: 540, closesMinute: 840 },
      { businessId, resourceId: roomB, weekday: 2, opensMinute: 540, closesMinute: 600 },
    ]);
    // customers 0–9 act in the single tests, 10–109 in the race; the fixture's own room (business hours, Mon–Fri 09–17) does not perform this service
    for (let i = 0; i < 110; i++) {
      const [c] = await tx.insert(s.customers).values({ businessId, name: `Customer ${i}` }).returning();
      customerIds.push(c!.id);
    }
  });
});

afterAll(() => closeDb());

describe("finding slots", () => {
  it("offers Room A's ten Tuesday times, written out with the time zone", async () => {
    const found = await findSlots({ ctx: customer(0), input: { serviceId, date: "2026-12-08" } }, { now: NOW });
    expect(found.timeZone).toBe("Europe/London");
    expect(found.slots).toHaveLength(10);
    expect(found.slots[0]).toMatchObject({ start: "2026-12-08T09:00:00.000Z", resourceName: "Room A", label: "Tuesday, 8 December 2026 at 09:00 (Greenwich Mean Time, Europe/London)" });
    expect(found.slots[9]!.start).toBe("2026-12-08T13:30:00.000Z");
  });

  it("offers nothing on a holiday, and nothing inside the lead time or past the horizon", async () => {
    const [holiday] = await withService((tx) =>
      tx.insert(s.bookingClosures).values({ businessId, during: "[2026-12-15 00:00+00,2026-12-16 00:00+00)", reason: "Staff training" }).returning(),
    );
    expect((await findSlots({ ctx: customer(0), input: { serviceId, date: "2026-12-15" } }, { now: NOW })).slots).toEqual([]);
    await withService((tx) => tx.delete(s.bookingClosures).where(eq(s.bookingClosures.id, holiday!.id)));
    expect((await findSlots({ ctx: customer(0), input: { serviceId, date: "2026-12-15" } }, { now: NOW })).slots).toHaveLength(10);
    // at 09:10 on the day with a 60-minute lead, the first time left is 10:30
    const late = await findSlots({ ctx: customer(0), input: { serviceId, date: "2026-12-08" } }, { now: new Date("2026-12-08T09:10:00Z") });
    expect(late.slots[0]!.start).toBe("2026-12-08T10:30:00.000Z");
    // the horizon is 60 days: a Tuesday in March 2027 is too far ahead
    expect((await findSlots({ ctx: customer(0), input: { serviceId, date: "2027-03-02" } }, { now: NOW })).slots).toEqual([]);
  });

  it("refuses a malformed day with a 400-style message", async () => {
    await expect(findSlots({ ctx: customer(0), input: { serviceId, date: "8/12/2026" } }, { now: NOW })).rejects.toThrow(/YYYY-MM-DD/);
    const err = await rejection(findSlots({ ctx: customer(0), input: { serviceId: customerIds[0], date: "2026-12-08" } }, { now: NOW }));
    expect([err.status, err.message]).toEqual([404, "That service was not found (or is not offered)."]);
  });
});

describe("zero double bookings", () => {
  it("the database itself refuses an overlapping live booking of one resource", async () => {
    const insert = (status: "confirmed" | "cancelled", range: string) =>
      withService((tx) =>
        tx.execute(sql`insert into bookings (business_id, customer_id, service_id, resource_id, during, starts_at, ends_at, status)
          values (${businessId}, ${customerIds[0]}, ${serviceId}, ${roomB}, ${range}::tstzrange, lower(${range}::tstzrange), upper(${range}::tstzrange), ${status})`),
      );
    await insert("confirmed", "[2027-01-06 09:00+00,2027-01-06 09:30+00)");
    const refused = await insert("confirmed", "[2027-01-06 09:15+00,2027-01-06 09:45+00)").then(
      () => "accepted",
      (err: { cause?: { code?: string }; code?: string }) => err.cause?.code ?? err.code,
    );
    expect(refused).toBe("23P01");
    // touching ends do not overlap, and a cancelled booking blocks nothing
    await insert("confirmed", "[2027-01-06 09:30+00,2027-01-06 10:00+00)");
    await insert("cancelled", "[2027-01-06 09:00+00,2027-01-06 09:30+00)");
    await withService((tx) => tx.delete(s.bookings).where(eq(s.bookings.resourceId, roomB)));
  });

  it("100 concurrent attempts on 10 slots make exactly 10 bookings; the others hear the time was just taken", async () => {
    const { slots } = await findSlots({ ctx: customer(0), input: { serviceId, date: "2026-12-22" } }, { now: NOW });
    expect(slots).toHaveLength(10);
    const started = Date.now();
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => book({ ctx: customer(10 + i), input: { serviceId, start: slots[i % 10]!.start } }, { now: NOW })),
    );
    const ms = Date.now() - started;
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(10);
    expect(lost.map((r) => [r.reason instanceof AppError && r.reason.status, (r.reason as Error).message])).toEqual(Array(90).fill([409, TAKEN_MESSAGE]));
    const stored = await withService((tx) =>
      rows<{ n: number; starts: number }>(
        tx,
        sql`select count(*)::int as n, count(distinct starts_at)::int as starts from bookings
            where business_id = ${businessId} and status = 'confirmed' and starts_at >= '2026-12-22' and starts_at < '2026-12-23'`,
      ),
    );
    expect(stored[0]).toEqual({ n: 10, starts: 10 });
    console.log(`[booking] 100 concurrent attempts on 10 slots: ${ms} ms`);
    // the day is full
    expect((await findSlots({ ctx: customer(0), input: { serviceId, date: "2026-12-22" } }, { now: NOW })).slots).toEqual([]);
  });
});

describe("holds", () => {
  const start = "2026-12-29T10:00:00.000Z";

  it("a held time is kept for the customer, then frees itself after the hold time", async () => {
    const held = await holdSlot({ ctx: customer(1), input: { serviceId, start } }, { now: NOW });
    expect(held).toMatchObject({ status: "held", holdExpiresAt: minutes(10).toISOString(), label: "Tuesday, 29 December 2026 at 10:00 (Greenwich Mean Time, Europe/London)" });
    const during = await findSlots({ ctx: customer(2), input: { serviceId, date: "2026-12-29" } }, { now: minutes(5) });
    expect(during.slots.map((x) => x.start)).not.toContain(start);
    const refused = await rejection(holdSlot({ ctx: customer(2), input: { serviceId, start } }, { now: minutes(5) }));
    expect([refused.status, refused.message]).toEqual([409, TAKEN_MESSAGE]);
    // eleven minutes on, the hold has run out: the time is offered again and another customer takes it
    const after = await findSlots({ ctx: customer(2), input: { serviceId, date: "2026-12-29" } }, { now: minutes(11) });
    expect(after.slots.map((x) => x.start)).toContain(start);
    const taken = await holdSlot({ ctx: customer(2), input: { serviceId, start } }, { now: minutes(11) });
    expect(taken.status).toBe("held");
    const late = await rejection(confirmBooking({ ctx: customer(1), input: { bookingId: held.id } }, { now: minutes(12) }));
    expect([late.status, late.message]).toEqual([409, "That hold has run out and the time may have gone. Please choose a time again."]);
    expect((await confirmBooking({ ctx: customer(2), input: { bookingId: taken.id } }, { now: minutes(12) })).status).toBe("confirmed");
  });

  it("the hold job marks run-out holds as expired", async () => {
    const held = await holdSlot({ ctx: customer(3), input: { serviceId, start: "2026-12-29T11:00:00.000Z" } }, { now: NOW });
    expect(await expireHolds(minutes(9))).toBe(0);
    expect(await expireHolds(minutes(10))).toBeGreaterThanOrEqual(1);
    const [row] = await withService((tx) => tx.select().from(s.bookings).where(eq(s.bookings.id, held.id)));
    expect(row!.status).toBe("expired");
  });
});

describe("moving, cancelling, no-shows and who sees what", () => {
  it("a customer reschedules; a taken time leaves the booking where it was; a cancellation frees the time", async () => {
    const mine = await book({ ctx: customer(4), input: { serviceId, start: "2027-01-05T09:00:00.000Z" } }, { now: NOW });
    const theirs = await book({ ctx: customer(5), input: { serviceId, start: "2027-01-05T09:30:00.000Z" } }, { now: NOW });
    const refused = await rejection(reschedule({ ctx: customer(4), input: { bookingId: mine.id, start: "2027-01-05T09:30:00.000Z" } }, { now: NOW }));
    expect([refused.status, refused.message]).toEqual([409, TAKEN_MESSAGE]);
    expect((await customerBookings({ ctx: customer(4) }, { now: NOW }))[0]!.start).toBe("2027-01-05T09:00:00.000Z");
    const moved = await reschedule({ ctx: customer(4), input: { bookingId: mine.id, start: "2027-01-05T11:00:00.000Z" } }, { now: NOW });
    expect(moved.label).toBe("Tuesday, 5 January 2027 at 11:00 (Greenwich Mean Time, Europe/London)");
    // the old time is free again
    const slots = await findSlots({ ctx: customer(6), input: { serviceId, date: "2027-01-05" } }, { now: NOW });
    expect(slots.slots.map((x) => x.start)).toContain("2027-01-05T09:00:00.000Z");
    // someone else's booking: not found for this customer, and cancelling it is refused
    const notMine = await rejection(cancelBooking({ ctx: customer(4), input: { bookingId: theirs.id } }, { now: NOW }));
    expect(notMine.status).toBe(404);
    expect((await cancelBooking({ ctx: customer(5), input: { bookingId: theirs.id } }, { now: NOW })).status).toBe("cancelled");
    expect((await findSlots({ ctx: customer(6), input: { serviceId, date: "2027-01-05" } }, { now: NOW })).slots.map((x) => x.start)).toContain("2027-01-05T09:30:00.000Z");
  });

  it("a customer's bookings are found by who they are, and only theirs", async () => {
    const list = await customerBookings({ ctx: customer(4) }, { now: NOW });
    expect(list.map((b) => [b.serviceName, b.start, b.status])).toEqual([["Consultation", "2027-01-05T11:00:00.000Z", "confirmed"]]);
    expect(await customerBookings({ ctx: customer(9) }, { now: NOW })).toEqual([]);
    const anonymous = await rejection(customerBookings({ ctx: { businessId, actor: { type: "customer", customerId: null } } }));
    expect(anonymous.status).toBe(403);
  });

  it("staff book outside the offered times by hand, but never over another booking, and mark no-shows once the time has begun", async () => {
    const byHand = await book({ ctx: staff(), input: { serviceId, start: "2027-01-04T18:00:00.000Z", resourceId: roomA, customerId: customerIds[7], anyTime: true } }, { now: NOW });
    expect(byHand.status).toBe("confirmed");
    const over = await rejection(book({ ctx: staff(), input: { serviceId, start: "2027-01-04T18:15:00.000Z", resourceId: roomA, customerId: customerIds[8], anyTime: true } }, { now: NOW }));
    expect([over.status, over.message]).toEqual([409, TAKEN_MESSAGE]);
    // a customer cannot book outside the offered times
    const outside = await rejection(book({ ctx: customer(8), input: { serviceId, start: "2027-01-04T18:30:00.000Z", anyTime: true } }, { now: NOW }));
    expect(outside.message).toMatch(/is not available/);
    const early = await rejection(markNoShow({ ctx: staff(), input: { bookingId: byHand.id } }, { now: NOW }));
    expect(early.status).toBe(409);
    expect((await markNoShow({ ctx: staff(), input: { bookingId: byHand.id } }, { now: new Date("2027-01-04T18:20:00Z") })).status).toBe("no_show");
    const byCustomer = await rejection(markNoShow({ ctx: customer(7), input: { bookingId: byHand.id } }));
    expect(byCustomer.status).toBe(403);
  });

  it("a service with bookings cannot be deleted (it is switched off instead), but a business goes with all its bookings", async () => {
    const refused = await withService((tx) => tx.delete(s.bookingServices).where(eq(s.bookingServices.id, serviceId))).then(
      () => "deleted",
      (err: { cause?: { code?: string }; code?: string }) => err.cause?.code ?? err.code,
    );
    expect(refused).toBe("23503");
    const [before] = await withService((tx) => rows<{ n: number }>(tx, sql`select count(*)::int as n from bookings where business_id = ${otherBusinessId}`));
    expect(before!.n).toBe(1);
    await withService((tx) => tx.delete(s.businesses).where(eq(s.businesses.id, otherBusinessId)));
    const [after] = await withService((tx) => rows<{ n: number }>(tx, sql`select count(*)::int as n from bookings where business_id = ${otherBusinessId}`));
    expect(after!.n).toBe(0);
  });

  it("another business's service and bookings are out of reach", async () => {
    const foreign = { businessId: otherBusinessId, actor: { type: "customer" as const, customerId: customerIds[0]! } };
    const err = await rejection(book({ ctx: foreign, input: { serviceId, start: "2027-01-05T13:00:00.000Z" } }, { now: NOW }));
    expect(err.status).toBe(404);
  });
});
