// Every suite starts from an empty, embedded environment with fixed test keys; the database is the
// engine of the jest project (helpers/db.ts sets DATABASE_URL for the postgres project).
for (const key of Object.keys(process.env)) {
  if (/^(DATABASE_URL|NEXT_PUBLIC_SUPABASE|SUPABASE_|GEMINI_|UPSTASH_|QSTASH_|TWILIO_|RESEND_|EMAIL_FROM|TELEGRAM_|META_|TRUSTED_PROXY$|VERCEL$|WEBHOOKS_|HUBSPOT_)/.test(key)) {
    delete process.env[key];
  }
}
process.env.ENCRYPTION_KEY = Buffer.alloc(32, 7).toString("base64");
process.env.APP_SECRET = "test-app-secret-test-app-secret-0123456789";
process.env.DISABLE_SCHEDULER = "1";
process.env.APP_URL = "http://localhost:3000";
// The engine of this jest project (jest.config.js sets it as a global per project).
process.env.PRISMAI_TEST_ENGINE = (globalThis as { PRISMAI_TEST_ENGINE?: string }).PRISMAI_TEST_ENGINE ?? "pglite";
