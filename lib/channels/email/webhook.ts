import "server-only";
// POST /api/webhooks/resend — verify · parse · hand over, through the email adapter. The svix
// signature is checked on the raw body before anything is parsed; the svix-id is the event's identity (Resend's retries repeat it),
// so a retried or replayed event is handled once.
import { AppError, zodMessage } from "@/lib/errors";
import { handled, parseJsonBody, readRawBody, refused } from "@/lib/channels/common/webhook";
import type { ProviderEvent } from "@/lib/channels/common/receive";
import { handleEmailReceived, PROVIDER } from "./inbound";
import { DELIVERY_EVENTS, DeliveryEvent, EmailReceived, ResendEventEnvelope, type DeliveryEventType } from "./payload";
import { handleDeliveryEvent } from "./status";
import { ADAPTERS } from "@/lib/channels/adapter";

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: import("zod").ZodError } }, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new AppError("bad_request", zodMessage(r.error));
  return r.data;
}

export const resendWebhook = handled(async (req: Request) => {
  const raw = await readRawBody(req);
  const adapter = ADAPTERS.email;
  if (!(await adapter.verify!(req, raw, null))) return refused(await adapter.refusal!(req, raw));
  const envelope = parse(ResendEventEnvelope, parseJsonBody(raw));
  // The svix-id is the event's identity (verify made sure it is there and signed).
  const svixId = req.headers.get("svix-id")!;
  const event = (kind: string): ProviderEvent => ({ provider: PROVIDER, eventId: svixId, kind, payload: envelope as Record<string, unknown> });

  if (envelope.type === "email.received") return handleEmailReceived(event("received"), parse(EmailReceived, envelope.data));
  if ((DELIVERY_EVENTS as readonly string[]).includes(envelope.type)) {
    const type = envelope.type as DeliveryEventType;
    return handleDeliveryEvent(event(type), type, parse(DeliveryEvent, envelope.data));
  }
  // Opens, clicks, contacts, domains: nothing to do, and nothing to retry.
  return Response.json({ ok: true, ignored: `Events of type ${envelope.type} are not used.` });
});
