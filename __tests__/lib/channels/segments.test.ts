// SMS segments as carriers bill them: GSM-7 160 / 153, UCS-2 70 / 67, extension characters count
// twice and never straddle a part, surrogate pairs never split; smart encoding and body splitting.
import { countSegments, isGsm7, MAX_BODY_CHARS, smartEncode } from "@/lib/channels/twilio/segments";
import { splitBody } from "@/lib/channels/common/send";

const gsm = (n: number) => "a".repeat(n);

describe("GSM-7", () => {
  it("fits 160 characters in one part and 153 per part beyond", () => {
    expect(countSegments("")).toMatchObject({ encoding: "GSM-7", segments: 1, units: 0 });
    expect(countSegments(gsm(160))).toEqual({ encoding: "GSM-7", segments: 1, units: 160, perSegment: 160 });
    expect(countSegments(gsm(161))).toEqual({ encoding: "GSM-7", segments: 2, units: 161, perSegment: 153 });
    expect(countSegments(gsm(306)).segments).toBe(2);
    expect(countSegments(gsm(307)).segments).toBe(3);
    expect(countSegments(gsm(459)).segments).toBe(3);
    expect(countSegments(gsm(460)).segments).toBe(4);
  });

  it("counts the extension table ({ } [ ] ~ ^ | € \\) as two septets", () => {
    expect(isGsm7("Price: €5 [approx] {ok} ~ ^ | \\")).toBe(true);
    expect(countSegments(gsm(158) + "€")).toMatchObject({ segments: 1, units: 160 });
    expect(countSegments(gsm(159) + "€")).toMatchObject({ segments: 2, units: 161 });
    expect(countSegments("{}".repeat(40))).toMatchObject({ segments: 1, units: 160 });
    expect(countSegments("{}".repeat(41))).toMatchObject({ segments: 2, units: 164 });
  });

  it("never splits an escape pair across two parts", () => {
    // 152 plain + "€" (2) = 154 > 153: the euro sign moves to part two, which then holds 2 + 151.
    expect(countSegments(gsm(152) + "€" + gsm(151))).toMatchObject({ segments: 2, units: 305 });
    expect(countSegments(gsm(152) + "€" + gsm(152))).toMatchObject({ segments: 3, units: 306 });
    // Without the straddle rule 306 septets would fit two parts.
    expect(countSegments(gsm(306)).segments).toBe(2);
  });

  it("keeps the accented letters GSM-7 has (é, ñ, ö, ü, Ä) in GSM-7, but not the ones it lacks (ú)", () => {
    expect(countSegments("Café Ñoño über Äpfel\nline two")).toMatchObject({ encoding: "GSM-7", segments: 1 });
    expect(countSegments("Ñandú")).toMatchObject({ encoding: "UCS-2", segments: 1 });
  });
});

describe("UCS-2", () => {
  it("switches the whole message for one character outside GSM-7: 70 alone, 67 per part", () => {
    expect(countSegments("a".repeat(69) + "ł")).toEqual({ encoding: "UCS-2", segments: 1, units: 70, perSegment: 70 });
    expect(countSegments("a".repeat(70) + "ł")).toEqual({ encoding: "UCS-2", segments: 2, units: 71, perSegment: 67 });
    expect(countSegments("ж".repeat(134)).segments).toBe(2);
    expect(countSegments("ж".repeat(135)).segments).toBe(3);
  });

  it("counts an emoji as two units and never splits it", () => {
    expect(countSegments("😀".repeat(35))).toMatchObject({ encoding: "UCS-2", segments: 1, units: 70 });
    expect(countSegments("😀".repeat(36))).toMatchObject({ segments: 2, units: 72 });
    // 66 units + an emoji (2) = 68 > 67: the emoji starts part two.
    expect(countSegments("ж".repeat(66) + "😀" + "ж".repeat(65))).toMatchObject({ segments: 2, units: 133 });
    expect(countSegments("ж".repeat(66) + "😀" + "ж".repeat(66))).toMatchObject({ segments: 3, units: 134 });
  });
});

describe("smart encoding", () => {
  it("turns typographic punctuation into GSM-7 so a reply stays in one cheap part", () => {
    const typographic = "We’re open 9–5 — “walk-ins” welcome… see you soon";
    expect(countSegments(typographic).encoding).toBe("UCS-2");
    const encoded = smartEncode(typographic);
    expect(encoded).toBe(`We're open 9-5 - "walk-ins" welcome... see you soon`);
    expect(countSegments(encoded)).toMatchObject({ encoding: "GSM-7", segments: 1 });
  });

  it("leaves real non-GSM text alone", () => {
    expect(smartEncode("Dziękuję 😀")).toBe("Dziękuję 😀");
    expect(smartEncode("ＡＢＣ１２３")).toBe("ABC123");
  });
});

describe("splitting", () => {
  it("does not split what Twilio takes as one message", () => {
    expect(splitBody("short", MAX_BODY_CHARS)).toEqual(["short"]);
    expect(splitBody(gsm(MAX_BODY_CHARS), MAX_BODY_CHARS)).toHaveLength(1);
  });

  it("splits longer answers at a sentence boundary, each under the cap", () => {
    const sentence = "This sentence is exactly fifty characters long ok. ";
    const text = sentence.repeat(40).trim(); // 2,039 characters
    const parts = splitBody(text, MAX_BODY_CHARS);
    expect(parts.length).toBe(2);
    expect(parts.every((p) => p.length <= MAX_BODY_CHARS && p.endsWith("."))).toBe(true);
    expect(parts.join(" ")).toBe(text);
  });
});
