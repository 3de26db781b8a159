import "server-only";
// Sending an SMS or WhatsApp message: through Twilio's REST API when the channel has an account
// (with retries), into the dev outbox in embedded mode. Either way the stored message learns its
// delivery status and provider id, and the send is a cost event.
import { and, eq, sql } from "drizzle-orm";
import { withService } from "@/lib/db/client";
import { messages, outbox } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { encrypt } from "@/lib/security/crypto";
import { canMessage } from "@/lib/channels/sms/consent";
import { MESSAGE_STATUS_PATH, wireAddress, type Channel } from "./channels";
import { describeRestError, restClient, withRetries } from "./client";
import { chargeChannelCost } from "./costs";
import { restCredentials } from "./credentials";
import { countSegments, smartEncode, splitBody } from "./segments";

export type MessagingKind = "sms" | "whatsapp";

export type SendInput = {
  channel: Channel;
  /** E.164 */
  to: string;
  body?: string;
  /** WhatsApp media (public URLs) */
  mediaUrls?: string[];
  /** WhatsApp template outside the service window: the Content API SID and its variables */
  template?: { contentSid: string; variables?: Record<string, string> };
  /** the stored message this send delivers */
  messageId?: string | null;
  conversationId?: string | null;
  /**
   * the outbox row this send already is (a staff reply queued by the inbox): in embedded mode that
   * row is the dev outbox's record of the message, so no second row is written
   */
  outboxId?: string | null;
  /** checked for consent unless the send is the opt-out confirmation itself */
  customer?: { id: string; consent: Record<string, unknown> | null } | null;
  purpose?: "reply" | "keyword" | "staff" | "campaign" | "test" | "verification" | "digest";
};

export type SendResult = {
  transport: "twilio" | "outbox";
  status: "queued" | "failed" | "skipped";
  sids: string[];
  outboxIds: string[];
  parts: number;
  segments: number;
  costUsd: number;
  attempts: number;
  reason?: "opted_out" | "empty";
  error?: { status: number | null; code: number | null; message: string };
};

/** "+44••••••0123": enough for staff to tell recipients apart in the outbox, not the number. */
export function maskPhone(e164: string): string {
  return e164.length > 6 ? `${e164.slice(0, 3)}${"•".repeat(Math.max(e164.length - 7, 2))}${e164.slice(-4)}` : "••••";
}

export function statusCallbackUrl(messageId?: string | null): string {
  return `${env().appUrl}${MESSAGE_STATUS_PATH}${messageId ? `?m=${messageId}` : ""}`;
}

export async function updateMessage(businessId: string, messageId: string, values: { providerMessageId?: string | null; deliveryStatus: string; delivery: Record<string, unknown> }) {
  await withService((tx) =>
    tx
      .update(messages)
      .set({
        ...(values.providerMessageId ? { providerMessageId: values.providerMessageId } : {}),
        deliveryStatus: values.deliveryStatus,
        metadata: sql`${messages.metadata} || ${JSON.stringify({ delivery: values.delivery })}::jsonb`,
      })
      .where(and(eq(messages.id, messageId), eq(messages.businessId, businessId))),
  );
}

export async function sendMessage(input: SendInput): Promise<SendResult> {
  const { channel } = input;
  const kind = channel.kind as MessagingKind;
  const base = { sids: [] as string[], outboxIds: [] as string[], parts: 0, segments: 0, costUsd: 0, attempts: 0 };
  const credentials = restCredentials(channel);
  const transport: SendResult["transport"] = credentials ? "twilio" : "outbox";

  if (input.customer && input.purpose !== "keyword" && !canMessage(input.customer, kind)) {
    if (input.messageId) await updateMessage(channel.businessId, input.messageId, { deliveryStatus: "blocked", delivery: { transport, blocked: "opted_out" } });
    return { ...base, transport, status: "skipped", reason: "opted_out" };
  }

  // SMS: look-alike punctuation to GSM-7, then one message unless Twilio's 1600-character cap forces more.
  const text = (input.body ?? "").trim();
  const bodies = input.template ? [""] : kind === "sms" ? splitBody(smartEncode(text)) : splitBody(text);
  if (!input.template && bodies.length === 0 && !input.mediaUrls?.length) return { ...base, transport, status: "skipped", reason: "empty" };
  const parts = bodies.length ? bodies : [""];
  const from = wireAddress(kind, channel.address);
  const to = wireAddress(kind, input.to);
  const statusCallback = statusCallbackUrl(input.messageId);
  const result: SendResult = { ...base, transport, status: "queued", parts: parts.length };

  for (const [i, body] of parts.entries()) {
    const media = i === 0 ? (input.mediaUrls ?? []) : [];
    const units = kind === "sms" ? countSegments(body).segments : 1;
    if (credentials) {
      try {
        const { value, attempts } = await withRetries(() =>
          restClient(credentials).messages.create({
            to,
            from,
            statusCallback,
            ...(input.template
              ? { contentSid: input.template.contentSid, ...(input.template.variables ? { contentVariables: JSON.stringify(input.template.variables) } : {}) }
              : { body }),
            ...(media.length ? { mediaUrl: media } : {}),
          }),
        );
        result.sids.push(value.sid);
        result.attempts += attempts;
      } catch (err) {
        result.status = "failed";
        result.error = describeRestError(err);
        console.error("[prismai] twilio send failed", { channelId: channel.id, kind, ...result.error });
        break;
      }
    } else if (input.outboxId) {
      if (i === 0) result.outboxIds.push(input.outboxId);
    } else {
      const [row] = await withService((tx) =>
        tx
          .insert(outbox)
          .values({
            businessId: channel.businessId,
            channelKind: kind,
            recipient: maskPhone(input.to),
            body: input.template ? `[template ${input.template.contentSid}] ${JSON.stringify(input.template.variables ?? {})}` : body,
            payload: {
              kind: input.purpose ?? "reply",
              channelId: channel.id,
              toEncrypted: encrypt(input.to),
              from,
              mediaUrls: media,
              ...(input.template ? { template: input.template } : {}),
              statusCallback,
            },
            messageId: input.messageId ?? null,
            // Nothing delivers it in embedded mode: the dev outbox is where it stays.
            status: "sent",
            sentAt: new Date(),
          })
          .returning({ id: outbox.id }),
      );
      result.outboxIds.push(row!.id);
    }
    result.segments += units;
    result.costUsd += await withService((tx) =>
      chargeChannelCost(tx, { businessId: channel.businessId, kind, units, messageId: input.messageId, conversationId: input.conversationId }),
    );
  }

  if (input.messageId) {
    const encoding = kind === "sms" ? countSegments(parts.join("")).encoding : undefined;
    await updateMessage(channel.businessId, input.messageId, {
      providerMessageId: result.sids[0] ?? null,
      deliveryStatus: result.status === "failed" ? "failed" : transport === "outbox" ? "outbox" : "queued",
      delivery: {
        transport,
        parts: result.parts,
        segments: result.segments,
        ...(encoding ? { encoding } : {}),
        sids: result.sids,
        outboxIds: result.outboxIds,
        attempts: result.attempts,
        ...(result.error ? { error: result.error } : {}),
      },
    });
  }
  return result;
}
