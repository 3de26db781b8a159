import "server-only";
// Analytics → Topics and intents: the period's customer questions grouped by meaning (lib/intel/topics.ts)
// with their volume, AI resolution and the AI's cost, and the intents read per day. Owners and admins
// only, like the rest of Analytics; the same period and channel filters.
import { sql } from "drizzle-orm";
import { rows } from "@/lib/db/client";
import { fromVectorLiteral, getEmbedder, localEmbedding, LocalEmbedder } from "@/lib/ai/embeddings";
import { clusterTopics, type Topic } from "@/lib/intel/topics";
import { runReport } from "./reports";
import { MANAGERS, requireRole, type Ctx } from "./context";

/** The newest questions of a period that are grouped (enough for the topics that matter, bounded work). */
export const TOPIC_QUESTIONS_MAX = 1000;

export type TopicsReport = {
  topics: (Omit<Topic, "messageIds"> & { failingCostMicros: number })[];
  /** questions read in the period (at most TOPIC_QUESTIONS_MAX) */
  questions: number;
  intents: { key: string; label: string; total: number }[];
  intentsByDay: { day: string; values: Record<string, number> }[];
};

export async function getTopicsReport({ ctx, input }: { ctx: Ctx; input?: unknown }, opts: { now?: Date } = {}): Promise<TopicsReport> {
  requireRole(ctx, MANAGERS);
  return runReport(ctx, input, opts.now ?? new Date(), async (tx, f) => {
    const channel = f.channel
      ? sql`and exists (select 1 from channels ch where ch.id = m.channel_id and ch.business_id = m.business_id and ch.kind::text = ${f.channel})`
      : sql``;
    // The local embedder is free and deterministic: questions are embedded as they are. With Gemini the
    // vectors already stored in memories are used (no new embedding is paid for a report).
    const local = getEmbedder() instanceof LocalEmbedder;
    const list = await rows<{ id: string; content: string; embedding: string | null; source: string | null; handoff: boolean | null; cost: string | number | null }>(
      tx,
      sql`select m.id, m.content,
                 ${local ? sql`null` : sql`(select mem.embedding::text from memories mem where mem.message_id = m.id and mem.business_id = m.business_id limit 1)`} as embedding,
                 r.source, (r.metadata ? 'handoff') as handoff, r.cost_usd as cost
          from messages m
          left join lateral (select source, metadata, cost_usd from messages r where r.business_id = m.business_id and r.reply_to_id = m.id
                             and r.role = 'assistant' order by r.created_at limit 1) r on true
          where m.business_id = ${ctx.businessId} and m.role = 'customer' and m.created_at >= ${f.startsAt} and m.created_at < ${f.endsAt}
            and not (m.metadata ? 'csatRating') and coalesce(m.metadata->>'test', '') <> 'true' and length(trim(m.content)) > 0 ${channel}
          order by m.created_at desc, m.id limit ${TOPIC_QUESTIONS_MAX}`,
    );
    const questions = list
      .filter((m) => local || m.embedding)
      .reverse()
      .map((m) => ({
        id: m.id,
        text: m.content,
        vector: local ? localEmbedding(m.content) : fromVectorLiteral(m.embedding!),
        // answered by the AI itself (not a fixed reply), without handing the conversation to a person
        resolved: m.source !== null && ["model", "cache", "faq", "offline"].includes(m.source) && !m.handoff,
        costMicros: Math.round(Number(m.cost ?? 0) * 1_000_000),
      }));
    const topics = clusterTopics(questions).map(({ messageIds, ...t }) => {
      const failing = new Set(questions.filter((q) => !q.resolved).map((q) => q.id));
      return { ...t, failingCostMicros: questions.filter((q) => messageIds.includes(q.id) && failing.has(q.id)).reduce((n, q) => n + q.costMicros, 0) };
    });

    const perDay = await rows<{ day: string; intent: string; n: number }>(
      tx,
      sql`select to_char((m.created_at at time zone ${f.timeZone})::date, 'YYYY-MM-DD') as day, coalesce(i.name, 'other') as intent, count(*)::int as n
          from message_insights mi
          join messages m on m.id = mi.message_id and m.business_id = mi.business_id
          left join intents i on i.id = mi.intent_id and i.business_id = mi.business_id
          where mi.business_id = ${ctx.businessId} and m.created_at >= ${f.startsAt} and m.created_at < ${f.endsAt} ${channel}
          group by 1, 2`,
    );
    const totals = new Map<string, number>();
    const byDay = new Map<string, Record<string, number>>(f.days.map((d) => [d, {}]));
    for (const r of perDay) {
      totals.set(r.intent, (totals.get(r.intent) ?? 0) + Number(r.n));
      const d = byDay.get(r.day);
      if (d) d[r.intent] = Number(r.n);
    }
    return {
      topics,
      questions: questions.length,
      intents: [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([key, total]) => ({ key, label: key, total })),
      intentsByDay: f.days.map((day) => ({ day, values: byDay.get(day)! })),
    };
  });
}
