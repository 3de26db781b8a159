import "server-only";
// The narrow hook for the answer pipeline: when a conversation carries a campaign's message, the
// brief behind it (offer, dates, terms) as text for the model's prompt, so replies to the campaign are
// answered from what the campaign promised and nothing more. lib/pipeline calls it; it changes nothing.
import { sql, type SQLWrapper } from "drizzle-orm";
import { getDb, rows, type Executor } from "@/lib/db/client";
import { fromJson } from "@/lib/db/json-rows";

/** How long after a campaign's message its brief stays in the conversation's prompt. */
export const CAMPAIGN_CONTEXT_DAYS = 14;

/**
 * Text for the system prompt about the latest campaign message in this conversation (within
 * CAMPAIGN_CONTEXT_DAYS), or null when the conversation has none.
 */
export async function campaignContext(businessId: string, conversationId: string, opts: { ex?: Executor } = {}): Promise<string | null> {
  const ex = opts.ex ?? (await getDb());
  // the same sub-select the answer pipeline's load statement carries
  const [r] = await rows<{ campaign: unknown }>(ex, sql`select ${campaignBriefSql(businessId, sql`${conversationId}::uuid`)} as campaign`);
  const campaign = fromJson<CampaignBriefRow>(r?.campaign);
  return campaign ? campaignBriefText(campaign) : null;
}

/** The campaign's row as the answer pipeline's load reads it (campaignBriefSql). */
export type CampaignBriefRow = { name: string; brief: string | null; content: string | null; sent_at: string | Date };

/**
 * The latest campaign message of the conversation within CAMPAIGN_CONTEXT_DAYS, as one json value
 * for a sub-select of the pipeline's load statement (`conversationId`: the outer query's column).
 */
export function campaignBriefSql(businessId: string, conversationId: SQLWrapper) {
  return sql`(select json_build_object('name', c.name, 'brief', c.brief, 'content', m.content, 'sent_at', r.sent_at)
      from campaign_recipients r
      join campaigns c on c.id = r.campaign_id and c.business_id = r.business_id
      left join messages m on m.id = r.message_id and m.business_id = r.business_id
      where r.business_id = ${businessId} and r.conversation_id = ${conversationId} and r.sent_at is not null
        and r.sent_at > now() - make_interval(days => ${CAMPAIGN_CONTEXT_DAYS})
      order by r.sent_at desc limit 1)`;
}

/** What the model is told about a campaign message the customer may be answering. */
export function campaignBriefText(r: CampaignBriefRow): string {
  const day = new Date(r.sent_at).toISOString().slice(0, 10);
  return [
    `On ${day} the business sent this customer a message from its campaign "${r.name}"${r.content ? `: "${r.content}"` : "."}`,
    r.brief?.trim() ? `The campaign's brief (its offer, dates and terms):\n${r.brief.trim()}` : null,
    "If the customer is answering that message, answer from the brief and the business's knowledge; promise nothing the brief does not say.",
  ]
    .filter(Boolean)
    .join("\n");
}
