// Cross-site requests that change state are refused: a page on another site can make the browser
// POST (a form, or fetch with text/plain, no preflight) with the member's cookies. The browser names
// the page that made the request in Origin (or, from older ones, Sec-Fetch-Site / Referer); a
// request without any of them is not a browser's cross-site request, so no cookie rides along.
// Used by withMember (dashboard API routes), the jobs route and proxy.ts (server actions).
import { env } from "@/lib/env";

export const STATE_CHANGING_METHODS: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH", "DELETE"]);

const hostOf = (value: string | null): string | null => {
  if (!value) return null;
  const first = value.split(",")[0]?.trim().toLowerCase();
  return first || null;
};

/**
 * The app's own: APP_URL's origin, or the host the browser addressed (Host, or X-Forwarded-Host
 * behind a proxy). A page on another site can set neither, so this is the check Next applies to
 * server actions, with APP_URL added.
 */
function isOwn(url: string, headers: Headers): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return false;
  if (parsed.origin === new URL(env().appUrl).origin) return true;
  const host = parsed.host.toLowerCase();
  return host === hostOf(headers.get("x-forwarded-host")) || host === hostOf(headers.get("host"));
}

/** Whether the request came from this app's own pages (or from no browser page at all). */
export function isSameOriginRequest(headers: Headers): boolean {
  const origin = headers.get("origin");
  if (origin !== null) return origin !== "null" && isOwn(origin, headers);
  const site = headers.get("sec-fetch-site");
  if (site !== null) return site === "same-origin" || site === "none";
  const referer = headers.get("referer");
  if (referer) return isOwn(referer, headers);
  return true;
}

/** A state-changing request from another website. */
export function isCrossSiteWrite(method: string, headers: Headers): boolean {
  return STATE_CHANGING_METHODS.has(method.toUpperCase()) && !isSameOriginRequest(headers);
}

export const CROSS_SITE_MESSAGE = "This request came from another website. Use the PrismAI dashboard.";
