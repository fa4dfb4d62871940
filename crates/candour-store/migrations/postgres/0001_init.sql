-- Candour schema v1 (PostgreSQL). Keep constraint names identical to sqlite/0001_init.sql:
-- the HTTP edge maps them to field errors.
CREATE TABLE organisations (
    ods_code TEXT NOT NULL CONSTRAINT organisations_pk PRIMARY KEY,
    name TEXT NOT NULL,
    require_sign_in BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE ref_counters (
    kind TEXT NOT NULL,
    year BIGINT NOT NULL,
    last_seq BIGINT NOT NULL,
    CONSTRAINT ref_counters_pk PRIMARY KEY (kind, year)
);

CREATE TABLE reports (
    seq BIGSERIAL NOT NULL CONSTRAINT reports_pk PRIMARY KEY,
    id TEXT NOT NULL CONSTRAINT reports_id_unique UNIQUE,
    reference TEXT NOT NULL CONSTRAINT reports_reference_unique UNIQUE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    revision BIGINT NOT NULL CONSTRAINT reports_revision_positive CHECK (revision >= 1),
    ods_code TEXT NOT NULL,
    product TEXT,
    urgency TEXT NOT NULL,
    max_harm_rank BIGINT NOT NULL,
    patients_harmed_now TEXT NOT NULL,
    acknowledged BOOLEAN NOT NULL,
    taxonomy_version TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX reports_kind_idx ON reports (kind, seq);
CREATE INDEX reports_status_idx ON reports (status, seq);
CREATE INDEX reports_org_idx ON reports (ods_code, seq);

CREATE TABLE report_revisions (
    report_id TEXT NOT NULL CONSTRAINT report_revisions_report_fk REFERENCES reports (id),
    revision BIGINT NOT NULL,
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    CONSTRAINT report_revisions_pk PRIMARY KEY (report_id, revision)
);

CREATE TABLE idempotency (
    key TEXT NOT NULL CONSTRAINT idempotency_pk PRIMARY KEY,
    request_hash TEXT NOT NULL,
    report_id TEXT NOT NULL CONSTRAINT idempotency_report_fk REFERENCES reports (id),
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE audit_log (
    seq BIGINT NOT NULL CONSTRAINT audit_log_pk PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    before_digest TEXT,
    after_digest TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_object_idx ON audit_log (object_type, object_id, seq);

CREATE TABLE audit_head (
    id BIGINT NOT NULL CONSTRAINT audit_head_pk PRIMARY KEY CONSTRAINT audit_head_single CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE users (
    id TEXT NOT NULL CONSTRAINT users_pk PRIMARY KEY,
    username TEXT NOT NULL CONSTRAINT users_username_unique UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE user_grants (
    user_id TEXT NOT NULL CONSTRAINT user_grants_user_fk REFERENCES users (id),
    role TEXT NOT NULL,
    org TEXT NOT NULL,
    CONSTRAINT user_grants_pk PRIMARY KEY (user_id, role, org)
);

CREATE TABLE sessions (
    token_hash TEXT NOT NULL CONSTRAINT sessions_pk PRIMARY KEY,
    user_id TEXT NOT NULL CONSTRAINT sessions_user_fk REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE api_tokens (
    token_hash TEXT NOT NULL CONSTRAINT api_tokens_pk PRIMARY KEY,
    user_id TEXT NOT NULL CONSTRAINT api_tokens_user_fk REFERENCES users (id),
    name TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
