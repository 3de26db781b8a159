// POST /api/jobs/sweep — answers stored messages left unanswered; QStash-signed in production.
import { errorResponse } from "@/lib/errors";
import { verifyJobRequest } from "@/lib/jobs/verify";
import { JOBS } from "@/lib/jobs";

export const dynamic = "force-dynamic";

export async function POST(req: Request) {
  try {
    const body = await req.text();
    await verifyJobRequest(req, body);
    return Response.json({ ok: true, result: await JOBS.sweep.run() });
  } catch (err) {
    return errorResponse(err);
  }
}
