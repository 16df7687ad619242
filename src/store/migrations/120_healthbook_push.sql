-- The national health-book channel (QĐ 1551/QĐ-BYT): one row per health-check Encounter that the
-- scheduler has tried to push. A row with pushed_at set is never pushed again; a missing row or
-- pushed_at NULL is still due (within 24 hours of the check).
CREATE TABLE healthbook_push (
  encounter_id text PRIMARY KEY,
  patient_id text,
  pushed_at timestamptz,
  transaction_id text,
  attempts int NOT NULL DEFAULT 0,
  last_attempt_at timestamptz,
  -- The receiver's result code or HTTP status; never the record's content.
  last_error text
);
CREATE INDEX healthbook_push_pushed ON healthbook_push (pushed_at);
