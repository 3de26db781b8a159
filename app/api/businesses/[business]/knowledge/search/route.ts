// GET /api/businesses/[business]/knowledge/search?q=… — what the agent would find: the chunks and
// FAQs retrieveKnowledge returns for the question, with their scores (the pipeline's own code).
import { withMember } from "@/lib/api";
import { askKnowledge } from "@/lib/services/knowledge";

export const dynamic = "force-dynamic";

export const GET = withMember<{ business: string }>(async (req, { ctx }) => {
  const url = new URL(req.url);
  const result = await askKnowledge({ ctx, input: { query: url.searchParams.get("q") ?? "", limit: url.searchParams.get("limit") ?? undefined } });
  return Response.json(result, { headers: { "cache-control": "no-store" } });
});
