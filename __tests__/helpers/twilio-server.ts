// A local stand-in for Twilio's REST API (api.twilio.com/2010-04-01) on 127.0.0.1. It speaks the real
// protocol — basic auth with the account SID and auth token, form-encoded bodies, JSON resources and
// Twilio's error bodies — records every request exactly as it arrived, and can be told to fail the
// next requests (429, 500, …) to exercise retries.
import http from "node:http";
import crypto from "node:crypto";
import { listenLocally } from "./json-server";

export type RecordedRequest = {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** the decoded Authorization: Basic user:password, or null */
  auth: { username: string; password: string } | null;
  rawBody: string;
  /** every form field, repeated keys as arrays */
  form: Record<string, string | string[]>;
};

type Failure = { status: number; code: number; message: string };

export type TwilioStandIn = {
  url: string;
  requests: RecordedRequest[];
  /** The next `times` requests answer with this status and Twilio's error body. */
  failNext(status: number, times?: number, code?: number, message?: string): void;
  /** Accounts whose credentials are accepted (others get 401 / 20003). */
  addAccount(accountSid: string, authToken: string): void;
  reset(): void;
  close(): Promise<void>;
};

const sid = (prefix: string) => `${prefix}${crypto.randomBytes(16).toString("hex")}`;

function parseForm(raw: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    const seen = out[k];
    out[k] = seen === undefined ? v : Array.isArray(seen) ? [...seen, v] : [seen, v];
  }
  return out;
}

function twilioError(res: http.ServerResponse, status: number, code: number, message: string) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }));
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export async function startTwilioServer(): Promise<TwilioStandIn> {
  const accounts = new Map<string, string>();
  const requests: RecordedRequest[] = [];
  const failures: Failure[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const header = req.headers.authorization ?? "";
      let auth: RecordedRequest["auth"] = null;
      if (header.startsWith("Basic ")) {
        const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
        const i = decoded.indexOf(":");
        auth = { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
      }
      const path = (req.url ?? "/").split("?")[0]!;
      const form = parseForm(rawBody);
      requests.push({ method: req.method ?? "", path, headers: req.headers, auth, rawBody, form });

      const failure = failures.shift();
      if (failure) return twilioError(res, failure.status, failure.code, failure.message);

      const match = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/(Messages|Calls)\.json$/.exec(path);
      if (!match || req.method !== "POST") return twilioError(res, 404, 20404, `The requested resource ${path} was not found`);
      const [, accountSid, resource] = match;
      if (!auth || auth.username !== accountSid || accounts.get(accountSid!) !== auth.password) {
        return twilioError(res, 401, 20003, "Authenticate");
      }
      if (req.headers["content-type"] !== "application/x-www-form-urlencoded") {
        return twilioError(res, 400, 20001, "Expected a form-encoded body");
      }
      const now = new Date().toUTCString();
      if (resource === "Messages") {
        const to = one(form.To);
        const from = one(form.From);
        const body = one(form.Body);
        if (!to) return twilioError(res, 400, 21604, "A 'To' phone number is required.");
        if (!from && !form.MessagingServiceSid) return twilioError(res, 400, 21603, "A 'From' phone number is required.");
        if (!body && !form.MediaUrl && !form.ContentSid) return twilioError(res, 400, 21602, "Message body is required.");
        if (body && body.length > 1600) return twilioError(res, 400, 21617, "The concatenated message body exceeds the 1600 character limit.");
        const messageSid = sid("SM");
        res.writeHead(201, { "content-type": "application/json" });
        return res.end(
          JSON.stringify({
            account_sid: accountSid,
            api_version: "2010-04-01",
            body: body ?? "",
            date_created: now,
            date_sent: null,
            date_updated: now,
            direction: "outbound-api",
            error_code: null,
            error_message: null,
            from,
            messaging_service_sid: null,
            num_media: String(Array.isArray(form.MediaUrl) ? form.MediaUrl.length : form.MediaUrl ? 1 : 0),
            num_segments: "1",
            price: null,
            price_unit: "USD",
            sid: messageSid,
            status: "queued",
            subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${messageSid}/Media.json` },
            to,
            uri: `/2010-04-01/Accounts/${accountSid}/Messages/${messageSid}.json`,
          }),
        );
      }
      const to = one(form.To);
      const from = one(form.From);
      if (!to || !from) return twilioError(res, 400, 21201, "No 'To' or 'From' number is specified");
      if (!form.Url && !form.Twiml && !form.ApplicationSid) return twilioError(res, 400, 21205, "Url, Twiml or ApplicationSid is required");
      const callSid = sid("CA");
      res.writeHead(201, { "content-type": "application/json" });
      return res.end(
        JSON.stringify({
          account_sid: accountSid,
          api_version: "2010-04-01",
          date_created: now,
          direction: "outbound-api",
          duration: null,
          from,
          sid: callSid,
          status: "queued",
          to,
          uri: `/2010-04-01/Accounts/${accountSid}/Calls/${callSid}.json`,
        }),
      );
    });
  });
  const { url, close } = await listenLocally(server);
  return {
    url,
    requests,
    failNext(status, times = 1, code = status === 429 ? 20429 : 20500, message = status === 429 ? "Too Many Requests" : "Internal Server Error") {
      for (let i = 0; i < times; i++) failures.push({ status, code, message });
    },
    addAccount(accountSid, authToken) {
      accounts.set(accountSid, authToken);
    },
    reset() {
      requests.length = 0;
      failures.length = 0;
    },
    close,
  };
}
