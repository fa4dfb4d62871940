-- Chasing (issue #5). Keep constraint names identical to sqlite/0006_chasing.sql.
-- A destination that has not acknowledged a report is reminded, then escalated: each is an outbox message
-- with its own purpose, so the message's uniqueness now includes the purpose.
ALTER TABLE outbox ADD COLUMN purpose TEXT NOT NULL DEFAULT 'routed'
    CONSTRAINT outbox_purpose_known CHECK (purpose IN ('routed', 'reminder', 'escalation'));
ALTER TABLE outbox DROP CONSTRAINT outbox_message_unique;
ALTER TABLE outbox ADD CONSTRAINT outbox_message_unique UNIQUE (report_id, destination, channel, purpose);
-- A report's messages are listed on its page.
CREATE INDEX outbox_reference_idx ON outbox (reference);

-- Each chasing step taken for a report's destination, once: when, who was told, and what was asked of
-- people when nothing could be sent (a phone-only escalation).
CREATE TABLE chase_steps (
    report_id TEXT NOT NULL CONSTRAINT chase_steps_report_fk REFERENCES reports (id),
    destination TEXT NOT NULL,
    step TEXT NOT NULL CONSTRAINT chase_steps_step_known CHECK (step IN ('reminder', 'escalation')),
    told TEXT NOT NULL,
    messages BIGINT NOT NULL,
    note TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    CONSTRAINT chase_steps_pk PRIMARY KEY (report_id, destination, step)
);
