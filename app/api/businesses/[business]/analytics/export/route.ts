// GET /api/businesses/[business]/analytics/export?period&from&to&channel — one CSV row per
// conversation started in the Analytics page's filters (owners and admins; audited).
import { withMember } from "@/lib/api";
import { exportAnalyticsCsv } from "@/lib/services/analytics";

export const dynamic = "force-dynamic";

export const GET = withMember(async (req, { ctx, business }) => {
  const { csv, filename } = await exportAnalyticsCsv({ ctx, input: Object.fromEntries(new URL(req.url).searchParams) });
  return new Response(`\uFEFF${csv}`, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${business.slug}-${filename}"`,
      "cache-control": "no-store",
    },
  });
});
