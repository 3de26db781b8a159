import { EnvError, parseEnv } from "@/lib/env";

describe("environment", () => {
  it("runs whole on the embedded defaults with nothing set", () => {
    const e = parseEnv({});
    expect(e.adapters).toEqual({
      database: "pglite",
      auth: "local",
      model: "offline",
      embeddings: "local",
      cache: "memory",
      jobs: "local",
      sms: "outbox",
      email: "outbox",
    });
    expect(e.appUrl).toBe("http://localhost:3000");
  });

  it("picks each production adapter from its variables", () => {
    const e = parseEnv({
      DATABASE_URL: "postgresql://u:p@db.example.com:6543/postgres",
      ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64"),
      NEXT_PUBLIC_SUPABASE_URL: "https://abc.supabase.co",
      NEXT_PUBLIC_SUPABASE_ANON_KEY: "anon",
      GEMINI_API_KEY: "g",
      UPSTASH_REDIS_REST_URL: "https://x.upstash.io",
      UPSTASH_REDIS_REST_TOKEN: "t",
      QSTASH_TOKEN: "q",
      QSTASH_CURRENT_SIGNING_KEY: "c",
      QSTASH_NEXT_SIGNING_KEY: "n",
      TWILIO_ACCOUNT_SID: "AC1",
      TWILIO_AUTH_TOKEN: "tok",
      RESEND_API_KEY: "re",
      RESEND_WEBHOOK_SECRET: "whsec_x",
      EMAIL_FROM: "help@example.com",
    });
    expect(e.adapters).toEqual({
      database: "postgres",
      auth: "supabase",
      model: "gemini",
      embeddings: "gemini",
      cache: "upstash",
      jobs: "qstash",
      sms: "twilio",
      email: "resend",
    });
  });

  it("stops on a half-configured service with one message naming what is missing", () => {
    expect(() => parseEnv({ TWILIO_ACCOUNT_SID: "AC123" })).toThrow(EnvError);
    expect(() => parseEnv({ TWILIO_ACCOUNT_SID: "AC123" })).toThrow(/Twilio is half-configured: TWILIO_ACCOUNT_SID set but TWILIO_AUTH_TOKEN missing/);
    expect(() => parseEnv({ UPSTASH_REDIS_REST_TOKEN: "t" })).toThrow(/UPSTASH_REDIS_REST_URL missing/);
  });

  it("rejects a DATABASE_URL that is not a postgres URL", () => {
    expect(() => parseEnv({ DATABASE_URL: "mysql://localhost/db" })).toThrow(/DATABASE_URL must be a postgres:\/\/ URL/);
    expect(() => parseEnv({ DATABASE_URL: "not a url" })).toThrow(/DATABASE_URL/);
  });

  it("names every problem at once", () => {
    try {
      parseEnv({ TWILIO_AUTH_TOKEN: "x", RESEND_API_KEY: "y" });
      throw new Error("expected an EnvError");
    } catch (err) {
      expect(err).toBeInstanceOf(EnvError);
      expect((err as EnvError).problems).toHaveLength(2);
    }
  });

  it("requires real keys in production on a real database", () => {
    expect(() => parseEnv({ NODE_ENV: "production", DATABASE_URL: "postgres://u@h/db" })).toThrow(/ENCRYPTION_KEY is required/);
    expect(() => parseEnv({ ENCRYPTION_KEY: "short" })).toThrow(/ENCRYPTION_KEY must be 32 bytes/);
  });

  it("never lets production post webhooks to private addresses", () => {
    expect(() => parseEnv({ NODE_ENV: "production", WEBHOOKS_ALLOW_PRIVATE_URLS: "1" })).toThrow(/WEBHOOKS_ALLOW_PRIVATE_URLS is for tests and benchmarks/);
    expect(parseEnv({ NODE_ENV: "test", WEBHOOKS_ALLOW_PRIVATE_URLS: "1" }).WEBHOOKS_ALLOW_PRIVATE_URLS).toBe("1");
    expect(() => parseEnv({ WEBHOOKS_ALLOW_PRIVATE_URLS: "yes" })).toThrow(/must be "1" or "0"/);
  });

  it("refuses prepared statements through Supabase's transaction pooler, which does not keep them", () => {
    const pooler = "postgres://u:p@aws-0-eu-west-2.pooler.supabase.com:6543/postgres";
    const session = "postgres://u:p@aws-0-eu-west-2.pooler.supabase.com:5432/postgres";
    expect(() => parseEnv({ DATABASE_URL: pooler, DATABASE_PREPARED_STATEMENTS: "1" })).toThrow(/port 6543 is Supabase's transaction pooler/);
    expect(parseEnv({ DATABASE_URL: session, DATABASE_PREPARED_STATEMENTS: "1" }).DATABASE_PREPARED_STATEMENTS).toBe("1");
    expect(parseEnv({ DATABASE_URL: pooler }).DATABASE_PREPARED_STATEMENTS).toBeUndefined();
    expect(() => parseEnv({ DATABASE_PREPARED_STATEMENTS: "yes" })).toThrow(/must be "1" or "0"/);
  });

  it("treats empty strings as unset", () => {
    expect(parseEnv({ TWILIO_ACCOUNT_SID: "", TWILIO_AUTH_TOKEN: "" }).adapters.sms).toBe("outbox");
  });
});
