// A business's webhook receiver on 127.0.0.1: a real HTTP server that records every request exactly
// as it arrived and checks its Standard Webhooks signature with the svix library (the receiver's side
// of the contract), answering as `respond` says (by default 200).
import http from "node:http";
import { Webhook } from "svix";
import { listenLocally } from "./json-server";

export type Received = {
  id: string;
  timestamp: string;
  signature: string;
  rawBody: string;
  type: string;
  data: Record<string, unknown>;
  /** the secrets (of `secrets`) that verified this request with svix */
  verifiedWith: string[];
  status: number;
};

export type Reply = { status: number; body?: string };

export type Receiver = {
  url: string;
  received: Received[];
  /** secrets to check each request against */
  secrets: string[];
  respond: (n: number, r: Omit<Received, "status">) => Reply;
  close(): Promise<void>;
};

export function verifies(secret: string, r: Pick<Received, "id" | "timestamp" | "signature" | "rawBody">): boolean {
  try {
    new Webhook(secret).verify(r.rawBody, { "webhook-id": r.id, "webhook-timestamp": r.timestamp, "webhook-signature": r.signature });
    return true;
  } catch {
    return false;
  }
}

export async function startWebhookReceiver(): Promise<Receiver> {
  const state: Omit<Receiver, "url" | "close"> = { received: [], secrets: [], respond: () => ({ status: 200, body: "ok" }) };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const parsed = JSON.parse(rawBody) as { type: string; data: Record<string, unknown> };
      const base = {
        id: String(req.headers["webhook-id"] ?? ""),
        timestamp: String(req.headers["webhook-timestamp"] ?? ""),
        signature: String(req.headers["webhook-signature"] ?? ""),
        rawBody,
        type: parsed.type,
        data: parsed.data,
        verifiedWith: [] as string[],
      };
      base.verifiedWith = state.secrets.filter((s) => verifies(s, base));
      const reply = state.respond(state.received.length, base);
      state.received.push({ ...base, status: reply.status });
      res.writeHead(reply.status, { "content-type": "text/plain" });
      res.end(reply.body ?? "");
    });
  });
  const { url, close } = await listenLocally(server);
  return Object.assign(state, { url: `${url}/hooks`, close });
}
