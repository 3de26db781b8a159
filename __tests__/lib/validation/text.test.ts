// The shared text rules: NUL dropped from strings, from every string and key of a JSON-like value,
// and by the text() schema before the field's own rules run.
import { z } from "zod";
import { hasNul, stripNul, stripNulDeep, text } from "@/lib/validation/text";

describe("NUL", () => {
  it("is found and dropped from a string, leaving everything else", () => {
    expect(hasNul("a\u0000b")).toBe(true);
    expect(hasNul("a\u0001b")).toBe(false);
    expect(stripNul("\u0000a\u0000\u0000b\u0000")).toBe("ab");
    expect(stripNul("émoji 🙂\ttab\nline")).toBe("émoji 🙂\ttab\nline");
  });

  it("is dropped from every string and key of a JSON-like value, and nothing else changes", () => {
    const value = { "a\u0000": ["x\u0000", 1, null, true, { b: "\u0000" }], n: 2, nested: { c: "d\u0000e" } };
    expect(stripNulDeep(value)).toEqual({ a: ["x", 1, null, true, { b: "" }], n: 2, nested: { c: "de" } });
    expect(value["a\u0000"][0]).toBe("x\u0000"); // a copy: the input is left as it was
    const when = new Date(0);
    expect(stripNulDeep({ when }).when).toBe(when);
    // JSON.parse's objects from another realm are walked too (a fetch's body in tests).
    expect(stripNulDeep(JSON.parse('{"a":"b\\u0000"}'))).toEqual({ a: "b" });
  });

  it("text() drops it before trimming and length rules, so a lone NUL is empty", () => {
    const schema = text({ message: "Write something." }).trim().min(1, "Write something.").max(5, "Too long.");
    expect(schema.parse("  hi\u0000 ")).toBe("hi");
    expect(schema.safeParse("\u0000\u0000").error?.issues[0]?.message).toBe("Write something.");
    expect(schema.safeParse("abcde\u0000").success).toBe(true);
    expect(schema.safeParse(42).error?.issues[0]?.message).toBe("Write something.");
    expect(z.object({ q: text().trim().optional() }).parse({ q: "a\u0000b" })).toEqual({ q: "ab" });
  });
});
