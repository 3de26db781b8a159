// The calendar's verbs on both engines: who may do what, local times in the business's zone (the
// hour the clocks skip is refused with a message), blocked time, and another business's ids refused.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);
jest.mock("next/cache", () => ({ revalidatePath: jest.fn() }));
import { renderToString } from "react-dom/server";
import { eq } from "drizzle-orm";
import CalendarPage from "@/app/(dashboard)/[business]/calendar/page";
import { GET as feedRoute } from "@/app/api/calendar/[business]/[token]/route";
import { disableIcsFeed, enableIcsFeed } from "@/lib/booking/ics";
import { signInAs } from "../../helpers/session";
import { closeDb, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { findSlots } from "@/lib/booking/bookings";
import { addBookingByHand, blockTime, calendarView, moveBookingByHand, saveBookingSettings, saveResource, saveService, setBookingStatus, unblockTime } from "@/lib/booking/setup";
import { AppError } from "@/lib/errors";
import type { MemberCtx } from "@/lib/services/context";
import { useTestDb } from "../../helpers/db";
import { makeTwoTenants } from "../../helpers/fixtures";

let cast: Awaited<ReturnType<typeof makeTwoTenants>>;
let owner: MemberCtx;
let agent: MemberCtx;
let stranger: MemberCtx;

async function refusal(p: Promise<unknown>): Promise<[number, string]> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return [err.status, err.message];
    if (err && typeof err === "object" && "issues" in err) return [400, (err as { issues: { message: string }[] }).issues[0]!.message];
    throw err;
  }
  throw new Error("expected a refusal");
}

beforeAll(async () => {
  await useTestDb();
  cast = await withService((tx) => makeTwoTenants(tx));
  await withService(async (tx) => {
    await tx.update(s.businesses).set({ timeZone: "America/New_York" }).where(eq(s.businesses.id, cast.a.businessId));
    // the fixture's room (every service, the business's hours) is not part of these tests
    await tx.update(s.bookingResources).set({ active: false }).where(eq(s.bookingResources.id, cast.a.bookingResourceId));
  });
  owner = { businessId: cast.a.businessId, actor: { type: "member", userId: cast.alice.id, role: "owner" } };
  agent = { businessId: cast.a.businessId, actor: { type: "member", userId: cast.carol.id, role: "agent" } };
  stranger = { businessId: cast.b.businessId, actor: { type: "member", userId: cast.bob.id, role: "owner" } };
});

afterAll(() => closeDb());

