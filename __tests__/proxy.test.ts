// proxy.ts in front of the pages: server-action requests that Next's decoder would answer with a 500
// (a foreign Origin, a body over the limit, malformed JSON, a truncated multipart body, a content type
// actions never send) get a 4xx before they reach it; genuine actions and page loads pass.
import { NextRequest } from "next/server";
import { proxy } from "@/proxy";

const BASE = "http://localhost:3000";
const ACTION = { "next-action": "7f3a9c0d1e2b4a5968778695a4b3c2d1e0f9a8b7c6" };

function post(path: string, body: BodyInit | null, headers: Record<string, string>) {
  const init = { method: "POST", headers, body, ...(body instanceof ReadableStream ? { duplex: "half" } : {}) };
  return new NextRequest(`${BASE}${path}`, init as ConstructorParameters<typeof NextRequest>[1]);
}

const passes = (res: Response) => res.headers.get("x-middleware-next") === "1";

function multipart(truncate = false) {
  const boundary = "----prismTestBoundary";
  const full = `--${boundary}\r\nContent-Disposition: form-data; name="1_email"\r\n\r\nann@a.test\r\n--${boundary}\r\nContent-Disposition: form-data; name="0"\r\n\r\n["$K1"]\r\n--${boundary}--\r\n`;
  return { body: truncate ? full.slice(0, full.indexOf("ann@a") + 3) : full, type: `multipart/form-data; boundary=${boundary}` };
}

function endless(bytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      const chunk = new Uint8Array(64 * 1024).fill(0x61);
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
}

describe("server actions through proxy.ts", () => {
  it("lets a genuine action through: JSON arguments, or a multipart form", async () => {
    expect(passes(await proxy(post("/sign-in", '["$K1",{"a":1}]', { ...ACTION, "content-type": "text/plain;charset=UTF-8", origin: BASE })))).toBe(true);
    const m = multipart();
    expect(passes(await proxy(post("/sign-in", m.body, { ...ACTION, "content-type": m.type, origin: BASE })))).toBe(true);
    expect(passes(await proxy(post("/sign-in", m.body, { "content-type": m.type, origin: BASE })))).toBe(true);
  });

  it("refuses an action from another website with 403", async () => {
    const res = await proxy(post("/sign-in", "[]", { ...ACTION, "content-type": "text/plain;charset=UTF-8", origin: "https://evil.example" }));
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe("forbidden");
    const m = multipart();
    expect((await proxy(post("/tenant-a/settings", m.body, { "content-type": m.type, "sec-fetch-site": "cross-site" }))).status).toBe(403);
  });

  it("refuses malformed JSON arguments with 400", async () => {
    for (const body of ["{", '["$K1"', "\u0000", "not json at all"]) {
      const res = await proxy(post("/sign-in", body, { ...ACTION, "content-type": "text/plain;charset=UTF-8", origin: BASE }));
      expect(res.status).toBe(400);
    }
  });

  it("refuses a truncated multipart body with 400, with or without Next-Action", async () => {
    const m = multipart(true);
    expect((await proxy(post("/sign-in", m.body, { ...ACTION, "content-type": m.type, origin: BASE }))).status).toBe(400);
    expect((await proxy(post("/sign-up", m.body, { "content-type": m.type, origin: BASE }))).status).toBe(400);
    expect((await proxy(post("/sign-up", "x", { "content-type": "multipart/form-data", origin: BASE }))).status).toBe(400);
  });

  it("refuses 5 MB with 413, whether the length is declared or the body just keeps coming", async () => {
    const big = "a".repeat(5 * 1024 * 1024);
    expect((await proxy(post("/sign-in", big, { ...ACTION, "content-type": "text/plain;charset=UTF-8", origin: BASE }))).status).toBe(413);
    expect((await proxy(post("/sign-in", endless(5 * 1024 * 1024), { ...ACTION, "content-type": "text/plain;charset=UTF-8", origin: BASE }))).status).toBe(413);
  });

  it("refuses a content type actions never send with 415", async () => {
    for (const type of ["application/json", "application/x-www-form-urlencoded", "text/html"]) {
      expect((await proxy(post("/sign-in", "[]", { ...ACTION, "content-type": type, origin: BASE }))).status).toBe(415);
    }
  });

  it("leaves page loads and other POSTs to Next", async () => {
    expect(passes(await proxy(new NextRequest(`${BASE}/sign-in`, { headers: { origin: "https://evil.example" } })))).toBe(true);
    expect(passes(await proxy(post("/sign-in", "a=1", { "content-type": "application/x-www-form-urlencoded", origin: BASE })))).toBe(true);
  });
});
