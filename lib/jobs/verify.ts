// QStash signs every job request (JWT in Upstash-Signature over the body); only signed calls run.
import { Receiver } from "@upstash/qstash";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";

export async function verifyJobRequest(req: Request, body: string): Promise<void> {
  const e = env();
  if (e.adapters.jobs !== "qstash") {
    // Embedded mode: jobs run in-process; the route answers only to loopback callers.
    const host = new URL(req.url).hostname;
    if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(host)) throw new AppError("forbidden", "Jobs run in-process here.");
    return;
  }
  const signature = req.headers.get("upstash-signature");
  if (!signature) throw new AppError("unauthorized", "Missing Upstash-Signature.");
  const receiver = new Receiver({ currentSigningKey: e.QSTASH_CURRENT_SIGNING_KEY!, nextSigningKey: e.QSTASH_NEXT_SIGNING_KEY! });
  const ok = await receiver.verify({ signature, body, url: `${e.appUrl}${new URL(req.url).pathname}` }).catch(() => false);
  if (!ok) throw new AppError("unauthorized", "Invalid Upstash-Signature.");
}
