-- $export jobs resume after a restart (docs/sync.md): `checkpoint` is where the job stands, saved
-- in the same transaction as each file it writes ({types, type, after, files, total}); `resumes`
-- counts the times another process took it over, so a job that keeps killing its process stops.
ALTER TABLE bulk_export_job ADD COLUMN checkpoint jsonb, ADD COLUMN resumes int NOT NULL DEFAULT 0;
