// GET /api/businesses/[business]/costs/export?period&from&to&channel — one CSV row per billable
// operation (cost event) of the Costs page's filters (owners and admins; audited).
import { withMember } from "@/lib/api";
import { exportCostsCsv } from "@/lib/services/costs";

export const dynamic = "force-dynamic";

export const GET = withMember(async (req, { ctx, business }) => {
  const { csv, filename } = await exportCostsCsv({ ctx, input: Object.fromEntries(new URL(req.url).searchParams) });
  return new Response(`\uFEFF${csv}`, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${business.slug}-${filename}"`,
      "cache-control": "no-store",
    },
  });
});
