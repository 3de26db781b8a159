import "server-only";
// The consent ledger (consent_events): every grant and revocation per customer and channel, with its
// source, time and wording. A campaign sends only where the latest entry is a grant and the customer
// has not opted out of the channel since (customers.consent, kept by the carrier and keyword paths).
// STOP and "unsubscribe" are recognised in the customer's language on SMS and WhatsApp; email carries
// a signed unsubscribe link (app/unsubscribe/[token]).
import { and, desc, eq, sql } from "drizzle-orm";
import type { Executor } from "@/lib/db/client";
import { rows } from "@/lib/db/client";
import { consentEvents } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { keyedHash } from "@/lib/security/crypto";
import { canMessage, setConsent, type ConsentKind } from "@/lib/channels/sms/consent";
import { keywordOf, type Keyword } from "@/lib/channels/sms/keywords";

export type ConsentSource = "keyword" | "unsubscribe_link" | "contact_form" | "staff" | "import" | "carrier";

/** Opt-out words and phrases, accents and spaces dropped, per language. */
export const OPT_OUT_WORDS: Record<string, readonly string[]> = {
  en: ["stop", "stopall", "unsubscribe", "cancel", "end", "quit", "optout", "revoke", "stopplease", "unsubscribeme", "removeme"],
  es: ["baja", "alto", "parar", "para", "detener", "cancelar", "darmedebaja", "nomasmensajes", "desuscribir", "eliminarme"],
  fr: ["arret", "arreter", "stop", "desabonner", "desabonnement", "desinscrire", "desinscription", "jemedesabonne", "annuler"],
  de: ["stopp", "abmelden", "abbestellen", "kundigen", "beenden", "austragen", "abmeldung"],
  it: ["basta", "fermati", "fine", "annulla", "disiscrivi", "disiscrivimi", "cancellami", "annullaiscrizione"],
  pt: ["parar", "pare", "sair", "cancelar", "descadastrar", "descadastre", "naoquero", "remover"],
  nl: ["stoppen", "afmelden", "uitschrijven", "opzeggen", "meldmeaf"],
  pl: ["koniec", "rezygnuje", "rezygnacja", "wypisz", "wypiszmnie", "anuluj", "odsubskrybuj"],
};

// A word shared by languages ("stop", "parar") is read as the first language that lists it.
const WORDS: Map<string, string> = new Map(
  Object.entries(OPT_OUT_WORDS)
    .flatMap(([lang, words]) => words.map((w) => [w, lang] as const))
    .reverse(),
);

