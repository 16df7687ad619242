-- Audit entries written by the server's chained log (every read and search, logins, refusals…)
-- are stored one row per group commit (`audit_pack`) instead of one row each (issue 5: an entry
-- row and its B-trees were most of what auditing cost a read). Each entry keeps its own sequence
-- number, chain position and hash; the pack holds them in chain order:
-- - entries: a JSON array of the entries' canonical forms (src/audit/audit-entry.ts,
--   canonicalEntry — exactly the bytes the chain hashes);
-- - hashes:  the entries' chain hashes, 32 bytes each, in the same order;
-- - keys:    'p:' patient, 'a:' agent and 'e:' entity ids and 'x:' actions of its entries, for
--            AuditEvent search (src/audit/audit-search.ts).
-- Entries that write transactions insert (and the sealer chains later) stay in the per-entry
-- table, renamed audit_row; the view audit_entry shows both, one row per entry.
ALTER TABLE audit_entry RENAME TO audit_row;

CREATE TABLE audit_pack (
  first_pos      bigint PRIMARY KEY,
  n              integer NOT NULL CHECK (n > 0),
  min_seq        bigint NOT NULL,
  max_seq        bigint NOT NULL,
  first_recorded timestamptz NOT NULL,
  last_recorded  timestamptz NOT NULL,
  keys           text[] COLLATE "C" NOT NULL,
  entries        text NOT NULL,
  hashes         bytea NOT NULL CHECK (length(hashes) = 32 * n)
) WITH (toast_tuple_target = 8160); -- a usual pack (a few kB) stays in its row, uncompressed
CREATE INDEX audit_pack_keys ON audit_pack USING gin (keys);
CREATE UNIQUE INDEX audit_pack_max_seq ON audit_pack (max_seq);

-- Append-only, as audit_row (`hssk audit verify` catches whoever disables the trigger).
CREATE FUNCTION audit_pack_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit entries are append-only';
END $$;
CREATE TRIGGER audit_pack_append_only BEFORE UPDATE OR DELETE ON audit_pack
  FOR EACH ROW EXECUTE FUNCTION audit_pack_guard();

-- Every batch that extends the chain (a pack, or a sealer's batch) seals it with its first
-- position too: two batches built on the same head collide here, and the later one is rebuilt.
ALTER TABLE audit_seal ADD COLUMN first_pos bigint UNIQUE;

CREATE VIEW audit_entry AS
  SELECT seq, recorded_at, action, outcome, agent_kind, agent_id, agent_role, agent_facility, patient_id,
         entity_type, entity_id, query, source_ip, reason, detail, chain_pos, hash
    FROM audit_row
  UNION ALL
  SELECT (x.e->>0)::bigint, (x.e->>1)::timestamptz, x.e->>2, x.e->>3, x.e->>4,
         (x.e->>5) COLLATE "C", x.e->>6, x.e->>7, (x.e->>8) COLLATE "C", (x.e->>9) COLLATE "C", (x.e->>10) COLLATE "C",
         x.e->>11, x.e->>12, x.e->>13,
         CASE WHEN jsonb_typeof(x.e->14) = 'array'
              THEN (SELECT coalesce(jsonb_object_agg(d->>0, d->1), '{}') FROM jsonb_array_elements(x.e->14) AS d) END,
         p.first_pos + x.o - 1, substring(p.hashes FROM ((x.o - 1) * 32 + 1)::int FOR 32)
    FROM audit_pack p CROSS JOIN LATERAL jsonb_array_elements(p.entries::jsonb) WITH ORDINALITY AS x(e, o);
