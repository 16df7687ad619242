-- Commune programmes (MISSION B6, B7, C6; docs/programs.md): the worklist projection of the
-- programme state, reminder preferences, web-push subscriptions and the reminders themselves.

-- One row per open worklist item, rewritten with the FHIR programme state of the resident
-- (ImmunizationRecommendation, EpisodeOfCare, CarePlan, Flag) in the same transaction, so that a
-- commune's lists are one index range scan.
CREATE TABLE program_worklist (
  patient_id   text        NOT NULL,
  commune_code text,
  kind         text        NOT NULL,
  item_key     text        NOT NULL,
  due_date     date,
  status       text        NOT NULL,
  title        text        NOT NULL,
  detail       jsonb       NOT NULL DEFAULT '{}',
  resource_ref text,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (patient_id, kind, item_key)
);
CREATE INDEX program_worklist_commune ON program_worklist (commune_code, kind, due_date);
CREATE INDEX program_worklist_kind ON program_worklist (kind, due_date);

-- A resident's reminder choices per kind ('all' is the default for kinds without a row).
-- A parent's choices apply to the children they act for (patient_proxy).
CREATE TABLE reminder_preference (
  patient_id text        NOT NULL,
  kind       text        NOT NULL CHECK (kind IN ('all', 'vaccination', 'appointment', 'medication', 'ncd-follow-up')),
  channel    text        NOT NULL CHECK (channel IN ('sms', 'push', 'none')),
  enabled    boolean     NOT NULL DEFAULT true,
  -- Preferred local hour (0–23) to receive reminders; NULL: as early as the sending window allows.
  hour       smallint    CHECK (hour BETWEEN 0 AND 23),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (patient_id, kind)
);

CREATE TABLE push_subscription (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  patient_id text        NOT NULL,
  endpoint   text        NOT NULL UNIQUE,
  p256dh     text        NOT NULL,
  auth       text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX push_subscription_patient ON push_subscription (patient_id) WHERE revoked_at IS NULL;

-- Every reminder once: `key` is the idempotency key (kind, source resource, due date), so a
-- scheduler that runs again, or twice at once, never produces or sends a reminder twice.
CREATE TABLE reminder (
  key              text PRIMARY KEY,
  patient_id       text        NOT NULL,
  -- Who receives it: the resident, or the parent for a child.
  recipient_id     text        NOT NULL,
  kind             text        NOT NULL,
  channel          text        NOT NULL,
  message          text        NOT NULL,
  not_before       timestamptz NOT NULL,
  status           text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
  attempts         integer     NOT NULL DEFAULT 0,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  sent_at          timestamptz
);
CREATE INDEX reminder_pending ON reminder (not_before) WHERE status = 'pending';
CREATE INDEX reminder_patient ON reminder (patient_id);

-- Small state of the programme jobs (e.g. the watermark of the alert scan).
CREATE TABLE program_job_state (
  key   text PRIMARY KEY,
  value jsonb NOT NULL
);
