// Quiet hours in the recipient's local time. The zone comes from the phone number (country, and for
// +1 numbers the area code's state or province), else the business's. Outside the US: 09:00–20:00.
// In the US the federal rule (TCPA, 08:00–21:00) and the stricter state laws on telephone
// solicitation: FL, OK, MD, MS and NJ 08:00–20:00, CT 09:00–20:00, TX 09:00–21:00 Monday to Saturday
// and 12:00–21:00 on Sunday, RI 09:00–18:00 weekdays and 10:00–17:00 on Saturday, none on Sunday,
// MS none on Sunday. A message due in a quiet window waits for the recipient's next allowed minute.
import { parsePhoneNumberFromString } from "libphonenumber-js";
import { isUsRegion, regionOfAreaCode, zoneOfAreaCode } from "./area-codes";
import { localParts, safeTimeZone } from "@/lib/billing/period";

/** [start, end) in minutes after local midnight; null = no messages that day. Index 0 = Sunday. */
export type Window = readonly [number, number] | null;
export type WeekRule = { name: string; days: readonly Window[] };

const h = (hour: number) => hour * 60;
const every = (w: Window): Window[] => [w, w, w, w, w, w, w];

export const DEFAULT_RULE: WeekRule = { name: "09:00–20:00", days: every([h(9), h(20)]) };
const US_FEDERAL: WeekRule = { name: "US federal 08:00–21:00", days: every([h(8), h(21)]) };
const STATE_RULES: Record<string, WeekRule> = {
  FL: { name: "Florida 08:00–20:00", days: every([h(8), h(20)]) },
  OK: { name: "Oklahoma 08:00–20:00", days: every([h(8), h(20)]) },
  MD: { name: "Maryland 08:00–20:00", days: every([h(8), h(20)]) },
  NJ: { name: "New Jersey 08:00–20:00", days: every([h(8), h(20)]) },
  MS: { name: "Mississippi 08:00–20:00, not on Sunday", days: [null, ...Array<Window>(6).fill([h(8), h(20)])] },
  CT: { name: "Connecticut 09:00–20:00", days: every([h(9), h(20)]) },
  TX: { name: "Texas 09:00–21:00, Sunday 12:00–21:00", days: [[h(12), h(21)], ...Array<Window>(6).fill([h(9), h(21)])] },
  RI: {
    name: "Rhode Island 09:00–18:00 weekdays, Saturday 10:00–17:00, not on Sunday",
    days: [null, [h(9), h(18)], [h(9), h(18)], [h(9), h(18)], [h(9), h(18)], [h(9), h(18)], [h(10), h(17)]],
  },
};

// The zone of most of a country's people, for countries that span several (the US and Canada go by area code).
const COUNTRY_ZONE: Record<string, string> = {
  GB: "Europe/London", IE: "Europe/Dublin", FR: "Europe/Paris", DE: "Europe/Berlin", ES: "Europe/Madrid", IT: "Europe/Rome",
  PT: "Europe/Lisbon", NL: "Europe/Amsterdam", BE: "Europe/Brussels", PL: "Europe/Warsaw", AT: "Europe/Vienna", CH: "Europe/Zurich",
  SE: "Europe/Stockholm", NO: "Europe/Oslo", DK: "Europe/Copenhagen", FI: "Europe/Helsinki", GR: "Europe/Athens", CZ: "Europe/Prague",
  RO: "Europe/Bucharest", HU: "Europe/Budapest", UA: "Europe/Kyiv", TR: "Europe/Istanbul", RU: "Europe/Moscow", IL: "Asia/Jerusalem",
  AE: "Asia/Dubai", SA: "Asia/Riyadh", IN: "Asia/Kolkata", PK: "Asia/Karachi", CN: "Asia/Shanghai", HK: "Asia/Hong_Kong",
  JP: "Asia/Tokyo", KR: "Asia/Seoul", SG: "Asia/Singapore", MY: "Asia/Kuala_Lumpur", TH: "Asia/Bangkok", VN: "Asia/Ho_Chi_Minh",
  ID: "Asia/Jakarta", PH: "Asia/Manila", AU: "Australia/Sydney", NZ: "Pacific/Auckland", ZA: "Africa/Johannesburg", NG: "Africa/Lagos",
  KE: "Africa/Nairobi", EG: "Africa/Cairo", MA: "Africa/Casablanca", MX: "America/Mexico_City", BR: "America/Sao_Paulo",
  AR: "America/Argentina/Buenos_Aires", CL: "America/Santiago", CO: "America/Bogota", PE: "America/Lima", VE: "America/Caracas",
};

