-- Clinical risk governance (issue #6): incidents triaged into the hazard log, scheduled reviews, the CSO
-- registry, issued (approved) safety documents and the compliance checklist.
ALTER TABLE safety_projects ADD COLUMN safety_case_review TEXT;
CREATE TABLE hazard_links (
    id TEXT NOT NULL CONSTRAINT hazard_links_pk PRIMARY KEY,
    project_id TEXT NOT NULL,
    number BIGINT NOT NULL,
    report_id TEXT NOT NULL CONSTRAINT hazard_links_report_fk REFERENCES reports (id),
    kind TEXT NOT NULL CONSTRAINT hazard_links_kind_known CHECK (kind IN ('new_hazard', 'realises', 'control_failed')),
    control_index BIGINT,
    risk_changed BIGINT NOT NULL,
    note TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    CONSTRAINT hazard_links_hazard_fk FOREIGN KEY (project_id, number) REFERENCES hazards (project_id, number),
    CONSTRAINT hazard_links_once UNIQUE (project_id, number, report_id, kind)
);
CREATE INDEX hazard_links_report_idx ON hazard_links (report_id);
CREATE TABLE clinical_reviews (
    id TEXT NOT NULL CONSTRAINT clinical_reviews_pk PRIMARY KEY,
    project_id TEXT NOT NULL CONSTRAINT clinical_reviews_project_fk REFERENCES safety_projects (id),
    subject TEXT NOT NULL,
    done_on DATE NOT NULL,
    outcome TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX clinical_reviews_project_idx ON clinical_reviews (project_id, subject);
CREATE TABLE review_reminders (
    project_id TEXT NOT NULL CONSTRAINT review_reminders_project_fk REFERENCES safety_projects (id),
    subject TEXT NOT NULL,
    due_on DATE NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT review_reminders_pk PRIMARY KEY (project_id, subject, due_on)
);
CREATE TABLE cso_records (
    ods_code TEXT NOT NULL,
    username TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT cso_records_pk PRIMARY KEY (ods_code, username)
);
CREATE TABLE safety_documents (
    project_id TEXT NOT NULL CONSTRAINT safety_documents_project_fk REFERENCES safety_projects (id),
    kind TEXT NOT NULL CONSTRAINT safety_documents_kind_known CHECK (kind IN ('cscr', 'crmp', 'hazard_log')),
    version BIGINT NOT NULL,
    body TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    registration TEXT NOT NULL,
    cso_username TEXT NOT NULL,
    approved_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT safety_documents_pk PRIMARY KEY (project_id, kind, version)
);
-- An issued version is never changed or removed.
CREATE FUNCTION safety_documents_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'safety_documents_immutable';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER safety_documents_immutable_change BEFORE UPDATE OR DELETE ON safety_documents
    FOR EACH ROW EXECUTE FUNCTION safety_documents_immutable();
CREATE TABLE compliance_answers (
    project_id TEXT NOT NULL CONSTRAINT compliance_answers_project_fk REFERENCES safety_projects (id),
    clause TEXT NOT NULL,
    body TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    CONSTRAINT compliance_answers_pk PRIMARY KEY (project_id, clause)
);
