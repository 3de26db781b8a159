// A local stand-in for a provider's JSON REST API on 127.0.0.1: records every request exactly as it
// arrived (method, path, query, headers, raw body, parsed JSON), answers through the provider-specific
// `route` function, and can be told to fail the next requests (429, 500…) with the provider's own
// error body. The Resend, Telegram and Meta stand-ins are built on it; the others listen through listenLocally.
import http from "node:http";
import type { AddressInfo } from "node:net";

export type JsonRequest = {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  json: unknown;
};

export type JsonReply = { status: number; body: unknown; headers?: Record<string, string> };

export type JsonStandIn = {
  url: string;
  requests: JsonRequest[];
  /** The next `times` requests get this reply instead of the route's. */
  failNext(reply: JsonReply, times?: number): void;
  reset(): void;
  close(): Promise<void>;
};

/** Listens on a free port of 127.0.0.1; `close` drops kept-alive connections first, so it does not wait on them. */
export async function listenLocally(server: http.Server): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function startJsonServer(route: (req: JsonRequest) => JsonReply | Promise<JsonReply>): Promise<JsonStandIn> {
  const requests: JsonRequest[] = [];
  const failures: JsonReply[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      let json: unknown = undefined;
      try {
        json = rawBody ? JSON.parse(rawBody) : undefined;
      } catch {
        json = undefined;
      }
      const recorded: JsonRequest = { method: req.method ?? "", path: url.pathname, query: url.searchParams, headers: req.headers, rawBody, json };
      requests.push(recorded);
      const reply = failures.shift() ?? (await route(recorded));
      res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
      res.end(JSON.stringify(reply.body));
    });
  });
  const { url, close } = await listenLocally(server);
  return {
    url,
    requests,
    failNext(reply, times = 1) {
      for (let i = 0; i < times; i++) failures.push(reply);
    },
    reset() {
      requests.length = 0;
      failures.length = 0;
    },
    close,
  };
}
