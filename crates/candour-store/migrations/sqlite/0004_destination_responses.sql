-- Human acknowledgement per destination (issue #5). Append-only: a named person at a destination
-- acknowledged the report (through the signed link in its message, or as recorded by staff after a call or
-- an email), or staff recorded why a destination was deliberately not notified.
CREATE TABLE destination_responses (
    id TEXT NOT NULL CONSTRAINT destination_responses_pk PRIMARY KEY,
    report_id TEXT NOT NULL CONSTRAINT destination_responses_report_fk REFERENCES reports (id),
    destination TEXT NOT NULL,
    kind TEXT NOT NULL CONSTRAINT destination_responses_kind_known CHECK (kind IN ('acknowledged', 'not_notified')),
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    method TEXT NOT NULL,
    note TEXT,
    at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX destination_responses_report_idx ON destination_responses (report_id, destination);

-- Keys Candour makes for itself (e.g. the one that signs acknowledgement links), shared by every instance.
CREATE TABLE app_secrets (
    name TEXT NOT NULL CONSTRAINT app_secrets_pk PRIMARY KEY,
    value TEXT NOT NULL
);
