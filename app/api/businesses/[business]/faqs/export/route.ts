// GET /api/businesses/[business]/faqs/export — every FAQ as CSV (question, answer, enabled).
import { withMember } from "@/lib/api";
import { exportFaqsCsv } from "@/lib/services/faqs";

export const dynamic = "force-dynamic";

export const GET = withMember<{ business: string }>(async (_req, { ctx, business }) => {
  const csv = await exportFaqsCsv({ ctx });
  return new Response(`\uFEFF${csv}`, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="faqs-${business.slug}.csv"`,
      "cache-control": "no-store",
    },
  });
});