describe("set-up", () => {
  let serviceId: string;
  let resourceId: string;

  it("owners add services and people with working hours; agents may not", async () => {
    serviceId = (await saveService({ ctx: owner, input: { service: { name: "Massage", durationMinutes: "60", bufferMinutes: "15", price: "70" } } })).id;
    resourceId = (await saveResource({ ctx: owner, input: { resource: { name: "Alex", serviceIds: [serviceId], hours: [{ weekday: 0, opens: "09:00", closes: "12:00" }] } } })).id;
    expect(await refusal(saveService({ ctx: agent, input: { service: { name: "Sneaky", durationMinutes: 30 } } }))).toEqual([403, "Only owner or admins can do this."]);
    expect(await refusal(saveBookingSettings({ ctx: agent, input: { leadMinutes: 0, horizonDays: 30, holdMinutes: 5, slotStepMinutes: 15 } }))).toEqual([403, "Only owner or admins can do this."]);
    // Monday 8 March 2027, before New York's clocks change: 09:00 and 10:15 (60 min + 15 min buffer)
    await saveBookingSettings({ ctx: owner, input: { leadMinutes: 0, horizonDays: 365, holdMinutes: 5, slotStepMinutes: 75, reminderOffsets: [120, 1440, 120] } });
    const slots = await findSlots({ ctx: owner, input: { serviceId, date: "2027-03-08" } }, { now: new Date("2027-03-01T00:00:00Z") });
    expect(slots.slots.map((x) => x.start)).toEqual(["2027-03-08T14:00:00.000Z", "2027-03-08T15:15:00.000Z"]);
  });

  it("bad input gets a message a person can act on", async () => {
    expect(await refusal(saveService({ ctx: owner, input: { service: { name: "", durationMinutes: 30 } } }))).toEqual([400, "Name the service"]);
    expect(await refusal(saveService({ ctx: owner, input: { service: { name: "Tiny", durationMinutes: 2 } } }))).toEqual([400, "At least 5 minutes"]);
    expect(await refusal(saveResource({ ctx: owner, input: { resource: { name: "X", hours: [{ weekday: 1, opens: "17:00", closes: "09:00" }] } } }))).toEqual([400, "Each day's closing time must be after its opening time"]);
    expect(await refusal(saveResource({ ctx: owner, input: { resource: { name: "X", serviceIds: [cast.b.bookingServiceId] } } }))).toEqual([404, "One of those services was not found."]);
  });

  it("staff book by hand in the business's local time; the hour the clocks skip is refused; never over another booking", async () => {
    const input = { serviceId, resourceId, customerId: cast.a.customerId };
    const made = await addBookingByHand({ ctx: agent, input: { ...input, date: "2027-03-15", time: "09:00" } });
    // after the change New York is UTC−4
    expect([made.start, made.label]).toEqual(["2027-03-15T13:00:00.000Z", "Monday, 15 March 2027 at 09:00 (Eastern Daylight Time, America/New_York)"]);
    expect(await refusal(addBookingByHand({ ctx: agent, input: { ...input, date: "2027-03-14", time: "02:30" } }))).toEqual([
      400,
      "02:30 does not exist on 2027-03-14 in America/New_York (the clocks go forward).",
    ]);
    expect(await refusal(addBookingByHand({ ctx: owner, input: { ...input, date: "2027-03-15", time: "09:30" } }))).toEqual([409, "Sorry, that time was just taken. Please choose another time."]);
    const moved = await moveBookingByHand({ ctx: agent, input: { bookingId: made.id, resourceId, date: "2027-03-15", time: "18:00" } });
    expect(moved.start).toBe("2027-03-15T22:00:00.000Z");
    const week = await calendarView({ ctx: agent, input: { view: "week", date: "2027-03-17" } });
    expect(week.days).toEqual(["2027-03-15", "2027-03-16", "2027-03-17", "2027-03-18", "2027-03-19", "2027-03-20", "2027-03-21"]);
    expect(week.canManage).toBe(false);
    expect(week.bookings.map((b) => [b.date, b.from, b.to, b.serviceName, b.status])).toEqual([["2027-03-15", "18:00", "19:00", "Massage", "confirmed"]]);
    expect((await setBookingStatus({ ctx: agent, input: { bookingId: made.id, status: "cancelled" } })).status).toBe("cancelled");
  });

  it("blocked time takes the times off what customers are offered; a closure for everyone is for managers", async () => {
    const now = { now: new Date("2027-03-01T00:00:00Z") };
    const { id } = await blockTime({ ctx: agent, input: { resourceId, date: "2027-03-22", from: "09:00", to: "10:00", reason: "Training" } });
    expect((await findSlots({ ctx: owner, input: { serviceId, date: "2027-03-22" } }, now)).slots.map((x) => x.start)).toEqual(["2027-03-22T14:15:00.000Z"]);
    expect(await refusal(blockTime({ ctx: agent, input: { date: "2027-03-29", from: "00:00", to: "24:00" } }))).toEqual([403, "Only owner or admins can do this."]);
    await blockTime({ ctx: owner, input: { date: "2027-03-29", from: "00:00", to: "24:00", reason: "Holiday" } });
    expect((await findSlots({ ctx: owner, input: { serviceId, date: "2027-03-29" } }, now)).slots).toEqual([]);
    expect(await refusal(blockTime({ ctx: agent, input: { resourceId, date: "2027-03-22", from: "10:00", to: "09:00" } }))).toEqual([400, "The end must be after the start"]);
    await unblockTime({ ctx: agent, input: { closureId: id } });
    expect((await findSlots({ ctx: owner, input: { serviceId, date: "2027-03-22" } }, now)).slots).toHaveLength(2);
  });

  it("another business's ids are refused as not found", async () => {
    expect(await refusal(saveService({ ctx: stranger, input: { id: serviceId, service: { name: "Mine now", durationMinutes: 30 } } }))).toEqual([404, "That service was not found."]);
    expect(await refusal(blockTime({ ctx: stranger, input: { resourceId, date: "2027-03-22", from: "09:00", to: "10:00" } }))).toEqual([404, "That resource was not found."]);
    expect(await refusal(setBookingStatus({ ctx: stranger, input: { bookingId: cast.a.bookingId, status: "cancelled" } }))).toEqual([404, "That booking was not found."]);
    expect(await refusal(addBookingByHand({ ctx: stranger, input: { serviceId, resourceId, customerId: cast.a.customerId, date: "2027-03-22", time: "09:00" } }))).toEqual([404, "That customer was not found."]);
  });
});

