// POST /api/chat/[slug]/csat — the visitor rates their closed conversation (1–5) with the buttons
// the chat shows after it was closed; once per conversation.
import { z } from "zod";
import { readJson } from "@/lib/api";
import { json, requireVisitor, withChat } from "@/lib/chat/http";
import { guardChatCall } from "@/lib/chat/limits";
import { rateVisitorConversation } from "@/lib/chat/service";
import { CsatRating } from "@/lib/services/csat";

export const dynamic = "force-dynamic";

const CsatInput = z.object({
  conversationId: z.string({ message: "Say which conversation you are rating." }).uuid("That is not a conversation of this chat."),
  rating: CsatRating,
});

export const POST = withChat(async (req, { chat, ip }) => {
  const visitor = await requireVisitor(req, chat);
  const input = CsatInput.parse(await readJson(req, 1024));
  await guardChatCall({ businessId: chat.business.id, limits: chat.limits, call: "rate", visitorHash: visitor.hash, ip });
  return json({ csat: await rateVisitorConversation(chat, visitor, input) });
});
