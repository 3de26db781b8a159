// GET  /api/chat/[slug]/messages?after=<cursor> — the visitor's messages since the cursor and the
//      chat's state (the chat page polls this every second: staff replies and status changes).
// POST /api/chat/[slug]/messages — send a message; the answer streams back as server-sent events.
import { z } from "zod";
import { readJson } from "@/lib/api";
import { answerResponse, json, repeatResponse, requireVisitor, withChat } from "@/lib/chat/http";
import { guardChatCall } from "@/lib/chat/limits";
import { MAX_CHAT_BODY_BYTES, MAX_CHAT_TEXT } from "@/lib/chat/protocol";
import { acceptVisitorMessage, listVisitorMessages } from "@/lib/chat/service";
import { text } from "@/lib/validation/text";

export const dynamic = "force-dynamic";

const SendInput = z.object({
  text: text({ message: "Type a message first." })
    .trim()
    .min(1, "Type a message first.")
    .max(MAX_CHAT_TEXT, `Keep messages under ${MAX_CHAT_TEXT.toLocaleString("en")} characters.`),
  clientId: z.string({ message: "Missing message id." }).regex(/^[A-Za-z0-9_-]{8,64}$/, "Invalid message id."),
});

export const GET = withChat(async (req, { chat, ip }) => {
  const visitor = await requireVisitor(req, chat);
  await guardChatCall({ businessId: chat.business.id, limits: chat.limits, call: "poll", visitorHash: visitor.hash, ip });
  const after = new URL(req.url).searchParams.get("after");
  return json(await listVisitorMessages(chat, visitor, after));
});

export const POST = withChat(async (req, { chat, ip }) => {
  const visitor = await requireVisitor(req, chat);
  const input = SendInput.parse(await readJson(req, MAX_CHAT_BODY_BYTES));
  await guardChatCall({ businessId: chat.business.id, limits: chat.limits, call: "send", visitorHash: visitor.hash, ip });
  const stored = await acceptVisitorMessage(chat, visitor, { ...input, ip });
  if (stored.duplicate) return repeatResponse(chat, stored.message);
  return answerResponse(chat, stored.message, ip, stored.claimed);
});
