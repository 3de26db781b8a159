CREATE TABLE "answer_daily" (
	"business_id" uuid NOT NULL,
	"time_zone" text NOT NULL,
	"day" date NOT NULL,
	"channel_id" uuid NOT NULL,
	"tier" text NOT NULL,
	"answers" integer NOT NULL,
	"micros" bigint NOT NULL,
	CONSTRAINT "answer_daily_pkey" PRIMARY KEY("business_id","time_zone","day","channel_id","tier")
);
--> statement-breakpoint
CREATE TABLE "conversation_facts" (
	"conversation_id" uuid PRIMARY KEY NOT NULL,
	"business_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"status" "conversation_status" NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"first_customer_at" timestamp with time zone,
	"first_ai_at" timestamp with time zone,
	"last_ai_at" timestamp with time zone,
	"ai_answers" integer DEFAULT 0 NOT NULL,
	"first_human_at" timestamp with time zone,
	"handoff_at" timestamp with time zone,
	"handoff_category" text,
	"taken_over_at" timestamp with time zone,
	"csat_sent_at" timestamp with time zone,
	"csat_rating" integer,
	"test" boolean DEFAULT false NOT NULL,
	"cost_micros" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cost_daily" (
	"business_id" uuid NOT NULL,
	"time_zone" text NOT NULL,
	"day" date NOT NULL,
	"kind" text NOT NULL,
	"channel" text NOT NULL,
	"model" text NOT NULL,
	"events" integer NOT NULL,
	"micros" bigint NOT NULL,
	CONSTRAINT "cost_daily_pkey" PRIMARY KEY("business_id","time_zone","day","kind","channel","model")
);
--> statement-breakpoint
ALTER TABLE "cost_events" ADD COLUMN "channel" text DEFAULT 'none' NOT NULL;--> statement-breakpoint
ALTER TABLE "answer_daily" ADD CONSTRAINT "answer_daily_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "answer_daily" ADD CONSTRAINT "answer_daily_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_facts" ADD CONSTRAINT "conversation_facts_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_facts" ADD CONSTRAINT "conversation_facts_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cost_daily" ADD CONSTRAINT "cost_daily_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "conversation_facts_business_created_idx" ON "conversation_facts" USING btree ("business_id","created_at");--> statement-breakpoint
CREATE INDEX "messages_customer_returns_idx" ON "messages" USING btree ("business_id","created_at","customer_id") WHERE role = 'customer' and not (metadata ? 'csatRating');--> statement-breakpoint
-- Hand-written from here on: the triggers that keep cost_daily, answer_daily and conversation_facts in
-- the transaction of every write (whoever writes: the pipeline, a webhook, a job, a test, psql), and the
-- backfill of what is already stored. Writes wait here until the backfill and the triggers are in
-- place, so nothing falls between the two.
LOCK TABLE "businesses", "conversations", "messages", "cost_events", "audit_log", "csat_surveys" IN SHARE ROW EXCLUSIVE MODE;--> statement-breakpoint
-- The zone days are counted in: the business's, or UTC when PostgreSQL does not know it (as the app's
-- safeTimeZone falls back to UTC; the pages then see rows of another zone and sum the ledger instead).
CREATE OR REPLACE FUNCTION app.valid_zone(tz text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp
AS $$
BEGIN
  IF tz IS NULL OR tz = '' THEN
    RETURN 'UTC';
  END IF;
  PERFORM now() AT TIME ZONE tz;
  RETURN tz;
EXCEPTION WHEN others THEN
  RETURN 'UTC';
END
$$;
--> statement-breakpoint
-- The channel a cost was spent on when it has no conversation: the one its kind names.
CREATE OR REPLACE FUNCTION app.cost_kind_channel(kind text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN kind IN ('sms', 'whatsapp', 'voice', 'email', 'telegram', 'instagram', 'web') THEN kind
                  WHEN kind = 'voice_outbound' THEN 'voice' END $$;
--> statement-breakpoint
-- The tier an AI answer came from: faq, cache:<tier>, model, offline, fallback.
CREATE OR REPLACE FUNCTION app.answer_tier(source answer_source, metadata jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN source = 'cache' THEN 'cache:' || coalesce(metadata->'trace'->'cache'->>'tier', 'unknown') ELSE source::text END $$;
--> statement-breakpoint
-- The lock a business's daily rows are written under: shared by every writer's trigger, taken alone by
-- a rebuild, which so waits for the writers in flight and holds new ones back until it commits.
CREATE OR REPLACE FUNCTION app.report_days_lock(b uuid) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT hashtextextended('app.report_days:' || b::text, 0) $$;
--> statement-breakpoint
-- A business's days summed again from the ledger in its current zone: once here for what is already
-- stored, and by the Costs page when it finds days in another zone than the business's (its zone was
-- changed; lib/db/reports.ts dailyRowsReady).
CREATE OR REPLACE FUNCTION app.rebuild_report_days(b uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
  tz text;
BEGIN
  PERFORM pg_advisory_xact_lock(app.report_days_lock(b));
  SELECT app.valid_zone(time_zone) INTO tz FROM businesses WHERE id = b;
  IF tz IS NULL THEN
    RETURN;
  END IF;
  DELETE FROM cost_daily WHERE business_id = b;
  INSERT INTO cost_daily AS t (business_id, time_zone, day, kind, channel, model, events, micros)
  SELECT b, tz, (ce.created_at AT TIME ZONE tz)::date, ce.kind, ce.channel, coalesce(ce.model, ''), count(*)::int, sum((ce.cost_usd * 1000000)::bigint)
  FROM cost_events ce WHERE ce.business_id = b
  GROUP BY 3, 4, 5, 6 ORDER BY 3, 4, 5, 6
  ON CONFLICT (business_id, time_zone, day, kind, channel, model) DO UPDATE SET events = excluded.events, micros = excluded.micros;
  DELETE FROM answer_daily WHERE business_id = b;
  INSERT INTO answer_daily AS t (business_id, time_zone, day, channel_id, tier, answers, micros)
  SELECT b, tz, (m.created_at AT TIME ZONE tz)::date, m.channel_id, app.answer_tier(m.source, m.metadata), count(*)::int, sum((m.cost_usd * 1000000)::bigint)
  FROM messages m JOIN channels ch ON ch.id = m.channel_id AND ch.business_id = m.business_id
  WHERE m.business_id = b AND m.role = 'assistant' AND m.source IS NOT NULL
  GROUP BY 3, 4, 5 ORDER BY 3, 4, 5
  ON CONFLICT (business_id, time_zone, day, channel_id, tier) DO UPDATE SET answers = excluded.answers, micros = excluded.micros;
END
$$;
--> statement-breakpoint
-- Every trigger that changes conversation_facts locks the conversations first, in order: the pipeline
-- stores a message and then updates its conversation, staff update a conversation and its trigger
-- updates the facts; taking the conversation first in both keeps the two from waiting on each other.
CREATE OR REPLACE FUNCTION app.lock_conversations(ids uuid[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
  PERFORM 1 FROM conversations WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
END
$$;
--> statement-breakpoint
-- A conversation's facts from all of its messages (conversations whose messages were changed or
-- deleted). The rows are locked first and the messages read after, so a message another transaction
-- committed meanwhile is counted (a later one merges on top, app.messages_reports).
CREATE OR REPLACE FUNCTION app.refresh_conversation_facts(ids uuid[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
  PERFORM app.lock_conversations(ids);
  PERFORM 1 FROM conversation_facts WHERE conversation_id = ANY (ids) ORDER BY conversation_id FOR UPDATE;
  UPDATE conversation_facts f
  SET (first_customer_at, first_ai_at, last_ai_at, ai_answers, first_human_at, handoff_at, handoff_category, test) = (
    -- the same aggregates as app.messages_reports' merge
    SELECT min(m.created_at) FILTER (WHERE m.role = 'customer'),
           min(m.created_at) FILTER (WHERE m.role = 'assistant'),
           max(m.created_at) FILTER (WHERE m.role = 'assistant' AND m.source IN ('model', 'cache', 'faq', 'offline')),
           count(*) FILTER (WHERE m.role = 'assistant' AND m.source IN ('model', 'cache', 'faq', 'offline'))::int,
           min(m.created_at) FILTER (WHERE m.role = 'agent'),
           min(m.created_at) FILTER (WHERE m.role = 'assistant' AND m.metadata ? 'handoff'),
           (array_agg(m.metadata->'handoff'->>'category' ORDER BY m.created_at) FILTER (WHERE m.role = 'assistant' AND m.metadata ? 'handoff'))[1],
           coalesce(bool_or(m.role = 'customer' AND m.metadata->>'test' = 'true'), false)
    FROM messages m WHERE m.conversation_id = f.conversation_id AND m.business_id = f.business_id)
  WHERE f.conversation_id = ANY (ids);
END
$$;
--> statement-breakpoint
UPDATE "cost_events" ce SET "channel" = x.channel
FROM (
  SELECT e.id, coalesce(ch.kind::text, app.cost_kind_channel(e.kind), 'none') AS channel
  FROM "cost_events" e
  LEFT JOIN "conversations" co ON co.id = e.conversation_id AND co.business_id = e.business_id
  LEFT JOIN "channels" ch ON ch.id = co.channel_id AND ch.business_id = e.business_id
) x
WHERE x.id = ce.id AND x.channel <> 'none';--> statement-breakpoint
SELECT app.rebuild_report_days(id) FROM "businesses";--> statement-breakpoint
INSERT INTO "conversation_facts" (conversation_id, business_id, customer_id, channel, status, created_at, closed_at)
SELECT c.id, c.business_id, c.customer_id, ch.kind::text, c.status, c.created_at, c.closed_at
FROM "conversations" c JOIN "channels" ch ON ch.id = c.channel_id AND ch.business_id = c.business_id;--> statement-breakpoint
UPDATE "conversation_facts" f
SET first_customer_at = a.first_customer_at, first_ai_at = a.first_ai_at, last_ai_at = a.last_ai_at, ai_answers = a.ai_answers,
    first_human_at = a.first_human_at, handoff_at = a.handoff_at, handoff_category = a.handoff_category, test = a.test
FROM (
  SELECT m.conversation_id, m.business_id,
         min(m.created_at) FILTER (WHERE m.role = 'customer') AS first_customer_at,
         min(m.created_at) FILTER (WHERE m.role = 'assistant') AS first_ai_at,
         max(m.created_at) FILTER (WHERE m.role = 'assistant' AND m.source IN ('model', 'cache', 'faq', 'offline')) AS last_ai_at,
         count(*) FILTER (WHERE m.role = 'assistant' AND m.source IN ('model', 'cache', 'faq', 'offline'))::int AS ai_answers,
         min(m.created_at) FILTER (WHERE m.role = 'agent') AS first_human_at,
         min(m.created_at) FILTER (WHERE m.role = 'assistant' AND m.metadata ? 'handoff') AS handoff_at,
         (array_agg(m.metadata->'handoff'->>'category' ORDER BY m.created_at) FILTER (WHERE m.role = 'assistant' AND m.metadata ? 'handoff'))[1] AS handoff_category,
         coalesce(bool_or(m.role = 'customer' AND m.metadata->>'test' = 'true'), false) AS test
  FROM "messages" m GROUP BY 1, 2
) a
WHERE a.conversation_id = f.conversation_id AND a.business_id = f.business_id;--> statement-breakpoint
UPDATE "conversation_facts" f SET cost_micros = e.micros
FROM (SELECT conversation_id, business_id, sum((cost_usd * 1000000)::bigint) AS micros FROM "cost_events" WHERE conversation_id IS NOT NULL GROUP BY 1, 2) e
WHERE e.conversation_id = f.conversation_id AND e.business_id = f.business_id;--> statement-breakpoint
UPDATE "conversation_facts" f SET taken_over_at = a.at
FROM (SELECT business_id, target_id, min(created_at) AS at FROM "audit_log" WHERE action = 'conversation.taken_over' GROUP BY 1, 2) a
WHERE a.target_id = f.conversation_id::text AND a.business_id = f.business_id;--> statement-breakpoint
UPDATE "conversation_facts" f SET csat_sent_at = s.sent_at, csat_rating = s.rating
FROM "csat_surveys" s WHERE s.conversation_id = f.conversation_id AND s.business_id = f.business_id;--> statement-breakpoint
-- cost_events.channel, derived whatever the writer passed: the conversation's channel, else the one the
-- kind names, else 'none'. It stays when the conversation is deleted (the foreign key then sets
-- conversation_id to null), so the money stays on the channel it was spent on.
CREATE OR REPLACE FUNCTION app.cost_events_channel() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.kind = OLD.kind AND (NEW.conversation_id IS NULL OR NEW.conversation_id = OLD.conversation_id) THEN
    NEW.channel := OLD.channel;
    RETURN NEW;
  END IF;
  NEW.channel := coalesce(
    (SELECT ch.kind::text FROM conversations co JOIN channels ch ON ch.id = co.channel_id AND ch.business_id = co.business_id
      WHERE co.id = NEW.conversation_id AND co.business_id = NEW.business_id),
    app.cost_kind_channel(NEW.kind),
    'none');
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER cost_events_channel BEFORE INSERT OR UPDATE OF conversation_id, kind, channel ON cost_events
  FOR EACH ROW EXECUTE FUNCTION app.cost_events_channel();
--> statement-breakpoint
-- What one statement did to cost_events, as signed rows: cost_daily and each conversation's cost move by
-- the difference, summed per key first (one upsert per key, keys in order). Rows of a business or
-- conversation being deleted are skipped (their own rows go with them). A cost's transaction writes
-- nothing else of the conversation after it, so the facts row is taken without the conversation's.
CREATE OR REPLACE FUNCTION app.cost_events_reports() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
  cols constant text := 'business_id, created_at, kind, channel, model, conversation_id, (cost_usd * 1000000)::bigint AS micros';
  src text;
BEGIN
  src := CASE TG_OP
    WHEN 'INSERT' THEN format('SELECT %s, 1 AS sign FROM new_costs', cols)
    WHEN 'DELETE' THEN format('SELECT %s, -1 AS sign FROM old_costs', cols)
    ELSE format('SELECT %s, 1 AS sign FROM new_costs UNION ALL SELECT %s, -1 AS sign FROM old_costs', cols, cols)
  END;
  EXECUTE format('SELECT pg_advisory_xact_lock_shared(app.report_days_lock(x.business_id)) FROM (SELECT DISTINCT business_id FROM (%s) d ORDER BY 1) x', src);
  EXECUTE format($q$
    WITH d AS MATERIALIZED (%s),
    z AS MATERIALIZED (SELECT b.id, app.valid_zone(b.time_zone) AS tz FROM businesses b WHERE b.id IN (SELECT business_id FROM d))
    INSERT INTO cost_daily AS t (business_id, time_zone, day, kind, channel, model, events, micros)
    SELECT d.business_id, z.tz, (d.created_at AT TIME ZONE z.tz)::date, d.kind, d.channel, coalesce(d.model, ''), sum(d.sign)::int, sum(d.sign * d.micros)
    FROM d JOIN z ON z.id = d.business_id
    GROUP BY 1, 2, 3, 4, 5, 6
    HAVING sum(d.sign) <> 0 OR sum(d.sign * d.micros) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (business_id, time_zone, day, kind, channel, model)
    DO UPDATE SET events = t.events + excluded.events, micros = t.micros + excluded.micros
  $q$, src);
  EXECUTE format($q$
    UPDATE conversation_facts f SET cost_micros = f.cost_micros + c.micros
    FROM (SELECT d.conversation_id, d.business_id, sum(d.sign * d.micros) AS micros FROM (%s) d
          WHERE d.conversation_id IS NOT NULL GROUP BY 1, 2 HAVING sum(d.sign * d.micros) <> 0) c
    WHERE f.conversation_id = c.conversation_id AND f.business_id = c.business_id
  $q$, src);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER cost_events_reports_insert AFTER INSERT ON cost_events REFERENCING NEW TABLE AS new_costs
  FOR EACH STATEMENT EXECUTE FUNCTION app.cost_events_reports();
--> statement-breakpoint
CREATE TRIGGER cost_events_reports_update AFTER UPDATE ON cost_events REFERENCING OLD TABLE AS old_costs NEW TABLE AS new_costs
  FOR EACH STATEMENT EXECUTE FUNCTION app.cost_events_reports();
--> statement-breakpoint
CREATE TRIGGER cost_events_reports_delete AFTER DELETE ON cost_events REFERENCING OLD TABLE AS old_costs
  FOR EACH STATEMENT EXECUTE FUNCTION app.cost_events_reports();
--> statement-breakpoint
-- Messages: new ones merge into their conversations' facts (earliest, latest, counts: the order in
-- which concurrent writers merge does not matter); changed or deleted ones make their conversations'
-- facts be recomputed. The AI's answers are counted into answer_daily by signed rows, like costs.
CREATE OR REPLACE FUNCTION app.messages_reports() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
  cols constant text := 'business_id, created_at, channel_id, app.answer_tier(source, metadata) AS tier, (cost_usd * 1000000)::bigint AS micros';
  answered constant text := $w$ WHERE role = 'assistant' AND source IS NOT NULL $w$;
  src text;
  ids uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM app.lock_conversations(array_agg(DISTINCT n.conversation_id)) FROM new_messages n;
    UPDATE conversation_facts f SET
      first_customer_at = least(f.first_customer_at, a.first_customer_at),
      first_ai_at = least(f.first_ai_at, a.first_ai_at),
      last_ai_at = greatest(f.last_ai_at, a.last_ai_at),
      ai_answers = f.ai_answers + a.ai_answers,
      first_human_at = least(f.first_human_at, a.first_human_at),
      handoff_at = least(f.handoff_at, a.handoff_at),
      handoff_category = CASE WHEN a.handoff_at IS NOT NULL AND (f.handoff_at IS NULL OR a.handoff_at < f.handoff_at)
                              THEN a.handoff_category ELSE f.handoff_category END,
      test = f.test OR a.test
    FROM (
      SELECT m.conversation_id, m.business_id,
             min(m.created_at) FILTER (WHERE m.role = 'customer') AS first_customer_at,
             min(m.created_at) FILTER (WHERE m.role = 'assistant') AS first_ai_at,
             max(m.created_at) FILTER (WHERE m.role = 'assistant' AND m.source IN ('model', 'cache', 'faq', 'offline')) AS last_ai_at,
             count(*) FILTER (WHERE m.role = 'assistant' AND m.source IN ('model', 'cache', 'faq', 'offline'))::int AS ai_answers,
             min(m.created_at) FILTER (WHERE m.role = 'agent') AS first_human_at,
             min(m.created_at) FILTER (WHERE m.role = 'assistant' AND m.metadata ? 'handoff') AS handoff_at,
             (array_agg(m.metadata->'handoff'->>'category' ORDER BY m.created_at) FILTER (WHERE m.role = 'assistant' AND m.metadata ? 'handoff'))[1] AS handoff_category,
             coalesce(bool_or(m.role = 'customer' AND m.metadata->>'test' = 'true'), false) AS test
      FROM new_messages m GROUP BY m.conversation_id, m.business_id
    ) a
    WHERE f.conversation_id = a.conversation_id AND f.business_id = a.business_id;
    src := format('SELECT %s, 1 AS sign FROM new_messages %s', cols, answered);
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT o.conversation_id) INTO ids FROM old_messages o;
    PERFORM app.refresh_conversation_facts(ids);
    src := format('SELECT %s, -1 AS sign FROM old_messages %s', cols, answered);
  ELSE
    SELECT array_agg(DISTINCT c.id) INTO ids FROM (
      SELECT unnest(ARRAY[o.conversation_id, n.conversation_id]) AS id FROM old_messages o JOIN new_messages n ON n.id = o.id
      WHERE (o.conversation_id, o.business_id, o.role, o.source, o.created_at, o.metadata ? 'handoff', o.metadata->'handoff'->>'category', o.metadata->>'test')
            IS DISTINCT FROM (n.conversation_id, n.business_id, n.role, n.source, n.created_at, n.metadata ? 'handoff', n.metadata->'handoff'->>'category', n.metadata->>'test')
    ) c;
    IF ids IS NOT NULL THEN
      PERFORM app.refresh_conversation_facts(ids);
    END IF;
    -- a delivery status, an outcome or an edit of the text changes no figure
    IF NOT EXISTS (SELECT 1 FROM old_messages o JOIN new_messages n ON n.id = o.id
                   WHERE (o.business_id, o.channel_id, o.role, o.source, app.answer_tier(o.source, o.metadata), o.created_at, o.cost_usd)
                         IS DISTINCT FROM (n.business_id, n.channel_id, n.role, n.source, app.answer_tier(n.source, n.metadata), n.created_at, n.cost_usd)) THEN
      RETURN NULL;
    END IF;
    src := format('SELECT %s, 1 AS sign FROM new_messages %s UNION ALL SELECT %s, -1 AS sign FROM old_messages %s', cols, answered, cols, answered);
  END IF;
  EXECUTE format('SELECT pg_advisory_xact_lock_shared(app.report_days_lock(x.business_id)) FROM (SELECT DISTINCT business_id FROM (%s) d ORDER BY 1) x', src);
  EXECUTE format($q$
    WITH d AS MATERIALIZED (%s),
    z AS MATERIALIZED (SELECT b.id, app.valid_zone(b.time_zone) AS tz FROM businesses b WHERE b.id IN (SELECT business_id FROM d))
    INSERT INTO answer_daily AS t (business_id, time_zone, day, channel_id, tier, answers, micros)
    SELECT d.business_id, z.tz, (d.created_at AT TIME ZONE z.tz)::date, d.channel_id, d.tier, sum(d.sign)::int, sum(d.sign * d.micros)
    FROM d JOIN z ON z.id = d.business_id
    JOIN channels ch ON ch.id = d.channel_id AND ch.business_id = d.business_id
    GROUP BY 1, 2, 3, 4, 5
    HAVING sum(d.sign) <> 0 OR sum(d.sign * d.micros) <> 0
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (business_id, time_zone, day, channel_id, tier)
    DO UPDATE SET answers = t.answers + excluded.answers, micros = t.micros + excluded.micros
  $q$, src);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER messages_reports_insert AFTER INSERT ON messages REFERENCING NEW TABLE AS new_messages
  FOR EACH STATEMENT EXECUTE FUNCTION app.messages_reports();
--> statement-breakpoint
CREATE TRIGGER messages_reports_update AFTER UPDATE ON messages REFERENCING OLD TABLE AS old_messages NEW TABLE AS new_messages
  FOR EACH STATEMENT EXECUTE FUNCTION app.messages_reports();
--> statement-breakpoint
CREATE TRIGGER messages_reports_delete AFTER DELETE ON messages REFERENCING OLD TABLE AS old_messages
  FOR EACH STATEMENT EXECUTE FUNCTION app.messages_reports();
--> statement-breakpoint
-- Conversations: a new one gets its facts row; its status, times, customer (a merge) and channel follow.
CREATE OR REPLACE FUNCTION app.conversations_facts_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
  INSERT INTO conversation_facts (conversation_id, business_id, customer_id, channel, status, created_at, closed_at)
  SELECT n.id, n.business_id, n.customer_id, ch.kind::text, n.status, n.created_at, n.closed_at
  FROM new_conversations n JOIN channels ch ON ch.id = n.channel_id AND ch.business_id = n.business_id
  ORDER BY n.id
  ON CONFLICT (conversation_id) DO NOTHING;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER conversations_facts_insert AFTER INSERT ON conversations REFERENCING NEW TABLE AS new_conversations
  FOR EACH STATEMENT EXECUTE FUNCTION app.conversations_facts_insert();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION app.conversations_facts_update() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
  UPDATE conversation_facts f
  SET business_id = NEW.business_id, customer_id = NEW.customer_id, status = NEW.status, created_at = NEW.created_at, closed_at = NEW.closed_at,
      channel = coalesce((SELECT ch.kind::text FROM channels ch WHERE ch.id = NEW.channel_id AND ch.business_id = NEW.business_id), f.channel)
  WHERE f.conversation_id = NEW.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Only when a column Analytics reads changes: not on every new message's last_message_at.
CREATE TRIGGER conversations_facts_update AFTER UPDATE ON conversations FOR EACH ROW
  WHEN ((OLD.business_id, OLD.customer_id, OLD.channel_id, OLD.status, OLD.created_at, OLD.closed_at)
        IS DISTINCT FROM (NEW.business_id, NEW.customer_id, NEW.channel_id, NEW.status, NEW.created_at, NEW.closed_at))
  EXECUTE FUNCTION app.conversations_facts_update();
--> statement-breakpoint
-- Staff taking a conversation over (audited): the first time counts.
CREATE OR REPLACE FUNCTION app.audit_log_facts() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
  IF NEW.target_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
    PERFORM app.lock_conversations(ARRAY[NEW.target_id::uuid]);
    UPDATE conversation_facts SET taken_over_at = least(taken_over_at, NEW.created_at)
    WHERE conversation_id = NEW.target_id::uuid AND business_id = NEW.business_id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_facts AFTER INSERT ON audit_log FOR EACH ROW
  WHEN (NEW.action = 'conversation.taken_over')
  EXECUTE FUNCTION app.audit_log_facts();
--> statement-breakpoint
-- The satisfaction survey of a conversation (at most one): when it went out and the rating it got.
CREATE OR REPLACE FUNCTION app.csat_surveys_facts() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
  PERFORM app.lock_conversations(CASE TG_OP WHEN 'INSERT' THEN ARRAY[NEW.conversation_id] WHEN 'DELETE' THEN ARRAY[OLD.conversation_id]
                                            ELSE ARRAY[OLD.conversation_id, NEW.conversation_id] END);
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE conversation_facts SET csat_sent_at = NULL, csat_rating = NULL
    WHERE conversation_id = OLD.conversation_id AND business_id = OLD.business_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE conversation_facts SET csat_sent_at = NEW.sent_at, csat_rating = NEW.rating
    WHERE conversation_id = NEW.conversation_id AND business_id = NEW.business_id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER csat_surveys_facts AFTER INSERT OR DELETE ON csat_surveys FOR EACH ROW EXECUTE FUNCTION app.csat_surveys_facts();
--> statement-breakpoint
CREATE TRIGGER csat_surveys_facts_update AFTER UPDATE ON csat_surveys FOR EACH ROW
  WHEN ((OLD.business_id, OLD.conversation_id, OLD.sent_at, OLD.rating) IS DISTINCT FROM (NEW.business_id, NEW.conversation_id, NEW.sent_at, NEW.rating))
  EXECUTE FUNCTION app.csat_surveys_facts();
--> statement-breakpoint
-- Members read their business's figures; only the triggers above write them.
GRANT SELECT, INSERT, UPDATE, DELETE ON "cost_daily", "answer_daily", "conversation_facts" TO authenticated, service_role;--> statement-breakpoint
REVOKE ALL ON FUNCTION app.rebuild_report_days(uuid), app.refresh_conversation_facts(uuid[]), app.lock_conversations(uuid[]) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app.rebuild_report_days(uuid), app.refresh_conversation_facts(uuid[]), app.lock_conversations(uuid[]) TO service_role;--> statement-breakpoint
ALTER TABLE "cost_daily" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "answer_daily" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "conversation_facts" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "cost_daily_member_read" ON "cost_daily" FOR SELECT TO authenticated USING (app.is_member(business_id));--> statement-breakpoint
CREATE POLICY "answer_daily_member_read" ON "answer_daily" FOR SELECT TO authenticated USING (app.is_member(business_id));--> statement-breakpoint
CREATE POLICY "conversation_facts_member_read" ON "conversation_facts" FOR SELECT TO authenticated USING (app.is_member(business_id));
