-- A customer's memories are recalled by reading all of that customer's rows (memories_customer_idx)
-- and sorting them by distance: the HNSW index cannot serve a search filtered to one customer. A
-- 768-dimension vector is 3 KB, over the 2 KB at which PostgreSQL moves a value out of its row, so
-- every row read was a second lookup in the TOAST table. PLAIN keeps the vector in the row (a row
-- still fits a page; a long content moves out instead): at 1,000 memories for one customer the
-- recall went from 11.5 to 3.2 ms warm in the experiment behind this (bench:scale has the figures).
-- Rows already stored keep their out-of-line vectors until they are rewritten.
ALTER TABLE "memories" ALTER COLUMN "embedding" SET STORAGE PLAIN;
