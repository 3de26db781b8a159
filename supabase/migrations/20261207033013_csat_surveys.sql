CREATE TABLE "csat_surveys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"conversation_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"channel_kind" "channel_kind" NOT NULL,
	"token" text NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	"rating" integer,
	"answered_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "csat_surveys" ADD CONSTRAINT "csat_surveys_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "csat_surveys" ADD CONSTRAINT "csat_surveys_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "csat_surveys" ADD CONSTRAINT "csat_surveys_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "csat_surveys_conversation_key" ON "csat_surveys" USING btree ("conversation_id");--> statement-breakpoint
CREATE UNIQUE INDEX "csat_surveys_token_key" ON "csat_surveys" USING btree ("token");--> statement-breakpoint
CREATE INDEX "csat_surveys_business_idx" ON "csat_surveys" USING btree ("business_id","sent_at");--> statement-breakpoint
CREATE INDEX "csat_surveys_customer_idx" ON "csat_surveys" USING btree ("customer_id","sent_at");--> statement-breakpoint
ALTER TABLE "csat_surveys" ADD CONSTRAINT "csat_surveys_rating_range" CHECK ("rating" IS NULL OR "rating" BETWEEN 1 AND 5);--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "csat_surveys" TO authenticated, service_role;--> statement-breakpoint
ALTER TABLE "csat_surveys" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "csat_surveys_member" ON "csat_surveys" FOR ALL TO authenticated
  USING (app.is_member(business_id)) WITH CHECK (app.is_member(business_id));
