import "server-only";
// Satisfaction surveys (csat_surveys): one per conversation, answered once with a rating 1–5.
import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import type { Executor } from "@/lib/db/client";
import { conversations, csatSurveys } from "@/lib/db/schema";

/** How long a survey sent by SMS or WhatsApp takes a bare digit as its answer. */
export const CSAT_REPLY_WINDOW_MS = 7 * 24 * 3600 * 1000;

export type CsatSurvey = typeof csatSurveys.$inferSelect;

/** Records the survey of a conversation; null when the conversation already has one. */
export async function insertSurvey(
  ex: Executor,
  input: { businessId: string; conversationId: string; customerId: string; channelKind: CsatSurvey["channelKind"]; token: string },
): Promise<CsatSurvey | null> {
  const [row] = await ex.insert(csatSurveys).values(input).onConflictDoNothing({ target: csatSurveys.conversationId }).returning();
  return row ?? null;
}

/**
 * The customer's latest unanswered survey on this channel, sent within the reply window, while the
 * surveyed conversation is still their latest there (a digit inside a newer thread is an answer to it).
 */
export async function findOpenSurvey(ex: Executor, businessId: string, customerId: string, channelId: string, now: Date = new Date()): Promise<CsatSurvey | null> {
  const [row] = await ex
    .select({ survey: csatSurveys })
    .from(csatSurveys)
    .innerJoin(conversations, and(eq(conversations.id, csatSurveys.conversationId), eq(conversations.businessId, csatSurveys.businessId)))
    .where(
      and(
        eq(csatSurveys.businessId, businessId),
        eq(csatSurveys.customerId, customerId),
        eq(conversations.channelId, channelId),
        isNull(csatSurveys.answeredAt),
        gt(csatSurveys.sentAt, new Date(now.getTime() - CSAT_REPLY_WINDOW_MS)),
        sql`not exists (select 1 from conversations n where n.business_id = ${businessId} and n.customer_id = ${customerId}
              and n.channel_id = ${channelId} and n.created_at > ${conversations.createdAt})`,
      ),
    )
    .orderBy(desc(csatSurveys.sentAt))
    .limit(1);
  return row?.survey ?? null;
}

export async function findSurveyByConversation(ex: Executor, businessId: string, conversationId: string): Promise<CsatSurvey | null> {
  const [row] = await ex
    .select()
    .from(csatSurveys)
    .where(and(eq(csatSurveys.businessId, businessId), eq(csatSurveys.conversationId, conversationId)));
  return row ?? null;
}

/** A survey by its link's token (any business: the token is the only key a customer holds). */
export async function findSurveyByToken(ex: Executor, token: string): Promise<CsatSurvey | null> {
  const [row] = await ex.select().from(csatSurveys).where(eq(csatSurveys.token, token));
  return row ?? null;
}

/** Stores the rating if the survey has none yet; false when it was already answered. */
export async function answerSurvey(ex: Executor, businessId: string, surveyId: string, rating: number, at: Date = new Date()): Promise<boolean> {
  const updated = await ex
    .update(csatSurveys)
    .set({ rating, answeredAt: at })
    .where(and(eq(csatSurveys.id, surveyId), eq(csatSurveys.businessId, businessId), isNull(csatSurveys.answeredAt)))
    .returning({ id: csatSurveys.id });
  return updated.length > 0;
}
