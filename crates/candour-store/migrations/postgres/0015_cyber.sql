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
    updated_at TIMESTAMPTZ NOT NULL
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
    added_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT cyber_indicators_once UNIQUE (report_id, kind, value)
);
CREATE INDEX cyber_indicators_value_idx ON cyber_indicators (kind, value);
CREATE TABLE cyber_events (
    id TEXT NOT NULL CONSTRAINT cyber_events_pk PRIMARY KEY,
    report_id TEXT NOT NULL CONSTRAINT cyber_events_report_fk REFERENCES reports (id),
    event_at TIMESTAMPTZ NOT NULL,
    discovered_at TIMESTAMPTZ,
    summary TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
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
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX cyber_tasks_report_idx ON cyber_tasks (report_id);
CREATE TABLE clinical_impacts (
    report_id TEXT NOT NULL CONSTRAINT clinical_impacts_report_fk REFERENCES reports (id),
    version BIGINT NOT NULL,
    level TEXT NOT NULL CONSTRAINT clinical_impacts_level_known CHECK (level IN ('none', 'unknown', 'low', 'moderate', 'severe')),
    body TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    CONSTRAINT clinical_impacts_pk PRIMARY KEY (report_id, version)
);
CREATE TABLE clinical_impact_reviews (
    report_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    note TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
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
    at TIMESTAMPTZ NOT NULL,
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
    at TIMESTAMPTZ NOT NULL,
    CONSTRAINT advisories_version_once UNIQUE (tracking_id, version)
);
CREATE INDEX advisories_report_idx ON advisories (report_id);
CREATE FUNCTION cyber_history_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '%_immutable', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER advisories_immutable_change BEFORE UPDATE OR DELETE ON advisories
    FOR EACH ROW EXECUTE FUNCTION cyber_history_immutable();
CREATE TRIGGER clinical_impacts_immutable_change BEFORE UPDATE OR DELETE ON clinical_impacts
    FOR EACH ROW EXECUTE FUNCTION cyber_history_immutable();
CREATE TRIGGER clinical_impact_reviews_immutable_change BEFORE UPDATE OR DELETE ON clinical_impact_reviews
    FOR EACH ROW EXECUTE FUNCTION cyber_history_immutable();

-- Messages that tell people at once (patient risk) or ask a CSO for a review have purposes of their own,
-- so they never collide with a report's routed, reminder or escalation messages.
ALTER TABLE outbox DROP CONSTRAINT outbox_purpose_known;
ALTER TABLE outbox ADD CONSTRAINT outbox_purpose_known
    CHECK (purpose IN ('routed', 'reminder', 'escalation', 'patient_risk', 'impact_review'));
