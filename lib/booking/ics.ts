import "server-only";
// The business's bookings as an iCalendar feed at a secret address, for Google Calendar or Outlook to
// subscribe to. Only a keyed hash of the secret is stored; a request's secret is compared in constant
// time. Turning the feed on again makes a new address and the old one stops working.
import crypto from "node:crypto";
import { and, asc, eq, gte, inArray, lte } from "drizzle-orm";
import { createEvents, type EventAttributes } from "ics";
import { withService, withTenant } from "@/lib/db/client";
import { bookingResources, bookingServices, bookingSettings, bookings, businesses, customers } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { newToken, tokenHash } from "@/lib/security/crypto";
import { MANAGERS, requireRole, type Ctx } from "@/lib/services/context";

const DAY_MS = 86_400_000;
/** What the feed holds: the last month and the next year. */
const PAST_DAYS = 30;
const FUTURE_DAYS = 366;

export const feedUrl = (slug: string, token: string) => `${env().appUrl}/api/calendar/${slug}/${token}.ics`;

/** Turns the feed on (or gives it a new address); the address is shown once. */
export async function enableIcsFeed({ ctx }: { ctx: Ctx }): Promise<{ url: string }> {
  requireRole(ctx, MANAGERS);
  const { token, hash } = newToken();
  const slug = await withTenant(ctx.actor.userId, async (tx) => {
    const [b] = await tx.select({ slug: businesses.slug }).from(businesses).where(eq(businesses.id, ctx.businessId));
    if (!b) throw new AppError("not_found", "Business not found.");
    await tx
      .insert(bookingSettings)
      .values({ businessId: ctx.businessId, icsTokenHash: hash })
      .onConflictDoUpdate({ target: bookingSettings.businessId, set: { icsTokenHash: hash, updatedAt: new Date() } });
    return b.slug;
  });
  return { url: feedUrl(slug, token) };
}

export async function disableIcsFeed({ ctx }: { ctx: Ctx }): Promise<void> {
  requireRole(ctx, MANAGERS);
  await withTenant(ctx.actor.userId, (tx) => tx.update(bookingSettings).set({ icsTokenHash: null, updatedAt: new Date() }).where(eq(bookingSettings.businessId, ctx.businessId)));
}

function sameSecret(stored: string, given: string): boolean {
  const a = Buffer.from(stored);
  const b = Buffer.from(tokenHash(given));
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** The feed's text, or null (→ 404) for an unknown business, a feed that is off or a wrong secret. */
export async function icsFeed(slug: string, token: string, now: Date = new Date()): Promise<string | null> {
  const secret = token.replace(/\.ics$/, "");
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(secret) || slug.length > 100) return null;
  return withService(async (tx) => {
    const [b] = await tx
      .select({ id: businesses.id, name: businesses.name, hash: bookingSettings.icsTokenHash })
      .from(businesses)
      .innerJoin(bookingSettings, eq(bookingSettings.businessId, businesses.id))
      .where(eq(businesses.slug, slug));
    if (!b?.hash || !sameSecret(b.hash, secret)) return null;
    const rows = await tx
      .select({ b: bookings, service: bookingServices.name, resource: bookingResources.name, customer: customers.name })
      .from(bookings)
      .innerJoin(bookingServices, eq(bookingServices.id, bookings.serviceId))
      .innerJoin(bookingResources, eq(bookingResources.id, bookings.resourceId))
      .innerJoin(customers, eq(customers.id, bookings.customerId))
      .where(
        and(
          eq(bookings.businessId, b.id),
          inArray(bookings.status, ["confirmed", "no_show"]),
          gte(bookings.startsAt, new Date(now.getTime() - PAST_DAYS * DAY_MS)),
          lte(bookings.startsAt, new Date(now.getTime() + FUTURE_DAYS * DAY_MS)),
        ),
      )
      .orderBy(asc(bookings.startsAt))
      .limit(5000);
    const events: EventAttributes[] = rows.map((r) => ({
      uid: `${r.b.id}@prismai`,
      start: r.b.startsAt.getTime(),
      end: r.b.endsAt.getTime(),
      startInputType: "utc",
      startOutputType: "utc",
      endInputType: "utc",
      endOutputType: "utc",
      title: `${r.service}: ${r.customer ?? "Customer"}`,
      description: `${r.service} with ${r.resource}${r.b.status === "no_show" ? " (no-show)" : ""}${r.b.notes ? `\n${r.b.notes}` : ""}`,
      location: r.resource,
      status: "CONFIRMED",
      busyStatus: "BUSY",
      lastModified: r.b.updatedAt.getTime(),
    }));
    const { error, value } = createEvents(events, { productId: "prismai/bookings", calName: `${b.name} bookings` });
    if (error || value === null) throw error ?? new Error("The calendar feed could not be written.");
    return value;
  });
}
