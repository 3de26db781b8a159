-- Row-level security: every tenant table is readable and writable only by members of its business.
-- Dashboard requests run as `authenticated` with the user's claims set in the transaction; webhooks and
-- jobs use the service path (the table owner / service_role) and filter by business_id themselves.
CREATE OR REPLACE FUNCTION app.is_member(bid uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  SELECT EXISTS (
    SELECT 1 FROM public.members m WHERE m.business_id = bid AND m.user_id = app.current_user_id()
  )
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION app.has_role(bid uuid, roles text[]) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  SELECT EXISTS (
    SELECT 1 FROM public.members m
    WHERE m.business_id = bid AND m.user_id = app.current_user_id() AND m.role::text = ANY (roles)
  )
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION app.shares_business(other uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  SELECT EXISTS (
    SELECT 1 FROM public.members mine JOIN public.members theirs ON theirs.business_id = mine.business_id
    WHERE mine.user_id = app.current_user_id() AND theirs.user_id = other
  )
$$;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app.current_user_id(), app.is_member(uuid), app.has_role(uuid, text[]), app.shares_business(uuid)
  TO anon, authenticated, service_role;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO authenticated, service_role;
--> statement-breakpoint
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO authenticated, service_role;
--> statement-breakpoint
-- Tables outside any tenant: locked to the service path (RLS on, no policy for authenticated or anon).
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE user_sessions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE auth_failures ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE password_resets ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY users_self_or_colleague ON users FOR SELECT TO authenticated
  USING (id = app.current_user_id() OR app.shares_business(id));
--> statement-breakpoint
CREATE POLICY users_update_self ON users FOR UPDATE TO authenticated
  USING (id = app.current_user_id()) WITH CHECK (id = app.current_user_id());
--> statement-breakpoint
-- The tenant itself: members read it, owners and admins change it, only owners delete it.
ALTER TABLE businesses ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY businesses_select ON businesses FOR SELECT TO authenticated USING (app.is_member(id));
--> statement-breakpoint
CREATE POLICY businesses_update ON businesses FOR UPDATE TO authenticated
  USING (app.has_role(id, ARRAY['owner', 'admin'])) WITH CHECK (app.has_role(id, ARRAY['owner', 'admin']));
--> statement-breakpoint
CREATE POLICY businesses_delete ON businesses FOR DELETE TO authenticated USING (app.has_role(id, ARRAY['owner']));
--> statement-breakpoint
-- Membership and invitations: members read, owners and admins manage.
ALTER TABLE members ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY members_select ON members FOR SELECT TO authenticated USING (app.is_member(business_id));
--> statement-breakpoint
CREATE POLICY members_write ON members FOR ALL TO authenticated
  USING (app.has_role(business_id, ARRAY['owner', 'admin']))
  WITH CHECK (app.has_role(business_id, ARRAY['owner', 'admin']));
--> statement-breakpoint
ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY invitations_select ON invitations FOR SELECT TO authenticated USING (app.is_member(business_id));
--> statement-breakpoint
CREATE POLICY invitations_write ON invitations FOR ALL TO authenticated
  USING (app.has_role(business_id, ARRAY['owner', 'admin']))
  WITH CHECK (app.has_role(business_id, ARRAY['owner', 'admin']));
--> statement-breakpoint
-- Everything else: any member of the business, for every operation.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY[
    'channels', 'customers', 'customer_identities', 'conversations', 'messages', 'memories',
    'knowledge_documents', 'knowledge_chunks', 'faqs', 'response_cache', 'budgets', 'cost_events',
    'rate_limit_rules', 'abuse_events', 'campaigns', 'campaign_recipients', 'webhook_events', 'outbox', 'audit_log'
  ] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY %I ON %I FOR ALL TO authenticated USING (app.is_member(business_id)) WITH CHECK (app.is_member(business_id))',
      t || '_member', t
    );
  END LOOP;
END
$$;
