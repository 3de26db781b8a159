// Local days and times in a business's time zone at a fixed clock: daylight-saving changes, slots
// across time zones, and the days customers name in words.
import { parseWhen } from "@/lib/booking/dates";
import { computeSlots, distinctStarts, type SlotQuery } from "@/lib/booking/slots";
import { addDays, describeInstant, weekdayOf, zonedInstant } from "@/lib/booking/time";

const iso = (d: Date | null) => d?.toISOString() ?? null;

describe("wall-clock times across daylight-saving changes", () => {
  it("London: 09:00 is 09:00Z in winter and 08:00Z in summer; 01:30 on the spring-forward day does not exist", () => {
    expect(iso(zonedInstant("2027-03-27", 540, "Europe/London"))).toBe("2027-03-27T09:00:00.000Z");
    expect(iso(zonedInstant("2027-03-28", 540, "Europe/London"))).toBe("2027-03-28T08:00:00.000Z");
    expect(zonedInstant("2027-03-28", 90, "Europe/London")).toBeNull();
    expect(iso(zonedInstant("2027-03-28", 1440, "Europe/London"))).toBe("2027-03-28T23:00:00.000Z");
  });

  it("New York falls back on 7 November 2027: the same 09:00 moves from 13:00Z to 14:00Z", () => {
    expect(iso(zonedInstant("2027-11-06", 540, "America/New_York"))).toBe("2027-11-06T13:00:00.000Z");
    expect(iso(zonedInstant("2027-11-07", 540, "America/New_York"))).toBe("2027-11-07T14:00:00.000Z");
  });

  it("calendar arithmetic and weekdays do not drift with the clocks", () => {
    expect(addDays("2027-03-27", 1)).toBe("2027-03-28");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(weekdayOf("2026-12-07")).toBe(0); // a Monday
    expect(weekdayOf("2027-03-28")).toBe(6); // a Sunday
  });

  it("read-backs write out the date, the time and the time zone", () => {
    expect(describeInstant(new Date("2027-03-28T08:00:00Z"), "Europe/London")).toBe("Sunday, 28 March 2027 at 09:00 (British Summer Time, Europe/London)");
    expect(describeInstant(new Date("2026-12-08T15:00:00Z"), "Asia/Tokyo")).toBe("Wednesday, 9 December 2026 at 00:00 (Japan Standard Time, Asia/Tokyo)");
  });
});

const base = (over: Partial<SlotQuery>): SlotQuery => ({
  date: "2026-12-08",
  timeZone: "Europe/London",
  durationMinutes: 30,
  bufferMinutes: 0,
  stepMinutes: 30,
  leadMinutes: 0,
  horizonDays: 60,
  businessHours: [0, 1, 2, 3, 4, 5, 6].map((d) => (d < 5 ? [{ opens: 540, closes: 1020 }] : [])),
  closed: [],
  resources: [{ id: "r1", name: "Ann", hours: null, busy: [] }],
  now: new Date("2026-12-07T08:00:00Z"),
  ...over,
});

