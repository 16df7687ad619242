-- Cheaper audit entries (issue 5): every read writes one, so each index of audit_entry is paid
-- on every read. AuditEvent search still finds entries by patient, entity, agent, action and
-- date through an index (src/audit/audit-search.ts; plans checked in audit.int.test.ts).
-- - The entity index leaves out the entries whose entity is the patient's own Patient record
--   (a read of Patient/X is filed under patient X), and the entries without an entity id
--   (searches): those are found through the patient index. Keyed by id alone, so `entity=ID`
--   without a type is served too.
-- - recorded_at grows with the table's physical order (append-only): a BRIN index serves date
--   ranges for a fraction of a B-tree's cost per insert.
-- - The identifiers compare byte-wise (COLLATE "C"): nothing sorts them for display, and the
--   B-trees then compare with memcmp instead of the locale's strcoll.
DROP INDEX audit_entry_entity;
DROP INDEX audit_entry_recorded;
ALTER TABLE audit_entry
  ALTER COLUMN agent_id TYPE text COLLATE "C",
  ALTER COLUMN patient_id TYPE text COLLATE "C",
  ALTER COLUMN entity_type TYPE text COLLATE "C",
  ALTER COLUMN entity_id TYPE text COLLATE "C";
CREATE INDEX audit_entry_entity ON audit_entry (entity_id, seq)
  WHERE entity_id IS NOT NULL AND entity_id IS DISTINCT FROM patient_id;
CREATE INDEX audit_entry_recorded ON audit_entry USING brin (recorded_at) WITH (pages_per_range = 16, autosummarize = on);
