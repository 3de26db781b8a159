import { defineConfig } from "drizzle-kit";

// Generates SQL into supabase/migrations; the same files apply to PGlite and to Supabase.
export default defineConfig({
  dialect: "postgresql",
  schema: "./lib/db/schema.ts",
  out: "./supabase/migrations",
  migrations: { prefix: "supabase" },
});
