-- Consent grants (C4): the fast lookup behind every read of a clinician; the FHIR Consent
-- resource (consent_id) is the record of it. Break-glass accesses live here too, flagged.
CREATE TABLE consent_grant (
  id               text PRIMARY KEY,
  patient_id       text NOT NULL,
  grantee_user_id  text NOT NULL,
  facility_code    text,
  starts           timestamptz NOT NULL,
  expires          timestamptz NOT NULL,
  revoked_at       timestamptz,
  revoked_by       text,
  consent_id       text,
  -- Who gave the consent (the patient, or the parent acting for a child) and the grantee's
  -- Practitioner: with the fields above, enough to rebuild the Consent when it is revoked.
  performer_patient_id text,
  practitioner_id  text,
  kind             text NOT NULL CHECK (kind IN ('consent', 'break-glass')),
  method           text NOT NULL CHECK (method IN ('otp', 'share-code', 'break-glass')),
  reason           text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  CHECK (kind <> 'break-glass' OR (reason IS NOT NULL AND length(reason) > 0)),
  CHECK (expires > starts)
);
-- The access filter's probe: (patient, grantee) with the time window checked on the row.
CREATE INDEX consent_grant_lookup ON consent_grant (patient_id, grantee_user_id, expires) WHERE revoked_at IS NULL;
CREATE INDEX consent_grant_grantee ON consent_grant (grantee_user_id, expires);
CREATE INDEX consent_grant_break_glass ON consent_grant (created_at) WHERE kind = 'break-glass';

-- Share codes a resident generates to show a clinician (QR or typed). HMAC of the code only.
CREATE TABLE share_code (
  code_hash   bytea PRIMARY KEY,
  patient_id  text NOT NULL,
  created_by  text NOT NULL,
  hours       integer NOT NULL,
  expires_at  timestamptz NOT NULL,
  consumed_at timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- The commune of each Patient's current address (2025 code), kept up to date by the FHIR
-- store on every Patient write: the commune health worker's access rule reads it.
CREATE TABLE patient_commune (
  patient_id   text PRIMARY KEY,
  commune_code text NOT NULL
);
CREATE INDEX patient_commune_commune ON patient_commune (commune_code, patient_id);
