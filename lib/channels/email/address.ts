// Email addresses as the email channel needs them: mailboxes parsed from headers ("Ada <ada@x.org>"),
// the channel's address behind a plus tag, and the reply-to address that carries a conversation:
// support+c.<id>.<mac>@example.com. A reply to our email lands on that address, so even a client
// that drops In-Reply-To and References puts the reply back in its conversation; the MAC means the
// tag cannot be guessed to write into someone else's thread.
import crypto from "node:crypto";
import { keyedHash } from "@/lib/security/crypto";

export type Mailbox = { name: string | null; address: string };

const ADDRESS = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;

export function isEmailAddress(value: string): boolean {
  return ADDRESS.test(value.trim());
}

/** "Ada Lovelace <Ada@Example.org>", "ada@example.org", "\"Lovelace, Ada\" <ada@example.org>" → mailbox; null when no address. */
export function parseMailbox(raw: string | null | undefined): Mailbox | null {
  if (!raw) return null;
  const text = raw.trim();
  const angle = /<([^<>]+)>\s*$/.exec(text);
  const address = (angle ? angle[1]! : text).trim().toLowerCase();
  if (!isEmailAddress(address)) return null;
  const name = angle ? text.slice(0, angle.index).trim().replace(/^"(.*)"$/, "$1").replace(/\\"/g, '"').trim() : "";
  return { name: name && name.toLowerCase() !== address ? name : null, address };
}

/** Every address in a header value or list ("a@x.org, Bob <b@y.org>"), lower-cased. */
export function addressesOf(values: (string | null | undefined)[]): string[] {
  const out = new Set<string>();
  for (const value of values) {
    if (!value) continue;
    for (const part of value.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)) {
      const m = parseMailbox(part);
      if (m) out.add(m.address);
    }
  }
  return [...out];
}

/** "support+c.xyz@acme.com" → "support@acme.com": the channel's own address. */
export function baseAddress(address: string): string {
  const [local = "", domain = ""] = address.toLowerCase().split("@");
  return `${local.split("+")[0]}@${domain}`;
}

// Lower-case only (base32 and hex), because some mail systems lower-case the addresses they relay.
const TAG = /^c\.([a-z2-7]{26})\.([0-9a-f]{10})$/;
const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

const mac = (conversationId: string) => Buffer.from(keyedHash(`email-reply:${conversationId}`), "base64url").toString("hex").slice(0, 10);

function toBase32(bytes: Buffer): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

function fromBase32(text: string): Buffer {
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of text) {
    value = (value << 5) | BASE32.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

function uuidFromHex(hex: string): string | null {
  if (!/^[0-9a-f]{32}$/.test(hex)) return null;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The address our emails in a conversation ask the customer to reply to. */
export function replyAddress(channelAddress: string, conversationId: string): string {
  const [local = "", domain = ""] = channelAddress.toLowerCase().split("@");
  const tag = toBase32(Buffer.from(conversationId.replace(/-/g, ""), "hex"));
  return `${local}+c.${tag}.${mac(conversationId)}@${domain}`;
}

/** The conversation a recipient's plus tag names, when the tag is ours and intact. */
export function conversationFromAddress(address: string): string | null {
  const local = address.toLowerCase().split("@")[0] ?? "";
  const plus = local.indexOf("+");
  if (plus < 0) return null;
  const m = TAG.exec(local.slice(plus + 1));
  if (!m) return null;
  const id = uuidFromHex(fromBase32(m[1]!).toString("hex"));
  if (!id) return null;
  // Compared in constant time, so the MAC cannot be found a character at a time.
  const expected = Buffer.from(mac(id));
  const given = Buffer.from(m[2]!);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given) ? id : null;
}
