-- The AI's booking dialogue per conversation (issue #18): what it offered, what it holds, what it asked.
CREATE TABLE "booking_dialogues" (
	"conversation_id" uuid PRIMARY KEY NOT NULL,
	"business_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"state" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "booking_dialogues" ADD CONSTRAINT "booking_dialogues_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_dialogues" ADD CONSTRAINT "booking_dialogues_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_dialogues" ADD CONSTRAINT "booking_dialogues_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "booking_dialogues_business_idx" ON "booking_dialogues" USING btree ("business_id");--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "booking_dialogues" TO authenticated, service_role;--> statement-breakpoint
-- Written by the AI's turns on the service path; members may read where a booking conversation stands.
ALTER TABLE "booking_dialogues" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "booking_dialogues_select" ON "booking_dialogues" FOR SELECT TO authenticated USING (app.is_member(business_id));
