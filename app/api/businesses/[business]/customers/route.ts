// GET /api/businesses/[business]/customers?q=…&tag=…&page=… — one page of the customer list (the
// same filters as the dashboard), e.g. to pick the customer to merge with.
import { withMember } from "@/lib/api";
import { listCustomerPage } from "@/lib/services/customers";

export const dynamic = "force-dynamic";

export const GET = withMember<{ business: string }>(async (req, { ctx }) => {
  const page = await listCustomerPage({ ctx, input: Object.fromEntries(new URL(req.url).searchParams) });
  return Response.json(page, { headers: { "cache-control": "no-store" } });
});
