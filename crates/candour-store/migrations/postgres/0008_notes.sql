-- Notes on a report and who it is assigned to (issue #3). Keep constraint names identical across backends.
-- A note is either from the reporter (through their tracking link; redacted like every shared field, and
-- shown to staff and on the tracking page) or internal (staff only). Append-only and audited.
CREATE TABLE report_notes (
    id TEXT NOT NULL CONSTRAINT report_notes_pk PRIMARY KEY,
    report_id TEXT NOT NULL CONSTRAINT report_notes_report_fk REFERENCES reports (id),
    visibility TEXT NOT NULL CONSTRAINT report_notes_visibility_known CHECK (visibility IN ('reporter', 'internal')),
    author TEXT NOT NULL,
    text TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX report_notes_report_idx ON report_notes (report_id, at);

-- The person working a report (one at a time; each change audited).
CREATE TABLE report_assignments (
    report_id TEXT NOT NULL CONSTRAINT report_assignments_pk PRIMARY KEY
        CONSTRAINT report_assignments_report_fk REFERENCES reports (id),
    assignee TEXT NOT NULL,
    assignee_name TEXT NOT NULL,
    assigned_by TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX report_assignments_assignee_idx ON report_assignments (assignee);
