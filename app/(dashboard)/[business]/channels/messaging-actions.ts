"use server";
// Actions of the email, Telegram, Instagram and WhatsApp (Cloud API) pages: each resolves the member
// context again, so roles are enforced on every call.
import { revalidatePath } from "next/cache";
import { memberContext } from "@/lib/auth/member";
import { actionError, type FormState } from "@/lib/action";
import { AppError } from "@/lib/errors";
import { parseQueryDate } from "@/lib/validation/dates";
import { isMessagingType, type MessagingType } from "@/lib/channels/common/channels";
import { sendTestMessage } from "@/lib/channels/common/outbound";
import { simulate, simulatorReplies, type SimulateInput, type SimulateResult } from "@/lib/channels/simulator";
import { connectEmailChannel } from "@/lib/channels/email/channels";
import { connectTelegramChannel } from "@/lib/channels/telegram/channels";
import { connectInstagramChannel, connectWhatsAppCloudChannel } from "@/lib/channels/meta/channels";

const str = (form: FormData, key: string) => {
  const v = form.get(key);
  return typeof v === "string" ? v : "";
};

/** The connect form's fields, by the input paths the channel verbs validate. */
const CONNECT_FIELDS = Object.fromEntries([
  ...["name", "address", "fromName", "signature", "botToken", "username", "greeting", "accountId", "accessToken", "appSecret", "phoneNumberId", "displayPhoneNumber", "businessAccountId"].map((f) => [f, f]),
  ["settings.fromName", "fromName"],
  ["settings.signature", "signature"],
]);

function typeOf(type: string): MessagingType {
  if (!isMessagingType(type)) throw new AppError("not_found", "Unknown channel.");
  return type;
}

export async function connectMessagingAction(slug: string, type: string, _: FormState, form: FormData): Promise<FormState> {
  let ok = "Saved.";
  try {
    const t = typeOf(type);
    const { ctx } = await memberContext(slug);
    const common = { name: str(form, "name"), enabled: form.get("enabled") === "on" };
    const secrets = { accessToken: str(form, "accessToken"), appSecret: str(form, "appSecret"), clearToken: form.get("clearToken") === "on" };
    if (t === "email") {
      await connectEmailChannel({ ctx, input: { ...common, address: str(form, "address"), settings: { fromName: str(form, "fromName"), signature: str(form, "signature") } } });
    } else if (t === "telegram") {
      const { webhook } = await connectTelegramChannel({ ctx, input: { ...common, botToken: str(form, "botToken"), username: str(form, "username"), greeting: str(form, "greeting") } });
      if (webhook && !webhook.ok) return { error: `Saved, but Telegram refused the webhook: ${webhook.error}` };
      if (webhook?.ok) ok = "Saved, and Telegram will send this bot's messages here.";
    } else if (t === "instagram") {
      await connectInstagramChannel({ ctx, input: { ...common, ...secrets, accountId: str(form, "accountId"), username: str(form, "username") } });
    } else {
      await connectWhatsAppCloudChannel({
        ctx,
        input: { ...common, ...secrets, phoneNumberId: str(form, "phoneNumberId"), displayPhoneNumber: str(form, "displayPhoneNumber"), businessAccountId: str(form, "businessAccountId") },
      });
    }
  } catch (err) {
    return actionError(err, CONNECT_FIELDS);
  }
  revalidatePath(`/${slug}/channels`, "layout");
  return { ok };
}

export async function testMessagingAction(slug: string, type: string, _: FormState, form: FormData): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    const r = await sendTestMessage({ ctx, input: { kind: typeOf(type), to: str(form, "to"), text: str(form, "text") } });
    if (r.status === "failed") return { error: `The provider refused the message: ${r.error?.message ?? "unknown error"}` };
    if (r.status === "skipped") return { error: r.reason === "undeliverable" ? "Not sent: this address bounced or complained before." : "Nothing was sent." };
    return { ok: r.transport === "outbox" ? "Embedded mode: the message is in the dev outbox, nothing left this machine." : `Sent (${r.providerIds.join(", ")}).` };
  } catch (err) {
    return actionError(err, ["to", "text"]);
  }
}

export async function simulateMessagingAction(slug: string, input: SimulateInput): Promise<SimulateResult | { error: string }> {
  try {
    const { ctx } = await memberContext(slug);
    return await simulate({ ctx, input });
  } catch (err) {
    return actionError(err);
  }
}

/** What reached the simulated customer (answers, staff replies from the inbox): the dev outbox since `since`. */
export async function messagingRepliesAction(
  slug: string,
  type: string,
  since: string,
  from: string,
): Promise<{ id: string; body: string; subject: string | null; at: string }[] | { error: string }> {
  try {
    const t = typeOf(type);
    const { ctx } = await memberContext(slug);
    const at = parseQueryDate(since, "since");
    return await simulatorReplies(ctx.businessId, t, at, from);
  } catch (err) {
    return actionError(err);
  }
}
