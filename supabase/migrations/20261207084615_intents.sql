-- Conversation intelligence (issue #17): the owner's intents with examples (their corrections in the
-- inbox), and what each customer message was read as (intent, confidence, sentiment), written by a
-- background job after the answer.
CREATE TABLE "intent_examples" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"intent_id" uuid NOT NULL,
	"text" text NOT NULL,
	"message_id" uuid,
	"embedding" vector(768),
	"embedding_model" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "intents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "message_insights" (
	"message_id" uuid PRIMARY KEY NOT NULL,
	"business_id" uuid NOT NULL,
	"conversation_id" uuid NOT NULL,
	"intent_id" uuid,
	"confidence" real NOT NULL,
	"sentiment" integer NOT NULL,
	"corrected" boolean DEFAULT false NOT NULL,
	"engine" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "businesses" ADD COLUMN "kind" text DEFAULT 'general' NOT NULL;--> statement-breakpoint
ALTER TABLE "businesses" ADD COLUMN "intents_seeded_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "intent_examples" ADD CONSTRAINT "intent_examples_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "intent_examples" ADD CONSTRAINT "intent_examples_intent_id_intents_id_fk" FOREIGN KEY ("intent_id") REFERENCES "public"."intents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "intent_examples" ADD CONSTRAINT "intent_examples_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "intents" ADD CONSTRAINT "intents_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_insights" ADD CONSTRAINT "message_insights_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_insights" ADD CONSTRAINT "message_insights_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_insights" ADD CONSTRAINT "message_insights_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_insights" ADD CONSTRAINT "message_insights_intent_id_intents_id_fk" FOREIGN KEY ("intent_id") REFERENCES "public"."intents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "intent_examples_business_idx" ON "intent_examples" USING btree ("business_id","intent_id");--> statement-breakpoint
CREATE UNIQUE INDEX "intent_examples_message_key" ON "intent_examples" USING btree ("message_id");--> statement-breakpoint
CREATE UNIQUE INDEX "intents_business_name_key" ON "intents" USING btree ("business_id",lower("name"));--> statement-breakpoint
CREATE INDEX "message_insights_conversation_idx" ON "message_insights" USING btree ("conversation_id","created_at");--> statement-breakpoint
CREATE INDEX "message_insights_business_intent_idx" ON "message_insights" USING btree ("business_id","intent_id","created_at");--> statement-breakpoint
ALTER TABLE "businesses" ADD CONSTRAINT "businesses_kind_check" CHECK ("kind" IN ('general', 'clinic', 'estate_agent', 'restaurant', 'law_firm'));--> statement-breakpoint
ALTER TABLE "message_insights" ADD CONSTRAINT "message_insights_sentiment_check" CHECK ("sentiment" BETWEEN -2 AND 2);--> statement-breakpoint
ALTER TABLE "message_insights" ADD CONSTRAINT "message_insights_confidence_check" CHECK ("confidence" BETWEEN 0 AND 1);--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "intents", "intent_examples", "message_insights" TO authenticated, service_role;--> statement-breakpoint
ALTER TABLE "intents" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "intent_examples" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "message_insights" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "intents_member" ON "intents" FOR ALL TO authenticated
  USING (app.is_member(business_id)) WITH CHECK (app.is_member(business_id));--> statement-breakpoint
CREATE POLICY "intent_examples_member" ON "intent_examples" FOR ALL TO authenticated
  USING (app.is_member(business_id)) WITH CHECK (app.is_member(business_id));--> statement-breakpoint
CREATE POLICY "message_insights_member" ON "message_insights" FOR ALL TO authenticated
  USING (app.is_member(business_id)) WITH CHECK (app.is_member(business_id));
