CREATE TABLE "digest_phones" (
	"business_id" uuid PRIMARY KEY NOT NULL,
	"channel_kind" "channel_kind" NOT NULL,
	"phone_encrypted" text NOT NULL,
	"code_hash" text,
	"code_sent_at" timestamp with time zone,
	"code_expires_at" timestamp with time zone,
	"code_attempts" integer DEFAULT 0 NOT NULL,
	"verified_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "digest_phones" ADD CONSTRAINT "digest_phones_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "digest_phones" ADD CONSTRAINT "digest_phones_kind" CHECK ("channel_kind" IN ('sms', 'whatsapp'));--> statement-breakpoint
ALTER TABLE "digest_phones" ADD CONSTRAINT "digest_phones_attempts" CHECK ("code_attempts" >= 0);--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "digest_phones" TO authenticated, service_role;--> statement-breakpoint
ALTER TABLE "digest_phones" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "digest_phones_manager" ON "digest_phones" FOR ALL TO authenticated
  USING (app.has_role(business_id, ARRAY['owner', 'admin'])) WITH CHECK (app.has_role(business_id, ARRAY['owner', 'admin']));
