// Text as PostgreSQL can store it. U+0000 (NUL) is the one character neither `text` nor `jsonb` can
// hold: sent to the database it is an error, so to the caller a 500, and a provider retries a 500
// for days. It carries no meaning in a message, a name or a query and is invisible on screen, so
// every boundary removes it once, as it reads the input, rather than asking a person to find it:
//   - provider webhooks: the parsed body (parseJsonBody, Twilio's fields) — the message is kept;
//   - forms, server actions and JSON bodies: the `text()` schema below, in every boundary schema;
//   - jsonb values built from input (metadata, attachments): stripNulDeep;
//   - whole files where a NUL means the wrong encoding (a UTF-16 CSV, a binary "text" file) are
//     refused with a message instead (lib/knowledge/csv.ts, lib/knowledge/extract.ts).
// lib/pipeline/inbound.ts storeInbound strips again as the last line of defence.
import { z } from "zod";

const NUL = /\u0000/g;

export function hasNul(value: string): boolean {
  return value.includes("\u0000");
}

export function stripNul(value: string): string {
  return hasNul(value) ? value.replace(NUL, "") : value;
}

/** An object literal or JSON.parse's output, from any realm (a fetch's JSON is not this realm's in tests). */
const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === null || Object.getPrototypeOf(proto) === null;
};

/**
 * A copy of a JSON-like value with NUL removed from every string and every key, for jsonb (which
 * refuses "\u0000" anywhere). Arrays and plain objects are walked; anything else is kept as it is.
 */
export function stripNulDeep<T>(value: T): T {
  if (typeof value === "string") return stripNul(value) as T;
  if (Array.isArray(value)) return value.map((v) => stripNulDeep(v)) as T;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[stripNul(k)] = stripNulDeep(v);
    return out as T;
  }
  return value;
}

/**
 * The string schema for free text at every boundary: NUL removed first, then the field's own rules
 * (`text("Write a reply first.").trim().min(1, …).max(4000, …)`), so a lone NUL counts as empty.
 */
export function text(params?: Parameters<typeof z.string>[0]) {
  return z.string(params).overwrite(stripNul);
}
