-- A FAQ's answers are counted beside it (issue #14): the count never rewrites the FAQ's
-- vector-indexed row, as response_cache_hits does for the cache.
CREATE TABLE "faq_hits" (
	"faq_id" uuid PRIMARY KEY NOT NULL,
	"business_id" uuid NOT NULL,
	"hits" integer DEFAULT 0 NOT NULL,
	"last_hit_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "faq_hits" ADD CONSTRAINT "faq_hits_faq_id_faqs_id_fk" FOREIGN KEY ("faq_id") REFERENCES "public"."faqs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "faq_hits" ADD CONSTRAINT "faq_hits_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "faq_hits_business_idx" ON "faq_hits" USING btree ("business_id");--> statement-breakpoint
INSERT INTO "faq_hits" ("faq_id", "business_id", "hits") SELECT "id", "business_id", "hits" FROM "faqs" WHERE "hits" > 0;--> statement-breakpoint
ALTER TABLE "faqs" DROP COLUMN "hits";--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "faq_hits" TO authenticated, service_role;--> statement-breakpoint
ALTER TABLE "faq_hits" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "faq_hits_member" ON "faq_hits" FOR ALL TO authenticated
  USING (app.is_member(business_id)) WITH CHECK (app.is_member(business_id));
