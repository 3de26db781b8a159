jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);

import { sql } from "drizzle-orm";
import { currentUser, requestPasswordReset, resetPassword, signIn, signOut, signUp } from "@/lib/auth";
import { closeDb, rows, withService } from "@/lib/db/client";
import { SESSION_COOKIE } from "@/lib/auth/session-token";
import { useTestDb } from "../../helpers/db";
import { request } from "../../helpers/next-request";

beforeAll(() => useTestDb());
afterAll(() => closeDb());
beforeEach(() => request.reset());

const code = async (p: Promise<unknown>) => {
  try {
    await p;
    return "ok";
  } catch (err) {
    return (err as { code?: string }).code ?? (err as Error).name;
  }
};

describe("built-in auth", () => {
  it("signs up, keeps the session in a signed httpOnly SameSite cookie, and signs out", async () => {
    const result = await signUp({ name: "Ann", email: "Ann@Example.test", password: "longenough" });
    expect(result).toMatchObject({ user: { email: "ann@example.test" } });
    const cookie = request.cookies.get(SESSION_COOKIE)!;
    expect(cookie.options).toMatchObject({ httpOnly: true, sameSite: "lax", path: "/" });
    expect(await currentUser()).toMatchObject({ email: "ann@example.test", name: "Ann" });

    const hash = await withService((tx) => rows<{ password_hash: string }>(tx, sql`select password_hash from users where email = 'ann@example.test'`));
    expect(hash[0]!.password_hash).toMatch(/^scrypt\$/);
    expect(hash[0]!.password_hash).not.toContain("longenough");

    const token = cookie.value;
    await signOut();
    expect(request.cookies.has(SESSION_COOKIE)).toBe(false);
    // The old cookie, replayed, no longer opens a session.
    request.cookies.set(SESSION_COOKIE, { name: SESSION_COOKIE, value: token });
    expect(await currentUser()).toBeNull();
  });

  it("refuses a duplicate email and a tampered cookie", async () => {
    expect(await code(signUp({ name: "Ann", email: "ann@example.test", password: "longenough" }))).toBe("conflict");
    request.reset();
    await signIn({ email: "ann@example.test", password: "longenough" });
    const cookie = request.cookies.get(SESSION_COOKIE)!;
    const [h, p, s] = cookie.value.split(".");
    request.cookies.set(SESSION_COOKIE, { name: SESSION_COOKIE, value: `${h}.${p}.${s!.slice(0, -4)}AAAA` });
    expect(await currentUser()).toBeNull();
  });

  it("validates input with messages a person can act on", async () => {
    await expect(signUp({ name: "", email: "nope", password: "short" })).rejects.toThrow(/Enter your name|valid email|at least 8/);
  });

  it("throttles after 10 failures in 15 minutes for an email, even with the right password", async () => {
    await signUp({ name: "Bo", email: "bo@example.test", password: "right-password" });
    for (let i = 0; i < 10; i++) {
      request.reset(`198.51.100.${i}`); // different IPs: only the email counter trips
      expect(await code(signIn({ email: "bo@example.test", password: "wrong" }))).toBe("unauthorized");
    }
    request.reset("198.51.100.77");
    expect(await code(signIn({ email: "bo@example.test", password: "right-password" }))).toBe("rate_limited");
  });

  it("throttles an IP that tries many emails", async () => {
    await signUp({ name: "Cy", email: "cy@example.test", password: "right-password" });
    request.reset("192.0.2.50");
    for (let i = 0; i < 10; i++) expect(await code(signIn({ email: `guess${i}@example.test`, password: "x" }))).toBe("unauthorized");
    expect(await code(signIn({ email: "cy@example.test", password: "right-password" }))).toBe("rate_limited");
    request.reset("192.0.2.51");
    expect(await code(signIn({ email: "cy@example.test", password: "right-password" }))).toBe("ok");
  });

  it("counts attempts made at once: of 25 wrong passwords sent together, 10 are checked and 15 throttled", async () => {
    await signUp({ name: "Flo", email: "flo@example.test", password: "right-password" });
    request.reset("192.0.2.70");
    const results = await Promise.all(Array.from({ length: 25 }, () => code(signIn({ email: "flo@example.test", password: "wrong" }))));
    expect(results.filter((r) => r === "unauthorized")).toHaveLength(10);
    expect(results.filter((r) => r === "rate_limited")).toHaveLength(15);
    request.reset("192.0.2.71");
    expect(await code(signIn({ email: "flo@example.test", password: "right-password" }))).toBe("rate_limited");
  });

  it("counts one IP's attempts made at once on many emails the same way", async () => {
    request.reset("192.0.2.80");
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => code(signIn({ email: `burst${i}@example.test`, password: "wrong" }))));
    expect(results.filter((r) => r === "unauthorized")).toHaveLength(10);
    expect(results.filter((r) => r === "rate_limited")).toHaveLength(15);
  });

  it("does not count a right password as a failure", async () => {
    await signUp({ name: "Gus", email: "gus@example.test", password: "right-password" });
    for (let i = 0; i < 15; i++) {
      request.reset(`198.51.101.${i}`);
      expect(await code(signIn({ email: "gus@example.test", password: "right-password" }))).toBe("ok");
    }
  });

  it("throttles an IP however it rotates X-Forwarded-For (the socket's address counts, not the client's word)", async () => {
    await signUp({ name: "Ed", email: "ed@example.test", password: "right-password" });
    for (let i = 0; i < 10; i++) {
      request.reset("192.0.2.60");
      request.headers.set("x-forwarded-for", `10.9.8.${i}`);
      request.headers.set("x-real-ip", `10.9.7.${i}`);
      expect(await code(signIn({ email: `spray${i}@example.test`, password: "x" }))).toBe("unauthorized");
    }
    request.reset("192.0.2.60");
    request.headers.set("x-forwarded-for", "10.9.8.200");
    expect(await code(signIn({ email: "ed@example.test", password: "right-password" }))).toBe("rate_limited");
  });

  it("resets a password through the outbox and revokes old sessions", async () => {
    await signUp({ name: "Di", email: "di@example.test", password: "old-password" });
    const oldCookie = request.cookies.get(SESSION_COOKIE)!.value;
    request.reset();
    await requestPasswordReset("di@example.test");
    await requestPasswordReset("nobody@example.test"); // no account: same answer, no mail
    const mail = await withService((tx) =>
      rows<{ recipient: string; body: string }>(tx, sql`select recipient, body from outbox where payload->>'kind' = 'password_reset'`),
    );
    expect(mail.map((m) => m.recipient)).toEqual(["di@example.test"]);
    const token = /token=([^\s&]+)/.exec(mail[0]!.body)![1]!;

    expect(await code(resetPassword({ token: "x".repeat(20), password: "new-password" }))).toBe("bad_request");
    await resetPassword({ token: decodeURIComponent(token), password: "new-password" });
    expect(await code(resetPassword({ token: decodeURIComponent(token), password: "again-password" }))).toBe("bad_request");

    request.reset();
    expect(await code(signIn({ email: "di@example.test", password: "old-password" }))).toBe("unauthorized");
    expect(await code(signIn({ email: "di@example.test", password: "new-password" }))).toBe("ok");
    request.reset();
    request.cookies.set(SESSION_COOKIE, { name: SESSION_COOKIE, value: oldCookie });
    expect(await currentUser()).toBeNull();
  });
});
