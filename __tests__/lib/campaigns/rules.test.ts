// Campaign rules that need no database: quiet hours in the recipient's own time (zone from the
// number, US state laws), STOP in eight languages, the signed unsubscribe link, template variables,
// SMS segments on the real text, A/B groups that stay put.
import { allowedAt, nextAllowedTime, recipientLocale } from "@/lib/campaigns/quiet-hours";
import { consentKeyword, optOutLanguage, readUnsubscribeToken, unsubscribeToken } from "@/lib/campaigns/consent";
import { channelCost, renderTemplate } from "@/lib/campaigns/message";
import { variantOf } from "@/lib/campaigns/send";
import { twoProportion } from "@/lib/campaigns/results";

const BUSINESS_ZONE = "Europe/London";

// [number, zone the recipient lives in, allowed local window per weekday (0 = Sunday), in hours]
const EVERY = (a: number, b: number) => [0, 1, 2, 3, 4, 5, 6].map(() => [a, b] as [number, number] | null);
const PEOPLE: [string, string, string, ([number, number] | null)[]][] = [
  ["New York", "+12125550123", "America/New_York", EVERY(8, 21)],
  ["Los Angeles", "+13105550123", "America/Los_Angeles", EVERY(8, 21)],
  ["Miami (FL)", "+13055550123", "America/New_York", EVERY(8, 20)],
  ["Pensacola (FL, Central)", "+18505550123", "America/Chicago", EVERY(8, 20)],
  ["Tulsa (OK)", "+19185550123", "America/Chicago", EVERY(8, 20)],
  ["Baltimore (MD)", "+14105550123", "America/New_York", EVERY(8, 20)],
  ["Newark (NJ)", "+19735550123", "America/New_York", EVERY(8, 20)],
  ["Jackson (MS)", "+16015550123", "America/Chicago", [null, ...EVERY(8, 20).slice(1)]],
  ["Hartford (CT)", "+18605550123", "America/New_York", EVERY(9, 20)],
  ["Houston (TX)", "+17135550123", "America/Chicago", [[12, 21], ...EVERY(9, 21).slice(1)]],
  ["El Paso (TX, Mountain)", "+19155550123", "America/Denver", [[12, 21], ...EVERY(9, 21).slice(1)]],
  ["Providence (RI)", "+14015550123", "America/New_York", [null, [9, 18], [9, 18], [9, 18], [9, 18], [9, 18], [10, 17]]],
  ["Honolulu", "+18085550123", "Pacific/Honolulu", EVERY(8, 21)],
  ["Toronto", "+14165550123", "America/Toronto", EVERY(9, 20)],
  ["London", "+447700900123", "Europe/London", EVERY(9, 20)],
  ["Berlin", "+4915112345678", "Europe/Berlin", EVERY(9, 20)],
  ["Madrid", "+34612345678", "Europe/Madrid", EVERY(9, 20)],
  ["Tokyo", "+819012345678", "Asia/Tokyo", EVERY(9, 20)],
  ["Sydney", "+61412345678", "Australia/Sydney", EVERY(9, 20)],
  ["São Paulo", "+5511912345678", "America/Sao_Paulo", EVERY(9, 20)],
  ["no number (email)", "", BUSINESS_ZONE, EVERY(9, 20)],
];

