// POST /api/jobs/<job> — the job bodies in lib/jobs; QStash-signed in production.
import { AppError, errorResponse } from "@/lib/errors";
import { verifyJobRequest } from "@/lib/jobs/verify";
import { JOBS, isJobName } from "@/lib/jobs";

export const dynamic = "force-dynamic";

export async function POST(req: Request, { params }: { params: Promise<{ job: string }> }) {
  try {
    const { job } = await params;
    if (!isJobName(job)) throw new AppError("not_found", `No job named ${job}.`);
    const body = await req.text();
    await verifyJobRequest(req, body);
    return Response.json({ ok: true, job, result: await JOBS[job].run() });
  } catch (err) {
    return errorResponse(err);
  }
}
