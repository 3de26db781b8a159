// QStash signs every job request (JWT in Upstash-Signature over the body); only signed calls run.
// Embedded mode has no QStash: the route answers only to this machine, which only the socket can
// say (Host and the URL are whatever the caller wrote; lib/security/client-ip.ts), and never to a
// page of another website that a browser on this machine was made to post from.
import { Receiver } from "@upstash/qstash";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { isLoopback, socketAddress } from "@/lib/security/client-ip";
import { isSameOriginRequest } from "@/lib/security/origin";

export async function verifyJobRequest(req: Request, body: string): Promise<void> {
  const e = env();
  if (e.adapters.jobs !== "qstash") {
    // Embedded mode: jobs run in-process; the route answers only to this machine's own callers.
    if (!isLoopback(socketAddress(req.headers)) || !isSameOriginRequest(req.headers)) throw new AppError("forbidden", "Jobs run in-process here.");
    return;
  }
  const signature = req.headers.get("upstash-signature");
  if (!signature) throw new AppError("unauthorized", "Missing Upstash-Signature.");
  const receiver = new Receiver({ currentSigningKey: e.QSTASH_CURRENT_SIGNING_KEY!, nextSigningKey: e.QSTASH_NEXT_SIGNING_KEY! });
  const ok = await receiver.verify({ signature, body, url: `${e.appUrl}${new URL(req.url).pathname}` }).catch(() => false);
  if (!ok) throw new AppError("unauthorized", "Invalid Upstash-Signature.");
}
