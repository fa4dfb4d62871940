-- Screenshots are redacted at upload (issue #4): the stored file is the redacted PNG and `redaction` holds
-- the boxes drawn and why (never the words under them). Files stored before this had no redaction: they
-- keep a NULL here and are never shown to anyone. The original is not kept.
ALTER TABLE attachments ADD COLUMN redaction TEXT;
