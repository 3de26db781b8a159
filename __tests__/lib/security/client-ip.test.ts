// The client's address comes from the platform in front of the app (TRUSTED_PROXY), never from a
// header the client wrote: Vercel's own headers on Vercel, the socket's peer address otherwise.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { EnvError, parseEnv, resetEnvForTests } from "@/lib/env";
import { SOCKET_ADDRESS_HEADER, clientIp, installSocketAddressHeader, isLoopback, normaliseIp } from "@/lib/security/client-ip";

const spoofed = {
  "x-forwarded-for": "6.6.6.6, 7.7.7.7",
  "x-real-ip": "6.6.6.7",
  forwarded: "for=6.6.6.8",
};

afterEach(() => {
  delete process.env.TRUSTED_PROXY;
  delete process.env.VERCEL;
  resetEnvForTests();
});

function mode(value: "vercel" | "none") {
  process.env.TRUSTED_PROXY = value;
  resetEnvForTests();
}

describe("TRUSTED_PROXY", () => {
  it("defaults to vercel on Vercel and to none elsewhere, and refuses anything else", () => {
    expect(parseEnv({}).trustedProxy).toBe("none");
    expect(parseEnv({ VERCEL: "1" }).trustedProxy).toBe("vercel");
    expect(parseEnv({ VERCEL: "1", TRUSTED_PROXY: "none" }).trustedProxy).toBe("none");
    expect(() => parseEnv({ TRUSTED_PROXY: "x-forwarded-for" })).toThrow(EnvError);
  });
});

describe("clientIp", () => {
  it("none: the socket's peer only; what the client says about itself is ignored", () => {
    mode("none");
    expect(clientIp(new Headers({ ...spoofed, [SOCKET_ADDRESS_HEADER]: "::ffff:192.0.2.10" }))).toBe("192.0.2.10");
    expect(clientIp(new Headers(spoofed))).toBeNull();
    expect(clientIp(new Headers({ "x-vercel-forwarded-for": "6.6.6.9" }))).toBeNull();
  });

  it("vercel: Vercel's x-vercel-forwarded-for, then x-real-ip; never X-Forwarded-For or the socket header", () => {
    mode("vercel");
    expect(clientIp(new Headers({ ...spoofed, "x-vercel-forwarded-for": "198.51.100.4, 10.0.0.1", "x-real-ip": "198.51.100.5" }))).toBe("198.51.100.4");
    expect(clientIp(new Headers({ "x-real-ip": "198.51.100.5", "x-forwarded-for": "6.6.6.6" }))).toBe("198.51.100.5");
    expect(clientIp(new Headers({ "x-forwarded-for": "6.6.6.6", [SOCKET_ADDRESS_HEADER]: "127.0.0.1" }))).toBeNull();
  });

  it("takes only addresses", () => {
    expect(normaliseIp("[2001:db8::1]")).toBe("2001:db8::1");
    expect(normaliseIp("not-an-ip")).toBeNull();
    expect(normaliseIp("1.2.3.4:5")).toBeNull();
    expect(isLoopback("127.0.0.5")).toBe(true);
    expect(isLoopback("::1")).toBe(true);
    expect(isLoopback("192.168.1.2")).toBe(false);
    expect(isLoopback(null)).toBe(false);
  });
});

describe("installSocketAddressHeader", () => {
  it("writes the socket's peer into every request a Node HTTP server accepts, over what the client sent", async () => {
    mode("none");
    installSocketAddressHeader();
    installSocketAddressHeader(); // once is enough; twice is harmless
    const server = http.createServer((req, res) => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      res.end(JSON.stringify({ seen: req.headers[SOCKET_ADDRESS_HEADER], ip: clientIp(headers) }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { ...spoofed, [SOCKET_ADDRESS_HEADER]: "203.0.113.99" } });
      expect(await res.json()).toEqual({ seen: "127.0.0.1", ip: "127.0.0.1" });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
