-- A campaign's goal may be a booking: the recipient booked (lib/booking) within the goal's window.
ALTER TABLE "campaigns" DROP CONSTRAINT "campaigns_goal";--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_goal" CHECK ("goal" IN ('replied', 'tag_added', 'booked'));
