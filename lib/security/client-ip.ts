// The client's IP address, as the platform in front of the app defines it, and nothing a client can
// write itself. TRUSTED_PROXY (lib/env.ts) names that platform:
//   vercel — Vercel's edge sets x-vercel-forwarded-for and x-real-ip from the connection it accepted
//            and drops what the client sent (Vercel docs, "Request headers");
//   none   — nothing is in front: the address is the TCP peer of our own socket.
// Next route handlers never see the socket, and `next start` fills x-forwarded-for from it only when
// the client sent none (`x-forwarded-for ??= socket.remoteAddress`), so that header proves nothing.
// installSocketAddressHeader() therefore subscribes to Node's `http.server.request.start` diagnostics
// channel, which fires for every request our HTTP server accepts before any handler (Next's
// included) runs, and writes the socket's peer address into SOCKET_ADDRESS_HEADER, replacing
// whatever the client sent under that name. instrumentation.ts installs it when the server starts.
import diagnostics from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import net from "node:net";
import { env } from "@/lib/env";

export const SOCKET_ADDRESS_HEADER = "x-prismai-socket-address";

const first = (value: string | null) => value?.split(",")[0]?.trim() || null;

/** A bare IP address (IPv4-mapped IPv6 written as IPv4), or null for anything else. */
export function normaliseIp(value: string | null | undefined): string | null {
  if (!value) return null;
  let ip = value.trim();
  if (ip.startsWith("[") && ip.endsWith("]")) ip = ip.slice(1, -1);
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip)) ip = ip.slice(7);
  return net.isIP(ip) ? ip.toLowerCase() : null;
}

/** The client's address for a request's headers, or null when the platform did not give one. */
export function clientIp(headers: Headers): string | null {
  if (env().trustedProxy === "vercel") {
    return normaliseIp(first(headers.get("x-vercel-forwarded-for"))) ?? normaliseIp(headers.get("x-real-ip"));
  }
  return normaliseIp(headers.get(SOCKET_ADDRESS_HEADER));
}

/** The same, for server actions and pages (next/headers). */
export async function requestClientIp(): Promise<string | null> {
  const { headers } = await import("next/headers");
  return clientIp(await headers());
}

/** The connection came from this machine (127.0.0.0/8 or ::1). Only the socket can say so. */
export function isLoopback(ip: string | null): boolean {
  if (!ip) return false;
  return ip === "::1" || /^127\.\d+\.\d+\.\d+$/.test(ip);
}

/** The address of the peer of our own socket, when nothing is in front of the app; null otherwise. */
export function socketAddress(headers: Headers): string | null {
  return env().trustedProxy === "none" ? normaliseIp(headers.get(SOCKET_ADDRESS_HEADER)) : null;
}

type Holder = { installed?: boolean };
const holder: Holder = ((globalThis as { __prismSocketAddress?: Holder }).__prismSocketAddress ??= {});

/** Writes every accepted request's socket peer into SOCKET_ADDRESS_HEADER (see the header of this file). */
export function installSocketAddressHeader(): void {
  if (holder.installed) return;
  holder.installed = true;
  diagnostics.subscribe("http.server.request.start", (message) => {
    const { request, socket } = message as { request: IncomingMessage; socket: net.Socket };
    delete request.headers[SOCKET_ADDRESS_HEADER];
    const peer = socket?.remoteAddress;
    if (peer) request.headers[SOCKET_ADDRESS_HEADER] = peer;
  });
}
