import "server-only";
// Customer satisfaction (CSAT): the one-question survey sent when a conversation is closed, in the
// channel's own form, and the customer's rating of it. The AI never answers a rating.
import crypto from "node:crypto";
import { z } from "zod";
import { and, eq } from "drizzle-orm";
import { withService, type Tx } from "@/lib/db/client";
import { findBusinessById } from "@/lib/db/businesses";
import { answerSurvey, findSurveyByToken } from "@/lib/db/csat";
import { env } from "@/lib/env";
import { messages } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import { storeMessage } from "@/lib/pipeline/conversations";
import { enqueueReply } from "./reply-queue";

/** The channels a survey goes out on; others (voice, Telegram, Instagram) get none. */
export const CSAT_CHANNELS = ["web", "sms", "whatsapp", "email"] as const;
export type CsatChannel = (typeof CSAT_CHANNELS)[number];

export const isCsatChannel = (kind: string): kind is CsatChannel => (CSAT_CHANNELS as readonly string[]).includes(kind);

const RATING_MESSAGE = "The rating must be a whole number from 1 to 5.";
export const CsatRating = z.number({ message: RATING_MESSAGE }).int(RATING_MESSAGE).min(1, RATING_MESSAGE).max(5, RATING_MESSAGE);
export type CsatRating = z.infer<typeof CsatRating>;

/** A bare digit 1–5 (spaces and a trailing full stop allowed): the answer to an SMS or WhatsApp survey. */
export function ratingOfReply(text: string): number | null {
  const m = /^\s*([1-5])\s*\.?\s*$/.exec(text);
  return m ? Number(m[1]) : null;
}

/** The one line sent back after a rating by SMS or WhatsApp (one segment). */
export const CSAT_THANKS = "Thank you for your rating!";

/**
 * Thanks the customer for a rating sent by SMS or WhatsApp, once per survey: called only by the
 * transaction that recorded the survey's rating. A system message (never an AI answer in Analytics)
 * queued in the outbox like a staff reply, so the channel's own sender delivers and prices it.
 */
export async function queueRatingThanks(
  tx: Tx,
  input: { businessId: string; surveyId: string; conversationId: string; customerId: string; channelId: string; channelKind: "sms" | "whatsapp" },
): Promise<string> {
  const { message } = await storeMessage(tx, {
    businessId: input.businessId,
    conversationId: input.conversationId,
    customerId: input.customerId,
    channelId: input.channelId,
    role: "system",
    content: CSAT_THANKS,
    deliveryStatus: "queued",
    metadata: { csatThanksFor: input.surveyId },
  });
  const c = { id: input.conversationId, channel_id: input.channelId, channel_kind: input.channelKind, customer_id: input.customerId };
  if ((await enqueueReply(tx, c, input.businessId, message.id, CSAT_THANKS)) === "failed") {
    await tx.update(messages).set({ deliveryStatus: "failed" }).where(and(eq(messages.id, message.id), eq(messages.businessId, input.businessId)));
  }
  return message.id;
}

/** Random and unguessable: the only key the email link carries. */
export const newSurveyToken = () => crypto.randomBytes(24).toString("base64url");

export const surveyUrl = (token: string) => `${env().appUrl}/csat/${token}`;

export const CSAT_QUESTION = "How did we do?";

/** The survey's text on a channel that carries text (web chat shows buttons instead). */
export function surveyText(kind: Exclude<CsatChannel, "web">, token: string): string {
  if (kind === "email") return `${CSAT_QUESTION} Rate this conversation from 1 to 5 here: ${surveyUrl(token)}`;
  return `${CSAT_QUESTION} Reply with a number from 1 (poor) to 5 (excellent).`;
}

/** A link's token: what newSurveyToken makes, nothing else reaches the database. */
export const SurveyToken = z.string({ message: "This survey link is incomplete." }).regex(/^[A-Za-z0-9_-]{32}$/, "This survey link is not valid.");

export type SurveyLink = { businessName: string; rating: number | null };

/** The survey an email link names, or null when there is none (the page is then not found). */
export async function findSurveyLink(token: unknown): Promise<SurveyLink | null> {
  const parsed = SurveyToken.safeParse(token);
  if (!parsed.success) return null;
  return withService(async (tx) => {
    const survey = await findSurveyByToken(tx, parsed.data);
    if (!survey) return null;
    const business = await findBusinessById(tx, survey.businessId);
    return business ? { businessName: business.name, rating: survey.rating } : null;
  });
}

export const SurveyLinkAnswer = z.object({ token: SurveyToken, rating: z.coerce.number({ message: RATING_MESSAGE }).pipe(CsatRating) });

/** The customer's rating through the email link: once, for the survey the token names. */
export async function rateSurveyByLink({ input }: { input: unknown }): Promise<{ rating: number }> {
  const { token, rating } = SurveyLinkAnswer.parse(input);
  return withService(async (tx) => {
    const survey = await findSurveyByToken(tx, token);
    if (!survey) throw new AppError("not_found", "This survey link is not valid.");
    if (!(await answerSurvey(tx, survey.businessId, survey.id, rating))) throw new AppError("conflict", "You already rated this conversation. Thank you!");
    return { rating };
  });
}
