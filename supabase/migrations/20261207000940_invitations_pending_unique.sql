-- One pending invitation per business and address; inviting again re-sends it (an upsert on this key),
-- so concurrent invites cannot leave two. Duplicates made before are folded into their newest first.
DELETE FROM "invitations" older
  USING "invitations" newer
  WHERE older."accepted_at" IS NULL AND newer."accepted_at" IS NULL
    AND older."business_id" = newer."business_id" AND older."email" = newer."email"
    AND (older."created_at", older."id") < (newer."created_at", newer."id");--> statement-breakpoint
CREATE UNIQUE INDEX "invitations_pending_email_key" ON "invitations" USING btree ("business_id","email") WHERE "invitations"."accepted_at" is null;
