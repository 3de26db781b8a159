ALTER TABLE "knowledge_documents" ADD COLUMN "content_hash" text;--> statement-breakpoint
-- The oldest ready document of each text per business takes the hash; copies stored before uploads
-- were de-duplicated keep none (nothing is deleted), and retrieval returns their chunks once.
UPDATE "knowledge_documents" d SET "content_hash" = h."hash"
FROM (
  SELECT "id", "hash", row_number() OVER (PARTITION BY "business_id", "hash" ORDER BY "created_at", "id") AS "n"
  FROM (
    SELECT "id", "business_id", "created_at", encode(sha256(convert_to("content", 'UTF8')), 'hex') AS "hash"
    FROM "knowledge_documents" WHERE "status" = 'ready'
  ) x
) h
WHERE h."id" = d."id" AND h."n" = 1;--> statement-breakpoint
CREATE UNIQUE INDEX "knowledge_documents_content_key" ON "knowledge_documents" USING btree ("business_id","content_hash");
