// GET /api/businesses/[business]/conversations?status&channel&assignee&unread&q — the inbox list,
// newest activity first, and the conversations waiting for a person (the inbox polls this).
import { withMember } from "@/lib/api";
import { listConversations } from "@/lib/services/conversations";

export const dynamic = "force-dynamic";

export const GET = withMember(async (req, { ctx }) => {
  const input = Object.fromEntries(new URL(req.url).searchParams);
  return Response.json(await listConversations({ ctx, input }), { headers: { "cache-control": "no-store" } });
});
