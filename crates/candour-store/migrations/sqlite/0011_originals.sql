-- Originals compartment (issue #4). By organisation policy (keep_originals, default false: discard) the
-- reporter's words before redaction and their screenshots before boxes are kept, encrypted with AES-256-GCM
-- under a key from configuration (never in the database), readable only by that organisation's CSO or an
-- administrator, each read audited. Held against the draft until the report is stored, then moved to it in
-- the same transaction; forgotten with an abandoned draft.
ALTER TABLE organisations ADD COLUMN keep_originals BOOLEAN NOT NULL DEFAULT FALSE;
CREATE TABLE originals (
    id TEXT NOT NULL CONSTRAINT originals_pk PRIMARY KEY,
    draft_id TEXT,
    report_id TEXT CONSTRAINT originals_report_fk REFERENCES reports (id),
    attachment_id TEXT,
    kind TEXT NOT NULL CONSTRAINT originals_kind_known CHECK (kind IN ('text', 'image')),
    key_id TEXT NOT NULL,
    nonce BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT originals_owned CHECK (draft_id IS NOT NULL OR report_id IS NOT NULL)
);
CREATE INDEX originals_draft_idx ON originals (draft_id);
CREATE INDEX originals_report_idx ON originals (report_id);
