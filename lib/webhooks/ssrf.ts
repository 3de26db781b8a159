import "server-only";
// Webhook URLs are chosen by a business, so the platform must never be made to post into its own
// network (SSRF): https only, no credentials in the URL, and every address the host resolves to must
// be public — checked when the endpoint is saved (IP literals, local names) and again on every
// connection (the socket's own DNS lookup), so a name that later resolves inward is refused too.
// Only WEBHOOKS_ALLOW_PRIVATE_URLS=1 (tests, benchmarks; refused in production) lifts this.
import dns from "node:dns";
import net from "node:net";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";

const blocked = new net.BlockList();
for (const [addr, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  blocked.addSubnet(addr, prefix, "ipv4");
}
for (const [addr, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  blocked.addSubnet(addr, prefix, "ipv6");
}

/** A public unicast address (IPv4-mapped IPv6 judged by its IPv4). */
export function isPublicAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return isPublicAddress(mapped[1]!);
  const family = net.isIP(ip);
  if (family === 4) return !blocked.check(ip, "ipv4");
  if (family === 6) return !blocked.check(ip, "ipv6");
  return false;
}

export const privateUrlsAllowed = () => env().WEBHOOKS_ALLOW_PRIVATE_URLS === "1";

const LOCAL_NAMES = /(^|\.)(localhost|local|internal|localdomain|home\.arpa)$/i;
export const MAX_URL_LENGTH = 2000;

/** The endpoint URL as it will be stored, or an AppError (field "url") saying what is wrong with it. */
export function checkEndpointUrl(raw: string, allowPrivate = privateUrlsAllowed()): string {
  const r = endpointUrl(raw, allowPrivate);
  if ("problem" in r) throw new AppError("bad_request", r.problem, { field: "url" });
  return r.url;
}

/** The endpoint URL as it will be stored, or what is wrong with it. */
export function endpointUrl(raw: string, allowPrivate = privateUrlsAllowed()): { url: string } | { problem: string } {
  try {
    return { url: normalise(raw, allowPrivate) };
  } catch (err) {
    return { problem: (err as Error).message };
  }
}

function normalise(raw: string, allowPrivate: boolean): string {
  const bad = (message: string) => new Error(message);
  const text = raw.trim();
  if (!text) throw bad("Enter the URL that should receive the events.");
  if (text.length > MAX_URL_LENGTH) throw bad(`The URL is too long (at most ${MAX_URL_LENGTH} characters).`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad("Enter a full URL, starting with https://.");
  }
  if (url.protocol !== "https:" && !(allowPrivate && url.protocol === "http:")) throw bad("The URL must start with https://.");
  if (url.username || url.password) throw bad("Put no user name or password in the URL; verify our signature instead.");
  url.hash = "";
  if (!allowPrivate) {
    const host = url.hostname.replace(/^\[|\]$/g, "");
    if (net.isIP(host) ? !isPublicAddress(host) : LOCAL_NAMES.test(host) || !host.includes(".")) {
      throw bad("The URL must point to a public internet address, not a private, local or loopback one.");
    }
  }
  return url.toString();
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * dns.lookup for the delivering socket: fails when any address of the host is not public, so the
 * connection goes only where the check looked (no second lookup an attacker's DNS could answer differently).
 */
export function guardedLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses as dns.LookupAddress[];
    const inward = list.find((a) => !isPublicAddress(a.address));
    if (inward || list.length === 0) {
      const e = new Error(`refused: ${hostname} resolves to a private or loopback address`) as NodeJS.ErrnoException;
      e.code = "EPRIVATEADDRESS";
      return callback(e, []);
    }
    if (options.all) return callback(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
}
