// POST /api/jobs/sweep: QStash-signed in production (a JWT signed with the current or next signing
// key, as QStash signs), loopback-only in embedded mode.
import crypto from "node:crypto";
import { SignJWT } from "jose";
import { resetEnvForTests } from "@/lib/env";
import { closeDb } from "@/lib/db/client";
import { SOCKET_ADDRESS_HEADER } from "@/lib/security/client-ip";
import { POST as jobRoute } from "@/app/api/jobs/[job]/route";
import { useTestDb } from "../../helpers/db";

const CURRENT = "sig_current_key_for_tests_0123456789";
const NEXT = "sig_next_key_for_tests_9876543210";
const URL_ = "http://localhost:3000/api/jobs/sweep";

async function qstashSignature(body: string, key: string, url = URL_) {
  const hash = crypto.createHash("sha256").update(body).digest("base64url");
  return new SignJWT({ body: hash })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer("Upstash")
    .setSubject(url)
    .setIssuedAt()
    .setNotBefore(Math.floor(Date.now() / 1000) - 5)
    .setExpirationTime("5m")
    .setJti(crypto.randomUUID())
    .sign(new TextEncoder().encode(key));
}

const call = (body: string, headers: Record<string, string> = {}, url = URL_, job = "sweep") =>
  jobRoute(new Request(url, { method: "POST", body, headers }), { params: Promise.resolve({ job }) });

beforeAll(() => useTestDb());
afterAll(async () => {
  for (const k of ["QSTASH_TOKEN", "QSTASH_CURRENT_SIGNING_KEY", "QSTASH_NEXT_SIGNING_KEY"]) delete process.env[k];
  resetEnvForTests();
  await closeDb();
});

describe("embedded mode", () => {
  const local = { [SOCKET_ADDRESS_HEADER]: "127.0.0.1" };

  it("runs for a caller on this machine, as the socket says", async () => {
    const ok = await call("{}", local);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true, result: { answered: 0, failed: 0 } });
    expect((await call("{}", { [SOCKET_ADDRESS_HEADER]: "::1" })).status).toBe(200);
    expect((await call("{}", local, "http://localhost:3000/api/jobs/nope", "nope")).status).toBe(404);
  });

  it("refuses a caller on the network, whatever Host, the URL or X-Forwarded-For say", async () => {
    const remote = { [SOCKET_ADDRESS_HEADER]: "192.168.1.23" };
    expect((await call("{}", { ...remote, host: "localhost:3000", "x-forwarded-for": "127.0.0.1", "x-real-ip": "127.0.0.1" })).status).toBe(403);
    expect((await call("{}", remote, "http://127.0.0.1:3000/api/jobs/sweep")).status).toBe(403);
    // no socket address at all (behind a platform): not local
    expect((await call("{}", { host: "localhost:3000" })).status).toBe(403);
  });

  it("refuses a page of another website that a browser on this machine posts from", async () => {
    expect((await call("{}", { ...local, origin: "https://evil.example" })).status).toBe(403);
    expect((await call("{}", { ...local, "sec-fetch-site": "cross-site" })).status).toBe(403);
  });
});

describe("with QStash", () => {
  beforeAll(() => {
    process.env.QSTASH_TOKEN = "qstash-token";
    process.env.QSTASH_CURRENT_SIGNING_KEY = CURRENT;
    process.env.QSTASH_NEXT_SIGNING_KEY = NEXT;
    resetEnvForTests();
  });

  it("runs a job signed with the current or the next key", async () => {
    const body = JSON.stringify({ job: "sweep" });
    expect((await call(body, { "upstash-signature": await qstashSignature(body, CURRENT) })).status).toBe(200);
    expect((await call(body, { "upstash-signature": await qstashSignature(body, NEXT) })).status).toBe(200);
  });

  it("refuses a missing, forged or replayed-onto-another-body signature", async () => {
    const body = JSON.stringify({ job: "sweep" });
    expect((await call(body)).status).toBe(401);
    expect((await call(body, { "upstash-signature": await qstashSignature(body, "wrong-key-wrong-key-wrong-key") })).status).toBe(401);
    const other = await qstashSignature("{}", CURRENT);
    const res = await call(body, { "upstash-signature": other });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: "unauthorized", message: "Invalid Upstash-Signature." } });
  });
});
