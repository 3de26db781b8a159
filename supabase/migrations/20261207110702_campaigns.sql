-- Campaigns (issue #16): saved segments, the consent ledger per customer and channel, and what a
-- campaign needs to plan, price, send resumably (one recipient row per campaign x customer) and report.
CREATE TABLE "consent_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"channel_kind" text NOT NULL,
	"granted" boolean NOT NULL,
	"source" text NOT NULL,
	"wording" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "segments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"name" text NOT NULL,
	"filter" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "campaign_recipients" ALTER COLUMN "status" SET DEFAULT 'queued';--> statement-breakpoint
ALTER TABLE "campaign_recipients" ADD COLUMN "variant" text DEFAULT 'A' NOT NULL;--> statement-breakpoint
ALTER TABLE "campaign_recipients" ADD COLUMN "channel_id" uuid;--> statement-breakpoint
ALTER TABLE "campaign_recipients" ADD COLUMN "conversation_id" uuid;--> statement-breakpoint
ALTER TABLE "campaign_recipients" ADD COLUMN "message_id" uuid;--> statement-breakpoint
ALTER TABLE "campaign_recipients" ADD COLUMN "due_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "campaign_recipients" ADD COLUMN "estimate_usd" numeric(14, 6) DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "campaign_recipients" ADD COLUMN "goal_met_before" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "campaign_recipients" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "segment_id" uuid;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "audience" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "channel_kinds" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "mode" text DEFAULT 'template' NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "brief" text;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "body_b" text;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "holdout_pct" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "goal" text DEFAULT 'replied' NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "goal_tag" text;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "goal_window_days" integer DEFAULT 7 NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "wa_content_sid" text;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "estimate" jsonb;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "approved_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "finished_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "paused_reason" text;--> statement-breakpoint
ALTER TABLE "consent_events" ADD CONSTRAINT "consent_events_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consent_events" ADD CONSTRAINT "consent_events_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segments" ADD CONSTRAINT "segments_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segments" ADD CONSTRAINT "segments_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "consent_events_customer_idx" ON "consent_events" USING btree ("business_id","customer_id","channel_kind","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "segments_business_name_key" ON "segments" USING btree ("business_id","name");--> statement-breakpoint
ALTER TABLE "campaign_recipients" ADD CONSTRAINT "campaign_recipients_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_recipients" ADD CONSTRAINT "campaign_recipients_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_recipients" ADD CONSTRAINT "campaign_recipients_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_segment_id_segments_id_fk" FOREIGN KEY ("segment_id") REFERENCES "public"."segments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "campaign_recipients_due_idx" ON "campaign_recipients" USING btree ("campaign_id","status","due_at");--> statement-breakpoint
CREATE INDEX "campaign_recipients_conversation_idx" ON "campaign_recipients" USING btree ("conversation_id");--> statement-breakpoint
CREATE INDEX "campaigns_status_idx" ON "campaigns" USING btree ("status");--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_status" CHECK ("status" IN ('draft', 'scheduled', 'sending', 'paused', 'completed', 'cancelled'));--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_mode" CHECK ("mode" IN ('template', 'ai'));--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_goal" CHECK ("goal" IN ('replied', 'tag_added'));--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_holdout" CHECK ("holdout_pct" BETWEEN 0 AND 50);--> statement-breakpoint
UPDATE "campaign_recipients" SET "status" = 'queued' WHERE "status" = 'pending';--> statement-breakpoint
ALTER TABLE "campaign_recipients" ADD CONSTRAINT "campaign_recipients_status" CHECK ("status" IN ('queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'skipped', 'replied', 'converted'));--> statement-breakpoint
ALTER TABLE "campaign_recipients" ADD CONSTRAINT "campaign_recipients_variant" CHECK ("variant" IN ('A', 'B', 'holdout'));--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "segments", "consent_events" TO authenticated, service_role;--> statement-breakpoint
-- Campaigns are owners' and admins' (they spend the budget and speak for the business); the consent
-- ledger is every member's to read and add to (a customer says "don't text me" to an agent).
DROP POLICY IF EXISTS "campaigns_member" ON "campaigns";--> statement-breakpoint
DROP POLICY IF EXISTS "campaign_recipients_member" ON "campaign_recipients";--> statement-breakpoint
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['campaigns', 'campaign_recipients', 'segments'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY %I ON %I FOR ALL TO authenticated USING (app.has_role(business_id, ARRAY[''owner'', ''admin''])) WITH CHECK (app.has_role(business_id, ARRAY[''owner'', ''admin'']))',
      t || '_manager', t
    );
  END LOOP;
END
$$;
--> statement-breakpoint
ALTER TABLE "consent_events" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "consent_events_member" ON "consent_events" FOR ALL TO authenticated USING (app.is_member(business_id)) WITH CHECK (app.is_member(business_id));
