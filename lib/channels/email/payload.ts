// Resend's webhook events and its received-email resource, as documented
// (https://resend.com/docs/webhooks/emails/received, /docs/api-reference/emails/retrieve-received-email).
// Resend adds fields without notice, so unknown ones pass through; the ones we rely on are checked.
import { z } from "zod";

const addressList = z.array(z.string()).nullish().transform((v) => v ?? []);

export const ResendEventEnvelope = z.looseObject({
  type: z.string({ message: "type is required" }).min(1, "type is required"),
  created_at: z.string().optional(),
  data: z.looseObject({}, { message: "data must be an object" }),
});

/** What the simulator carries in embedded mode instead of Resend keeping the content. */
export const SimulatedContent = z.object({
  text: z.string().max(200_000).nullish(),
  html: z.string().max(400_000).nullish(),
  headers: z.record(z.string(), z.string()).nullish(),
});

export const EmailReceived = z.looseObject({
  email_id: z.string({ message: "data.email_id is required" }).min(1, "data.email_id is required"),
  from: z.string({ message: "data.from is required" }),
  to: addressList,
  cc: addressList,
  bcc: addressList,
  received_for: addressList,
  message_id: z.string().nullish(),
  subject: z.string().nullish(),
  attachments: z
    .array(z.looseObject({ id: z.string(), filename: z.string().nullish(), content_type: z.string().nullish() }))
    .nullish()
    .transform((v) => v ?? []),
  simulated: SimulatedContent.optional(),
});
export type EmailReceived = z.infer<typeof EmailReceived>;

export const ReceivedEmail = z.looseObject({
  id: z.string(),
  from: z.string().nullish(),
  to: addressList,
  subject: z.string().nullish(),
  html: z.string().nullish(),
  text: z.string().nullish(),
  headers: z.record(z.string(), z.unknown()).nullish().transform((h) => Object.fromEntries(Object.entries(h ?? {}).map(([k, v]) => [k, String(v)]))),
  message_id: z.string().nullish(),
  attachments: z
    .array(z.looseObject({ id: z.string(), filename: z.string().nullish(), content_type: z.string().nullish() }))
    .nullish()
    .transform((v) => v ?? []),
});
export type ReceivedEmail = z.infer<typeof ReceivedEmail>;

export const DELIVERY_EVENTS = [
  "email.sent",
  "email.delivered",
  "email.delivery_delayed",
  "email.bounced",
  "email.complained",
  "email.failed",
  "email.suppressed",
] as const;
export type DeliveryEventType = (typeof DELIVERY_EVENTS)[number];

/** Resend's delivery events on the one status scale (lib/channels/common/status). */
export const EMAIL_STATUS: Partial<Record<DeliveryEventType, string>> = {
  "email.sent": "sent",
  "email.delivered": "delivered",
  "email.bounced": "undelivered",
  "email.failed": "failed",
  "email.suppressed": "undelivered",
};

export const DeliveryEvent = z.looseObject({
  email_id: z.string({ message: "data.email_id is required" }).min(1, "data.email_id is required"),
  from: z.string({ message: "data.from is required" }),
  to: addressList,
  subject: z.string().nullish(),
  bounce: z.looseObject({ type: z.string().nullish(), subType: z.string().nullish(), message: z.string().nullish() }).nullish(),
  failed: z.looseObject({ reason: z.string().nullish() }).nullish(),
});
export type DeliveryEvent = z.infer<typeof DeliveryEvent>;
