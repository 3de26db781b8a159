import "server-only";
// Booking verbs shared by the AI's tools, the dashboard's calendar and jobs: find slots, hold, book,
// confirm, reschedule, cancel, mark a no-show, a customer's bookings. The database has the last word on
// double bookings (bookings_no_overlap, an exclusion constraint): a loser of a race gets "conflict".
import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { withService, withTenant, type Executor, type Tx } from "@/lib/db/client";
import { bookingClosures, bookingHours, bookingResources, bookingServices, bookingSettings, bookings, businesses, customers } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import { readAiSettings, WEEKDAYS } from "@/lib/ai/prompts";
import { safeTimeZone } from "@/lib/billing/period";
import { requireMember, type Ctx } from "@/lib/services/context";
import { computeSlots, distinctStarts, type Interval, type Slot, type Span } from "./slots";
import { DAY_MS, describeInstant, localDateOf, MINUTE_MS, parseLocalDate, zonedInstant } from "./time";

export const TAKEN_MESSAGE = "Sorry, that time was just taken. Please choose another time.";

/** Defaults for a business that has not saved booking settings. */
export const DEFAULT_BOOKING_SETTINGS = { leadMinutes: 60, horizonDays: 60, holdMinutes: 10, slotStepMinutes: 30, reminderOffsets: [1440, 120] };
export type BookingSettings = typeof DEFAULT_BOOKING_SETTINGS;

/** When no opening hours are set: Mon–Fri 09:00–17:00. */
const NINE_TO_FIVE: Interval[][] = [0, 1, 2, 3, 4, 5, 6].map((d) => (d < 5 ? [{ opens: 540, closes: 1020 }] : []));

type Opts = { now?: Date };

/** A member's work runs under row-level security; the AI's (customer), webhooks' and jobs' on the service path. */
function run<T>(ctx: Ctx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return ctx.actor.type === "member" ? withTenant(ctx.actor.userId, fn) : withService(fn);
}

/** The customer a customer-actor may act for; staff and jobs name one. */
function actingCustomer(ctx: Ctx, named: string | undefined): string {
  if (ctx.actor.type === "customer") {
    if (!ctx.actor.customerId) throw new AppError("forbidden", "We need to know who you are before booking.");
    if (named && named !== ctx.actor.customerId) throw new AppError("forbidden", "You can only book for yourself.");
    return ctx.actor.customerId;
  }
  if (!named) throw new AppError("bad_request", "Choose the customer for this booking.");
  return named;
}

export function isExclusionViolation(err: unknown): boolean {
  let e = err as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++, e = e.cause as typeof e) {
    if (e.code === "23P01") return true;
  }
  return false;
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export type BookingContext = { timeZone: string; businessHours: Interval[][]; settings: BookingSettings };

export async function loadBookingContext(ex: Executor, businessId: string): Promise<BookingContext> {
  const [b] = await ex.select({ timeZone: businesses.timeZone, aiSettings: businesses.aiSettings }).from(businesses).where(eq(businesses.id, businessId));
  if (!b) throw new AppError("not_found", "This business was not found.");
  const hours = readAiSettings(b.aiSettings).hours;
  const [s] = await ex.select().from(bookingSettings).where(eq(bookingSettings.businessId, businessId));
  return {
    timeZone: safeTimeZone(hours.timeZone ?? b.timeZone),
    businessHours: hours.enabled ? WEEKDAYS.map((d) => hours.weekly[d].map((i) => ({ opens: toMinutes(i.open), closes: toMinutes(i.close) }))) : NINE_TO_FIVE,
    settings: s
      ? { leadMinutes: s.leadMinutes, horizonDays: s.horizonDays, holdMinutes: s.holdMinutes, slotStepMinutes: s.slotStepMinutes, reminderOffsets: s.reminderOffsets }
      : DEFAULT_BOOKING_SETTINGS,
  };
}

async function loadService(ex: Executor, businessId: string, serviceId: string) {
  const [service] = await ex
    .select()
    .from(bookingServices)
    .where(and(eq(bookingServices.businessId, businessId), eq(bookingServices.id, serviceId), eq(bookingServices.active, true)));
  if (!service) throw new AppError("not_found", "That service was not found (or is not offered).");
  return service;
}

