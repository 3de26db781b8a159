// The channels' rules for a business writing first, in the words the Campaigns editor shows and the
// reasons a skipped recipient's row gives (no server code: the editor imports it too).

/** The skip reasons a recipient's row shows. */
export const TELEGRAM_BLOCKED = "blocked the Telegram bot";
export const INSTAGRAM_WINDOW_CLOSED = "outside Instagram's 24-hour window";

/** The rule the editor states beside each channel a business may not always open. */
export const PLATFORM_RULES: Partial<Record<"sms" | "whatsapp" | "email" | "telegram" | "instagram", string>> = {
  whatsapp: "WhatsApp: to customers who have written to your WhatsApp number; outside 24 hours of their last message only with an approved template.",
  telegram: "Telegram: only to people who have messaged your bot and not blocked it (a bot cannot write first).",
  instagram:
    "Instagram: only to people who wrote to your account in the last 24 hours; after that Instagram allows only a person's replies (for 7 days), not campaigns.",
};

/**
 * The consent line beside the web chat's contact form, word for word: the checkbox shows it and the
 * consent ledger stores it (lib/chat/service leaveContact), so what was agreed to is on record.
 */
export function contactFormConsentWording(businessName: string): string {
  return `Yes, ${businessName} may send me offers and reminders at this email address or phone number (by email, SMS or WhatsApp). I can unsubscribe or reply STOP at any time.`;
}

/** The channels a contact form's consent covers for the kind of address left. */
export const CONTACT_FORM_CONSENT_KINDS = { email: ["email"], phone: ["sms", "whatsapp"] } as const;
