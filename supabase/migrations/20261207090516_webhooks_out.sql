-- Outbound webhooks (issue #19): endpoints, the events written by the triggers below in the
-- transaction of the change they describe (the outbox pattern), one delivery per endpoint, every attempt.
CREATE TABLE "webhook_attempts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"delivery_id" uuid NOT NULL,
	"endpoint_id" uuid NOT NULL,
	"trigger" text DEFAULT 'schedule' NOT NULL,
	"status_code" integer,
	"ok" boolean NOT NULL,
	"duration_ms" integer NOT NULL,
	"response_body" text,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"business_id" uuid NOT NULL,
	"endpoint_id" uuid NOT NULL,
	"message_id" uuid NOT NULL,
	"order_key" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_attempt_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_endpoints" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"url" text NOT NULL,
	"description" text,
	"events" text[] NOT NULL,
	"secret_encrypted" text NOT NULL,
	"previous_secret_encrypted" text,
	"previous_secret_expires_at" timestamp with time zone,
	"enabled" boolean DEFAULT true NOT NULL,
	"disabled_at" timestamp with time zone,
	"disabled_reason" text,
	"exhausted_streak" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"event_type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "webhook_attempts" ADD CONSTRAINT "webhook_attempts_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_attempts" ADD CONSTRAINT "webhook_attempts_delivery_id_webhook_deliveries_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "public"."webhook_deliveries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_attempts" ADD CONSTRAINT "webhook_attempts_endpoint_id_webhook_endpoints_id_fk" FOREIGN KEY ("endpoint_id") REFERENCES "public"."webhook_endpoints"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_endpoint_id_webhook_endpoints_id_fk" FOREIGN KEY ("endpoint_id") REFERENCES "public"."webhook_endpoints"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_message_id_webhook_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."webhook_messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "webhook_endpoints_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_messages" ADD CONSTRAINT "webhook_messages_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "webhook_attempts_endpoint_idx" ON "webhook_attempts" USING btree ("endpoint_id","created_at");--> statement-breakpoint
CREATE INDEX "webhook_attempts_delivery_idx" ON "webhook_attempts" USING btree ("delivery_id");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_due_idx" ON "webhook_deliveries" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_line_idx" ON "webhook_deliveries" USING btree ("endpoint_id","order_key","seq");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_business_idx" ON "webhook_deliveries" USING btree ("business_id","created_at");--> statement-breakpoint
CREATE INDEX "webhook_endpoints_business_idx" ON "webhook_endpoints" USING btree ("business_id");--> statement-breakpoint
CREATE INDEX "webhook_messages_business_idx" ON "webhook_messages" USING btree ("business_id","created_at");--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_status" CHECK ("status" IN ('pending', 'sending', 'delivered', 'failed'));--> statement-breakpoint
ALTER TABLE "webhook_attempts" ADD CONSTRAINT "webhook_attempts_trigger" CHECK ("trigger" IN ('schedule', 'replay'));--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "webhook_endpoints", "webhook_messages", "webhook_deliveries", "webhook_attempts" TO authenticated, service_role;--> statement-breakpoint
GRANT USAGE, SELECT ON SEQUENCE "webhook_deliveries_seq_seq" TO authenticated, service_role;--> statement-breakpoint
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['webhook_endpoints', 'webhook_messages', 'webhook_deliveries', 'webhook_attempts'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY %I ON %I FOR ALL TO authenticated USING (app.has_role(business_id, ARRAY[''owner'', ''admin''])) WITH CHECK (app.has_role(business_id, ARRAY[''owner'', ''admin'']))',
      t || '_manager', t
    );
  END LOOP;
END
$$;
--> statement-breakpoint
-- Does any enabled endpoint of the business want this event? Asked first, so a business without
-- webhooks pays one indexed lookup per change and nothing else.
CREATE OR REPLACE FUNCTION app.webhook_wanted(p_business uuid, p_type text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
AS $$
  SELECT EXISTS (SELECT 1 FROM webhook_endpoints WHERE business_id = p_business AND enabled AND p_type = ANY (events))
$$;
--> statement-breakpoint
-- Writes the event and one delivery per endpoint that wants it. Security definer: the change may be
-- made by an agent, whom row-level security keeps out of these tables.
CREATE OR REPLACE FUNCTION app.emit_webhook(p_business uuid, p_type text, p_order_key text, p_data jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
DECLARE msg uuid;
BEGIN
  IF NOT app.webhook_wanted(p_business, p_type) THEN
    RETURN;
  END IF;
  INSERT INTO webhook_messages (business_id, event_type, payload) VALUES (p_business, p_type, p_data) RETURNING id INTO msg;
  INSERT INTO webhook_deliveries (business_id, endpoint_id, message_id, order_key)
    SELECT p_business, e.id, msg, p_order_key FROM webhook_endpoints e
    WHERE e.business_id = p_business AND e.enabled AND p_type = ANY (e.events)
    ORDER BY e.created_at, e.id;
END
$$;
--> statement-breakpoint
-- message.received (a customer's message), answer.sent (the AI's or a person's answer)
CREATE OR REPLACE FUNCTION app.webhook_on_message() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
DECLARE
  t text := CASE NEW.role WHEN 'customer' THEN 'message.received' WHEN 'assistant' THEN 'answer.sent' WHEN 'agent' THEN 'answer.sent' END;
  k text;
BEGIN
  IF t IS NULL OR NOT app.webhook_wanted(NEW.business_id, t) THEN
    RETURN NULL;
  END IF;
  SELECT c.kind::text INTO k FROM channels c WHERE c.id = NEW.channel_id;
  PERFORM app.emit_webhook(NEW.business_id, t, 'conversation:' || NEW.conversation_id, jsonb_build_object(
    'id', NEW.id, 'conversation_id', NEW.conversation_id, 'customer_id', NEW.customer_id, 'channel_id', NEW.channel_id,
    'channel', k, 'role', NEW.role, 'source', NEW.source, 'content', NEW.content, 'author_id', NEW.author_id, 'created_at', NEW.created_at));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "messages_webhook" AFTER INSERT ON "messages" FOR EACH ROW EXECUTE FUNCTION app.webhook_on_message();
--> statement-breakpoint
-- conversation.handed_off (now waiting for a person), conversation.closed
CREATE OR REPLACE FUNCTION app.webhook_on_conversation() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
DECLARE
  t text := CASE NEW.status WHEN 'waiting_human' THEN 'conversation.handed_off' WHEN 'closed' THEN 'conversation.closed' END;
  k text;
BEGIN
  IF t IS NULL OR NOT app.webhook_wanted(NEW.business_id, t) THEN
    RETURN NULL;
  END IF;
  SELECT c.kind::text INTO k FROM channels c WHERE c.id = NEW.channel_id;
  PERFORM app.emit_webhook(NEW.business_id, t, 'conversation:' || NEW.id, jsonb_build_object(
    'id', NEW.id, 'customer_id', NEW.customer_id, 'channel_id', NEW.channel_id, 'channel', k, 'status', NEW.status,
    'previous_status', OLD.status, 'assignee_id', NEW.assignee_id, 'subject', NEW.subject, 'closed_at', NEW.closed_at,
    'created_at', NEW.created_at));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "conversations_webhook" AFTER UPDATE OF "status" ON "conversations" FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION app.webhook_on_conversation();
--> statement-breakpoint
-- customer.created; customer.updated when what staff see of them changes (not last_seen_at), or a new
-- way to reach them is linked to a customer made before this transaction.
CREATE OR REPLACE FUNCTION app.webhook_customer_data(c customers) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
AS $$
  SELECT jsonb_build_object(
    'id', c.id, 'name', c.name, 'tags', to_jsonb(c.tags), 'verified', c.verified, 'blocked', c.blocked,
    'identities', coalesce((SELECT jsonb_agg(DISTINCT i.kind::text) FROM customer_identities i WHERE i.customer_id = c.id AND i.business_id = c.business_id), '[]'::jsonb),
    'created_at', c.created_at, 'updated_at', c.updated_at)
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION app.webhook_on_customer() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
DECLARE
  t text := CASE TG_OP WHEN 'INSERT' THEN 'customer.created' ELSE 'customer.updated' END;
BEGIN
  IF NOT app.webhook_wanted(NEW.business_id, t) THEN
    RETURN NULL;
  END IF;
  PERFORM app.emit_webhook(NEW.business_id, t, 'customer:' || NEW.id, app.webhook_customer_data(NEW));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "customers_webhook_created" AFTER INSERT ON "customers" FOR EACH ROW EXECUTE FUNCTION app.webhook_on_customer();
--> statement-breakpoint
CREATE TRIGGER "customers_webhook_updated" AFTER UPDATE ON "customers" FOR EACH ROW
  WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.tags IS DISTINCT FROM NEW.tags OR OLD.verified IS DISTINCT FROM NEW.verified
    OR OLD.blocked IS DISTINCT FROM NEW.blocked OR OLD.notes IS DISTINCT FROM NEW.notes)
  EXECUTE FUNCTION app.webhook_on_customer();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION app.webhook_on_identity() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
DECLARE c customers;
BEGIN
  IF NOT app.webhook_wanted(NEW.business_id, 'customer.updated') THEN
    RETURN NULL;
  END IF;
  SELECT * INTO c FROM customers WHERE id = NEW.customer_id AND business_id = NEW.business_id;
  -- a customer created in this same transaction: their customer.created event is enough
  IF c.id IS NULL OR c.created_at >= now() THEN
    RETURN NULL;
  END IF;
  PERFORM app.emit_webhook(NEW.business_id, 'customer.updated', 'customer:' || c.id, app.webhook_customer_data(c));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "customer_identities_webhook" AFTER INSERT ON "customer_identities" FOR EACH ROW EXECUTE FUNCTION app.webhook_on_identity();
