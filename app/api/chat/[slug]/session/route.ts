// POST /api/chat/[slug]/session — a new anonymous visitor: a signed token the chat page keeps in
// localStorage. Limited per IP; refused when the embedding website is not on the allowed list.
import { z } from "zod";
import { readJson } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { json, withChat } from "@/lib/chat/http";
import { guardChatCall } from "@/lib/chat/limits";
import { normaliseOrigin, originAllowed } from "@/lib/chat/origins";
import { newVisitor } from "@/lib/chat/visitor";
import { ownOrigins } from "@/lib/chat/web-channel";

export const dynamic = "force-dynamic";

const SessionInput = z.object({
  /** the page that embedded the chat, as the browser reports it to the frame (location.ancestorOrigins) */
  embedOrigin: z.string().max(300).nullish(),
});

export const POST = withChat(async (req, { chat, ip }) => {
  const { embedOrigin } = SessionInput.parse(await readJson(req, 4 * 1024));
  const origin = embedOrigin ? normaliseOrigin(embedOrigin) : null;
  if (embedOrigin && !origin) throw new AppError("bad_request", "The embedding page's origin is not a web address.");
  const own = ownOrigins(req);
  if (!originAllowed(origin, chat.settings.allowedOrigins, own)) throw new AppError("forbidden", "This website isn't allowed to use this chat.");
  await guardChatCall({ businessId: chat.business.id, limits: chat.limits, call: "session", ip });
  const { token } = await newVisitor(chat.business.id, origin && !own.includes(origin) ? origin : null);
  return json({ token }, 201);
});