const epoch = (column: unknown) => sql<number>`(extract(epoch from ${column}) * 1000)::float8`;

/** Live bookings (confirmed, or held and not yet expired at `now`) and time off overlapping [from, to). */
async function busySpans(ex: Executor, businessId: string, resourceIds: string[], from: Date, to: Date, now: Date, exceptBookingId?: string) {
  const range = sql`tstzrange(${from.toISOString()}::timestamptz, ${to.toISOString()}::timestamptz, '[)')`;
  const booked = resourceIds.length
    ? await ex
        .select({ resourceId: bookings.resourceId, start: epoch(sql`lower(${bookings.during})`), end: epoch(sql`upper(${bookings.during})`) })
        .from(bookings)
        .where(
          and(
            eq(bookings.businessId, businessId),
            inArray(bookings.resourceId, resourceIds),
            sql`${bookings.during} && ${range}`,
            sql`(${bookings.status} = 'confirmed' or (${bookings.status} = 'held' and ${bookings.holdExpiresAt} > ${now.toISOString()}::timestamptz))`,
            exceptBookingId ? sql`${bookings.id} <> ${exceptBookingId}` : undefined,
          ),
        )
    : [];
  const closures = await ex
    .select({ resourceId: bookingClosures.resourceId, start: epoch(sql`lower(${bookingClosures.during})`), end: epoch(sql`upper(${bookingClosures.during})`) })
    .from(bookingClosures)
    .where(and(eq(bookingClosures.businessId, businessId), sql`${bookingClosures.during} && ${range}`));
  const group = (list: { resourceId: string | null; start: number; end: number }[]) => {
    const by = new Map<string, Span[]>();
    for (const row of list) by.set(row.resourceId!, [...(by.get(row.resourceId!) ?? []), { start: Number(row.start), end: Number(row.end) }]);
    return by;
  };
  const closed = closures.filter((c) => !c.resourceId).map((c) => ({ start: Number(c.start), end: Number(c.end) }));
  return { booked: group(booked), timeOff: group(closures.filter((c) => c.resourceId)), closed };
}

export const FindSlotsInput = z.object({
  serviceId: z.uuid("Choose a service"),
  date: z.string().refine((d) => parseLocalDate(d) !== null, "Give the day as YYYY-MM-DD"),
  resourceId: z.uuid().optional(),
  /** local minutes of the day, e.g. the afternoon = 720–1080 */
  window: z.object({ from: z.number().int().min(0).max(1440), to: z.number().int().min(0).max(1440) }).optional(),
});
export type FindSlotsInput = z.input<typeof FindSlotsInput>;

async function slotsFor(ex: Executor, businessId: string, input: z.infer<typeof FindSlotsInput>, now: Date, exceptBookingId?: string) {
  const bc = await loadBookingContext(ex, businessId);
  const service = await loadService(ex, businessId, input.serviceId);
  const resources = (
    await ex
      .select()
      .from(bookingResources)
      .where(and(eq(bookingResources.businessId, businessId), eq(bookingResources.active, true)))
      .orderBy(asc(bookingResources.name))
  ).filter((r) => (!input.resourceId || r.id === input.resourceId) && (r.serviceIds.length === 0 || r.serviceIds.includes(service.id)));
  const ids = resources.map((r) => r.id);
  const hours = ids.length ? await ex.select().from(bookingHours).where(and(eq(bookingHours.businessId, businessId), inArray(bookingHours.resourceId, ids))) : [];
  // the local day, generously bounded: a day is 23 to 25 hours long
  const dayStart = zonedInstant(input.date, 0, bc.timeZone) ?? new Date(Date.parse(`${input.date}T00:00:00Z`) - DAY_MS);
  const from = new Date(dayStart.getTime() - DAY_MS / 2);
  const to = new Date(dayStart.getTime() + 2 * DAY_MS);
  const { booked, timeOff, closed } = await busySpans(ex, businessId, ids, from, to, now, exceptBookingId);
  const query = (withBookings: boolean) => computeSlots({
    date: input.date,
    timeZone: bc.timeZone,
    durationMinutes: service.durationMinutes,
    bufferMinutes: service.bufferMinutes,
    stepMinutes: bc.settings.slotStepMinutes,
    leadMinutes: bc.settings.leadMinutes,
    horizonDays: bc.settings.horizonDays,
    businessHours: bc.businessHours,
    closed,
    window: input.window,
    now,
    resources: resources.map((r) => {
      const own = hours.filter((h) => h.resourceId === r.id);
      return {
        id: r.id,
        name: r.name,
        hours: own.length ? [0, 1, 2, 3, 4, 5, 6].map((d) => own.filter((h) => h.weekday === d).map((h) => ({ opens: h.opensMinute, closes: h.closesMinute }))) : null,
        busy: [...(timeOff.get(r.id) ?? []), ...(withBookings ? (booked.get(r.id) ?? []) : [])],
      };
    }),
  });
  const slots = query(true);
  /** the starts that would be free but for other bookings: asking for one of these means it was just taken */
  const taken = () => query(false).filter((s) => !slots.some((f) => f.start.getTime() === s.start.getTime() && f.resourceId === s.resourceId));
  return { bc, service, slots, taken };
}