describe("the Calendar page", () => {
  const render = async (searchParams: Record<string, string>) =>
    renderToString(await CalendarPage({ params: Promise.resolve({ business: "tenant-a" }), searchParams: Promise.resolve(searchParams) })).replaceAll("<!-- -->", "");

  it("shows a week of bookings per resource; managers see the set-up, agents do not", async () => {
    const ctx = owner;
    const input = { serviceId: (await calendarView({ ctx, input: {} })).services.find((x) => x.name === "Massage")!.id, customerId: cast.a.customerId };
    const resourceId = (await calendarView({ ctx, input: {} })).resources.find((r) => r.name === "Alex")!.id;
    await addBookingByHand({ ctx, input: { ...input, resourceId, date: "2027-04-05", time: "11:00" } });
    await signInAs("alice@a.test");
    const html = await render({ view: "week", date: "2027-04-07" });
    expect(html).toContain("Week of 2027-04-05");
    expect(html).toContain("11:00–12:00");
    expect(html).toContain("Massage · Customer of tenant-a");
    expect(html).toContain("Set-up");
    expect(html).toContain("America/New_York");
    await signInAs("carol@a.test");
    const agentHtml = await render({ view: "day", date: "2027-04-05" });
    expect(agentHtml).toContain("11:00–12:00");
    expect(agentHtml).not.toContain("Set-up");
  });

  it("a malformed day in the address says so and shows this week", async () => {
    await signInAs("alice@a.test");
    expect(await render({ date: "5 April" })).toContain("That address is not a calendar day: date: Give the day as YYYY-MM-DD");
  });
});

describe("the .ics feed", () => {
  const get = (url: string) => {
    const [, business, token] = /\/api\/calendar\/([^/]+)\/([^/]+)$/.exec(new URL(url).pathname)!;
    return feedRoute(new Request(url), { params: Promise.resolve({ business: business!, token: token! }) });
  };

  it("owners turn it on; the secret address serves the confirmed bookings; a new address retires the old; off is off", async () => {
    expect(await refusal(enableIcsFeed({ ctx: agent }))).toEqual([403, "Only owner or admins can do this."]);
    const { url } = await enableIcsFeed({ ctx: owner });
    expect(url).toMatch(/\/api\/calendar\/tenant-a\/[A-Za-z0-9_-]{32}\.ics$/);
    const res = await get(url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    const text = await res.text();
    expect(text).toContain("BEGIN:VCALENDAR");
    expect(text).toContain("X-WR-CALNAME:Biz tenant-a bookings");
    // the Massage booked by hand on Monday 5 April 2027 at 11:00 in New York (15:00 UTC)
    expect(text).toContain("DTSTART:20270405T150000Z");
    expect(text).toContain("SUMMARY:Massage: Customer of tenant-a");
    // a cancelled booking is not in the feed
    expect(text).not.toContain("20270315T220000Z");
    expect((await get(url.replace(/[A-Za-z0-9_-]{32}\.ics$/, "x".repeat(32) + ".ics"))).status).toBe(404);
    expect((await get(url.replace("/tenant-a/", "/tenant-b/"))).status).toBe(404);
    const second = await enableIcsFeed({ ctx: owner });
    expect((await get(url)).status).toBe(404);
    expect((await get(second.url)).status).toBe(200);
    await disableIcsFeed({ ctx: owner });
    expect((await get(second.url)).status).toBe(404);
  });
});
