-- Booking (issue #18): services, resources with their hours and time off, holidays and blocked time,
-- settings, and the bookings themselves. btree_gist lets one exclusion constraint compare resource_id with =
-- beside the time range with &&: the server itself refuses a second live booking of a resource at one time.
CREATE EXTENSION IF NOT EXISTS btree_gist;
--> statement-breakpoint
CREATE TYPE "public"."booking_status" AS ENUM('held', 'confirmed', 'cancelled', 'no_show', 'expired');--> statement-breakpoint
CREATE TABLE "booking_closures" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"resource_id" uuid,
	"during" "tstzrange" NOT NULL,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "booking_hours" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"resource_id" uuid NOT NULL,
	"weekday" integer NOT NULL,
	"opens_minute" integer NOT NULL,
	"closes_minute" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "booking_resources" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"name" text NOT NULL,
	"service_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "booking_services" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"name" text NOT NULL,
	"duration_minutes" integer NOT NULL,
	"price" numeric(10, 2),
	"buffer_minutes" integer DEFAULT 0 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "booking_settings" (
	"business_id" uuid PRIMARY KEY NOT NULL,
	"lead_minutes" integer DEFAULT 60 NOT NULL,
	"horizon_days" integer DEFAULT 60 NOT NULL,
	"hold_minutes" integer DEFAULT 10 NOT NULL,
	"slot_step_minutes" integer DEFAULT 30 NOT NULL,
	"reminder_offsets" integer[] DEFAULT '{1440,120}'::integer[] NOT NULL,
	"ics_token_hash" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bookings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"service_id" uuid NOT NULL,
	"resource_id" uuid NOT NULL,
	"during" "tstzrange" NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"status" "booking_status" DEFAULT 'held' NOT NULL,
	"hold_expires_at" timestamp with time zone,
	"channel_id" uuid,
	"conversation_id" uuid,
	"source" text DEFAULT 'ai' NOT NULL,
	"notes" text,
	"reminders_sent" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "booking_closures" ADD CONSTRAINT "booking_closures_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_closures" ADD CONSTRAINT "booking_closures_resource_id_booking_resources_id_fk" FOREIGN KEY ("resource_id") REFERENCES "public"."booking_resources"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_hours" ADD CONSTRAINT "booking_hours_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_hours" ADD CONSTRAINT "booking_hours_resource_id_booking_resources_id_fk" FOREIGN KEY ("resource_id") REFERENCES "public"."booking_resources"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_resources" ADD CONSTRAINT "booking_resources_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_services" ADD CONSTRAINT "booking_services_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_settings" ADD CONSTRAINT "booking_settings_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_service_id_booking_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."booking_services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_resource_id_booking_resources_id_fk" FOREIGN KEY ("resource_id") REFERENCES "public"."booking_resources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "booking_closures_business_idx" ON "booking_closures" USING btree ("business_id");--> statement-breakpoint
CREATE INDEX "booking_hours_resource_idx" ON "booking_hours" USING btree ("resource_id","weekday");--> statement-breakpoint
CREATE INDEX "booking_hours_business_idx" ON "booking_hours" USING btree ("business_id");--> statement-breakpoint
CREATE INDEX "booking_resources_business_idx" ON "booking_resources" USING btree ("business_id");--> statement-breakpoint
CREATE INDEX "booking_services_business_idx" ON "booking_services" USING btree ("business_id");--> statement-breakpoint
CREATE INDEX "bookings_business_start_idx" ON "bookings" USING btree ("business_id","starts_at");--> statement-breakpoint
CREATE INDEX "bookings_customer_idx" ON "bookings" USING btree ("customer_id","starts_at");--> statement-breakpoint
CREATE INDEX "bookings_hold_idx" ON "bookings" USING btree ("hold_expires_at") WHERE status = 'held';--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_no_overlap" EXCLUDE USING gist ("resource_id" WITH =, "during" WITH &&) WHERE ("status" IN ('held', 'confirmed'));--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_times" CHECK ("starts_at" < "ends_at" AND lower("during") = "starts_at" AND upper("during") >= "ends_at" AND NOT isempty("during"));--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_hold" CHECK ("status" <> 'held' OR "hold_expires_at" IS NOT NULL);--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_source" CHECK ("source" IN ('ai', 'staff', 'api'));--> statement-breakpoint
ALTER TABLE "booking_services" ADD CONSTRAINT "booking_services_duration" CHECK ("duration_minutes" BETWEEN 5 AND 1440 AND "buffer_minutes" BETWEEN 0 AND 1440 AND ("price" IS NULL OR "price" >= 0));--> statement-breakpoint
ALTER TABLE "booking_hours" ADD CONSTRAINT "booking_hours_range" CHECK ("weekday" BETWEEN 0 AND 6 AND "opens_minute" >= 0 AND "opens_minute" < "closes_minute" AND "closes_minute" <= 1440);--> statement-breakpoint
ALTER TABLE "booking_closures" ADD CONSTRAINT "booking_closures_nonempty" CHECK (NOT isempty("during") AND NOT lower_inf("during") AND NOT upper_inf("during"));--> statement-breakpoint
ALTER TABLE "booking_settings" ADD CONSTRAINT "booking_settings_ranges" CHECK ("lead_minutes" BETWEEN 0 AND 43200 AND "horizon_days" BETWEEN 1 AND 730 AND "hold_minutes" BETWEEN 1 AND 1440 AND "slot_step_minutes" BETWEEN 5 AND 240);--> statement-breakpoint
CREATE INDEX "booking_closures_during_idx" ON "booking_closures" USING gist ("business_id", "during");--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "booking_settings", "booking_services", "booking_resources", "booking_hours", "booking_closures", "bookings" TO authenticated, service_role;--> statement-breakpoint
-- Every member reads the calendar and books, moves or blocks time by hand; owners and admins set up
-- services, resources, hours and settings.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['booking_settings', 'booking_services', 'booking_resources', 'booking_hours', 'booking_closures', 'bookings'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR SELECT TO authenticated USING (app.is_member(business_id))', t || '_select', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['booking_closures', 'bookings'] LOOP
    EXECUTE format(
      'CREATE POLICY %I ON %I FOR ALL TO authenticated USING (app.is_member(business_id)) WITH CHECK (app.is_member(business_id))',
      t || '_member', t
    );
  END LOOP;
  FOREACH t IN ARRAY ARRAY['booking_settings', 'booking_services', 'booking_resources', 'booking_hours'] LOOP
    EXECUTE format(
      'CREATE POLICY %I ON %I FOR ALL TO authenticated USING (app.has_role(business_id, ARRAY[''owner'', ''admin''])) WITH CHECK (app.has_role(business_id, ARRAY[''owner'', ''admin'']))',
      t || '_manager', t
    );
  END LOOP;
END
$$;
