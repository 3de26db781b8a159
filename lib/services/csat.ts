import "server-only";
// Customer satisfaction (CSAT): the one-question survey sent when a conversation is closed, in the
// channel's own form, and the customer's rating of it. The AI never answers a rating.
import crypto from "node:crypto";
import { z } from "zod";
import { env } from "@/lib/env";

/** The channels a survey goes out on; others (voice, Telegram, Instagram) get none. */
export const CSAT_CHANNELS = ["web", "sms", "whatsapp", "email"] as const;
export type CsatChannel = (typeof CSAT_CHANNELS)[number];

export const isCsatChannel = (kind: string): kind is CsatChannel => (CSAT_CHANNELS as readonly string[]).includes(kind);

export const CsatRating = z.coerce
  .number({ message: "The rating must be a whole number from 1 to 5." })
  .int("The rating must be a whole number from 1 to 5.")
  .min(1, "The rating must be a whole number from 1 to 5.")
  .max(5, "The rating must be a whole number from 1 to 5.");
export type CsatRating = z.infer<typeof CsatRating>;

/** A bare digit 1–5 (spaces and a trailing full stop allowed): the answer to an SMS or WhatsApp survey. */
export function ratingOfReply(text: string): number | null {
  const m = /^\s*([1-5])\s*\.?\s*$/.exec(text);
  return m ? Number(m[1]) : null;
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
