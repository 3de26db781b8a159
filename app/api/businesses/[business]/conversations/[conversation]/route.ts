// GET  /api/businesses/[business]/conversations/[conversation]?after=<cursor> — the conversation,
//      its customer's timeline on every channel (since the cursor) and the customer panel.
// POST /api/businesses/[business]/conversations/[conversation] — { action: take_over | reply | note |
//      assign | hand_back | close, text?, assigneeId? }.
import { readJson, withMember } from "@/lib/api";
import { actOnConversation, getConversation } from "@/lib/services/conversations";

export const dynamic = "force-dynamic";

type Params = { business: string; conversation: string };

export const GET = withMember<Params>(async (req, { ctx }, { conversation }) => {
  const url = new URL(req.url);
  const view = await getConversation({ ctx, input: { id: conversation, after: url.searchParams.get("after"), markRead: url.searchParams.get("read") !== "0" } });
  return Response.json(view, { headers: { "cache-control": "no-store" } });
});

export const POST = withMember<Params>(async (req, { ctx }, { conversation }) => {
  const action = await readJson(req, 32 * 1024);
  return Response.json(await actOnConversation({ ctx, input: { id: conversation, action } }));
});
