// GET /api/businesses/[business]/customers/[customer]/export — everything stored about one customer,
// as a JSON download (owners and admins; audited).
import { withMember } from "@/lib/api";
import { exportCustomer } from "@/lib/services/customers";

export const dynamic = "force-dynamic";

export const GET = withMember<{ business: string; customer: string }>(async (_req, { ctx }, { customer }) => {
  const data = await exportCustomer({ ctx, input: { id: customer } });
  return new Response(JSON.stringify(data, null, 2), {
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="customer-${data.customer.id}.json"`,
      "cache-control": "no-store",
    },
  });
});
