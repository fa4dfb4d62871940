-- Chasing (issue #5). Keep constraint names identical to postgres/0006_chasing.sql.
-- A destination that has not acknowledged a report is reminded, then escalated: each is an outbox message
-- with its own purpose, so the message's uniqueness now includes the purpose. SQLite cannot change a
-- constraint in place, so the table is rebuilt (nothing references it).
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
    purpose TEXT NOT NULL DEFAULT 'routed' CONSTRAINT outbox_purpose_known CHECK (purpose IN ('routed', 'reminder', 'escalation')),
    CONSTRAINT outbox_message_unique UNIQUE (report_id, destination, channel, purpose)
);
INSERT INTO outbox_new (id, report_id, reference, destination, channel, address, subject, body, status, attempts,
    next_attempt_at, last_error, created_at, sent_at)
SELECT id, report_id, reference, destination, channel, address, subject, body, status, attempts,
    next_attempt_at, last_error, created_at, sent_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due_idx ON outbox (status, next_attempt_at);
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
    at TEXT NOT NULL,
    CONSTRAINT chase_steps_pk PRIMARY KEY (report_id, destination, step)
);