export type SlotView = { start: string; end: string; resourceId: string; resourceName: string; label: string };
const slotView = (s: Slot, tz: string): SlotView => ({
  start: s.start.toISOString(),
  end: s.end.toISOString(),
  resourceId: s.resourceId,
  resourceName: s.resourceName,
  label: describeInstant(s.start, tz),
});

/** Free times for a service on a local day, one per start time (staff see every resource's). */
export async function findSlots({ ctx, input }: { ctx: Ctx; input: unknown }, opts: Opts = {}) {
  const q = FindSlotsInput.parse(input);
  const now = opts.now ?? new Date();
  return run(ctx, async (tx) => {
    const { bc, service, slots } = await slotsFor(tx, ctx.businessId, q, now);
    const shown = ctx.actor.type === "member" ? slots : distinctStarts(slots);
    return { date: q.date, timeZone: bc.timeZone, service: { id: service.id, name: service.name, durationMinutes: service.durationMinutes }, slots: shown.map((s) => slotView(s, bc.timeZone)) };
  });
}

export const BookInput = z.object({
  serviceId: z.uuid("Choose a service"),
  start: z.iso.datetime({ offset: true, message: "Give the start as an ISO date and time" }),
  resourceId: z.uuid().optional(),
  customerId: z.uuid().optional(),
  channelId: z.uuid().optional(),
  conversationId: z.uuid().optional(),
  notes: z.string().trim().max(1000, "Keep the note under 1,000 characters").optional(),
  /** staff only: book outside the offered slots (hours, lead time); overlaps are still refused */
  anyTime: z.boolean().optional(),
});
export type BookInput = z.input<typeof BookInput>;

export type BookingView = {
  id: string;
  status: string;
  serviceId: string;
  serviceName: string;
  resourceId: string;
  resourceName: string;
  start: string;
  end: string;
  timeZone: string;
  /** date, time and time zone written out */
  label: string;
  holdExpiresAt: string | null;
};

async function bookingView(ex: Executor, businessId: string, id: string, timeZone: string): Promise<BookingView> {
  const [row] = await ex
    .select({ b: bookings, serviceName: bookingServices.name, resourceName: bookingResources.name })
    .from(bookings)
    .innerJoin(bookingServices, eq(bookingServices.id, bookings.serviceId))
    .innerJoin(bookingResources, eq(bookingResources.id, bookings.resourceId))
    .where(and(eq(bookings.businessId, businessId), eq(bookings.id, id)));
  if (!row) throw new AppError("not_found", "That booking was not found.");
  return {
    id: row.b.id,
    status: row.b.status,
    serviceId: row.b.serviceId,
    serviceName: row.serviceName,
    resourceId: row.b.resourceId,
    resourceName: row.resourceName,
    start: row.b.startsAt.toISOString(),
    end: row.b.endsAt.toISOString(),
    timeZone,
    label: describeInstant(row.b.startsAt, timeZone),
    holdExpiresAt: row.b.holdExpiresAt?.toISOString() ?? null,
  };
}

