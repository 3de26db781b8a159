// Where a `next` (or any redirect) parameter may send someone: a path on this app, never another
// site. The value is parsed as a browser would (a backslash is a slash, tabs and newlines vanish), so
// "/\evil.example/" and "/<TAB>/evil.example/" resolve to the foreign host they really are.
import { env } from "@/lib/env";

export const DEFAULT_AFTER_SIGN_IN = "/businesses";

/** A same-origin path (pathname, query and hash of the parsed URL), or `fallback`. */
export function safeRedirectPath(value: unknown, fallback = DEFAULT_AFTER_SIGN_IN): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.length > 2048) return fallback;
  const base = new URL(env().appUrl);
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base.origin) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // The result is read again as a URL by whoever follows it: it must still be a plain path.
  return path.startsWith("/") && !path.startsWith("//") && !path.startsWith("/\\") ? path : fallback;
}
