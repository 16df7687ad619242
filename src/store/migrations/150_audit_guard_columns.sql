-- The append-only guard of audit_entry compared whole rows as jsonb (to_jsonb of OLD and NEW) on
-- every UPDATE — and the sealer updates every entry once to chain it, so that conversion was a
-- large part of what an audited request costs PostgreSQL. Same rule, compared column by column:
-- only chain_pos and hash may be set, and only while the entry is unsealed.
-- (A column added to audit_entry later must be added to this list.)
CREATE OR REPLACE FUNCTION audit_entry_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'audit entries cannot be deleted';
  END IF;
  IF OLD.chain_pos IS NOT NULL
     OR (NEW.seq, NEW.recorded_at, NEW.action, NEW.outcome, NEW.agent_kind, NEW.agent_id, NEW.agent_role,
         NEW.agent_facility, NEW.patient_id, NEW.entity_type, NEW.entity_id, NEW.query, NEW.source_ip,
         NEW.reason, NEW.detail)
        IS DISTINCT FROM
        (OLD.seq, OLD.recorded_at, OLD.action, OLD.outcome, OLD.agent_kind, OLD.agent_id, OLD.agent_role,
         OLD.agent_facility, OLD.patient_id, OLD.entity_type, OLD.entity_id, OLD.query, OLD.source_ip,
         OLD.reason, OLD.detail) THEN
    RAISE EXCEPTION 'audit entries are append-only';
  END IF;
  RETURN NEW;
END $$;
