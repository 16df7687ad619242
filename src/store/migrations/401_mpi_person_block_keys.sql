-- A person's blocking keys kept on its person row (mpi_person.block_keys) instead of a second
-- B-tree on mpi_block (patient_id): the keys of a person are only ever removed together, by the
-- writer that knows the person, and reading them from its row finds each (key, patient_id) by
-- the primary key. The index took ten random insertions of a 36-character id per new resident
-- (~10 keys each) — a tenth of a household import's PostgreSQL time — for these rare removals.
-- Invariant: block_keys holds exactly the keys mpi_block holds for the person (src/identity/mpi/mpi-store.ts).
ALTER TABLE mpi_person ADD COLUMN block_keys bigint[] NOT NULL DEFAULT '{}';

UPDATE mpi_person p SET block_keys = b.keys
  FROM (SELECT patient_id, array_agg(key ORDER BY key) AS keys FROM mpi_block GROUP BY patient_id) b
 WHERE b.patient_id = p.patient_id;

DROP INDEX mpi_block_patient;
