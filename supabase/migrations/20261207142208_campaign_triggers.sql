-- Triggered campaigns (issue #16): a campaign may enrol customers when an event occurs (no contact for N
-- days, a date on the customer, the day after a resolved conversation), once per occurrence of the event.
DROP INDEX "campaign_recipients_key";--> statement-breakpoint
ALTER TABLE "campaign_recipients" ADD COLUMN "occurrence" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "trigger" jsonb;--> statement-breakpoint
CREATE UNIQUE INDEX "campaign_recipients_key" ON "campaign_recipients" USING btree ("campaign_id","customer_id","occurrence");
