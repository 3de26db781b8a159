import "server-only";
// Who a campaign reaches: a filter over the business's customers (tags, trust score, last contact,
// the channels they can be reached on, consent, language, a conversation matching a text), counted
// live while the owner edits it and saved as a segment. Blocked customers are never in an audience.
import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { text } from "@/lib/validation/text";
import { rows, type Executor } from "@/lib/db/client";
import { conversationLanguage } from "@/lib/ai/language";
import { consentGrantedSql } from "./consent";

/**
 * The channel kinds a campaign can start a conversation on. Telegram and Instagram only where the
 * platform lets a business write first (lib/campaigns/platform-rules): Telegram to people who have
 * messaged the bot and not blocked it, Instagram inside 24 hours of the customer's last message.
 */
export const CAMPAIGN_CHANNELS = ["sms", "whatsapp", "email", "telegram", "instagram"] as const;
export type CampaignChannel = (typeof CAMPAIGN_CHANNELS)[number];

/** The identity a message on each channel goes to (lib/services/reply-queue's ADDRESS_KIND). */
export const ADDRESS_OF: Record<CampaignChannel, "phone" | "email" | "telegram" | "instagram"> = {
  sms: "phone",
  whatsapp: "phone",
  email: "email",
  telegram: "telegram",
  instagram: "instagram",
};

/** Channels a customer must have written on first: a number or an id alone does not open them. */
export const CUSTOMER_STARTED: readonly CampaignChannel[] = ["whatsapp", "telegram", "instagram"];

const day = text()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date like 2026-11-30.")
  .optional()
  .or(z.literal("").transform(() => undefined));

export const AudienceFilter = z
  .object({
    tags: z.array(text().trim().min(1).max(60)).max(20).default([]),
    trustMin: z.coerce.number().int().min(0).max(100).optional(),
    trustMax: z.coerce.number().int().min(0).max(100).optional(),
    lastContactBefore: day,
    lastContactAfter: day,
    channels: z.array(z.enum(CAMPAIGN_CHANNELS, { message: "Choose channels from the list." })).max(CAMPAIGN_CHANNELS.length).default([]),
    consent: z.boolean().default(true),
    language: text()
      .trim()
      .regex(/^([a-z]{2})?$/, "Use a two-letter language code such as en or es.")
      .optional()
      .transform((v) => v || undefined),
    conversationText: text().trim().max(200, "Keep the text under 200 characters.").optional().transform((v) => v || undefined),
  })
  .refine((f) => f.trustMin === undefined || f.trustMax === undefined || f.trustMin <= f.trustMax, { message: "The lowest trust score is above the highest.", path: ["trustMin"] })
  .refine((f) => !f.lastContactBefore || !f.lastContactAfter || f.lastContactAfter < f.lastContactBefore, {
    message: "“Last contact after” must be earlier than “last contact before”.",
    path: ["lastContactAfter"],
  });
export type AudienceFilter = z.output<typeof AudienceFilter>;

const list = (values: string[]) => sql`(${sql.join(values.map((v) => sql`${v}`), sql`, `)})`;

/** Customers reachable on a kind: an identity that is not known undeliverable, and an enabled channel of that kind. */
// WhatsApp, Telegram and Instagram also need the customer to have written to the business there: a phone
// number alone does not say the person has WhatsApp, and a bot or an account cannot write first.
function reachableSql(kinds: readonly CampaignChannel[]): SQL {
  const parts = kinds.map(
    (k) => sql`(exists (select 1 from customer_identities i where i.business_id = c.business_id and i.customer_id = c.id and i.kind = ${ADDRESS_OF[k]} and not i.undeliverable)
      and exists (select 1 from channels ch where ch.business_id = c.business_id and ch.kind = ${k} and ch.enabled)
      ${CUSTOMER_STARTED.includes(k) ? sql`and exists (select 1 from conversations v join channels w on w.id = v.channel_id where v.business_id = c.business_id and v.customer_id = c.id and w.kind = ${k})` : sql``})`,
  );
  return sql`(${sql.join(parts, sql` or `)})`;
}

