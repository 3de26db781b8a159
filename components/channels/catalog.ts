// The Channels overview is driven by this list: one entry per kind of channel, in the order shown.
// A kind gets a "Set up" link once its page exists (`page` is the segment under /[business]/channels).
import { Globe, Instagram, Mail, MessageCircle, MessageSquareText, Phone, Send, type LucideIcon } from "lucide-react";

export type ChannelKind = "web" | "sms" | "whatsapp" | "voice" | "email" | "telegram" | "instagram";

export type CatalogEntry = {
  kind: ChannelKind;
  label: string;
  description: string;
  icon: LucideIcon;
  /** the page under /[business]/channels/, when the kind has one */
  page: string | null;
  provider: string;
  /** which connected channels of `kind` this entry shows, when two providers share a kind */
  owns?: (channel: { address: string }) => boolean;
};

// A Twilio WhatsApp sender is addressed by its +number; a Cloud API one by Meta's phone number id.
const viaTwilio = (c: { address: string }) => c.address.startsWith("+");

export const CHANNEL_CATALOG: CatalogEntry[] = [
  { kind: "web", label: "Web chat", description: "The chat page and the widget for your website.", icon: Globe, page: "web", provider: "Built in" },
  { kind: "sms", label: "SMS", description: "Customers text your number; answers are kept short, STOP is honoured.", icon: MessageSquareText, page: "sms", provider: "Twilio" },
  { kind: "whatsapp", label: "WhatsApp", description: "Text and pictures through Twilio's WhatsApp sender, within WhatsApp's 24-hour rule.", icon: MessageCircle, page: "whatsapp", provider: "Twilio", owns: viaTwilio },
  { kind: "whatsapp", label: "WhatsApp (Cloud API)", description: "WhatsApp through Meta's own Cloud API instead of Twilio: text, receipts, the 24-hour rule.", icon: MessageCircle, page: "whatsapp-cloud", provider: "Meta", owns: (c) => !viaTwilio(c) },
  { kind: "voice", label: "Phone calls", description: "The assistant answers calls, puts callers through to you, or takes a message.", icon: Phone, page: "voice", provider: "Twilio" },
  { kind: "email", label: "Email", description: "Answer emails to your support address in the same thread.", icon: Mail, page: "email", provider: "Resend" },
  { kind: "telegram", label: "Telegram", description: "A Telegram bot for your business.", icon: Send, page: "telegram", provider: "Telegram Bot API" },
  { kind: "instagram", label: "Instagram", description: "Direct messages to your Instagram professional account.", icon: Instagram, page: "instagram", provider: "Meta" },
];
