// The pipeline's contract with every channel: one normalised inbound message in, the stored
// customer message and the answer (or the reason there is none) out.
import type { messages } from "@/lib/db/schema";
import type { Identity } from "./identities";

export type ChannelKind = "web" | "sms" | "whatsapp" | "voice" | "email" | "telegram" | "instagram";
export type ChannelStyle = "chat" | "sms" | "voice" | "email";
export type Message = typeof messages.$inferSelect;
export type AnswerSource = "faq" | "cache" | "model" | "offline" | "human" | "fallback";

export type Attachment = { url: string; contentType?: string | null; caption?: string | null };

export type InboundMessage = {
  businessId: string;
  channelId: string;
  channelKind: ChannelKind;
  /** who wrote: phone number, email address, web visitor id, Telegram chat id, Instagram user id */
  from: Identity;
  /** a display name when the channel gives one */
  name?: string | null;
  text: string;
  /** the provider's id for this message: retries with the same id never answer twice */
  providerMessageId?: string | null;
  receivedAt?: Date;
  attachments?: Attachment[];
  /** the client's IP for unidentified web visitors (rate limits per IP) */
  ip?: string | null;
  /** email threading and similar: put the message into this conversation when it is the customer's */
  conversationId?: string | null;
  subject?: string | null;
  emailThreadKey?: string | null;
  /** extra provider facts kept on the message (status callback URLs, call sid …) */
  metadata?: Record<string, unknown>;
};

export type NoReplyReason =
  | "duplicate"
  | "blocked"
  | "rate_limited"
  | "abuse"
  | "waiting_human"
  | "opted_out"
  /** the customer rated the conversation (a CSAT survey's answer): recorded, not answered */
  | "csat_rating"
  | "empty";

export type InboundResult = {
  customerId: string;
  conversationId: string;
  customerMessage: Message;
  duplicate: boolean;
  /** the stored answer, when there is one */
  reply: Message | null;
  /** why there is no answer */
  noReply?: { reason: NoReplyReason; message?: string; /** rate_limited: when the limit opens again */ retryAfterSeconds?: number };
  /** the conversation now waits for a person (hand-off happened on this message) */
  handedOff: boolean;
};

export type InboundOptions = {
  /** receives text deltas while the model streams (web chat) */
  onDelta?: (delta: string) => void;
  /** channel style override; otherwise derived from the channel kind */
  style?: ChannelStyle;
};

export function styleOf(kind: ChannelKind): ChannelStyle {
  switch (kind) {
    case "sms":
    case "whatsapp":
    case "telegram":
    case "instagram":
      return kind === "sms" ? "sms" : "chat";
    case "voice":
      return "voice";
    case "email":
      return "email";
    default:
      return "chat";
  }
}
