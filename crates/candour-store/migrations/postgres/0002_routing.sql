-- Routing (issue #5): organisation facts that routing rules depend on, and each report's routing decision
-- as made when it was received (kept for the record even when the tables change later).
ALTER TABLE organisations ADD COLUMN nis_oes BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE organisations ADD COLUMN dspt BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE reports ADD COLUMN routing TEXT;
