import "server-only";
// Where Telegram and Instagram let a business write first. Telegram: a bot may message only people who
// have messaged it (we know their chat id) and have not blocked it — Telegram tells us of a block by
// refusing a message with 403 "bot was blocked by the user", and the person unblocks by writing again.
// Instagram (Meta's messaging window, lib/channels/instagram/window): anything within 24 hours of the
// customer's last message; the 7-day HUMAN_AGENT tag is for a person's replies, never for a campaign.
import { sql } from "drizzle-orm";
import { rows, type Executor } from "@/lib/db/client";
import { INSTAGRAM_RESPONSE_WINDOW_MS } from "@/lib/channels/instagram/window";
export { INSTAGRAM_WINDOW_CLOSED, PLATFORM_RULES, TELEGRAM_BLOCKED } from "./channel-rules";

// Telegram's descriptions of a chat the bot can no longer write to
const GONE = /bot was blocked by the user|bot was kicked|user is deactivated/i;

/**
 * Customers whose latest Telegram message from the business was refused because they blocked the
 * bot (or deleted their account), and who have not written on Telegram since.
 */
export async function telegramBlocked(ex: Executor, businessId: string, customerIds: string[]): Promise<Set<string>> {
  if (!customerIds.length) return new Set();
  const latest = await rows<{ customer_id: string; role: string; error: string | null }>(
    ex,
    sql`select distinct on (m.customer_id) m.customer_id, m.role::text as role,
          coalesce(m.metadata #>> '{delivery,error,message}', (select o.error from outbox o where o.business_id = m.business_id and o.message_id = m.id order by o.created_at desc limit 1)) as error
        from messages m join channels ch on ch.id = m.channel_id and ch.business_id = m.business_id
        where m.business_id = ${businessId} and ch.kind = 'telegram' and m.customer_id = any(${`{${customerIds.join(",")}}`}::uuid[])
          and (m.role = 'customer' or m.delivery_status = 'failed')
        order by m.customer_id, m.created_at desc, m.id desc`,
  );
  return new Set(latest.filter((x) => x.role !== "customer" && GONE.test(x.error ?? "")).map((x) => x.customer_id));
}

/** Each customer's last message on an Instagram channel of the business. */
export async function lastInstagramMessages(ex: Executor, businessId: string, customerIds: string[]): Promise<Map<string, Date>> {
  if (!customerIds.length) return new Map();
  const list = await rows<{ customer_id: string; last: string | Date }>(
    ex,
    sql`select m.customer_id, max(m.created_at) as last from messages m join channels ch on ch.id = m.channel_id and ch.business_id = m.business_id
        where m.business_id = ${businessId} and ch.kind = 'instagram' and m.role = 'customer' and m.customer_id = any(${`{${customerIds.join(",")}}`}::uuid[])
        group by m.customer_id`,
  );
  return new Map(list.map((r) => [r.customer_id, new Date(r.last)]));
}

/** May a campaign message go on Instagram at `at`, given the customer's last message there? */
export function instagramOpenAt(lastCustomerMessageAt: Date | undefined, at: Date): boolean {
  return !!lastCustomerMessageAt && at.getTime() < lastCustomerMessageAt.getTime() + INSTAGRAM_RESPONSE_WINDOW_MS;
}
