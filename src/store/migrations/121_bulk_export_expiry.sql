-- $export jobs (docs/sync.md): a running job touches heartbeat_at after every page, so a job whose
-- process died (restart, crash) can be told from one still running in another process; finished
-- jobs and their files are deleted after HSSK_EXPORT_RETENTION_HOURS.
ALTER TABLE bulk_export_job ADD COLUMN heartbeat_at timestamptz;
UPDATE bulk_export_job SET heartbeat_at = coalesce(finished_at, created_at);
