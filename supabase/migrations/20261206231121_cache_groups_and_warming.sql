-- The semantic cache decides on agreement among paraphrases grouped by answer (lib/cache/decision.ts),
-- counts hits outside the vector-indexed table, and records cache warming per business.
CREATE TABLE "cache_warming" (
	"business_id" uuid PRIMARY KEY NOT NULL,
	"requested_at" timestamp with time zone,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"last_run" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "response_cache_hits" (
	"entry_id" uuid PRIMARY KEY NOT NULL,
	"business_id" uuid NOT NULL,
	"hits" integer DEFAULT 0 NOT NULL,
	"last_hit_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- A row written without an answer group (every entry stored before groups existed) is a group of its own: it never agrees with another.
ALTER TABLE "response_cache" ADD COLUMN "answer_key" text DEFAULT 'u:' || gen_random_uuid()::text NOT NULL;--> statement-breakpoint
ALTER TABLE "response_cache" ADD COLUMN "terms" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "response_cache" ADD COLUMN "origin" text DEFAULT 'model' NOT NULL;--> statement-breakpoint
ALTER TABLE "cache_warming" ADD CONSTRAINT "cache_warming_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "response_cache_hits" ADD CONSTRAINT "response_cache_hits_entry_id_response_cache_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."response_cache"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "response_cache_hits" ADD CONSTRAINT "response_cache_hits_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "response_cache_hits_business_idx" ON "response_cache_hits" USING btree ("business_id");--> statement-breakpoint
INSERT INTO "response_cache_hits" ("entry_id", "business_id", "hits") SELECT "id", "business_id", "hits" FROM "response_cache" WHERE "hits" > 0;--> statement-breakpoint
ALTER TABLE "response_cache" DROP COLUMN "hits";--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "response_cache_hits", "cache_warming" TO authenticated, service_role;--> statement-breakpoint
ALTER TABLE "response_cache_hits" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "response_cache_hits_member" ON "response_cache_hits" FOR ALL TO authenticated
  USING (app.is_member(business_id)) WITH CHECK (app.is_member(business_id));--> statement-breakpoint
ALTER TABLE "cache_warming" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "cache_warming_member" ON "cache_warming" FOR ALL TO authenticated
  USING (app.is_member(business_id)) WITH CHECK (app.is_member(business_id));
