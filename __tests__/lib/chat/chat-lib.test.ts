// The chat's building blocks: visitor tokens, allowed origins, the event stream format, and the
// benchmark's model hook (off unless its variable is set, refused next to real services).
import { SignJWT } from "jose";
import { parseEnv } from "@/lib/env";
import { DelayedEchoModel } from "@/lib/ai/get-model";
import { newVisitor, readVisitorToken, visitorHash } from "@/lib/chat/visitor";
import { normaliseOrigin, originAllowed, originMatches, parseOriginList } from "@/lib/chat/origins";
import { ChatEventParser, encodeEvent, type ChatEvent } from "@/lib/chat/protocol";
import { secrets } from "@/lib/security/secrets";

const BIZ = "00000000-0000-4000-8000-00000000d001";
const OTHER = "00000000-0000-4000-8000-00000000d002";

describe("visitor tokens", () => {
  it("name an unguessable visitor of one business, and the website that embedded the chat", async () => {
    const a = await newVisitor(BIZ, "https://shop.example.com");
    const b = await newVisitor(BIZ, null);
    expect(a.visitor.id).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(a.visitor.id).not.toBe(b.visitor.id);
    expect(await readVisitorToken(a.token, BIZ)).toEqual({ id: a.visitor.id, businessId: BIZ, origin: "https://shop.example.com", hash: visitorHash(a.visitor.id) });
    expect((await readVisitorToken(b.token, BIZ))?.origin).toBeNull();
    expect(a.visitor.hash).not.toContain(a.visitor.id);
  });

  it("are refused for another business, when altered, or when signed for something else", async () => {
    const { token } = await newVisitor(BIZ, null);
    expect(await readVisitorToken(token, OTHER)).toBeNull();
    const [h, p, s] = token.split(".");
    const payload = JSON.parse(Buffer.from(p!, "base64url").toString());
    const altered = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: "A".repeat(32) })).toString("base64url")}.${s}`;
    expect(await readVisitorToken(altered, BIZ)).toBeNull();
    expect(await readVisitorToken(undefined, BIZ)).toBeNull();
    expect(await readVisitorToken("x".repeat(2000), BIZ)).toBeNull();
    // a token signed with the session key (a dashboard session) is not a visitor token
    const session = await new SignJWT({ bid: BIZ }).setProtectedHeader({ alg: "HS256" }).setSubject("B".repeat(32)).setAudience("prismai:chat-visitor").sign(new TextEncoder().encode(secrets().appSecret));
    expect(await readVisitorToken(session, BIZ)).toBeNull();
    const expired = await new SignJWT({ bid: BIZ })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("C".repeat(32))
      .setAudience("prismai:chat-visitor")
      .setExpirationTime(Math.floor(Date.now() / 1000) - 10)
      .sign(new TextEncoder().encode(`chat-visitor:${secrets().appSecret}`));
    expect(await readVisitorToken(expired, BIZ)).toBeNull();
  });
});

describe("allowed origins", () => {
  it("normalises what people type", () => {
    expect(normaliseOrigin("Shop.Example.com/contact?x=1")).toBe("https://shop.example.com");
    expect(normaliseOrigin("http://localhost:8080/")).toBe("http://localhost:8080");
    expect(normaliseOrigin("https://shop.example.com:443")).toBe("https://shop.example.com");
    expect(normaliseOrigin("https://*.example.com")).toBe("https://*.example.com");
    for (const bad of ["", "ftp://x.example", "javascript:alert(1)", "https://user:pw@x.example", "https://exa*mple.com", "https://"]) {
      expect(normaliseOrigin(bad)).toBeNull();
    }
    expect(parseOriginList("https://a.example\n b.example, https://a.example\nnot a url at all")).toEqual({ origins: ["https://a.example", "https://b.example"], invalid: ["not a url at all"] });
  });

  it("matches exact origins and one level of wildcard, never a look-alike", () => {
    const list = ["https://shop.example.com", "https://*.clinic.example"];
    expect(originMatches("https://shop.example.com", list)).toBe(true);
    expect(originMatches("http://shop.example.com", list)).toBe(false);
    expect(originMatches("https://shop.example.com.evil.net", list)).toBe(false);
    expect(originMatches("https://book.clinic.example", list)).toBe(true);
    expect(originMatches("https://clinic.example", list)).toBe(false);
    expect(originMatches("https://evilclinic.example", list)).toBe(false);
    expect(originAllowed(null, list)).toBe(true);
    expect(originAllowed("https://anything.example", [])).toBe(true);
    expect(originAllowed("https://app.prismai.test", list, ["https://app.prismai.test"])).toBe(true);
    expect(originAllowed("https://evil.example", list, ["https://app.prismai.test"])).toBe(false);
  });
});

describe("the event stream", () => {
  it("reads back what it writes, however the bytes are split", () => {
    const sent: ChatEvent[] = [
      { type: "accepted", message: { id: "m1", role: "customer", content: "Hi\n\nthere", createdAt: "2026-01-01T00:00:00.000Z", clientId: "c1", replyTo: null } },
      { type: "delta", text: "Hello " },
      { type: "delta", text: "world — “quoted” ✓" },
      { type: "reset" },
      { type: "done", reply: null, noReply: { reason: "waiting_human", message: null }, handedOff: false, state: { status: "waiting_human", hours: { open: true, next: null } } },
    ];
    const wire = sent.map(encodeEvent).join("");
    for (const size of [1, 3, 7, wire.length]) {
      const parser = new ChatEventParser();
      const got: ChatEvent[] = [];
      for (let i = 0; i < wire.length; i += size) got.push(...parser.push(wire.slice(i, i + size)));
      expect(got).toEqual(sent);
    }
    expect(new ChatEventParser().push("event: nonsense\ndata: {}\n\nevent: delta\ndata: {not json\n\n")).toEqual([]);
  });
});

describe("the benchmark's model hook", () => {
  it("is off by default and refused next to a real model or database", () => {
    expect(parseEnv({}).PRISMAI_BENCH_MODEL_DELAY_MS).toBeUndefined();
    expect(parseEnv({ PRISMAI_BENCH_MODEL_DELAY_MS: "250" }).PRISMAI_BENCH_MODEL_DELAY_MS).toBe("250");
    expect(() => parseEnv({ PRISMAI_BENCH_MODEL_DELAY_MS: "soon" })).toThrow(/whole number/);
    expect(() => parseEnv({ PRISMAI_BENCH_MODEL_DELAY_MS: "250", GEMINI_API_KEY: "k" })).toThrow(/benchmark hook/);
    expect(() => parseEnv({ PRISMAI_BENCH_MODEL_DELAY_MS: "250", DATABASE_URL: "postgres://u:p@db.example.com:6543/db" })).toThrow(/benchmark hook/);
    // the benchmark's own server on this machine is allowed
    expect(parseEnv({ PRISMAI_BENCH_MODEL_DELAY_MS: "250", DATABASE_URL: "postgres://u:p@127.0.0.1:5432/db" }).PRISMAI_BENCH_MODEL_DELAY_MS).toBe("250");
  });

  it("answers after the delay, streamed word by word", async () => {
    const model = new DelayedEchoModel(120);
    const started = Date.now();
    const pieces: string[] = [];
    let result;
    for await (const e of model.stream({ system: "s", messages: [{ role: "user", text: "Do you open on Sundays?" }], model: "gemini-2.5-flash-lite" })) {
      if (e.type === "delta") {
        if (!pieces.length) expect(Date.now() - started).toBeGreaterThanOrEqual(110);
        pieces.push(e.text);
      } else result = e.result;
    }
    expect(pieces.length).toBeGreaterThan(5);
    expect(pieces.join("")).toBe(result!.text);
    expect(result).toMatchObject({ text: expect.stringContaining("Do you open on Sundays?"), model: "gemini-2.5-flash-lite", tokensIn: expect.any(Number), tokensOut: expect.any(Number) });
  });
});
