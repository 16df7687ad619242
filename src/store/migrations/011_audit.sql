-- The audit trail (E1): append-only, AuditEvent-shaped entries, hash-chained by a sealer.
-- Writers only INSERT (no lock, no ordering between processes); the sealer assigns each entry
-- its place in the chain (chain_pos) and hash = SHA-256(previous hash || canonical entry).
-- See src/audit/ and docs/security.md.
CREATE TABLE audit_entry (
  seq            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  recorded_at    timestamptz NOT NULL,
  action         text NOT NULL,
  outcome        text NOT NULL,
  agent_kind     text NOT NULL,
  agent_id       text,
  agent_role     text,
  agent_facility text,
  patient_id     text,
  entity_type    text,
  entity_id      text,
  -- Search queries may hold names or CCCD numbers: kept here for the administrators'
  -- investigations, never written to logs, never shown to residents.
  query          text,
  source_ip      text,
  reason         text,
  detail         jsonb,
  chain_pos      bigint UNIQUE,
  hash           bytea
);
CREATE INDEX audit_entry_unsealed ON audit_entry (seq) WHERE chain_pos IS NULL;
CREATE INDEX audit_entry_patient ON audit_entry (patient_id, seq) WHERE patient_id IS NOT NULL;
CREATE INDEX audit_entry_agent ON audit_entry (agent_id, seq) WHERE agent_id IS NOT NULL;
CREATE INDEX audit_entry_entity ON audit_entry (entity_type, entity_id, seq);
CREATE INDEX audit_entry_recorded ON audit_entry (recorded_at);

-- The head of the chain after each sealing batch: deleting the newest entries is detected too.
CREATE TABLE audit_seal (
  last_pos   bigint PRIMARY KEY,
  last_hash  bytea NOT NULL,
  sealed_at  timestamptz NOT NULL DEFAULT now()
);

-- Defence in depth: the application cannot delete entries or change a sealed one.
-- (Someone with the power to disable triggers is caught by `hssk audit verify`.)
CREATE FUNCTION audit_entry_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'audit entries cannot be deleted';
  END IF;
  IF OLD.chain_pos IS NOT NULL
     OR (to_jsonb(NEW) - 'chain_pos' - 'hash') IS DISTINCT FROM (to_jsonb(OLD) - 'chain_pos' - 'hash') THEN
    RAISE EXCEPTION 'audit entries are append-only';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
  FOR EACH ROW EXECUTE FUNCTION audit_entry_guard();
CREATE FUNCTION audit_seal_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit seals are append-only';
END $$;
CREATE TRIGGER audit_seal_append_only BEFORE UPDATE OR DELETE ON audit_seal
  FOR EACH ROW EXECUTE FUNCTION audit_seal_guard();
