import "server-only";
// One webhook request: POST with a timeout, no redirects followed, the answer read up to a limit.
// Through node:http(s) rather than fetch so the socket's DNS lookup is the SSRF guard's.
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { guardedLookup, isPublicAddress, privateUrlsAllowed } from "./ssrf";

export type PostResult = { status: number | null; body: string; error: string | null; durationMs: number };

export const WEBHOOK_TIMEOUT_MS = 15_000;
const MAX_READ = 64 * 1024;

export function postWebhook(url: string, headers: Record<string, string>, body: string, opts: { timeoutMs?: number } = {}): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return resolve({ status: null, body: "", error: "invalid URL", durationMs: 0 });
    }
    const allowPrivate = privateUrlsAllowed();
    const host = target.hostname.replace(/^\[|\]$/g, "");
    if (!allowPrivate && (target.protocol !== "https:" || (net.isIP(host) && !isPublicAddress(host)))) {
      return resolve({ status: null, body: "", error: "refused: not a public https URL", durationMs: 0 });
    }
    const lib = target.protocol === "https:" ? https : http;
    const req = lib.request(
      target,
      {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "PrismAI-Webhooks/1.0", "content-length": Buffer.byteLength(body), ...headers },
        timeout: opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS,
        agent: false,
        ...(allowPrivate ? {} : { lookup: guardedLookup as never }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          if (size < MAX_READ) chunks.push(c);
          size += c.length;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? null, body: Buffer.concat(chunks).toString("utf8"), error: null, durationMs: elapsed() }));
        res.on("error", (err) => resolve({ status: res.statusCode ?? null, body: "", error: err.message, durationMs: elapsed() }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${Math.round((opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS) / 1000)} s`)));
    req.on("error", (err) => resolve({ status: null, body: "", error: err.message, durationMs: elapsed() }));
    req.end(body);
  });
}
