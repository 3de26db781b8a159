// POST /api/chat/[slug]/contact — the visitor leaves an email or phone "so we can follow up": it is
// linked to their customer (merging with whoever already has it), and the masked value comes back.
// With the consent box ticked, the consent ledger records it for that address's channels.
import { z } from "zod";
import { readJson } from "@/lib/api";
import { json, requireVisitor, withChat } from "@/lib/chat/http";
import { guardChatCall } from "@/lib/chat/limits";
import { leaveContact } from "@/lib/chat/service";
import { text } from "@/lib/validation/text";

export const dynamic = "force-dynamic";

const ContactInput = z.object({
  value: text({ message: "Enter an email address or a phone number." }).trim().min(3, "Enter an email address or a phone number.").max(200, "That is too long for an email address or phone number."),
  name: text().trim().max(100, "Keep your name under 100 characters.").nullish(),
  /** the consent box beside the form (lib/campaigns/channel-rules contactFormConsentWording), unticked by default */
  marketingConsent: z.boolean({ message: "The consent box is ticked or not: true or false." }).optional(),
});

export const POST = withChat(async (req, { chat, ip }) => {
  const visitor = await requireVisitor(req, chat);
  const input = ContactInput.parse(await readJson(req, 4 * 1024));
  await guardChatCall({ businessId: chat.business.id, limits: chat.limits, call: "contact", visitorHash: visitor.hash, ip });
  return json({ contact: await leaveContact(chat, visitor, input) });
});
