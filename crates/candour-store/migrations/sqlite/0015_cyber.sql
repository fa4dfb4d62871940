-- Cyber security as patient safety (issue #7): the working record of a cyber incident or vulnerability
-- beside the report the reporter sent. Its TLP marking and disclosure facts; indicators of compromise,
-- normalised and unique per report (correlated across reports by kind and value); the timeline (event and
-- discovery times); tasks; clinical impact assessments (every version kept) and the CSO's reviews of them;
-- published CSAF advisories (never changed once published).
CREATE TABLE cyber_cases (
    report_id TEXT NOT NULL CONSTRAINT cyber_cases_pk PRIMARY KEY CONSTRAINT cyber_cases_report_fk REFERENCES reports (id),
    tlp TEXT NOT NULL CONSTRAINT cyber_cases_tlp_known CHECK (tlp IN ('TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED')),
    disclosure TEXT,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE cyber_indicators (
    id TEXT NOT NULL CONSTRAINT cyber_indicators_pk PRIMARY KEY,
    report_id TEXT NOT NULL CONSTRAINT cyber_indicators_report_fk REFERENCES reports (id),
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    is_ioc BIGINT NOT NULL CONSTRAINT cyber_indicators_is_ioc_bool CHECK (is_ioc IN (0, 1)),
    tlp TEXT NOT NULL CONSTRAINT cyber_indicators_tlp_known CHECK (tlp IN ('TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED')),
    excluded TEXT,
    source TEXT NOT NULL,
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT cyber_indicators_once UNIQUE (report_id, kind, value)
);
CREATE INDEX cyber_indicators_value_idx ON cyber_indicators (kind, value);
CREATE TABLE cyber_events (
    id TEXT NOT NULL CONSTRAINT cyber_events_pk PRIMARY KEY,
    report_id TEXT NOT NULL CONSTRAINT cyber_events_report_fk REFERENCES reports (id),
    event_at TEXT NOT NULL,
    discovered_at TEXT,
    summary TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    CONSTRAINT cyber_events_discovered_after CHECK (discovered_at IS NULL OR discovered_at >= event_at)
);
CREATE INDEX cyber_events_report_idx ON cyber_events (report_id, event_at);
CREATE TABLE cyber_tasks (
    id TEXT NOT NULL CONSTRAINT cyber_tasks_pk PRIMARY KEY,
    report_id TEXT NOT NULL CONSTRAINT cyber_tasks_report_fk REFERENCES reports (id),
    revision BIGINT NOT NULL,
    status TEXT NOT NULL CONSTRAINT cyber_tasks_status_known CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
    body TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX cyber_tasks_report_idx ON cyber_tasks (report_id);
CREATE TABLE clinical_impacts (
    report_id TEXT NOT NULL CONSTRAINT clinical_impacts_report_fk REFERENCES reports (id),
    version BIGINT NOT NULL,
    level TEXT NOT NULL CONSTRAINT clinical_impacts_level_known CHECK (level IN ('none', 'unknown', 'low', 'moderate', 'severe')),
    body TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    CONSTRAINT clinical_impacts_pk PRIMARY KEY (report_id, version)
);
CREATE TABLE clinical_impact_reviews (
    report_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    note TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    CONSTRAINT clinical_impact_reviews_pk PRIMARY KEY (report_id, version),
    CONSTRAINT clinical_impact_reviews_impact_fk FOREIGN KEY (report_id, version) REFERENCES clinical_impacts (report_id, version)
);
-- Who was told at once that a vulnerability puts patients at uncontrolled risk (once per destination).
CREATE TABLE patient_risk_escalations (
    report_id TEXT NOT NULL CONSTRAINT patient_risk_escalations_report_fk REFERENCES reports (id),
    destination TEXT NOT NULL,
    told TEXT NOT NULL,
    messages BIGINT NOT NULL,
    note TEXT NOT NULL,
    at TEXT NOT NULL,
    CONSTRAINT patient_risk_escalations_pk PRIMARY KEY (report_id, destination)
);
CREATE TABLE advisories (
    id TEXT NOT NULL CONSTRAINT advisories_pk PRIMARY KEY,
    report_id TEXT NOT NULL CONSTRAINT advisories_report_fk REFERENCES reports (id),
    profile TEXT NOT NULL CONSTRAINT advisories_profile_known CHECK (profile IN ('csaf_security_advisory', 'csaf_vex')),
    tracking_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    body TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    CONSTRAINT advisories_version_once UNIQUE (tracking_id, version)
);
CREATE INDEX advisories_report_idx ON advisories (report_id);
CREATE TRIGGER advisories_immutable_update BEFORE UPDATE ON advisories
BEGIN
    SELECT RAISE(ABORT, 'advisories_immutable');
END;
CREATE TRIGGER advisories_immutable_delete BEFORE DELETE ON advisories
BEGIN
    SELECT RAISE(ABORT, 'advisories_immutable');
END;
CREATE TRIGGER clinical_impacts_immutable_update BEFORE UPDATE ON clinical_impacts
BEGIN
    SELECT RAISE(ABORT, 'clinical_impacts_immutable');
END;
CREATE TRIGGER clinical_impacts_immutable_delete BEFORE DELETE ON clinical_impacts
BEGIN
    SELECT RAISE(ABORT, 'clinical_impacts_immutable');
END;
CREATE TRIGGER clinical_impact_reviews_immutable_update BEFORE UPDATE ON clinical_impact_reviews
BEGIN
    SELECT RAISE(ABORT, 'clinical_impact_reviews_immutable');
END;
CREATE TRIGGER clinical_impact_reviews_immutable_delete BEFORE DELETE ON clinical_impact_reviews
BEGIN
    SELECT RAISE(ABORT, 'clinical_impact_reviews_immutable');
END;

-- Messages that tell people at once (patient risk) or ask a CSO for a review have purposes of their own,
-- so they never collide with a report's routed, reminder or escalation messages. SQLite cannot change a
-- constraint in place, so the outbox is rebuilt as in 0006 (nothing references it).
CREATE TABLE outbox_new (
    id TEXT NOT NULL CONSTRAINT outbox_pk PRIMARY KEY,
    report_id TEXT NOT NULL CONSTRAINT outbox_report_fk REFERENCES reports (id),
    reference TEXT NOT NULL,
    destination TEXT NOT NULL,
    channel TEXT NOT NULL CONSTRAINT outbox_channel_known CHECK (channel IN ('email', 'webhook')),
    address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CONSTRAINT outbox_status_known CHECK (status IN ('pending', 'sent', 'dead')),
    attempts BIGINT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    purpose TEXT NOT NULL DEFAULT 'routed' CONSTRAINT outbox_purpose_known
        CHECK (purpose IN ('routed', 'reminder', 'escalation', 'patient_risk', 'impact_review')),
    CONSTRAINT outbox_message_unique UNIQUE (report_id, destination, channel, purpose)
);
INSERT INTO outbox_new (id, report_id, reference, destination, channel, address, subject, body, status, attempts,
    next_attempt_at, last_error, created_at, sent_at, purpose)
SELECT id, report_id, reference, destination, channel, address, subject, body, status, attempts,
    next_attempt_at, last_error, created_at, sent_at, purpose FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due_idx ON outbox (status, next_attempt_at);
CREATE INDEX outbox_reference_idx ON outbox (reference);
