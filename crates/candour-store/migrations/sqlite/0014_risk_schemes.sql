-- Custom risk schemes (issue #6): named, versioned data beside the built-in DCB0129 IG example. A version,
-- once stored, is what every assessment made with it refers to: it is never changed (a new version is
-- stored instead).
CREATE TABLE risk_schemes (
    id TEXT NOT NULL,
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT risk_schemes_pk PRIMARY KEY (id, version)
);
CREATE TRIGGER risk_schemes_immutable_update BEFORE UPDATE ON risk_schemes
BEGIN
    SELECT RAISE(ABORT, 'risk_schemes_immutable');
END;
CREATE TRIGGER risk_schemes_immutable_delete BEFORE DELETE ON risk_schemes
BEGIN
    SELECT RAISE(ABORT, 'risk_schemes_immutable');
END;
