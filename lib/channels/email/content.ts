import "server-only";
// What an inbound email says, as the assistant should read it: the plain-text part (or the HTML
// part turned into text when there is no plain one), with quoted history and signatures cut off by
// email-reply-parser; its threading headers; and whether it is an automatic message that must not be
// answered (RFC 3834 Auto-Submitted, Precedence: bulk / junk / list, out-of-office subjects, bounces
// and no-reply senders), since answering one is how mail loops start.
import { convert } from "html-to-text";

export type Headers = Record<string, string>;

/** A header by name, whatever its case in the map. */
export function header(headers: Headers | null | undefined, name: string): string | null {
  if (!headers) return null;
  const want = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === want) return typeof value === "string" ? value : String(value);
  return null;
}

/** The message ids in a Message-ID, In-Reply-To or References value, in order: "<a@x> <b@y>" → ["<a@x>", "<b@y>"]. */
export function messageIds(value: string | null | undefined): string[] {
  if (!value) return [];
  const found = value.match(/<[^<>\s]+>/g);
  if (found) return found;
  const bare = value.trim();
  return bare && !/\s/.test(bare) ? [`<${bare.replace(/^<|>$/g, "")}>`] : [];
}

/** HTML mail as text: links keep their text, images and styles go, blockquotes become "> " quotes. */
export function htmlToText(html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: "a", options: { ignoreHref: true } },
      { selector: "img", format: "skip" },
      { selector: "style", format: "skip" },
      { selector: "head", format: "skip" },
    ],
  });
}

type ReplyParser = { read(text: string): { getVisibleText(): string } };
let parserClass: (new () => ReplyParser) | undefined;

async function replyParser(): Promise<ReplyParser> {
  // ESM-only package: loaded once, natively.
  parserClass ??= (await import("email-reply-parser")).default as unknown as new () => ReplyParser;
  return new parserClass();
}

export type VisibleText = { text: string; fromHtml: boolean; trimmed: boolean };

/** The new text of a reply: no quoted history, no signature. Falls back to the whole body when that leaves nothing. */
export async function visibleText(text: string | null | undefined, html: string | null | undefined): Promise<VisibleText> {
  const fromHtml = !text?.trim() && Boolean(html?.trim());
  const body = (fromHtml ? htmlToText(html!) : (text ?? "")).replace(/\r\n?/g, "\n").trim();
  if (!body) return { text: "", fromHtml, trimmed: false };
  const visible = (await replyParser()).read(body).getVisibleText().trim();
  const chosen = visible || body;
  return { text: chosen.replace(/\n{3,}/g, "\n\n"), fromHtml, trimmed: chosen.length < body.length };
}

const AUTO_SUBJECT = /^(auto(matic)?[ -]?(reply|response)|auto:|out of (the )?office|ooo\b|abwesenheit|absence|r[ée]ponse automatique|respuesta autom[áa]tica|delivery status notification|undeliver(able|ed)|mail delivery (failed|subsystem)|returned mail)/i;
const NO_REPLY_SENDER = /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|noreply-[^@]*|bounces?(\+[^@]*)?)@/i;

/** Why an email must get no answer, or null when it is a person writing. */
export function automaticReason(input: { headers: Headers | null | undefined; subject: string | null | undefined; from: string }): string | null {
  const h = input.headers;
  const autoSubmitted = header(h, "auto-submitted")?.trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== "no") return `Auto-Submitted: ${autoSubmitted}`;
  const precedence = header(h, "precedence")?.trim().toLowerCase();
  if (precedence && ["bulk", "junk", "list", "auto_reply"].includes(precedence)) return `Precedence: ${precedence}`;
  if (header(h, "x-autoreply") || header(h, "x-autorespond") || header(h, "x-auto-reply")) return "X-Autoreply";
  const suppress = header(h, "x-auto-response-suppress")?.toLowerCase() ?? "";
  if (/\b(all|oof|autoreply)\b/.test(suppress)) return `X-Auto-Response-Suppress: ${suppress}`;
  if (header(h, "list-id") || header(h, "list-unsubscribe")) return "mailing list";
  if (header(h, "return-path")?.trim() === "<>") return "empty Return-Path (a bounce)";
  if (NO_REPLY_SENDER.test(input.from)) return "no-reply sender";
  if (input.subject && AUTO_SUBJECT.test(input.subject.trim())) return `subject "${input.subject.trim().slice(0, 60)}"`;
  return null;
}

/** "Re: Re: Fwd: Parking" → "Parking", for display and for our reply's subject. */
export function baseSubject(subject: string | null | undefined): string {
  let s = (subject ?? "").trim();
  for (;;) {
    const next = s.replace(/^((re|fwd?|aw|sv|wg|tr|rv)(\[\d+\])?\s*:\s*)/i, "");
    if (next === s) break;
    s = next;
  }
  return s;
}
