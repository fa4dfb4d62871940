-- The routing tables as edited by administrators (issue #5). Keep constraint names identical across
-- backends. Append-only: each save is a new version, checked before it is stored; the highest version is in
-- force (none stored: the tables built into Candour).
CREATE TABLE routing_versions (
    version BIGINT NOT NULL CONSTRAINT routing_versions_pk PRIMARY KEY,
    directory TEXT NOT NULL,
    rules TEXT NOT NULL,
    obligations TEXT NOT NULL,
    labels TEXT NOT NULL,
    note TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
