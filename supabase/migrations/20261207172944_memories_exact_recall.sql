-- Memories are searched only within one customer's rows (lib/pipeline/memories.ts recallMemories): the
-- planner finds them by memories_customer_idx and sorts them exactly, and never used this index,
-- which cost two HNSW graph inserts for every answered message.
DROP INDEX "memories_embedding_idx";
