// GET /api/businesses/[business]/customers/export?ids=… (or the list's filters) — customers as CSV
// (owners and admins; audited).
import { withMember } from "@/lib/api";
import { exportCustomersCsv } from "@/lib/services/customers";

export const dynamic = "force-dynamic";

export const GET = withMember<{ business: string }>(async (req, { ctx, business }) => {
  const params = new URL(req.url).searchParams;
  const ids = params.get("ids");
  const { csv } = await exportCustomersCsv({
    ctx,
    input: { ...Object.fromEntries(params), ids: ids ? ids.split(",").filter(Boolean) : undefined },
  });
  return new Response(`\uFEFF${csv}`, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="customers-${business.slug}.csv"`,
      "cache-control": "no-store",
    },
  });
});
