// The one place that reads process.env: validates it once and picks each port's adapter.
import path from "node:path";
import { z } from "zod";

const optional = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const urlOf = (protocols: string[], label: string) =>
  optional.refine(
    (v) => {
      if (v === undefined) return true;
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a ${label} URL` },
  );

export const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  APP_URL: urlOf(["http:", "https:"], "http(s)"),
  PORT: optional,
  // Who tells us the client's IP (lib/security/client-ip.ts): "vercel" (its edge's x-vercel-forwarded-for
  // / x-real-ip) or "none" (the socket's peer). Default: vercel when running on Vercel, else none.
  TRUSTED_PROXY: optional.refine((v) => v === undefined || v === "vercel" || v === "none", { message: 'must be "vercel" or "none"' }),
  /** set to "1" by Vercel itself on its builds and functions */
  VERCEL: optional,

  // database
  DATABASE_URL: urlOf(["postgres:", "postgresql:"], "postgres://"),
  // "1": every statement is a named prepared statement, planned once per connection. Only on a direct
  // connection or Supavisor's session mode (port 5432): its transaction mode (6543) does not keep them.
  DATABASE_PREPARED_STATEMENTS: optional.refine((v) => v === undefined || v === "1" || v === "0", { message: 'must be "1" or "0"' }),
  PGLITE_DATA_DIR: optional,

  // secrets (generated and kept under .data/ in embedded mode)
  APP_SECRET: optional.refine((v) => v === undefined || v.length >= 32, {
    message: "must be at least 32 characters",
  }),
  ENCRYPTION_KEY: optional.refine((v) => v === undefined || Buffer.from(v, "base64").length === 32, {
    message: "must be 32 bytes, base64-encoded (openssl rand -base64 32)",
  }),

  // Supabase Auth
  NEXT_PUBLIC_SUPABASE_URL: urlOf(["http:", "https:"], "http(s)"),
  NEXT_PUBLIC_SUPABASE_ANON_KEY: optional,
  SUPABASE_JWT_SECRET: optional,

  // Gemini
  GEMINI_API_KEY: optional,
  GEMINI_BASE_URL: urlOf(["http:", "https:"], "http(s)"),
  GEMINI_MODEL_FAST: optional,
  GEMINI_MODEL_STRONG: optional,

  // Upstash Redis + QStash
  UPSTASH_REDIS_REST_URL: urlOf(["http:", "https:"], "http(s)"),
  UPSTASH_REDIS_REST_TOKEN: optional,
  QSTASH_TOKEN: optional,
  QSTASH_URL: urlOf(["http:", "https:"], "http(s)"),
  QSTASH_CURRENT_SIGNING_KEY: optional,
  QSTASH_NEXT_SIGNING_KEY: optional,

  // Twilio
  TWILIO_ACCOUNT_SID: optional,
  TWILIO_AUTH_TOKEN: optional,
  TWILIO_API_BASE: urlOf(["http:", "https:"], "http(s)"),

  // Resend
  RESEND_API_KEY: optional,
  RESEND_WEBHOOK_SECRET: optional,
  EMAIL_FROM: optional,
  RESEND_API_BASE: urlOf(["http:", "https:"], "http(s)"),

  // Telegram
  TELEGRAM_API_BASE: urlOf(["http:", "https:"], "http(s)"),

  // Meta (Instagram, WhatsApp Cloud API)
  META_APP_SECRET: optional,
  META_GRAPH_BASE: urlOf(["http:", "https:"], "http(s)"),

  // embedded background jobs
  DISABLE_SCHEDULER: optional,

  // Outbound webhooks may post to http:// and to loopback or private addresses only with this set to
  // "1" (tests and benchmarks with a receiver on 127.0.0.1); refused in production.
  WEBHOOKS_ALLOW_PRIVATE_URLS: optional.refine((v) => v === undefined || v === "1" || v === "0", { message: 'must be "1" or "0"' }),

  // HubSpot's CRM v3 API (tests point it at a local stand-in)
  HUBSPOT_API_BASE: urlOf(["http:", "https:"], "http(s)"),

  // benchmarks only (npm run bench:chat): the language model becomes a stand-in that answers after
  // this many milliseconds. Off unless set; refused next to a real model or a database off this machine.
  PRISMAI_BENCH_MODEL_DELAY_MS: optional.refine((v) => v === undefined || /^\d{1,6}$/.test(v), {
    message: "must be a whole number of milliseconds",
  }),
});
export type EnvSchema = z.infer<typeof EnvSchema>;

/** A database on this machine (the benchmarks' own server), never a deployment's. */
function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Services whose variables must be set together: any one set means all of them are required. */
const GROUPS: Record<string, (keyof EnvSchema)[]> = {
  Supabase: ["NEXT_PUBLIC_SUPABASE_URL", "NEXT_PUBLIC_SUPABASE_ANON_KEY"],
  Gemini: ["GEMINI_API_KEY"],
  "Upstash Redis": ["UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"],
  QStash: ["QSTASH_TOKEN", "QSTASH_CURRENT_SIGNING_KEY", "QSTASH_NEXT_SIGNING_KEY"],
  Twilio: ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"],
  Resend: ["RESEND_API_KEY", "RESEND_WEBHOOK_SECRET", "EMAIL_FROM"],
};

export class EnvError extends Error {
  constructor(public readonly problems: string[]) {
    super(`PrismAI cannot start: ${problems.join("; ")}. See .env.example.`);
    this.name = "EnvError";
  }
}

export type Adapters = {
  database: "postgres" | "pglite";
  auth: "supabase" | "local";
  model: "gemini" | "offline";
  embeddings: "gemini" | "local";
  cache: "upstash" | "memory";
  jobs: "qstash" | "local";
  sms: "twilio" | "outbox";
  email: "resend" | "outbox";
};

export type TrustedProxy = "vercel" | "none";

export type Env = EnvSchema & {
  appUrl: string;
  trustedProxy: TrustedProxy;
  adapters: Adapters;
  isProduction: boolean;
};

export function parseEnv(source: Record<string, string | undefined>): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    throw new EnvError(parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  for (const [service, keys] of Object.entries(GROUPS)) {
    const set = keys.filter((k) => e[k] !== undefined);
    if (set.length > 0 && set.length < keys.length) {
      const missing = keys.filter((k) => e[k] === undefined);
      problems.push(`${service} is half-configured: ${set.join(", ")} set but ${missing.join(", ")} missing`);
    }
  }
  if (e.DATABASE_PREPARED_STATEMENTS === "1" && e.DATABASE_URL && new URL(e.DATABASE_URL).port === "6543") {
    problems.push("DATABASE_PREPARED_STATEMENTS=1 needs a direct or session-mode connection: port 6543 is Supabase's transaction pooler, which does not keep prepared statements");
  }
  if (e.DATABASE_URL && e.NODE_ENV === "production" && !e.ENCRYPTION_KEY) {
    problems.push("ENCRYPTION_KEY is required with DATABASE_URL in production (openssl rand -base64 32)");
  }
  if (e.DATABASE_URL && e.NODE_ENV === "production" && !e.APP_SECRET) {
    problems.push("APP_SECRET is required with DATABASE_URL in production (openssl rand -hex 32)");
  }
  if (e.PRISMAI_BENCH_MODEL_DELAY_MS !== undefined && (e.GEMINI_API_KEY || (e.DATABASE_URL && !isLoopbackUrl(e.DATABASE_URL)))) {
    problems.push("PRISMAI_BENCH_MODEL_DELAY_MS is a benchmark hook: it cannot be set together with GEMINI_API_KEY or a DATABASE_URL off this machine");
  }
  if (e.WEBHOOKS_ALLOW_PRIVATE_URLS === "1" && e.NODE_ENV === "production") {
    problems.push("WEBHOOKS_ALLOW_PRIVATE_URLS is for tests and benchmarks: production never posts webhooks to private or loopback addresses");
  }
  if (problems.length) throw new EnvError(problems);

  const adapters: Adapters = {
    database: e.DATABASE_URL ? "postgres" : "pglite",
    auth: e.NEXT_PUBLIC_SUPABASE_URL ? "supabase" : "local",
    model: e.GEMINI_API_KEY ? "gemini" : "offline",
    embeddings: e.GEMINI_API_KEY ? "gemini" : "local",
    cache: e.UPSTASH_REDIS_REST_URL ? "upstash" : "memory",
    jobs: e.QSTASH_TOKEN ? "qstash" : "local",
    sms: e.TWILIO_ACCOUNT_SID ? "twilio" : "outbox",
    email: e.RESEND_API_KEY ? "resend" : "outbox",
  };
  const appUrl = (e.APP_URL ?? `http://localhost:${e.PORT ?? "3000"}`).replace(/\/$/, "");
  const trustedProxy = (e.TRUSTED_PROXY ?? (e.VERCEL === "1" ? "vercel" : "none")) as TrustedProxy;
  return { ...e, appUrl, trustedProxy, adapters, isProduction: e.NODE_ENV === "production" };
}

let cached: Env | undefined;

/** The validated environment of this process, read once. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** For tests: forget the cached environment so the next env() reads process.env again. */
export function resetEnvForTests(): void {
  cached = undefined;
}

/** Where embedded data lives (.data/ at the project root unless PGLITE_DATA_DIR says otherwise). */
export function dataRoot(): string {
  const dir = env().PGLITE_DATA_DIR;
  if (!dir || dir.startsWith("memory://")) return path.resolve(".data");
  return path.resolve(path.dirname(dir));
}
