// Dates from outside: ISO 8601 within 2000–2100 from people and clients (anything else a 400 that
// says what is expected); providers' Unix times read leniently, falling back to the receive time.
import { parseQueryDate, providerTime, QueryDate, readDate } from "@/lib/validation/dates";

describe("dates people and clients send", () => {
  it("reads ISO 8601 dates and times within 2000–2100", () => {
    expect(readDate("2026-01-31")?.toISOString()).toBe("2026-01-31T00:00:00.000Z");
    expect(readDate("2026-01-31T09:30:00.123Z")?.toISOString()).toBe("2026-01-31T09:30:00.123Z");
    expect(readDate("2026-01-31T09:30:00+02:00")?.toISOString()).toBe("2026-01-31T07:30:00.000Z");
    expect(readDate(" 2000-01-01T00:00:00Z ")?.toISOString()).toBe("2000-01-01T00:00:00.000Z");
  });

  it("refuses what JavaScript would read but PostgreSQL cannot store, and what is no date at all", () => {
    for (const bad of ["0000-01-01", "1999-12-31T23:59:59Z", "2100-01-01", "+275760-09-13T00:00:00Z", "-000001-01-01T00:00:00Z", "99999", "1", "' OR 1=1", "", "2026-13-45", "Tue, 03 Mar 2026 10:00:00 GMT"]) {
      expect([bad, readDate(bad)]).toEqual([bad, null]);
    }
  });

  it("a bad one is a 400 naming the field and the rule", () => {
    expect(() => parseQueryDate("0000-01-01", "after")).toThrow(expect.objectContaining({ status: 400, message: "after must be a date between 2000 and 2100 in ISO 8601, e.g. 2026-01-31T09:30:00Z." }));
    expect(QueryDate.safeParse("99999").error?.issues[0]?.message).toBe("must be a date between 2000 and 2100 in ISO 8601, e.g. 2026-01-31T09:30:00Z");
    expect(QueryDate.parse("2026-02-01")).toEqual(new Date("2026-02-01T00:00:00Z"));
  });
});

describe("providers' timestamps", () => {
  const received = new Date("2026-05-01T12:00:00Z");

  it("reads Unix seconds or milliseconds, as numbers or digits", () => {
    expect(providerTime(1741004520, "s", received)?.toISOString()).toBe("2025-03-03T12:22:00.000Z");
    expect(providerTime("1741004520", "s", received)?.toISOString()).toBe("2025-03-03T12:22:00.000Z");
    expect(providerTime(1741004520123, "ms", received)?.toISOString()).toBe("2025-03-03T12:22:00.123Z");
  });

  it("falls back to the receive time for one that is there but no time, and is null when absent", () => {
    for (const bad of ["' OR 1=1", 1e17, -1, 0, "99999999999999", "1e3", {}, [], true, Number.NaN]) expect(providerTime(bad, "s", received)).toBe(received);
    expect(providerTime(undefined, "s", received)).toBeNull();
    expect(providerTime(null, "ms", received)).toBeNull();
    expect(providerTime("", "ms", received)).toBeNull();
  });
});
