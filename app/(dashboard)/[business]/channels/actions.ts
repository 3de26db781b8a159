"use server";
// Channels actions: each resolves the member context again, so roles are enforced on every call.
import { revalidatePath } from "next/cache";
import { memberContext } from "@/lib/auth/member";
import { actionError, type FormState } from "@/lib/action";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { parseQueryDate } from "@/lib/validation/dates";
import { TWILIO_KINDS, connectTwilioChannel, type TwilioKind } from "@/lib/channels/twilio/channels";
import { placeTestCall } from "@/lib/channels/twilio/outbound";
import { sendTestMessage } from "@/lib/channels/common/outbound";
import { simulate, simulatorReplies, type SimulateInput, type SimulateResult } from "@/lib/channels/simulator";

const str = (v: FormDataEntryValue | null) => (typeof v === "string" ? v : "");
const kindOf = (kind: string): TwilioKind => {
  if (!(TWILIO_KINDS as readonly string[]).includes(kind)) throw new AppError("not_found", "Unknown channel.");
  return kind as TwilioKind;
};

function settingsFrom(kind: TwilioKind, form: FormData): Record<string, unknown> {
  if (kind === "sms") return { helpText: str(form.get("helpText")) };
  if (kind === "voice") {
    return {
      greeting: str(form.get("greeting")),
      voice: str(form.get("voice")),
      forwardingNumber: str(form.get("forwardingNumber")),
      silenceTimeout: Number(str(form.get("silenceTimeout")) || 5),
    };
  }
  const names = form.getAll("templateName").map(str);
  const sids = form.getAll("templateSid").map(str);
  const bodies = form.getAll("templateBody").map(str);
  const templates = names
    .map((name, i) => ({ name: name.trim(), contentSid: (sids[i] ?? "").trim(), body: (bodies[i] ?? "").trim() }))
    .filter((t) => t.name || t.contentSid || t.body);
  return { templates };
}

/** The connect form's fields (settings are validated on their own, so their paths are the field names). */
const CONNECT_FIELDS = ["name", "address", "accountSid", "authToken", "helpText", "greeting", "voice", "forwardingNumber", "silenceTimeout", "templates"];

export async function connectChannelAction(slug: string, kind: string, _: FormState, form: FormData): Promise<FormState> {
  try {
    const k = kindOf(kind);
    const { ctx } = await memberContext(slug);
    await connectTwilioChannel({
      ctx,
      input: {
        kind: k,
        name: str(form.get("name")),
        address: str(form.get("address")),
        accountSid: str(form.get("accountSid")),
        authToken: str(form.get("authToken")),
        clearCredentials: form.get("clearCredentials") === "on",
        enabled: form.get("enabled") === "on",
        settings: settingsFrom(k, form),
      },
    });
  } catch (err) {
    return actionError(err, CONNECT_FIELDS);
  }
  revalidatePath(`/${slug}/channels`, "layout");
  return { ok: "Saved." };
}

export async function sendTestAction(slug: string, kind: string, _: FormState, form: FormData): Promise<FormState> {
  try {
    const k = kindOf(kind);
    const { ctx } = await memberContext(slug);
    if (k === "voice") {
      const r = await placeTestCall({ ctx, input: { to: str(form.get("to")) } });
      if (r.status === "failed") return { error: `Twilio refused the call: ${r.error}` };
      return { ok: r.transport === "outbox" ? "Embedded mode: the test call is in the dev outbox below." : `Calling now (call ${r.sid}).` };
    }
    const r = await sendTestMessage({ ctx, input: { kind: k, to: str(form.get("to")), text: str(form.get("body")), contentSid: str(form.get("contentSid")) || undefined } });
    if (r.status === "failed") return { error: `Twilio refused the message: ${r.error?.message ?? "unknown error"}` };
    if (r.reason === "opted_out") return { error: "Not sent: this number has opted out (it texted STOP). It can text START to opt back in." };
    return {
      ok:
        r.transport === "outbox"
          ? `Embedded mode: the message is in the dev outbox (${r.units} segment${r.units === 1 ? "" : "s"}).`
          : `Sent to Twilio (${r.providerIds.join(", ")}), ${r.units} segment${r.units === 1 ? "" : "s"}.`,
    };
  } catch (err) {
    return actionError(err, { to: "to", text: "body", contentSid: "template" });
  }
}

export async function simulateAction(slug: string, input: SimulateInput): Promise<SimulateResult | { error: string }> {
  try {
    const { ctx } = await memberContext(slug);
    if (env().adapters.sms !== "outbox") {
      throw new AppError("forbidden", "The Channel simulator runs in embedded mode only; with Twilio configured, text or call your number.");
    }
    // The app's own configured URL, never one built from the request's headers: those are the
    // caller's to write, and the simulator sends a signed webhook to wherever this points.
    return await simulate({ ctx, input, origin: env().appUrl, post: (url, init) => fetch(url, { ...init, cache: "no-store", redirect: "manual" }) });
  } catch (err) {
    return actionError(err);
  }
}

/** What reached the simulated customer outside the webhook's answer (slow answers, staff replies): the dev outbox since `since`. */
export async function simulatorRepliesAction(slug: string, kind: string, since: string, from: string): Promise<{ id: string; body: string; at: string }[] | { error: string }> {
  try {
    const k = kindOf(kind);
    const { ctx } = await memberContext(slug);
    const at = parseQueryDate(since, "since");
    return (await simulatorReplies(ctx.businessId, k, at, from)).map(({ id, body, at }) => ({ id, body, at }));
  } catch (err) {
    return actionError(err);
  }
}
