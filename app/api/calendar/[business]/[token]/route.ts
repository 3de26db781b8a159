// GET /api/calendar/<business>/<secret>.ics — the business's bookings for Google Calendar or Outlook (lib/booking/ics.ts)
import { errorResponse } from "@/lib/errors";
import { icsFeed } from "@/lib/booking/ics";

export const dynamic = "force-dynamic";

export async function GET(_req: Request, { params }: { params: Promise<{ business: string; token: string }> }) {
  try {
    const { business, token } = await params;
    const feed = await icsFeed(business, token);
    if (feed === null) return Response.json({ error: { code: "not_found", message: "No calendar feed at this address." } }, { status: 404 });
    return new Response(feed, { headers: { "content-type": "text/calendar; charset=utf-8", "cache-control": "private, max-age=300" } });
  } catch (err) {
    return errorResponse(err);
  }
}
