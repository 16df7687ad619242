-- Access requests (C4): when a clinician asks for a record (POST /api/consent/otp/request) the
-- resident can also approve in the app instead of reading out the SMS code. One pending row per
-- (record, clinician): asking again refreshes it. Approval creates the same Consent and grant
-- as a correct OTP, with method 'app'.
CREATE TABLE consent_request (
  id                text PRIMARY KEY,
  patient_id        text NOT NULL,
  requester_user_id text NOT NULL,
  -- Shown to the resident as asked: the clinician's name and role, the facility.
  requester_name    text NOT NULL,
  requester_role    text NOT NULL,
  facility_code     text,
  facility_name     text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  expires_at        timestamptz NOT NULL,
  status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'declined')),
  decided_at        timestamptz,
  -- The resident's Patient id (the patient, or the parent acting for a child).
  decided_by        text,
  grant_id          text,
  CHECK (expires_at > created_at)
);
CREATE UNIQUE INDEX consent_request_pending ON consent_request (patient_id, requester_user_id) WHERE status = 'pending';
CREATE INDEX consent_request_patient ON consent_request (patient_id, expires_at) WHERE status = 'pending';

ALTER TABLE consent_grant DROP CONSTRAINT consent_grant_method_check;
ALTER TABLE consent_grant ADD CONSTRAINT consent_grant_method_check CHECK (method IN ('otp', 'share-code', 'app', 'break-glass'));
