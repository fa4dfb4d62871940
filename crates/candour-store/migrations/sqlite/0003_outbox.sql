-- Delivery (issue #5): a transactional outbox. A report's messages are written in the same transaction
-- as the report, so none is lost; the delivery worker sends each at least once, and receivers de-duplicate
-- on the message id (sent as the idempotency key).
CREATE TABLE outbox (
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
    CONSTRAINT outbox_message_unique UNIQUE (report_id, destination, channel)
);
CREATE INDEX outbox_due_idx ON outbox (status, next_attempt_at);
