import { monthPeriod, safeTimeZone, zonedMidnight, localDate } from "@/lib/billing/period";
import {
  CHANNEL_PRICES,
  MODEL_PRICES,
  modelPrice,
  priceChannel,
  priceEmbedding,
  priceModelCall,
  smsSegments,
} from "@/lib/billing/prices";

describe("prices", () => {
  it("prices Gemini calls per million tokens", () => {
    expect(priceModelCall("gemini-2.5-flash-lite", 1_000_000, 1_000_000)).toBeCloseTo(0.5, 10);
    expect(priceModelCall("gemini-2.5-flash", 2000, 500)).toBeCloseTo((2000 * 0.3 + 500 * 2.5) / 1e6, 10);
    expect(priceModelCall("gemini-2.5-pro", 100_000, 50_000)).toBeCloseTo(0.625, 10);
    expect(priceEmbedding(1_000_000)).toBeCloseTo(0.15, 10);
    expect(priceModelCall("gemini-2.5-flash", 0, 0)).toBe(0);
  });

  it("charges the long-context rate for the whole of a Pro call above 200k prompt tokens", () => {
    expect(priceModelCall("gemini-2.5-pro", 200_000, 0)).toBeCloseTo(0.25, 10);
    expect(priceModelCall("gemini-2.5-pro", 300_000, 10_000)).toBeCloseTo(0.75 + 0.15, 10);
  });

  it("understands the names the SDK reports, and never prices an unknown model as free", () => {
    expect(modelPrice("models/gemini-2.5-flash").model).toBe("gemini-2.5-flash");
    expect(modelPrice("gemini-2.5-flash-lite-preview-09-2025").model).toBe("gemini-2.5-flash-lite");
    expect(modelPrice("gemini-2.5-flash-001").model).toBe("gemini-2.5-flash");
    const unknown = modelPrice("gemini-9-ultra");
    expect(unknown.known).toBe(false);
    expect(unknown.price).toEqual(MODEL_PRICES["gemini-2.5-pro"]);
    expect(priceModelCall("offline", 5000, 5000)).toBe(0);
    expect(priceModelCall("local-embedder", 5000, 0)).toBe(0);
  });

  it("rounds to the money columns' six decimals and refuses negative counts", () => {
    expect(priceEmbedding(10)).toBe(0.000002); // 0.0000015 rounds half up
    expect(() => priceModelCall("gemini-2.5-flash", -1, 0)).toThrow(RangeError);
    expect(() => priceModelCall("gemini-2.5-flash", Number.NaN, 0)).toThrow(RangeError);
  });

  it("prices channels per unit", () => {
    expect(priceChannel("sms", 3)).toBeCloseTo(3 * CHANNEL_PRICES.sms.usd, 10);
    expect(priceChannel("voice", 2)).toBeCloseTo(0.017, 10);
    expect(priceChannel("email", 1)).toBe(0.0004);
    expect(priceChannel("telegram", 10)).toBe(0);
  });

  it("counts SMS segments for GSM-7 and Unicode text", () => {
    expect(smsSegments("Your appointment is confirmed.")).toBe(1);
    expect(smsSegments("a".repeat(160))).toBe(1);
    expect(smsSegments("a".repeat(161))).toBe(2);
    expect(smsSegments("你好".repeat(35))).toBe(1);
    expect(smsSegments("你好".repeat(36))).toBe(2);
  });
});

describe("periods", () => {
  it("starts a month at local midnight on the 1st in the business's zone", () => {
    // 2026-03-01 03:00 UTC is still February in New York (UTC-5).
    const p = monthPeriod("America/New_York", new Date("2026-03-01T03:00:00Z"));
    expect(p.start).toBe("2026-02-01");
    expect(p.startsAt.toISOString()).toBe("2026-02-01T05:00:00.000Z");
    expect(p.endsAt.toISOString()).toBe("2026-03-01T05:00:00.000Z");
    // Across a DST change (New York springs forward on 2026-03-08): April starts at 04:00 UTC.
    expect(monthPeriod("America/New_York", new Date("2026-03-15T12:00:00Z")).endsAt.toISOString()).toBe(
      "2026-04-01T04:00:00.000Z",
    );
    expect(monthPeriod("Asia/Tokyo", new Date("2026-12-31T16:00:00Z")).start).toBe("2027-01-01");
    expect(monthPeriod("UTC", new Date("2026-12-31T23:59:59Z")).endsAt.toISOString()).toBe("2027-01-01T00:00:00.000Z");
  });

  it("falls back to UTC for a zone Intl does not know", () => {
    expect(safeTimeZone("Mars/Olympus")).toBe("UTC");
    expect(safeTimeZone(null)).toBe("UTC");
    expect(zonedMidnight(2026, 5, 1, "Mars/Olympus").toISOString()).toBe("2026-05-01T00:00:00.000Z");
    expect(localDate(new Date("2026-05-01T23:30:00Z"), "Asia/Kolkata")).toBe("2026-05-02");
  });
});
