import "server-only";
// The calendar's verbs: what a day or week holds per resource, bookings added, moved, cancelled or
// marked no-show by hand, time blocked, and the set-up (services, resources with their hours,
// settings). Any member works the calendar; owners and admins change the set-up.
import { and, asc, desc, eq, gte, inArray, lt, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { withTenant } from "@/lib/db/client";
import { bookingClosures, bookingHours, bookingResources, bookingServices, bookingSettings, bookings, customers } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import { MANAGERS, requireMember, requireRole, type Ctx } from "@/lib/services/context";
import { book, cancelBooking, DEFAULT_BOOKING_SETTINGS, loadBookingContext, markNoShow, reschedule } from "./bookings";
import { addDays, describeClock, localDateOf, parseLocalDate, weekdayOf, zonedInstant, type LocalDate } from "./time";

const LocalDay = z.string().refine((d) => parseLocalDate(d) !== null, "Give the day as YYYY-MM-DD");
const Clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Give the time as HH:MM");
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The instant of a local day and clock time in the business's zone, or a clear 400 in the hour the clocks skip. */
function instantOf(date: LocalDate, clock: string, timeZone: string): Date {
  const at = zonedInstant(date, minutesOf(clock), timeZone);
  if (!at) throw new AppError("bad_request", `${clock} does not exist on ${date} in ${timeZone} (the clocks go forward).`, { field: "time" });
  return at;
}

export const CalendarQuery = z.object({
  view: z.enum(["day", "week"]).default("week"),
  date: LocalDay.optional(),
});

export type CalendarBooking = {
  id: string;
  resourceId: string;
  serviceName: string;
  customerName: string;
  status: string;
  date: LocalDate;
  from: string;
  to: string;
  start: string;
  source: string;
};

/** A day or a week (Monday first) of bookings and blocked time per resource, in the business's zone. */
export async function calendarView({ ctx, input }: { ctx: Ctx; input: unknown }, opts: { now?: Date } = {}) {
  requireMember(ctx);
  const q = CalendarQuery.parse(input);
  return withTenant(ctx.actor.userId, async (tx) => {
    const bc = await loadBookingContext(tx, ctx.businessId);
    const today = localDateOf(opts.now ?? new Date(), bc.timeZone);
    const anchor = q.date ?? today;
    const first = q.view === "week" ? addDays(anchor, -weekdayOf(anchor)) : anchor;
    const days = Array.from({ length: q.view === "week" ? 7 : 1 }, (_, i) => addDays(first, i));
    const from = zonedInstant(first, 0, bc.timeZone) ?? new Date(`${first}T00:00:00Z`);
    const to = zonedInstant(addDays(first, days.length), 0, bc.timeZone) ?? new Date(`${addDays(first, days.length)}T00:00:00Z`);
    const resources = await tx.select().from(bookingResources).where(eq(bookingResources.businessId, ctx.businessId)).orderBy(asc(bookingResources.name));
    const services = await tx.select().from(bookingServices).where(eq(bookingServices.businessId, ctx.businessId)).orderBy(asc(bookingServices.name));
    const hours = await tx.select().from(bookingHours).where(eq(bookingHours.businessId, ctx.businessId));
    const rows = await tx
      .select({ b: bookings, serviceName: bookingServices.name, customerName: customers.name })
      .from(bookings)
      .innerJoin(bookingServices, eq(bookingServices.id, bookings.serviceId))
      .innerJoin(customers, eq(customers.id, bookings.customerId))
      .where(
        and(
          eq(bookings.businessId, ctx.businessId),
          gte(bookings.startsAt, from),
          lt(bookings.startsAt, to),
          ne(bookings.status, "expired"),
          sql`(${bookings.status} <> 'held' or ${bookings.holdExpiresAt} > now())`,
        ),
      )
      .orderBy(asc(bookings.startsAt));
    const closures = await tx
      .select({
        id: bookingClosures.id,
        resourceId: bookingClosures.resourceId,
        reason: bookingClosures.reason,
        start: sql<number>`(extract(epoch from lower(${bookingClosures.during})) * 1000)::float8`,
        end: sql<number>`(extract(epoch from upper(${bookingClosures.during})) * 1000)::float8`,
      })
      .from(bookingClosures)
      .where(and(eq(bookingClosures.businessId, ctx.businessId), sql`${bookingClosures.during} && tstzrange(${from.toISOString()}::timestamptz, ${to.toISOString()}::timestamptz, '[)')`));
    const recent = await tx
      .select({ id: customers.id, name: customers.name })
      .from(customers)
      .where(eq(customers.businessId, ctx.businessId))
      .orderBy(desc(customers.lastSeenAt))
      .limit(200);
    const [settings] = await tx.select().from(bookingSettings).where(eq(bookingSettings.businessId, ctx.businessId));
    return {
      view: q.view,
      today,
      anchor,
      days,
      timeZone: bc.timeZone,
      canManage: MANAGERS.includes(ctx.actor.role),
      resources: resources.map((r) => ({
        id: r.id,
        name: r.name,
        active: r.active,
        serviceIds: r.serviceIds,
        hours: hours.filter((h) => h.resourceId === r.id).map((h) => ({ weekday: h.weekday, opens: h.opensMinute, closes: h.closesMinute })),
      })),
      services: services.map((s) => ({ id: s.id, name: s.name, durationMinutes: s.durationMinutes, bufferMinutes: s.bufferMinutes, price: s.price, active: s.active })),
      bookings: rows.map(
        (r): CalendarBooking => ({
          id: r.b.id,
          resourceId: r.b.resourceId,
          serviceName: r.serviceName,
          customerName: r.customerName ?? "Customer",
          status: r.b.status,
          date: localDateOf(r.b.startsAt, bc.timeZone),
          from: describeClock(r.b.startsAt, bc.timeZone),
          to: describeClock(r.b.endsAt, bc.timeZone),
          start: r.b.startsAt.toISOString(),
          source: r.b.source,
        }),
      ),
      closures: closures.map((c) => {
        const start = new Date(Number(c.start));
        const end = new Date(Number(c.end));
        return { id: c.id, resourceId: c.resourceId, reason: c.reason, date: localDateOf(start, bc.timeZone), from: describeClock(start, bc.timeZone), to: describeClock(end, bc.timeZone), endDate: localDateOf(end, bc.timeZone) };
      }),
      customers: recent.map((c) => ({ id: c.id, name: c.name ?? "Unnamed customer" })),
      feedOn: Boolean(settings?.icsTokenHash),
      settings: settings
        ? { leadMinutes: settings.leadMinutes, horizonDays: settings.horizonDays, holdMinutes: settings.holdMinutes, slotStepMinutes: settings.slotStepMinutes, reminderOffsets: settings.reminderOffsets }
        : DEFAULT_BOOKING_SETTINGS,
    };
  });
}

export const AddBookingInput = z.object({
  serviceId: z.uuid("Choose a service"),
  resourceId: z.uuid("Choose who or what is booked"),
  customerId: z.uuid("Choose a customer"),
  date: LocalDay,
  time: Clock,
  notes: z.string().trim().max(1000, "Keep the note under 1,000 characters").optional(),
});

/** A booking made by hand: any time (staff know their day), never over another booking. */
export async function addBookingByHand({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requireMember(ctx);
  const q = AddBookingInput.parse(input);
  const bc = await withTenant(ctx.actor.userId, (tx) => loadBookingContext(tx, ctx.businessId));
  const start = instantOf(q.date, q.time, bc.timeZone);
  return book({ ctx, input: { serviceId: q.serviceId, resourceId: q.resourceId, customerId: q.customerId, start: start.toISOString(), notes: q.notes, anyTime: true } });
}

export const MoveBookingInput = z.object({ bookingId: z.uuid("Choose a booking"), resourceId: z.uuid("Choose who or what is booked"), date: LocalDay, time: Clock });

export async function moveBookingByHand({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requireMember(ctx);
  const q = MoveBookingInput.parse(input);
  const bc = await withTenant(ctx.actor.userId, (tx) => loadBookingContext(tx, ctx.businessId));
  const start = instantOf(q.date, q.time, bc.timeZone);
  return reschedule({ ctx, input: { bookingId: q.bookingId, start: start.toISOString(), resourceId: q.resourceId, anyTime: true } });
}

export const BookingStatusInput = z.object({ bookingId: z.uuid("Choose a booking"), status: z.enum(["cancelled", "no_show"]) });

export async function setBookingStatus({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requireMember(ctx);
  const q = BookingStatusInput.parse(input);
  return q.status === "cancelled" ? cancelBooking({ ctx, input: { bookingId: q.bookingId } }) : markNoShow({ ctx, input: { bookingId: q.bookingId } });
}

export const BlockTimeInput = z
  .object({
    /** empty: the whole business (a holiday) */
    resourceId: z.uuid().optional(),
    date: LocalDay,
    from: Clock,
    to: Clock.or(z.literal("24:00")),
    reason: z.string().trim().max(200, "Keep the reason under 200 characters").optional(),
  })
  .refine((v) => minutesOf(v.from) < (v.to === "24:00" ? 1440 : minutesOf(v.to)), { message: "The end must be after the start", path: ["to"] });

/** Blocked time on the calendar: a resource's time off, or (no resource) a holiday for everyone. */
export async function blockTime({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requireMember(ctx);
  const q = BlockTimeInput.parse(input);
  return withTenant(ctx.actor.userId, async (tx) => {
    const bc = await loadBookingContext(tx, ctx.businessId);
    if (q.resourceId) {
      const [r] = await tx.select({ id: bookingResources.id }).from(bookingResources).where(and(eq(bookingResources.businessId, ctx.businessId), eq(bookingResources.id, q.resourceId)));
      if (!r) throw new AppError("not_found", "That resource was not found.");
    } else {
      // a closure for everyone changes what customers are offered: a set-up change
      requireRole(ctx, MANAGERS);
    }
    const start = instantOf(q.date, q.from, bc.timeZone);
    const end = q.to === "24:00" ? zonedInstant(addDays(q.date, 1), 0, bc.timeZone)! : instantOf(q.date, q.to, bc.timeZone);
    const [row] = await tx
      .insert(bookingClosures)
      .values({ businessId: ctx.businessId, resourceId: q.resourceId ?? null, during: sql`tstzrange(${start.toISOString()}::timestamptz, ${end.toISOString()}::timestamptz, '[)')`, reason: q.reason || null })
      .returning({ id: bookingClosures.id });
    return { id: row!.id };
  });
}

export async function unblockTime({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requireMember(ctx);
  const { closureId } = z.object({ closureId: z.uuid("Choose blocked time") }).parse(input);
  return withTenant(ctx.actor.userId, async (tx) => {
    const [row] = await tx.select().from(bookingClosures).where(and(eq(bookingClosures.businessId, ctx.businessId), eq(bookingClosures.id, closureId)));
    if (!row) throw new AppError("not_found", "That blocked time was not found.");
    if (!row.resourceId) requireRole(ctx, MANAGERS);
    await tx.delete(bookingClosures).where(and(eq(bookingClosures.businessId, ctx.businessId), eq(bookingClosures.id, closureId)));
    return { id: closureId };
  });
}

export const ServiceInput = z.object({
  name: z.string().trim().min(1, "Name the service").max(100, "Keep the name under 100 characters"),
  durationMinutes: z.coerce.number().int("Whole minutes").min(5, "At least 5 minutes").max(1440, "At most a day"),
  bufferMinutes: z.coerce.number().int("Whole minutes").min(0, "Not negative").max(1440, "At most a day").default(0),
  price: z.union([z.literal("").transform(() => null), z.coerce.number().min(0, "Not negative").max(1_000_000, "Too high")]).nullable().default(null),
  active: z.boolean().default(true),
});

export async function saveService({ ctx, input }: { ctx: Ctx; input: { id?: string | null; service: unknown } }) {
  requireRole(ctx, MANAGERS);
  const v = ServiceInput.parse(input.service);
  return withTenant(ctx.actor.userId, async (tx) => {
    if (!input.id) {
      const [row] = await tx.insert(bookingServices).values({ businessId: ctx.businessId, ...v }).returning({ id: bookingServices.id });
      return { id: row!.id };
    }
    const id = z.uuid("Choose a service").parse(input.id);
    const [row] = await tx.update(bookingServices).set(v).where(and(eq(bookingServices.businessId, ctx.businessId), eq(bookingServices.id, id))).returning({ id: bookingServices.id });
    if (!row) throw new AppError("not_found", "That service was not found.");
    return { id: row.id };
  });
}

const HoursLine = z.object({ weekday: z.number().int().min(0).max(6), opens: Clock, closes: Clock.or(z.literal("24:00")) }).refine((h) => minutesOf(h.opens) < (h.closes === "24:00" ? 1440 : minutesOf(h.closes)), {
  message: "Each day's closing time must be after its opening time",
  path: ["hours"],
});

export const ResourceInput = z.object({
  name: z.string().trim().min(1, "Name the person or room").max(100, "Keep the name under 100 characters"),
  serviceIds: z.array(z.uuid()).max(100).default([]),
  active: z.boolean().default(true),
  /** none: the business's opening hours */
  hours: z.array(HoursLine).max(28).default([]),
});

export async function saveResource({ ctx, input }: { ctx: Ctx; input: { id?: string | null; resource: unknown } }) {
  requireRole(ctx, MANAGERS);
  const v = ResourceInput.parse(input.resource);
  return withTenant(ctx.actor.userId, async (tx) => {
    if (v.serviceIds.length) {
      const found = await tx.select({ id: bookingServices.id }).from(bookingServices).where(and(eq(bookingServices.businessId, ctx.businessId), inArray(bookingServices.id, v.serviceIds)));
      if (found.length !== new Set(v.serviceIds).size) throw new AppError("not_found", "One of those services was not found.", { field: "serviceIds" });
    }
    let id: string;
    if (!input.id) {
      const [row] = await tx.insert(bookingResources).values({ businessId: ctx.businessId, name: v.name, serviceIds: v.serviceIds, active: v.active }).returning({ id: bookingResources.id });
      id = row!.id;
    } else {
      id = z.uuid("Choose a resource").parse(input.id);
      const [row] = await tx
        .update(bookingResources)
        .set({ name: v.name, serviceIds: v.serviceIds, active: v.active })
        .where(and(eq(bookingResources.businessId, ctx.businessId), eq(bookingResources.id, id)))
        .returning({ id: bookingResources.id });
      if (!row) throw new AppError("not_found", "That resource was not found.");
      await tx.delete(bookingHours).where(and(eq(bookingHours.businessId, ctx.businessId), eq(bookingHours.resourceId, id)));
    }
    if (v.hours.length) {
      await tx.insert(bookingHours).values(v.hours.map((h) => ({ businessId: ctx.businessId, resourceId: id, weekday: h.weekday, opensMinute: minutesOf(h.opens), closesMinute: h.closes === "24:00" ? 1440 : minutesOf(h.closes) })));
    }
    return { id };
  });
}

export const BookingSettingsInput = z.object({
  leadMinutes: z.coerce.number().int("Whole minutes").min(0, "Not negative").max(43200, "At most 30 days"),
  horizonDays: z.coerce.number().int("Whole days").min(1, "At least a day").max(730, "At most two years"),
  holdMinutes: z.coerce.number().int("Whole minutes").min(1, "At least a minute").max(1440, "At most a day"),
  slotStepMinutes: z.coerce.number().int("Whole minutes").min(5, "At least 5 minutes").max(240, "At most 4 hours"),
  /** minutes before the start; none turns reminders off */
  reminderOffsets: z.array(z.coerce.number().int().min(5, "A reminder at least 5 minutes before").max(20160, "A reminder at most 14 days before")).max(4, "At most four reminders").default([1440, 120]),
});

export async function saveBookingSettings({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requireRole(ctx, MANAGERS);
  const v = BookingSettingsInput.parse(input);
  const reminderOffsets = [...new Set(v.reminderOffsets)].sort((a, b) => b - a);
  return withTenant(ctx.actor.userId, async (tx) => {
    await tx
      .insert(bookingSettings)
      .values({ businessId: ctx.businessId, ...v, reminderOffsets })
      .onConflictDoUpdate({ target: bookingSettings.businessId, set: { ...v, reminderOffsets, updatedAt: new Date() } });
    return { ...v, reminderOffsets };
  });
}