/** Resources to try for a start, in order: the one named, else each one free then. */
async function candidates(ex: Executor, ctx: Ctx, q: z.infer<typeof BookInput>, start: Date, now: Date, exceptBookingId?: string) {
  const bc = await loadBookingContext(ex, ctx.businessId);
  const service = await loadService(ex, ctx.businessId, q.serviceId);
  const staffOverride = q.anyTime === true && ctx.actor.type === "member";
  if (staffOverride) {
    if (!q.resourceId) throw new AppError("bad_request", "Choose who or what is booked.");
    const [r] = await ex.select({ id: bookingResources.id }).from(bookingResources).where(and(eq(bookingResources.businessId, ctx.businessId), eq(bookingResources.id, q.resourceId)));
    if (!r) throw new AppError("not_found", "That resource was not found.");
    return { bc, service, resourceIds: [r.id] };
  }
  const date = localDateOf(start, bc.timeZone);
  const { slots, taken } = await slotsFor(ex, ctx.businessId, { serviceId: q.serviceId, date, resourceId: q.resourceId }, now, exceptBookingId);
  const resourceIds = slots.filter((s) => s.start.getTime() === start.getTime()).map((s) => s.resourceId);
  if (!resourceIds.length) {
    if (taken().some((s) => s.start.getTime() === start.getTime())) throw new AppError("conflict", TAKEN_MESSAGE);
    throw new AppError("conflict", `${describeInstant(start, bc.timeZone)} is not available. Please choose one of the offered times.`);
  }
  return { bc, service, resourceIds };
}

/**
 * Holds (status held, expiring after the business's hold time) or books (confirmed) a start. Tries
 * each free resource in turn; when every one was taken meanwhile, the answer is a 409 with TAKEN_MESSAGE.
 */
async function place(ctx: Ctx, input: unknown, status: "held" | "confirmed", opts: Opts): Promise<BookingView> {
  const q = BookInput.parse(input);
  const customerId = actingCustomer(ctx, q.customerId);
  const start = new Date(q.start);
  const now = opts.now ?? new Date();
  const plan = await run(ctx, async (tx) => {
    const [c] = await tx.select({ id: customers.id }).from(customers).where(and(eq(customers.businessId, ctx.businessId), eq(customers.id, customerId)));
    if (!c) throw new AppError("not_found", "That customer was not found.");
    return candidates(tx, ctx, q, start, now);
  });
  const end = new Date(start.getTime() + plan.service.durationMinutes * MINUTE_MS);
  const spanEnd = new Date(end.getTime() + plan.service.bufferMinutes * MINUTE_MS);
  for (const resourceId of plan.resourceIds) {
    try {
      const id = await run(ctx, async (tx) => {
        await freeExpiredHolds(tx, ctx.businessId, resourceId, start, spanEnd, now);
        const [row] = await tx
          .insert(bookings)
          .values({
            businessId: ctx.businessId,
            customerId,
            serviceId: plan.service.id,
            resourceId,
            during: sql`tstzrange(${start.toISOString()}::timestamptz, ${spanEnd.toISOString()}::timestamptz, '[)')`,
            startsAt: start,
            endsAt: end,
            status,
            holdExpiresAt: status === "held" ? new Date(now.getTime() + plan.bc.settings.holdMinutes * MINUTE_MS) : null,
            channelId: q.channelId ?? null,
            conversationId: q.conversationId ?? null,
            source: ctx.actor.type === "member" ? "staff" : ctx.actor.type === "api_key" ? "api" : "ai",
            notes: q.notes ?? null,
          })
          .returning({ id: bookings.id });
        return row!.id;
      });
      return run(ctx, (tx) => bookingView(tx, ctx.businessId, id, plan.bc.timeZone));
    } catch (err) {
      if (!isExclusionViolation(err)) throw err;
    }
  }
  throw new AppError("conflict", TAKEN_MESSAGE);
}

