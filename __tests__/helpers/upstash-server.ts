// A stand-in for Upstash's Redis REST API on 127.0.0.1, forwarding every command to a real redis-server.
// Speaks what @upstash/redis sends: POST / with one command as a JSON array, POST /pipeline and
// /multi-exec with an array of commands, `Authorization: Bearer <token>`, and `Upstash-Encoding: base64`
// (bulk strings come back base64-encoded, the status reply "OK" does not — the SDK decodes exactly that).
// Like Upstash it accepts the `allow-key-locking` script flag that @upstash/ratelimit ≥ 2.1 puts in its Lua
// shebangs; redis-server rejects that flag, so it is stripped here and EVALSHA is mapped to the stripped
// script's SHA — the SDK keeps using its own hashes, as it does against Upstash.
import crypto from "node:crypto";
import http from "node:http";
import { listenLocally } from "./json-server";
import { startRedis, type RedisServer } from "./redis";

type Arg = string | number | boolean | null;
type Command = [string, ...Arg[]];
type Reply = { result: unknown } | { error: string };

export type UpstashStandIn = {
  url: string;
  token: string;
  redis: RedisServer;
  /** names of the commands received, in order (values are not kept) */
  commands: string[];
  /** how many HTTP requests arrived per path */
  requests: Record<string, number>;
  stop(): Promise<void>;
};

function isCommand(value: unknown): value is Command {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    typeof value[0] === "string" &&
    value.every((v) => v === null || ["string", "number", "boolean"].includes(typeof v))
  );
}

function encode(value: unknown, base64: boolean): unknown {
  if (!base64) return value;
  if (typeof value === "string") return value === "OK" ? value : Buffer.from(value, "utf8").toString("base64");
  if (Array.isArray(value)) return value.map((v) => encode(v, base64));
  return value;
}

/** Flags Upstash understands and redis-server does not. */
const UPSTASH_ONLY_FLAGS = new Set(["allow-key-locking"]);

const sha1 = (text: string) => crypto.createHash("sha1").update(text).digest("hex");

function stripUpstashFlags(script: string): string {
  const newline = script.indexOf("\n");
  const first = newline === -1 ? script : script.slice(0, newline);
  const match = /^#!lua(.*)$/.exec(first);
  if (!match) return script;
  const parts = match[1]!.trim().split(/\s+/).filter(Boolean);
  const kept = parts.map((part) => {
    if (!part.startsWith("flags=")) return part;
    const flags = part.slice(6).split(",").filter((f) => f && !UPSTASH_ONLY_FLAGS.has(f));
    return `flags=${flags.join(",")}`;
  });
  const line = ["#!lua", ...kept.filter((p) => p !== "flags=")].join(" ");
  return line + (newline === -1 ? "" : script.slice(newline));
}

/** Rewrites scripting commands for redis-server; returns the command and a fix for its reply. */
function translate(cmd: Command, shas: Map<string, string>): { name: string; args: string[]; fix: (r: unknown) => unknown } {
  const name = cmd[0];
  const args = cmd.slice(1).map((a) => (a === null ? "" : String(a)));
  const lower = name.toLowerCase();
  const same = (r: unknown) => r;
  const load = (script: string) => {
    const stripped = stripUpstashFlags(script);
    if (stripped !== script) shas.set(sha1(script), sha1(stripped));
    return stripped;
  };
  if ((lower === "eval" || lower === "eval_ro") && args[0] !== undefined) {
    return { name, args: [load(args[0]), ...args.slice(1)], fix: same };
  }
  if ((lower === "evalsha" || lower === "evalsha_ro") && args[0] !== undefined) {
    return { name, args: [shas.get(args[0].toLowerCase()) ?? args[0], ...args.slice(1)], fix: same };
  }
  if (lower === "script" && args[0]?.toLowerCase() === "load" && args[1] !== undefined) {
    const original = sha1(args[1]);
    return { name, args: [args[0], load(args[1])], fix: () => original };
  }
  return { name, args, fix: same };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startUpstashServer(options: { token?: string } = {}): Promise<UpstashStandIn> {
  const token = options.token ?? "test-upstash-token";
  const redis = await startRedis();
  const client = redis.client();
  const commands: string[] = [];
  const requests: Record<string, number> = {};

  const shas = new Map<string, string>(); // the SDK's script SHA → the SHA redis-server knows it by

  const server = http.createServer(async (req, res) => {
    try {
      const path = (req.url ?? "/").split("?")[0]!.replace(/\/+$/, "") || "/";
      requests[path] = (requests[path] ?? 0) + 1;
      if (req.method !== "POST") return send(res, 405, { error: "Method not allowed" });
      if (req.headers.authorization !== `Bearer ${token}`) return send(res, 401, { error: "Unauthorized" });
      const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";

      let body: unknown;
      try {
        body = JSON.parse(await readBody(req));
      } catch {
        return send(res, 400, { error: "ERR failed to parse command" });
      }

      if (path === "/") {
        if (!isCommand(body)) return send(res, 400, { error: "ERR failed to parse command" });
        commands.push(body[0].toLowerCase());
        try {
          const { name, args, fix } = translate(body, shas);
          const result = fix(await client.call(name, args));
          return send(res, 200, { result: encode(result, base64) });
        } catch (err) {
          return send(res, 400, { error: errorText(err) });
        }
      }

      if (path === "/pipeline" || path === "/multi-exec") {
        if (!Array.isArray(body) || body.length === 0 || !body.every(isCommand)) {
          return send(res, 400, { error: "ERR failed to parse pipeline request" });
        }
        const batch = path === "/pipeline" ? client.pipeline() : client.multi();
        const fixes: ((r: unknown) => unknown)[] = [];
        for (const cmd of body as Command[]) {
          commands.push(cmd[0].toLowerCase());
          const { name, args, fix } = translate(cmd, shas);
          fixes.push(fix);
          batch.call(name, args);
        }
        let results: [Error | null, unknown][] | null;
        try {
          results = await batch.exec();
        } catch (err) {
          return send(res, 400, { error: errorText(err) }); // EXECABORT: nothing ran
        }
        const replies: Reply[] = (results ?? []).map(([err, value], i) =>
          err ? { error: errorText(err) } : { result: encode(fixes[i]!(value), base64) },
        );
        return send(res, 200, replies);
      }

      return send(res, 404, { error: "Not found" });
    } catch (err) {
      return send(res, 500, { error: errorText(err) });
    }
  });

  const { url, close } = await listenLocally(server);

  return {
    url,
    token,
    redis,
    commands,
    requests,
    async stop() {
      await close();
      await redis.stop();
    },
  };
}
