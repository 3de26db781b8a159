// The events a business can subscribe an endpoint to. Each is written by a database trigger in the
// transaction of the change (supabase/migrations/*_webhooks_out.sql), so none is lost.
export const WEBHOOK_EVENTS = [
  { type: "message.received", label: "Message received", hint: "A customer's message arrived on any channel." },
  { type: "answer.sent", label: "Answer sent", hint: "The AI or a person answered." },
  { type: "conversation.handed_off", label: "Conversation handed off", hint: "A conversation now waits for a person." },
  { type: "conversation.closed", label: "Conversation closed", hint: "Someone closed (resolved) a conversation." },
  { type: "customer.created", label: "Customer created", hint: "Someone new contacted the business." },
  { type: "customer.updated", label: "Customer updated", hint: "Name, tags, notes, verified or blocked changed, or a new phone or email was linked." },
  { type: "customer.lead_stage_changed", label: "Lead stage changed", hint: "A customer's lead stage moved (new, qualified, hot, customer, lost), with the score and the quotes that earned it." },
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number]["type"];
export const WEBHOOK_EVENT_TYPES = WEBHOOK_EVENTS.map((e) => e.type) as [WebhookEventType, ...WebhookEventType[]];
