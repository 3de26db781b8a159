// A conversation of one customer question and the AI's reply, written at a given time (for reports and digests).
import { sql } from "drizzle-orm";
import { rows, type Tx } from "@/lib/db/client";

export type ExchangePlace = { businessId: string; customerId: string; channelId: string };

/** Stores a conversation with the customer's question at `created` and an offline reply 5 s later; returns the conversation's id. */
export async function seedExchange(
  tx: Tx,
  at: ExchangePlace,
  created: string,
  question: string,
  reply: string,
  status: "open" | "waiting_human" = "open",
): Promise<string> {
  const [c] = await rows<{ id: string }>(
    tx,
    sql`insert into conversations (business_id, customer_id, channel_id, status, created_at) values (${at.businessId}, ${at.customerId}, ${at.channelId}, ${status}, ${created}::timestamptz) returning id`,
  );
  const [m] = await rows<{ id: string }>(
    tx,
    sql`insert into messages (business_id, conversation_id, customer_id, channel_id, role, content, created_at)
        values (${at.businessId}, ${c!.id}, ${at.customerId}, ${at.channelId}, 'customer', ${question}, ${created}::timestamptz) returning id`,
  );
  await tx.execute(
    sql`insert into messages (business_id, conversation_id, customer_id, channel_id, role, source, content, reply_to_id, created_at)
        values (${at.businessId}, ${c!.id}, ${at.customerId}, ${at.channelId}, 'assistant', 'offline', ${reply}, ${m!.id}, ${created}::timestamptz + interval '5 seconds')`,
  );
  return c!.id;
}
