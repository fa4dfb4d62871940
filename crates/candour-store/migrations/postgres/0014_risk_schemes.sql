-- Custom risk schemes (issue #6): named, versioned data beside the built-in DCB0129 IG example. A version,
-- once stored, is what every assessment made with it refers to: it is never changed (a new version is
-- stored instead).
CREATE TABLE risk_schemes (
    id TEXT NOT NULL,
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT risk_schemes_pk PRIMARY KEY (id, version)
);
CREATE FUNCTION risk_schemes_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'risk_schemes_immutable';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER risk_schemes_immutable_change BEFORE UPDATE OR DELETE ON risk_schemes
    FOR EACH ROW EXECUTE FUNCTION risk_schemes_immutable();
