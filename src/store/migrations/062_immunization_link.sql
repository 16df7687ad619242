-- The immunisation link (MISSION B10, docs/sync.md): doses from another source that look like a
-- dose already recorded but disagree (date ±1 day, dose number, lot), kept for a person to resolve.
CREATE TABLE immunization_conflict (
  id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  patient_id    text        NOT NULL,
  existing_id   text        NOT NULL,
  source        text        NOT NULL,
  incoming      jsonb       NOT NULL,
  reasons       text[]      NOT NULL,
  status        text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'kept-existing', 'took-incoming')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  resolved_by   text,
  resolved_at   timestamptz
);
CREATE UNIQUE INDEX immunization_conflict_once ON immunization_conflict (existing_id, md5(incoming::text)) WHERE status = 'pending';
CREATE INDEX immunization_conflict_pending ON immunization_conflict (created_at) WHERE status = 'pending';