describe("slots", () => {
  it("the same opening hours give different instants in different time zones", () => {
    const first = (timeZone: string) => iso(computeSlots(base({ timeZone }))[0]!.start);
    expect(first("Europe/London")).toBe("2026-12-08T09:00:00.000Z");
    expect(first("Asia/Tokyo")).toBe("2026-12-08T00:00:00.000Z");
    expect(first("America/Los_Angeles")).toBe("2026-12-08T17:00:00.000Z");
    expect(computeSlots(base({}))).toHaveLength(16);
  });

  it("on the night the clocks go forward, the skipped hour offers nothing and every slot is thirty real minutes", () => {
    const night = [{ opens: 0, closes: 240 }];
    const slots = computeSlots(base({ date: "2027-03-28", resources: [{ id: "desk", name: "Night desk", hours: [[], [], [], [], [], [], night], busy: [] }], now: new Date("2027-03-20T00:00:00Z") }));
    expect(slots.map((x) => iso(x.start))).toEqual([
      "2027-03-28T00:00:00.000Z", // 00:00 GMT
      "2027-03-28T00:30:00.000Z",
      "2027-03-28T01:00:00.000Z", // 02:00 BST
      "2027-03-28T01:30:00.000Z",
      "2027-03-28T02:00:00.000Z",
      "2027-03-28T02:30:00.000Z",
    ]);
    expect(slots.every((x) => x.end.getTime() - x.start.getTime() === 30 * 60_000)).toBe(true);
  });

  it("on the night the clocks go back, no two offered slots overlap and none ends after closing", () => {
    const night = [{ opens: 0, closes: 240 }];
    const slots = computeSlots(base({ date: "2027-10-31", resources: [{ id: "desk", name: "Night desk", hours: [[], [], [], [], [], [], night], busy: [] }], now: new Date("2027-10-20T00:00:00Z") }));
    const starts = slots.map((x) => x.start.getTime()).sort((a, b) => a - b);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(30 * 60_000);
    expect(Math.max(...slots.map((x) => x.end.getTime()))).toBeLessThanOrEqual(Date.parse("2027-10-31T04:00:00Z"));
  });

  it("buffers, bookings, time off, a part of the day and a second resource", () => {
    const busy = [{ start: Date.parse("2026-12-08T10:00:00Z"), end: Date.parse("2026-12-08T11:00:00Z") }];
    const slots = computeSlots(
      base({
        bufferMinutes: 15,
        window: { from: 540, to: 720 },
        resources: [
          { id: "r1", name: "Ann", hours: null, busy },
          { id: "r2", name: "Bob", hours: [[], [{ opens: 600, closes: 660 }], [], [], [], [], []], busy: [] },
        ],
      }),
    );
    // Ann: 09:00 (its buffer ends 09:45), 09:30 would run into the 10:00 booking with its buffer; free again from 11:00
    expect(slots.filter((x) => x.resourceId === "r1").map((x) => iso(x.start))).toEqual([
      "2026-12-08T09:00:00.000Z",
      "2026-12-08T11:00:00.000Z",
      "2026-12-08T11:30:00.000Z",
    ]);
    expect(slots.filter((x) => x.resourceId === "r2").map((x) => iso(x.start))).toEqual(["2026-12-08T10:00:00.000Z", "2026-12-08T10:30:00.000Z"]);
    expect(distinctStarts(slots)).toHaveLength(5);
  });
});

describe("days in words", () => {
  // Monday 7 December 2026, 08:00 in London
  const now = new Date("2026-12-07T08:00:00Z");

  it.each([
    ["tomorrow at 10", { date: "2026-12-08", minute: 600 }],
    ["can I come tomorrow at 3?", { date: "2026-12-08", minute: 900 }],
    ["next Tuesday afternoon", { date: "2026-12-15", window: { from: 720, to: 1020 } }],
    ["on the 14th", { date: "2026-12-14" }],
    ["is the 3rd possible", { date: "2027-01-03" }],
    ["Friday morning please", { date: "2026-12-11", window: { from: 0, to: 720 } }],
    ["14/12 at 9:30", { date: "2026-12-14", minute: 570 }],
  ])("%s", (text, expected) => {
    const when = parseWhen(text, now, "Europe/London");
    expect(when).toMatchObject(expected);
    if (!("minute" in expected)) expect(when!.minute).toBeUndefined();
  });

  it("'tomorrow' is the business's tomorrow: late evening in Los Angeles is already the next day in Tokyo", () => {
    const evening = new Date("2026-12-08T06:30:00Z"); // 22:30 on the 7th in Los Angeles, 15:30 on the 8th in Tokyo
    expect(parseWhen("tomorrow", evening, "America/Los_Angeles")!.date).toBe("2026-12-08");
    expect(parseWhen("tomorrow", evening, "Asia/Tokyo")!.date).toBe("2026-12-09");
  });

  it("month-first in the Americas, day-first elsewhere", () => {
    expect(parseWhen("12/14 at 10am", now, "America/New_York")!.date).toBe("2026-12-14");
    expect(parseWhen("14/12 at 10am", now, "Europe/Paris")!.date).toBe("2026-12-14");
  });

  it("no day named: null", () => {
    expect(parseWhen("I'd like a haircut", now, "Europe/London")).toBeNull();
  });
});
