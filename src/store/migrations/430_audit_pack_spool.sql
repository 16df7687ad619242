-- Packs written from a process's audit spool (src/audit/audit-spool.ts) say which spool and up to
-- which of its entries: replaying a spool after a crash appends only what is not in yet.
ALTER TABLE audit_pack ADD COLUMN spool_id text COLLATE "C", ADD COLUMN spool_end bigint;
CREATE INDEX audit_pack_spool ON audit_pack (spool_id, spool_end) WHERE spool_id IS NOT NULL;
