import "server-only";
// Server actions' error mapping: navigation (notFound, redirect) passes through; anything else
// becomes a message the form shows.
import { unstable_rethrow } from "next/navigation";
import { toErrorBody } from "@/lib/errors";

export type FormState = { error?: string; ok?: string; link?: string } | null;

export function actionError(err: unknown): { error: string } {
  unstable_rethrow(err);
  return { error: toErrorBody(err).body.error.message };
}