/** Holds past their expiry stop counting, so the exclusion constraint lets a new booking take the time. */
async function freeExpiredHolds(ex: Executor, businessId: string, resourceId: string, start: Date, end: Date, now: Date) {
  await ex
    .update(bookings)
    .set({ status: "expired", updatedAt: now })
    .where(
      and(
        eq(bookings.businessId, businessId),
        eq(bookings.resourceId, resourceId),
        eq(bookings.status, "held"),
        sql`${bookings.holdExpiresAt} <= ${now.toISOString()}::timestamptz`,
        sql`${bookings.during} && tstzrange(${start.toISOString()}::timestamptz, ${end.toISOString()}::timestamptz, '[)')`,
      ),
    );
}

/** Keeps the time for the customer while they confirm; it frees itself after the hold time. */
export function holdSlot({ ctx, input }: { ctx: Ctx; input: unknown }, opts: Opts = {}) {
  return place(ctx, input, "held", opts);
}

/** Books the time outright (staff by hand, or a customer who has already said yes). */
export function book({ ctx, input }: { ctx: Ctx; input: unknown }, opts: Opts = {}) {
  return place(ctx, input, "confirmed", opts);
}

const BookingRef = z.object({ bookingId: z.uuid("Choose a booking") });

/** The booking, checked to be the acting customer's own when a customer acts. */
async function ownBooking(tx: Tx, ctx: Ctx, bookingId: string) {
  const [row] = await tx.select().from(bookings).where(and(eq(bookings.businessId, ctx.businessId), eq(bookings.id, bookingId)));
  if (!row || (ctx.actor.type === "customer" && row.customerId !== ctx.actor.customerId)) throw new AppError("not_found", "That booking was not found.");
  return row;
}

/** A held slot becomes a booking, if the hold has not run out. */
export async function confirmBooking({ ctx, input }: { ctx: Ctx; input: unknown }, opts: Opts = {}) {
  const { bookingId } = BookingRef.parse(input);
  const now = opts.now ?? new Date();
  return run(ctx, async (tx) => {
    const row = await ownBooking(tx, ctx, bookingId);
    const bc = await loadBookingContext(tx, ctx.businessId);
    if (row.status === "confirmed") return bookingView(tx, ctx.businessId, row.id, bc.timeZone);
    if (row.status !== "held" || !row.holdExpiresAt || row.holdExpiresAt <= now) {
      throw new AppError("conflict", "That hold has run out and the time may have gone. Please choose a time again.");
    }
    await tx.update(bookings).set({ status: "confirmed", holdExpiresAt: null, updatedAt: now }).where(and(eq(bookings.businessId, ctx.businessId), eq(bookings.id, row.id)));
    return bookingView(tx, ctx.businessId, row.id, bc.timeZone);
  });
}

export const RescheduleInput = z.object({
  bookingId: z.uuid("Choose a booking"),
  start: z.iso.datetime({ offset: true, message: "Give the new start as an ISO date and time" }),
  resourceId: z.uuid().optional(),
  anyTime: z.boolean().optional(),
});

/** Moves a live booking; when the new time was taken meanwhile, the booking stays where it was. */
export async function reschedule({ ctx, input }: { ctx: Ctx; input: unknown }, opts: Opts = {}) {
  const q = RescheduleInput.parse(input);
  const now = opts.now ?? new Date();
  const start = new Date(q.start);
  const plan = await run(ctx, async (tx) => {
    const row = await ownBooking(tx, ctx, q.bookingId);
    if (row.status !== "confirmed" && row.status !== "held") throw new AppError("conflict", "Only a live booking can be moved.");
    const c = await candidates(tx, ctx, { serviceId: row.serviceId, start: q.start, resourceId: q.resourceId, anyTime: q.anyTime }, start, now, row.id);
    // the same resource first, so a move keeps the person the customer was seeing when it can
    c.resourceIds.sort((a, b) => Number(b === row.resourceId) - Number(a === row.resourceId));
    return { row, ...c };
  });
  const end = new Date(start.getTime() + plan.service.durationMinutes * MINUTE_MS);
  const spanEnd = new Date(end.getTime() + plan.service.bufferMinutes * MINUTE_MS);
  for (const resourceId of plan.resourceIds) {
    try {
      await run(ctx, async (tx) => {
        await freeExpiredHolds(tx, ctx.businessId, resourceId, start, spanEnd, now);
        await tx
          .update(bookings)
          .set({
            resourceId,
            during: sql`tstzrange(${start.toISOString()}::timestamptz, ${spanEnd.toISOString()}::timestamptz, '[)')`,
            startsAt: start,
            endsAt: end,
            remindersSent: [],
            updatedAt: now,
          })
          .where(and(eq(bookings.businessId, ctx.businessId), eq(bookings.id, plan.row.id)));
      });
      return run(ctx, (tx) => bookingView(tx, ctx.businessId, plan.row.id, plan.bc.timeZone));
    } catch (err) {
      if (!isExclusionViolation(err)) throw err;
    }
  }
  throw new AppError("conflict", TAKEN_MESSAGE);
}

