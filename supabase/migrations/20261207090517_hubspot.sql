-- HubSpot (issue #19): a private-app token per business, the contact each customer became, and the
-- sync queue the triggers below fill in the transaction of the change (contacts to upsert, notes of closed conversations).
CREATE TABLE "hubspot_connections" (
	"business_id" uuid PRIMARY KEY NOT NULL,
	"token_encrypted" text NOT NULL,
	"last_synced_at" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hubspot_contacts" (
	"customer_id" uuid PRIMARY KEY NOT NULL,
	"business_id" uuid NOT NULL,
	"contact_id" text NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hubspot_sync" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"customer_id" uuid NOT NULL,
	"conversation_id" uuid,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"hubspot_id" text,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"done_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "hubspot_connections" ADD CONSTRAINT "hubspot_connections_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hubspot_contacts" ADD CONSTRAINT "hubspot_contacts_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hubspot_contacts" ADD CONSTRAINT "hubspot_contacts_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hubspot_sync" ADD CONSTRAINT "hubspot_sync_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hubspot_sync" ADD CONSTRAINT "hubspot_sync_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hubspot_sync" ADD CONSTRAINT "hubspot_sync_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "hubspot_contacts_business_idx" ON "hubspot_contacts" USING btree ("business_id");--> statement-breakpoint
CREATE INDEX "hubspot_sync_due_idx" ON "hubspot_sync" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "hubspot_sync_business_idx" ON "hubspot_sync" USING btree ("business_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "hubspot_sync_pending_contact_key" ON "hubspot_sync" USING btree ("customer_id") WHERE kind = 'contact' and status = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "hubspot_sync_note_key" ON "hubspot_sync" USING btree ("conversation_id") WHERE kind = 'note';--> statement-breakpoint
ALTER TABLE "hubspot_sync" ADD CONSTRAINT "hubspot_sync_kind" CHECK ("kind" IN ('contact', 'note') AND ("kind" = 'contact' OR "conversation_id" IS NOT NULL));--> statement-breakpoint
ALTER TABLE "hubspot_sync" ADD CONSTRAINT "hubspot_sync_status" CHECK ("status" IN ('pending', 'done', 'skipped', 'failed'));--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "hubspot_connections", "hubspot_contacts", "hubspot_sync" TO authenticated, service_role;--> statement-breakpoint
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['hubspot_connections', 'hubspot_contacts', 'hubspot_sync'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY %I ON %I FOR ALL TO authenticated USING (app.has_role(business_id, ARRAY[''owner'', ''admin''])) WITH CHECK (app.has_role(business_id, ARRAY[''owner'', ''admin'']))',
      t || '_manager', t
    );
  END LOOP;
END
$$;
--> statement-breakpoint
-- One pending contact upsert per customer at a time, only for a business connected to HubSpot.
-- Security definer: the change may be made by an agent, whom row-level security keeps out of these tables.
CREATE OR REPLACE FUNCTION app.hubspot_on_customer() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
DECLARE c uuid;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM hubspot_connections WHERE business_id = NEW.business_id) THEN
    RETURN NULL;
  END IF;
  -- each branch reads only the fields its table has
  IF TG_TABLE_NAME = 'customers' THEN
    c := NEW.id;
  ELSE
    c := NEW.customer_id;
  END IF;
  INSERT INTO hubspot_sync (business_id, kind, customer_id) VALUES (NEW.business_id, 'contact', c) ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "customers_hubspot_created" AFTER INSERT ON "customers" FOR EACH ROW EXECUTE FUNCTION app.hubspot_on_customer();
--> statement-breakpoint
CREATE TRIGGER "customers_hubspot_updated" AFTER UPDATE ON "customers" FOR EACH ROW
  WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.tags IS DISTINCT FROM NEW.tags OR OLD.verified IS DISTINCT FROM NEW.verified
    OR OLD.blocked IS DISTINCT FROM NEW.blocked OR OLD.notes IS DISTINCT FROM NEW.notes)
  EXECUTE FUNCTION app.hubspot_on_customer();
--> statement-breakpoint
CREATE TRIGGER "customer_identities_hubspot" AFTER INSERT ON "customer_identities" FOR EACH ROW EXECUTE FUNCTION app.hubspot_on_customer();
--> statement-breakpoint
-- A closed conversation's note (one per conversation).
CREATE OR REPLACE FUNCTION app.hubspot_on_conversation() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM hubspot_connections WHERE business_id = NEW.business_id) THEN
    RETURN NULL;
  END IF;
  INSERT INTO hubspot_sync (business_id, kind, customer_id, conversation_id) VALUES (NEW.business_id, 'note', NEW.customer_id, NEW.id) ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "conversations_hubspot" AFTER UPDATE OF "status" ON "conversations" FOR EACH ROW
  WHEN (NEW.status = 'closed' AND OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION app.hubspot_on_conversation();
