// The sweeper: answers any stored customer message left without a reply or hand-off (a crash
// between storing and answering delays an answer, never drops it), and embeds messages into
// memories that the after-response step missed. Answers it makes are delivered on their channel.
import { sql } from "drizzle-orm";
import { rows, withService } from "@/lib/db/client";
import { deliverAnswer } from "@/lib/channels/delivery";
import { answerMessage } from "@/lib/pipeline/answer";
import { embedMessagesIntoMemories } from "@/lib/pipeline/memories";

export type SweepResult = { answered: number; failed: number; embedded: number };

export async function sweep(opts: { graceSeconds?: number; limit?: number } = {}): Promise<SweepResult> {
  const grace = opts.graceSeconds ?? 30;
  const pending = await withService((tx) =>
    rows<{ id: string; business_id: string; channel_kind: string }>(
      tx,
      sql`select m.id, m.business_id, ch.kind::text as channel_kind from messages m
          join conversations c on c.id = m.conversation_id and c.business_id = m.business_id
          join channels ch on ch.id = c.channel_id and ch.business_id = m.business_id
          where m.role = 'customer' and not (m.metadata ? 'outcome') and c.status <> 'waiting_human'
            and m.created_at < now() - make_interval(secs => ${grace})
            and m.created_at > now() - interval '2 days'
            and not exists (select 1 from messages r where r.reply_to_id = m.id and r.business_id = m.business_id)
          order by m.created_at limit ${opts.limit ?? 25}`,
    ),
  );
  let answered = 0;
  let failed = 0;
  const deferred: Promise<unknown>[] = [];
  for (const m of pending) {
    try {
      const outcome = await answerMessage(m.business_id, m.id, { defer: (task) => void deferred.push(task()) });
      // Another sweeper (or the webhook, late) claimed it first: the answer is theirs to send, not a second text.
      if (outcome.reply && !outcome.duplicate) {
        answered++;
        // Stored is not sent: on SMS and WhatsApp the answer still has to reach the customer's phone.
        await deliverAnswer(m.channel_kind, m.business_id, outcome.reply.id);
      }
    } catch (err) {
      failed++;
      console.error("[prismai] sweeper could not answer a message", err instanceof Error ? err.message : String(err));
    }
  }
  await Promise.allSettled(deferred);
  const embedded = await embedMessagesIntoMemories("pending", 200).catch(() => 0);
  return { answered, failed, embedded };
}