/** Cancels a live booking; the time is free again at once. */
export async function cancelBooking({ ctx, input }: { ctx: Ctx; input: unknown }, opts: Opts = {}) {
  const { bookingId } = BookingRef.parse(input);
  const now = opts.now ?? new Date();
  return run(ctx, async (tx) => {
    const row = await ownBooking(tx, ctx, bookingId);
    if (row.status !== "confirmed" && row.status !== "held") throw new AppError("conflict", "That booking is not live any more.");
    await tx.update(bookings).set({ status: "cancelled", holdExpiresAt: null, updatedAt: now }).where(and(eq(bookings.businessId, ctx.businessId), eq(bookings.id, row.id)));
    const bc = await loadBookingContext(tx, ctx.businessId);
    return bookingView(tx, ctx.businessId, row.id, bc.timeZone);
  });
}

/** Staff mark a confirmed booking whose time has begun as a no-show. */
export async function markNoShow({ ctx, input }: { ctx: Ctx; input: unknown }, opts: Opts = {}) {
  requireMember(ctx);
  const { bookingId } = BookingRef.parse(input);
  const now = opts.now ?? new Date();
  return run(ctx, async (tx) => {
    const row = await ownBooking(tx, ctx, bookingId);
    if (row.status !== "confirmed") throw new AppError("conflict", "Only a confirmed booking can be marked as a no-show.");
    if (row.startsAt > now) throw new AppError("conflict", "A booking can be marked as a no-show once its time has begun.");
    await tx.update(bookings).set({ status: "no_show", updatedAt: now }).where(and(eq(bookings.businessId, ctx.businessId), eq(bookings.id, row.id)));
    const bc = await loadBookingContext(tx, ctx.businessId);
    return bookingView(tx, ctx.businessId, row.id, bc.timeZone);
  });
}

/**
 * A customer's live bookings from now on, found by who they are (the customer record every channel
 * and merged identity resolves to), never by an email typed again.
 */
export async function customerBookings({ ctx, input }: { ctx: Ctx; input?: { customerId?: string } }, opts: Opts = {}): Promise<BookingView[]> {
  const customerId = actingCustomer(ctx, input?.customerId);
  const now = opts.now ?? new Date();
  return run(ctx, async (tx) => {
    const bc = await loadBookingContext(tx, ctx.businessId);
    const ids = await tx
      .select({ id: bookings.id })
      .from(bookings)
      .where(
        and(
          eq(bookings.businessId, ctx.businessId),
          eq(bookings.customerId, customerId),
          gt(bookings.endsAt, now),
          sql`(${bookings.status} = 'confirmed' or (${bookings.status} = 'held' and ${bookings.holdExpiresAt} > ${now.toISOString()}::timestamptz))`,
        ),
      )
      .orderBy(asc(bookings.startsAt));
    const out: BookingView[] = [];
    for (const { id } of ids) out.push(await bookingView(tx, ctx.businessId, id, bc.timeZone));
    return out;
  });
}

/** Job: holds past their expiry become expired (slot finding and booking already ignore them). */
export async function expireHolds(now: Date = new Date()): Promise<number> {
  return withService(async (tx) => {
    const rows = await tx
      .update(bookings)
      .set({ status: "expired", updatedAt: now })
      .where(and(eq(bookings.status, "held"), sql`${bookings.holdExpiresAt} <= ${now.toISOString()}::timestamptz`))
      .returning({ id: bookings.id });
    return rows.length;
  });
}
