-- customer.lead_stage_changed: the outbound webhook for a customer whose lead stage moves (new,
-- qualified, hot from the score; customer or lost as staff set it), with the score and the quotes that
-- earned it. Written in the transaction that moved it, like every other event (20261207090516).
-- app.lead_stage is lib/intel/leads.ts's stageOf; a test holds the two to the same answers.
CREATE OR REPLACE FUNCTION app.lead_stage(p_score integer, p_staff text) RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
  SELECT CASE WHEN p_staff IN ('customer', 'lost') THEN p_staff WHEN p_score >= 70 THEN 'hot' WHEN p_score >= 25 THEN 'qualified' ELSE 'new' END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION app.webhook_on_lead_stage() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
BEGIN
  IF NOT app.webhook_wanted(NEW.business_id, 'customer.lead_stage_changed') THEN
    RETURN NULL;
  END IF;
  PERFORM app.emit_webhook(NEW.business_id, 'customer.lead_stage_changed', 'customer:' || NEW.id, jsonb_build_object(
    'id', NEW.id, 'name', NEW.name,
    'stage', app.lead_stage(NEW.lead_score, NEW.lead_stage), 'previous_stage', app.lead_stage(OLD.lead_score, OLD.lead_stage),
    'score', NEW.lead_score,
    'evidence', coalesce((SELECT jsonb_agg(jsonb_build_object('kind', e.kind, 'quote', e.quote, 'points', e.points, 'message_id', e.message_id) ORDER BY e.points DESC, e.created_at)
                          FROM lead_evidence e WHERE e.business_id = NEW.business_id AND e.customer_id = NEW.id), '[]'::jsonb),
    'updated_at', NEW.updated_at));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "customers_webhook_lead_stage" AFTER UPDATE OF "lead_score", "lead_stage" ON "customers" FOR EACH ROW
  WHEN (app.lead_stage(OLD.lead_score, OLD.lead_stage) IS DISTINCT FROM app.lead_stage(NEW.lead_score, NEW.lead_stage))
  EXECUTE FUNCTION app.webhook_on_lead_stage();
