-- Lead scores with evidence (issue #17): every point quotes the customer's own words; the score is
-- kept on the customer for sorting, and staff may mark a customer as a customer or lost.
CREATE TABLE "lead_evidence" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"message_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"quote" text NOT NULL,
	"points" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "lead_score" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "lead_stage" text;--> statement-breakpoint
ALTER TABLE "lead_evidence" ADD CONSTRAINT "lead_evidence_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lead_evidence" ADD CONSTRAINT "lead_evidence_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lead_evidence" ADD CONSTRAINT "lead_evidence_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "lead_evidence_message_kind_key" ON "lead_evidence" USING btree ("message_id","kind");--> statement-breakpoint
CREATE INDEX "lead_evidence_customer_idx" ON "lead_evidence" USING btree ("business_id","customer_id");--> statement-breakpoint
CREATE INDEX "customers_business_lead_idx" ON "customers" USING btree ("business_id","lead_score");--> statement-breakpoint
ALTER TABLE "lead_evidence" ADD CONSTRAINT "lead_evidence_kind_check" CHECK ("kind" IN ('budget', 'timing', 'need', 'authority'));--> statement-breakpoint
ALTER TABLE "lead_evidence" ADD CONSTRAINT "lead_evidence_points_check" CHECK ("points" > 0);--> statement-breakpoint
ALTER TABLE "lead_evidence" ADD CONSTRAINT "lead_evidence_quote_check" CHECK (length(trim("quote")) > 0);--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_lead_score_check" CHECK ("lead_score" BETWEEN 0 AND 100);--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_lead_stage_check" CHECK ("lead_stage" IN ('customer', 'lost'));--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "lead_evidence" TO authenticated, service_role;--> statement-breakpoint
ALTER TABLE "lead_evidence" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "lead_evidence_member" ON "lead_evidence" FOR ALL TO authenticated
  USING (app.is_member(business_id)) WITH CHECK (app.is_member(business_id));
