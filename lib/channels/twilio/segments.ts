// SMS segments as carriers bill them. GSM-7 (GSM 03.38): 160 septets alone, 153 per part once a
// message is concatenated (the user data header takes 7); the extension table's characters cost 2
// septets and never straddle two parts. Anything outside GSM-7 makes the whole message UCS-2:
// 70 UTF-16 units alone, 67 per part, and a surrogate pair (most emoji) is never split.

const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENSION = "^{}\\[~]|€\f";

const BASIC = new Set(Array.from(GSM_BASIC));
const EXTENSION = new Set(Array.from(GSM_EXTENSION));

export type SmsEncoding = "GSM-7" | "UCS-2";

export type SegmentCount = {
  encoding: SmsEncoding;
  segments: number;
  /** septets (GSM-7) or UTF-16 code units (UCS-2) */
  units: number;
  /** units a part holds at this length: 160/70 for one part, 153/67 when concatenated */
  perSegment: number;
};

/** Twilio refuses a Body longer than this; longer answers go out as several messages. */
export const MAX_BODY_CHARS = 1600;

export function isGsm7(text: string): boolean {
  for (const ch of text) if (!BASIC.has(ch) && !EXTENSION.has(ch)) return false;
  return true;
}

/** Cost of each character in its encoding's units. */
function unitsOf(text: string, encoding: SmsEncoding): number[] {
  const chars = Array.from(text);
  return encoding === "GSM-7" ? chars.map((ch) => (EXTENSION.has(ch) ? 2 : 1)) : chars.map((ch) => ch.length);
}

export function countSegments(text: string): SegmentCount {
  const encoding: SmsEncoding = isGsm7(text) ? "GSM-7" : "UCS-2";
  const costs = unitsOf(text, encoding);
  const units = costs.reduce((a, b) => a + b, 0);
  const single = encoding === "GSM-7" ? 160 : 70;
  const part = encoding === "GSM-7" ? 153 : 67;
  if (units <= single) return { encoding, segments: 1, units, perSegment: single };
  // Fill parts greedily; a character that does not fit whole starts the next part.
  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > part) {
      segments++;
      used = 0;
    }
    used += cost;
  }
  return { encoding, segments, units, perSegment: part };
}

// Twilio's Smart Encoding, applied before sending: look-alike Unicode punctuation (typographic
// quotes, dashes, ellipses, odd spaces, full-width forms) becomes its GSM-7 twin, so one "—" in an
// answer does not turn a 1-part SMS into a 3-part UCS-2 one.
const SMART: Record<string, string> = {
  "\u00ab": '"', "\u00bb": '"', "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u275d": '"', "\u275e": '"', "\u301d": '"', "\u301e": '"',
  "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u2039": "'", "\u203a": "'", "\u02bb": "'", "\u02bc": "'", "\u02c8": "'", "\u00b4": "'", "\u275b": "'", "\u275c": "'",
  "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2043": "-", "\u2212": "-", "\ufe63": "-",
  "\u2026": "...", "\u2022": "-", "\u00b7": "-", "\u2024": ".",
  "\u00a0": " ", "\u2000": " ", "\u2001": " ", "\u2002": " ", "\u2003": " ", "\u2004": " ", "\u2005": " ", "\u2006": " ", "\u2007": " ", "\u2008": " ", "\u2009": " ", "\u200a": " ", "\u202f": " ", "\u205f": " ", "\u3000": " ",
  "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": "",
  "\u00f7": "/", "\u2044": "/", "\u2215": "/", "\u00bc": "1/4", "\u00bd": "1/2", "\u00be": "3/4",
  "\u2217": "*", "\u02c6": "^", "\u02dc": "~",
};

export function smartEncode(text: string): string {
  let out = "";
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xff01 && cp <= 0xff5e) out += String.fromCodePoint(cp - 0xfee0);
    else out += SMART[ch] ?? ch;
  }
  return out;
}
