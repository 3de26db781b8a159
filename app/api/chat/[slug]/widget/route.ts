// GET /api/chat/[slug]/widget — what embed.js needs to draw the launcher on the host page: the
// business's name and colour, whether this website may embed the chat, and the list of sites that may. Public, readable from any
// origin (CORS *); nothing here is private.
import { getDb } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { chatError } from "@/lib/chat/http";
import { originAllowed } from "@/lib/chat/origins";
import { findWebChat, ownOrigins } from "@/lib/chat/web-channel";

export const dynamic = "force-dynamic";

const CORS = { "access-control-allow-origin": "*", vary: "origin" };

export async function GET(req: Request, { params }: { params: Promise<{ slug: string }> }) {
  const res = await widget(req, (await params).slug);
  for (const [k, v] of Object.entries(CORS)) res.headers.set(k, v);
  return res;
}

async function widget(req: Request, slug: string): Promise<Response> {
  try {
    const chat = await findWebChat(await getDb(), slug);
    if (!chat) throw new AppError("not_found", "This chat doesn't exist.");
    const { business } = chat;
    return Response.json(
      {
        name: business.name,
        brandColor: business.brandColor,
        allowed: originAllowed(req.headers.get("origin"), chat.settings.allowedOrigins, ownOrigins(req)),
        /** the sites that may frame the chat (empty: any); proxy.ts turns it into frame-ancestors */
        embedOrigins: chat.settings.allowedOrigins,
      },
      { headers: { "cache-control": "no-store" } },
    );
  } catch (err) {
    return chatError(err);
  }
}
