-- Screenshots a reporter attaches (issue #3). Keep constraint names identical across backends.
-- Held first against the reporter's draft, then moved to the report in the same transaction that stores
-- it. They may show patient data, so nobody is shown them until they can be redacted (issue #4): staff
-- see only that they exist. Only PNG and JPEG, checked by their first bytes; a draft's files are
-- forgotten with the draft.
CREATE TABLE attachments (
    id TEXT NOT NULL CONSTRAINT attachments_pk PRIMARY KEY,
    draft_id TEXT,
    report_id TEXT CONSTRAINT attachments_report_fk REFERENCES reports (id),
    filename TEXT NOT NULL,
    media_type TEXT NOT NULL CONSTRAINT attachments_media_type_known CHECK (media_type IN ('image/png', 'image/jpeg')),
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT attachments_owned CHECK (draft_id IS NOT NULL OR report_id IS NOT NULL)
);
CREATE INDEX attachments_draft_idx ON attachments (draft_id);
CREATE INDEX attachments_report_idx ON attachments (report_id);
