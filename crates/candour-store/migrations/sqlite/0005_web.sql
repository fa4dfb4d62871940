-- The public web journey. Keep constraint names identical to postgres/0005_web.sql.
-- report_drafts: a reporter's answers before they submit (their own words, not yet redacted or shared),
-- kept only until they submit or the draft expires.
CREATE TABLE report_drafts (
    id TEXT NOT NULL CONSTRAINT report_drafts_pk PRIMARY KEY,
    data TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX report_drafts_expiry_idx ON report_drafts (expires_at);

-- The reporter's tracking link, stored as SHA-256 of its secret token.
ALTER TABLE reports ADD COLUMN tracking_hash TEXT;
CREATE UNIQUE INDEX reports_tracking_hash_unique ON reports (tracking_hash);
