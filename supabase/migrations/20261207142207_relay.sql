CREATE TABLE "member_phones" (
	"business_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"channel_kind" "channel_kind" NOT NULL,
	"phone_encrypted" text NOT NULL,
	"phone_hash" text NOT NULL,
	"code_hash" text,
	"code_sent_at" timestamp with time zone,
	"code_expires_at" timestamp with time zone,
	"code_attempts" integer DEFAULT 0 NOT NULL,
	"verified_at" timestamp with time zone,
	"text_after_minutes" integer DEFAULT 5,
	"call_after_minutes" integer,
	"quiet_start_minute" integer,
	"quiet_end_minute" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "member_phones_business_id_user_id_pk" PRIMARY KEY("business_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "relay_handoffs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"conversation_id" uuid NOT NULL,
	"code" text NOT NULL,
	"reason" text,
	"summary" text,
	"suggestion" text,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "relay_notices" (
	"handoff_id" uuid NOT NULL,
	"business_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"step" text NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "relay_notices_handoff_id_user_id_step_pk" PRIMARY KEY("handoff_id","user_id","step")
);
--> statement-breakpoint
ALTER TABLE "member_phones" ADD CONSTRAINT "member_phones_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_phones" ADD CONSTRAINT "member_phones_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relay_handoffs" ADD CONSTRAINT "relay_handoffs_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relay_handoffs" ADD CONSTRAINT "relay_handoffs_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relay_notices" ADD CONSTRAINT "relay_notices_handoff_id_relay_handoffs_id_fk" FOREIGN KEY ("handoff_id") REFERENCES "public"."relay_handoffs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relay_notices" ADD CONSTRAINT "relay_notices_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relay_notices" ADD CONSTRAINT "relay_notices_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "member_phones_verified_key" ON "member_phones" USING btree ("business_id","phone_hash") WHERE verified_at is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "relay_handoffs_open_code_key" ON "relay_handoffs" USING btree ("business_id","code") WHERE closed_at is null;--> statement-breakpoint
CREATE UNIQUE INDEX "relay_handoffs_open_conversation_key" ON "relay_handoffs" USING btree ("business_id","conversation_id") WHERE closed_at is null;--> statement-breakpoint
CREATE INDEX "relay_notices_business_idx" ON "relay_notices" USING btree ("business_id");--> statement-breakpoint
ALTER TABLE "member_phones" ADD CONSTRAINT "member_phones_kind" CHECK ("channel_kind" IN ('sms', 'whatsapp'));--> statement-breakpoint
ALTER TABLE "member_phones" ADD CONSTRAINT "member_phones_ladder" CHECK (
  "code_attempts" >= 0
  AND ("text_after_minutes" IS NULL OR "text_after_minutes" BETWEEN 0 AND 1440)
  AND ("call_after_minutes" IS NULL OR "call_after_minutes" BETWEEN 0 AND 1440)
  AND (("quiet_start_minute" IS NULL) = ("quiet_end_minute" IS NULL))
  AND ("quiet_start_minute" IS NULL OR ("quiet_start_minute" BETWEEN 0 AND 1439 AND "quiet_end_minute" BETWEEN 0 AND 1439))
);--> statement-breakpoint
ALTER TABLE "relay_handoffs" ADD CONSTRAINT "relay_handoffs_code" CHECK ("code" ~ '^[A-Z][0-9]$');--> statement-breakpoint
ALTER TABLE "relay_notices" ADD CONSTRAINT "relay_notices_step" CHECK ("step" IN ('text', 'call'));--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "member_phones", "relay_handoffs", "relay_notices" TO authenticated, service_role;--> statement-breakpoint
-- A member's phone is theirs alone: nobody else in the business reads or changes it.
ALTER TABLE "member_phones" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "member_phones_own" ON "member_phones" FOR ALL TO authenticated
  USING ("user_id" = app.current_user_id() AND app.is_member("business_id"))
  WITH CHECK ("user_id" = app.current_user_id() AND app.is_member("business_id"));--> statement-breakpoint
-- Hand-offs and the notices sent for them: every member reads them; the pipeline and the job write them.
ALTER TABLE "relay_handoffs" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "relay_handoffs_member" ON "relay_handoffs" FOR SELECT TO authenticated USING (app.is_member("business_id"));--> statement-breakpoint
ALTER TABLE "relay_notices" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "relay_notices_member" ON "relay_notices" FOR SELECT TO authenticated USING (app.is_member("business_id"));
