// Which websites may embed a business's chat: exact origins ("https://shop.example.com") or one
// wildcard level of subdomains ("https://*.example.com"). An empty list lets any site embed it.
// Pure functions: the chat page (inside the frame) and the chat API apply the same rule.

/** "Shop.Example.com/contact" → "https://shop.example.com"; null when it is not a web origin. */
export function normaliseOrigin(input: string): string | null {
  let raw = input.trim();
  if (!raw) return null;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) raw = `https://${raw}`;
  const wildcard = /^(https?:\/\/)\*\./i.exec(raw);
  try {
    const url = new URL(wildcard ? raw.replace("*.", "wildcard-subdomain.") : raw);
    if (url.protocol !== "https:" && url.protocol !== "http:") return null;
    if (url.username || url.password) return null;
    const host = url.host.toLowerCase();
    if (!host || host.includes("*")) return null;
    const origin = `${url.protocol}//${host}`;
    return wildcard ? origin.replace("wildcard-subdomain.", "*.") : origin;
  } catch {
    return null;
  }
}

/** Parses a list typed one per line (or comma-separated); returns the good ones and the rejects. */
export function parseOriginList(text: string): { origins: string[]; invalid: string[] } {
  const origins: string[] = [];
  const invalid: string[] = [];
  for (const part of text.split(/[\n,]+/).map((s) => s.trim()).filter(Boolean)) {
    const origin = normaliseOrigin(part);
    if (origin) {
      if (!origins.includes(origin)) origins.push(origin);
    } else invalid.push(part);
  }
  return { origins, invalid };
}

/** Whether `origin` (as a browser sends it) is on the list. */
export function originMatches(origin: string, allowed: string[]): boolean {
  const o = normaliseOrigin(origin);
  if (!o) return false;
  return allowed.some((a) => {
    if (!a.includes("*.")) return a === o;
    const [scheme, rest] = a.split("*.") as [string, string];
    // https://*.example.com matches https://shop.example.com, not https://example.com or http://…
    return o.startsWith(scheme) && o.slice(scheme.length).endsWith(`.${rest}`);
  });
}

/** An empty list means any site may embed the chat; the app's own origin is always allowed. */
export function originAllowed(origin: string | null, allowed: string[], ownOrigins: string[] = []): boolean {
  if (!origin) return true;
  const o = normaliseOrigin(origin);
  if (o && ownOrigins.some((own) => normaliseOrigin(own) === o)) return true;
  if (!allowed.length) return true;
  return originMatches(origin, allowed);
}