function whereOf(businessId: string, f: AudienceFilter, ids?: string[]): SQL {
  const kinds = f.channels.length ? f.channels : [...CAMPAIGN_CHANNELS];
  const conds: SQL[] = [sql`c.business_id = ${businessId}`, sql`not c.blocked`, reachableSql(kinds)];
  if (ids) conds.push(sql`c.id = any(${`{${ids.join(",")}}`}::uuid[])`);
  if (f.tags.length) conds.push(sql`c.tags && array[${sql.join(f.tags.map((t) => sql`${t}`), sql`, `)}]::text[]`);
  if (f.trustMin !== undefined) conds.push(sql`c.trust_score >= ${f.trustMin}`);
  if (f.trustMax !== undefined) conds.push(sql`c.trust_score <= ${f.trustMax}`);
  if (f.lastContactBefore) conds.push(sql`coalesce(c.last_seen_at, c.created_at) < ${f.lastContactBefore}::date`);
  if (f.lastContactAfter) conds.push(sql`coalesce(c.last_seen_at, c.created_at) >= ${f.lastContactAfter}::date`);
  if (f.consent) conds.push(consentGrantedSql(kinds));
  if (f.conversationText) {
    const pattern = `%${f.conversationText.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    conds.push(sql`exists (select 1 from messages m where m.business_id = c.business_id and m.customer_id = c.id and m.role in ('customer', 'agent', 'assistant') and m.content ilike ${pattern})`);
  }
  return sql.join(conds, sql` and `);
}

/** The language of each customer, from their latest messages (none stored: read when asked). */
async function languagesOf(ex: Executor, businessId: string, ids: string[]): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    const recent = await rows<{ customer_id: string; texts: string[] }>(
      ex,
      sql`select m.customer_id, (array_agg(m.content order by m.created_at desc))[1:5] as texts
          from messages m where m.business_id = ${businessId} and m.role = 'customer' and m.customer_id in ${list(chunk)}
          group by m.customer_id`,
    );
    for (const r of recent) out.set(r.customer_id, conversationLanguage(r.texts[0] ?? "", r.texts.slice(1)));
  }
  return out;
}

export type AudienceMember = { id: string; name: string | null; tags: string[]; consent: Record<string, unknown> };

/** Everyone the filter takes (of `ids`, when given: a trigger's customers), in a stable order. */
export async function audienceMembers(ex: Executor, businessId: string, filter: AudienceFilter, ids?: string[]): Promise<AudienceMember[]> {
  if (ids && !ids.length) return [];
  const members = await rows<AudienceMember>(ex, sql`select c.id, c.name, c.tags, c.consent from customers c where ${whereOf(businessId, filter, ids)} order by c.created_at, c.id`);
  if (!filter.language) return members;
  const langs = await languagesOf(ex, businessId, members.map((m) => m.id));
  return members.filter((m) => langs.get(m.id) === filter.language);
}

/** The live count the page shows beside the filter, and a few names to recognise the audience by. */
export async function audienceCount(ex: Executor, businessId: string, filter: AudienceFilter): Promise<{ count: number; sample: string[] }> {
  if (filter.language) {
    const members = await audienceMembers(ex, businessId, filter);
    return { count: members.length, sample: members.slice(0, 5).map((m) => m.name ?? "Unnamed customer") };
  }
  const [r] = await rows<{ n: number; names: (string | null)[] | null }>(
    ex,
    sql`select count(*)::int as n, (array_agg(c.name order by c.created_at, c.id))[1:5] as names from customers c where ${whereOf(businessId, filter)}`,
  );
  return { count: r?.n ?? 0, sample: (r?.names ?? []).map((n) => n ?? "Unnamed customer") };
}
