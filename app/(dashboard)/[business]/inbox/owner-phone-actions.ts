"use server";
// The inbox's "Your phone" panel (embedded mode): the member texts the business from their own
// verified number and reads what reached it. Each action resolves the member context again.
import { memberContext } from "@/lib/auth/member";
import { actionError } from "@/lib/action";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { parseQueryDate } from "@/lib/validation/dates";
import { ownerPhoneFeed, ownerPhoneSend } from "@/lib/relay/simulator";

function embeddedOnly() {
  if (env().adapters.sms !== "outbox") throw new AppError("forbidden", "The phone simulator runs in embedded mode only; with Twilio configured, text from your own phone.");
}

export async function ownerPhoneSendAction(slug: string, text: string): Promise<{ replies: string[] } | { error: string }> {
  try {
    const { ctx } = await memberContext(slug);
    embeddedOnly();
    // the app's own configured URL, never one from the request's headers (the webhook is signed for it)
    return await ownerPhoneSend({ ctx, input: { text }, origin: env().appUrl, post: (url, init) => fetch(url, { ...init, cache: "no-store", redirect: "manual" }) });
  } catch (err) {
    return actionError(err);
  }
}

export async function ownerPhoneFeedAction(slug: string, since: string): Promise<{ id: string; body: string; at: string; call: boolean }[] | { error: string }> {
  try {
    const { ctx } = await memberContext(slug);
    embeddedOnly();
    return await ownerPhoneFeed({ ctx, since: parseQueryDate(since, "since") });
  } catch (err) {
    return actionError(err);
  }
}