function normalise(body: string): string {
  return body
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/ł/g, "l")
    .trim()
    .toLowerCase()
    .replace(/^[\s"'¡¿(]+|[\s.!?"')]+$/g, "")
    .replace(/[\s-]+/g, "");
}

/** The language of an opt-out message ("BAJA" → es), or null when the message is not one. */
export function optOutLanguage(body: string): string | null {
  if (body.length > 40) return null;
  return WORDS.get(normalise(body)) ?? null;
}

/**
 * The keyword of an inbound SMS or WhatsApp message: the carriers' English keywords (START, HELP…)
 * and opt-outs in any of the languages above. The one hook the inbound path calls.
 */
export function consentKeyword(body: string, state: { optedOut: boolean } = { optedOut: false }): Keyword | null {
  return keywordOf(body, state) ?? (optOutLanguage(body) ? "opt_out" : null);
}

/** Writes a ledger entry and keeps customers.consent (which every send checks) in step. */
export async function recordConsent(
  ex: Executor,
  input: { businessId: string; customerId: string; channelKind: ConsentKind; granted: boolean; source: ConsentSource; wording: string; at?: Date },
): Promise<void> {
  const at = input.at ?? new Date();
  await ex.insert(consentEvents).values({
    businessId: input.businessId,
    customerId: input.customerId,
    channelKind: input.channelKind,
    granted: input.granted,
    source: input.source,
    wording: input.wording.slice(0, 500),
    createdAt: at,
  });
  await setConsent(ex, {
    businessId: input.businessId,
    customerId: input.customerId,
    kind: input.channelKind,
    optedOut: !input.granted,
    source: input.source === "carrier" ? "carrier" : input.source === "keyword" ? "keyword" : "staff",
    at,
  });
}

/** A keyword the inbound path recognised, into the ledger (HELP changes nothing). */
export async function recordKeywordConsent(
  ex: Executor,
  input: { businessId: string; customerId: string; channelKind: "sms" | "whatsapp"; keyword: Keyword; wording: string },
): Promise<void> {
  if (input.keyword === "help") return;
  await recordConsent(ex, { ...input, granted: input.keyword === "opt_in", source: "keyword" });
}

export type ConsentState = { granted: boolean; source: string | null; at: Date | null; wording: string | null };

/** The latest ledger entry per customer and channel kind, for many customers at once. */
export async function consentStates(ex: Executor, businessId: string, customerIds: string[]): Promise<Map<string, ConsentState>> {
  const out = new Map<string, ConsentState>();
  if (!customerIds.length) return out;
  const list = await rows<{ customer_id: string; channel_kind: string; granted: boolean; source: string; wording: string; created_at: string | Date }>(
    ex,
    sql`select distinct on (customer_id, channel_kind) customer_id, channel_kind, granted, source, wording, created_at
        from consent_events where business_id = ${businessId} and customer_id in ${sql`(${sql.join(customerIds.map((id) => sql`${id}::uuid`), sql`, `)})`}
        order by customer_id, channel_kind, created_at desc, id desc`,
  );
  for (const r of list) out.set(`${r.customer_id}:${r.channel_kind}`, { granted: r.granted, source: r.source, at: new Date(r.created_at), wording: r.wording });
  return out;
}

/** No consent, no send: a recorded grant, and no opt-out of the channel since. */
export function mayContact(state: ConsentState | undefined, customer: { consent: Record<string, unknown> | null }, kind: ConsentKind): { ok: true } | { ok: false; reason: string } {
  if (!canMessage(customer, kind)) return { ok: false, reason: "opted out" };
  if (!state) return { ok: false, reason: "no consent" };
  if (!state.granted) return { ok: false, reason: "opted out" };
  return { ok: true };
}

/** The ledger of one customer, newest first (the customer page and the tests). */
export async function consentHistory(ex: Executor, businessId: string, customerId: string) {
  return ex
    .select()
    .from(consentEvents)
    .where(and(eq(consentEvents.businessId, businessId), eq(consentEvents.customerId, customerId)))
    .orderBy(desc(consentEvents.createdAt));
}

// ---------------------------------------------------------------- the email unsubscribe link

const b64 = (s: string) => Buffer.from(s).toString("base64url");

/** A token naming the business, the customer and the channel, signed with the app's keyed hash. */
export function unsubscribeToken(businessId: string, customerId: string, channelKind: ConsentKind = "email"): string {
  const payload = b64(`${businessId}.${customerId}.${channelKind}`);
  return `${payload}.${keyedHash(`unsubscribe:${payload}`).slice(0, 43)}`;
}

export function readUnsubscribeToken(token: string): { businessId: string; customerId: string; channelKind: ConsentKind } | null {
  const [payload, mac, extra] = token.split(".");
  if (!payload || !mac || extra !== undefined) return null;
  const expected = keyedHash(`unsubscribe:${payload}`).slice(0, 43);
  if (expected.length !== mac.length || expected !== mac) return null;
  const [businessId, customerId, channelKind] = Buffer.from(payload, "base64url").toString().split(".");
  const uuid = /^[0-9a-f-]{36}$/i;
  if (!businessId || !customerId || !channelKind || !uuid.test(businessId) || !uuid.test(customerId)) return null;
  return { businessId, customerId, channelKind: channelKind as ConsentKind };
}

export const unsubscribeUrl = (token: string) => `${env().appUrl}/unsubscribe/${token}`;

/** Customers with a granted, not since revoked, consent on one of the kinds (the audience's consent filter). */
export function consentGrantedSql(kinds: string[]) {
  return sql`exists (select 1 from (select distinct on (e.channel_kind) e.granted from consent_events e
      where e.business_id = c.business_id and e.customer_id = c.id and e.channel_kind in ${sql`(${sql.join(kinds.map((k) => sql`${k}`), sql`, `)})`}
      order by e.channel_kind, e.created_at desc, e.id desc) last where last.granted)`;
}


/** The unsubscribe page: whom the link is for, or null when it is not a link we made. */
export async function findUnsubscribeLink(ex: Executor, token: string): Promise<{ businessName: string; unsubscribed: boolean } | null> {
  const t = readUnsubscribeToken(token);
  if (!t) return null;
  const [r] = await rows<{ name: string; consent: Record<string, unknown> }>(
    ex,
    sql`select b.name, c.consent from customers c join businesses b on b.id = c.business_id where c.id = ${t.customerId} and c.business_id = ${t.businessId}`,
  );
  if (!r) return null;
  return { businessName: r.name, unsubscribed: !canMessage(r, t.channelKind) };
}

/** The unsubscribe link's button: the revocation goes into the ledger with the link as its source. */
export async function unsubscribeByLink(ex: Executor, token: unknown): Promise<{ businessName: string }> {
  const link = typeof token === "string" ? await findUnsubscribeLink(ex, token) : null;
  if (!link) throw new AppError("not_found", "This unsubscribe link is not valid. Reply to the email and ask us to stop, and we will.");
  const t = readUnsubscribeToken(token as string)!;
  if (!link.unsubscribed) {
    await recordConsent(ex, { businessId: t.businessId, customerId: t.customerId, channelKind: t.channelKind, granted: false, source: "unsubscribe_link", wording: "Unsubscribe link in an email" });
  }
  return { businessName: link.businessName };
}