/** The local weekday and minute, read independently of the code under test. */
function local(at: Date, zone: string): { weekday: number; minutes: number } {
  const f = new Intl.DateTimeFormat("en-US", { timeZone: zone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  return { weekday: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(parts.weekday!), minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

describe("quiet hours in the recipient's local time", () => {
  it("reads the zone and the rule from the number, else the business's zone", () => {
    for (const [who, phone, zone] of PEOPLE) expect([who, recipientLocale(phone || null, BUSINESS_ZONE).zone]).toEqual([who, zone]);
    expect(recipientLocale("+13055550123", BUSINESS_ZONE).region).toBe("FL");
  });

  it("a fixed week of send times, every 20 minutes, across 21 places: 0 violations, never more than a day's wait in a weekday window", () => {
    const start = Date.parse("2026-11-01T00:00:00Z"); // crosses the US end of DST (1 November)
    let violations = 0;
    let checked = 0;
    for (let t = start; t < start + 8 * 86_400_000; t += 20 * 60_000) {
      const now = new Date(t);
      for (const [who, phone, zone, windows] of PEOPLE) {
        const due = nextAllowedTime(now, recipientLocale(phone || null, BUSINESS_ZONE));
        const { weekday, minutes } = local(due, zone);
        const w = windows[weekday];
        checked++;
        if (due < now || !w || minutes < w[0] * 60 || minutes >= w[1] * 60) {
          violations++;
          if (violations < 5) console.error("violation", who, now.toISOString(), due.toISOString());
        }
        // and a message allowed now is not held back
        const here = local(now, zone);
        const open = windows[here.weekday];
        if (open && here.minutes >= open[0] * 60 && here.minutes < open[1] * 60 && due.getTime() !== now.getTime()) violations++;
      }
    }
    expect(checked).toBeGreaterThan(12_000);
    expect(violations).toBe(0);
  });

  it("waits for the next allowed minute: Florida at 20:30 → 08:00, Texas Sunday morning → noon, Rhode Island Saturday evening → Monday 09:00", () => {
    // Monday 2 November 2026, 20:30 in Miami (EST, UTC-5)
    expect(nextAllowedTime(new Date("2026-11-03T01:30:00Z"), recipientLocale("+13055550123", BUSINESS_ZONE)).toISOString()).toBe("2026-11-03T13:00:00.000Z");
    // New York at the same minute is still inside the federal 21:00
    expect(allowedAt(new Date("2026-11-03T01:30:00Z"), recipientLocale("+12125550123", BUSINESS_ZONE))).toBe(true);
    // Sunday 8 November, 10:00 in Houston (CST) → 12:00
    expect(nextAllowedTime(new Date("2026-11-08T16:00:00Z"), recipientLocale("+17135550123", BUSINESS_ZONE)).toISOString()).toBe("2026-11-08T18:00:00.000Z");
    // Saturday 7 November, 17:30 in Providence → Monday 9 November 09:00
    expect(nextAllowedTime(new Date("2026-11-07T22:30:00Z"), recipientLocale("+14015550123", BUSINESS_ZONE)).toISOString()).toBe("2026-11-09T14:00:00.000Z");
  });
});

describe("consent keywords", () => {
  it.each([
    ["STOP", "en"],
    ["Unsubscribe me", "en"],
    ["BAJA", "es"],
    ["darme de baja", "es"],
    ["Arrêt", "fr"],
    ["désabonner!", "fr"],
    ["STOPP", "de"],
    ["Abmelden", "de"],
    ["basta", "it"],
    ["Cancellami", "it"],
    ["Parar", "es"],
    ["sair", "pt"],
    ["descadastrar", "pt"],
    ["afmelden", "nl"],
    ["Uitschrijven.", "nl"],
    ["rezygnuję", "pl"],
    ["wypisz mnie", "pl"],
  ])("%j is an opt-out (%s)", (body, lang) => {
    expect(optOutLanguage(body)).toBe(lang);
    expect(consentKeyword(body)).toBe("opt_out");
  });

  it("a sentence that mentions stopping is not an opt-out; START and HELP keep their meaning", () => {
    expect(consentKeyword("Can I stop by tomorrow at 5?")).toBeNull();
    expect(consentKeyword("para mañana por favor")).toBeNull();
    expect(consentKeyword("START", { optedOut: true })).toBe("opt_in");
    expect(consentKeyword("help")).toBe("help");
  });

  it("the unsubscribe link's token names the customer and cannot be forged", () => {
    const businessId = "11111111-1111-4111-8111-111111111111";
    const customerId = "22222222-2222-4222-8222-222222222222";
    const token = unsubscribeToken(businessId, customerId);
    expect(readUnsubscribeToken(token)).toEqual({ businessId, customerId, channelKind: "email" });
    const other = Buffer.from(`${businessId}.33333333-3333-4333-8333-333333333333.email`).toString("base64url");
    expect(readUnsubscribeToken(`${other}.${token.split(".")[1]}`)).toBeNull();
    expect(readUnsubscribeToken("garbage")).toBeNull();
  });
});

describe("the message", () => {
  it("fills name, business and a custom field from a key:value tag, with fallbacks", () => {
    const vars = { name: "Ana María López", business: "Bright Smile", tags: ["vip", "checkup:12 March"] };
    expect(renderTemplate("Hi {{first_name}}, {{business}} here: your check-up is due {{checkup}}.", vars)).toBe("Hi Ana, Bright Smile here: your check-up is due 12 March.");
    expect(renderTemplate("Hi {{name}}! {{voucher|Ask us}} for a voucher.", { name: null, business: "B", tags: [] })).toBe("Hi there! Ask us for a voucher.");
  });

  it("prices SMS by segments of the real text: one emoji makes a 150-character message two", () => {
    const plain = "a".repeat(150);
    expect(channelCost("sms", plain).units).toBe(1);
    expect(channelCost("sms", `${plain.slice(0, 149)}🎉`).units).toBe(3);
    expect(channelCost("whatsapp", plain).units).toBe(1);
  });
});

describe("A/B groups", () => {
  it("are stable per customer, split about evenly, and keep the holdout's share", () => {
    const ids = Array.from({ length: 4000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
    const groups = ids.map((id) => variantOf("c1", id, 10, true));
    expect(ids.map((id) => variantOf("c1", id, 10, true))).toEqual(groups);
    const n = (g: string) => groups.filter((x) => x === g).length;
    expect(n("holdout") / 4000).toBeCloseTo(0.1, 1);
    expect(Math.abs(n("A") - n("B")) / 4000).toBeLessThan(0.05);
  });

  it("says when a difference is too small to tell", () => {
    expect(twoProportion(5, 40, 7, 40).significant).toBe(false);
    const clear = twoProportion(30, 200, 70, 200);
    expect(clear.significant).toBe(true);
    expect(clear.pValue).toBeLessThan(0.001);
  });
});