export type Locale = { zone: string; rule: WeekRule; region: string | null; fromNumber: boolean };

/** Where a recipient is, as far as the number says; the business's zone and the default rule otherwise. */
export function recipientLocale(phone: string | null | undefined, businessZone: string): Locale {
  const fallback: Locale = { zone: safeTimeZone(businessZone), rule: DEFAULT_RULE, region: null, fromNumber: false };
  const parsed = phone ? parsePhoneNumberFromString(phone) : undefined;
  if (!parsed?.country && parsed?.countryCallingCode !== "1") return fallback;
  if (parsed.countryCallingCode === "1") {
    const area = parsed.nationalNumber.slice(0, 3);
    const region = regionOfAreaCode(area);
    const zone = zoneOfAreaCode(area);
    if (!region || !zone) return parsed.country === "US" ? { ...fallback, rule: US_FEDERAL } : fallback;
    const rule = isUsRegion(region) ? (STATE_RULES[region] ?? US_FEDERAL) : DEFAULT_RULE;
    return { zone, rule, region, fromNumber: true };
  }
  const zone = COUNTRY_ZONE[parsed.country!];
  return zone ? { zone, rule: DEFAULT_RULE, region: parsed.country!, fromNumber: true } : { ...fallback, region: parsed.country! };
}

/** The instant a local wall-clock time happens in the zone (the later one when DST repeats it). */
function zonedInstant(year: number, month: number, day: number, minutes: number, zone: string): Date {
  const guess = Date.UTC(year, month - 1, day, 0, minutes);
  let instant = guess;
  for (let i = 0; i < 3; i++) {
    const p = localParts(new Date(instant), zone);
    const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
    instant += guess - asUtc;
  }
  return new Date(instant);
}

/** Minutes after local midnight, and the weekday, of an instant. */
export function localClock(at: Date, zone: string): { minutes: number; weekday: number; date: { year: number; month: number; day: number } } {
  const p = localParts(at, zone);
  return { minutes: p.hour * 60 + p.minute, weekday: new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay(), date: { year: p.year, month: p.month, day: p.day } };
}

/** Whether a message may go out at this instant under the rule, in the zone. */
export function allowedAt(at: Date, locale: Pick<Locale, "zone" | "rule">): boolean {
  const { minutes, weekday } = localClock(at, locale.zone);
  const w = locale.rule.days[weekday];
  return !!w && minutes >= w[0] && minutes < w[1];
}

/** `at` itself when allowed, else the start of the recipient's next allowed window. */
export function nextAllowedTime(at: Date, locale: Pick<Locale, "zone" | "rule">): Date {
  if (allowedAt(at, locale)) return at;
  const { date } = localClock(at, locale.zone);
  for (let d = 0; d < 8; d++) {
    const noon = new Date(Date.UTC(date.year, date.month - 1, date.day + d, 12));
    const day = { year: noon.getUTCFullYear(), month: noon.getUTCMonth() + 1, day: noon.getUTCDate() };
    const w = locale.rule.days[noon.getUTCDay()];
    if (!w) continue;
    const start = zonedInstant(day.year, day.month, day.day, w[0], locale.zone);
    if (start.getTime() > at.getTime() && allowedAt(start, locale)) return start;
  }
  throw new Error(`No allowed sending time within a week under ${locale.rule.name}`);
}
