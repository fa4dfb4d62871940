-- Hazard logs (issue #6). A safety project per health IT system and role (DCB0129 manufacturer or DCB0160
-- deployer). Hazards are numbered per project (H-001...), never deleted, every version kept in
-- hazard_revisions, changed only at the revision the editor saw (optimistic concurrency), and audited.
CREATE TABLE safety_projects (
    id TEXT NOT NULL CONSTRAINT safety_projects_pk PRIMARY KEY,
    ods_code TEXT NOT NULL,
    name TEXT NOT NULL,
    standard TEXT NOT NULL CONSTRAINT safety_projects_standard_known CHECK (standard IN ('DCB0129', 'DCB0160')),
    body TEXT NOT NULL,
    scheme_id TEXT NOT NULL,
    scheme_version BIGINT NOT NULL,
    next_hazard BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX safety_projects_ods_idx ON safety_projects (ods_code);
CREATE TABLE hazards (
    project_id TEXT NOT NULL CONSTRAINT hazards_project_fk REFERENCES safety_projects (id),
    number BIGINT NOT NULL,
    revision BIGINT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL CONSTRAINT hazards_status_known CHECK (status IN ('open', 'transferred', 'closed')),
    initial_rating BIGINT NOT NULL,
    residual_rating BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT hazards_pk PRIMARY KEY (project_id, number)
);
CREATE TABLE hazard_revisions (
    project_id TEXT NOT NULL,
    number BIGINT NOT NULL,
    revision BIGINT NOT NULL,
    actor TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    body TEXT NOT NULL,
    CONSTRAINT hazard_revisions_pk PRIMARY KEY (project_id, number, revision),
    CONSTRAINT hazard_revisions_hazard_fk FOREIGN KEY (project_id, number) REFERENCES hazards (project_id, number)
);
