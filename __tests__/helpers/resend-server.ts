// A local stand-in for Resend's REST API (api.resend.com): POST /emails and GET /emails/receiving/:id,
// with Resend's bearer auth, its error bodies ({ statusCode, message, name }), and Idempotency-Key
// (the same key answers with the first email's id and sends nothing more). Received emails are whatever
// the test puts in `received`.
import crypto from "node:crypto";
import { startJsonServer, type JsonRequest, type JsonStandIn } from "./json-server";

export const RESEND_KEY = "re_test_0123456789abcdefghijklmn";

export type SentEmail = { id: string; request: JsonRequest; body: Record<string, unknown> };

export type ResendStandIn = JsonStandIn & {
  received: Map<string, Record<string, unknown>>;
  sent: SentEmail[];
};

const error = (status: number, name: string, message: string) => ({ status, body: { statusCode: status, message, name } });

export async function startResendServer(): Promise<ResendStandIn> {
  const received = new Map<string, Record<string, unknown>>();
  const sent: SentEmail[] = [];
  const keys = new Map<string, string>();
  const server = await startJsonServer((req) => {
    if (req.headers.authorization !== `Bearer ${RESEND_KEY}`) return error(401, "validation_error", "API key is invalid");
    if (!String(req.headers["user-agent"] ?? "").startsWith("resend-node:")) return error(400, "validation_error", "Unexpected client");
    const receiving = /^\/emails\/receiving\/([^/]+)$/.exec(req.path);
    if (req.method === "GET" && receiving) {
      const email = received.get(receiving[1]!);
      return email ? { status: 200, body: email } : error(404, "not_found", "Email not found");
    }
    if (req.method === "POST" && req.path === "/emails") {
      if (req.headers["content-type"] !== "application/json") return error(422, "validation_error", "Expected a JSON body");
      const body = req.json as Record<string, unknown> | undefined;
      if (!body || typeof body.from !== "string" || !body.to || typeof body.subject !== "string") return error(422, "validation_error", "Missing `from`, `to` or `subject` field.");
      if (!body.text && !body.html) return error(422, "validation_error", "Missing `html` or `text` field.");
      const key = req.headers["idempotency-key"];
      if (typeof key === "string" && keys.has(key)) return { status: 200, body: { id: keys.get(key) } };
      const id = crypto.randomUUID();
      if (typeof key === "string") keys.set(key, id);
      sent.push({ id, request: req, body });
      return { status: 200, body: { id } };
    }
    return error(404, "not_found", `The requested endpoint ${req.method} ${req.path} does not exist.`);
  });
  const reset = server.reset;
  return Object.assign(server, {
    received,
    sent,
    reset() {
      reset();
      sent.length = 0;
    },
  });
}
