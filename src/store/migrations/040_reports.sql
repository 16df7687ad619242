-- Reports (MISSION D1–D3, issue 8). Three layers, see docs/reports.md:
--   1. a dirty queue filled by triggers as resources and accounts change;
--   2. fact tables: one narrow row per Patient / episode / immunization / measurement, extracted
--      from the changed resources by src/reports/refresh.ts;
--   3. cell tables: the pre-aggregated reports, recomputed only for the (commune, period) cells
--      the changed facts touch. Built-in reports read cells only.

-- 1. What changed since the last refresh.
CREATE TABLE report_dirty_resource (
  rid           bigint PRIMARY KEY,
  resource_type text NOT NULL
);
-- Patients whose derived facts changed without a resource write (a resident account).
CREATE TABLE report_dirty_patient (
  patient_id text PRIMARY KEY
);

CREATE FUNCTION report_mark_resources() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_dirty_resource (rid, resource_type)
  SELECT rid, resource_type FROM changed_rows
  WHERE resource_type IN ('Patient', 'Encounter', 'Condition', 'Immunization', 'Observation', 'EpisodeOfCare', 'Group')
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

-- Statement-level with a transition table: one INSERT per write statement, whatever its size.
CREATE TRIGGER report_dirty_on_insert AFTER INSERT ON resource
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION report_mark_resources();
CREATE TRIGGER report_dirty_on_update AFTER UPDATE ON resource
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION report_mark_resources();

CREATE FUNCTION report_mark_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_dirty_patient (patient_id) VALUES (NEW.patient_id) ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER report_dirty_on_account AFTER INSERT OR UPDATE OF status, patient_id ON resident_account
  FOR EACH ROW EXECUTE FUNCTION report_mark_account();

-- 2. Facts. commune is the 2025 code of the resident's current address ('' unknown);
-- old_district the pre-2025 district it maps to ('' when the mapping is ambiguous).
CREATE TABLE report_person (
  patient_id    text PRIMARY KEY,
  commune       text NOT NULL,
  old_district  text NOT NULL,
  sex           text NOT NULL,
  birth_date    date,
  groups        text[] NOT NULL,
  verified      boolean NOT NULL,
  active        boolean NOT NULL,
  -- derived from other tables, recomputed for every dirty patient
  in_household  boolean NOT NULL DEFAULT false,
  has_data      boolean NOT NULL DEFAULT false,
  has_account   boolean NOT NULL DEFAULT false,
  last_activity timestamptz
);
CREATE INDEX report_person_commune ON report_person (commune);

-- One row per Encounter (treatment episode), classified by its main diagnosis.
CREATE TABLE report_episode (
  rid          bigint PRIMARY KEY,
  patient_id   text NOT NULL,
  commune      text NOT NULL,
  old_district text NOT NULL,
  month        date NOT NULL,
  care         text NOT NULL CHECK (care IN ('inpatient', 'outpatient')),
  facility     text NOT NULL,
  code         text NOT NULL,
  chapter      text NOT NULL,
  icd_group    text NOT NULL,
  started_at   timestamptz NOT NULL,
  received_at  timestamptz NOT NULL
);
CREATE INDEX report_episode_cell ON report_episode (commune, month);
CREATE INDEX report_episode_patient ON report_episode (patient_id);
CREATE INDEX report_episode_arrival ON report_episode (facility, received_at);

-- Conditions of the NCD registers, care programmes and measurements, by resource.
CREATE TABLE report_ncd_condition (
  rid        bigint PRIMARY KEY,
  patient_id text NOT NULL,
  programme  text NOT NULL
);
CREATE INDEX report_ncd_condition_patient ON report_ncd_condition (patient_id);
CREATE TABLE report_ncd_care (
  rid        bigint PRIMARY KEY,
  patient_id text NOT NULL,
  programme  text NOT NULL,
  active     boolean NOT NULL
);
CREATE INDEX report_ncd_care_patient ON report_ncd_care (patient_id);
CREATE TABLE report_measure (
  rid         bigint PRIMARY KEY,
  patient_id  text NOT NULL,
  programme   text NOT NULL,
  measured_at timestamptz NOT NULL,
  controlled  boolean NOT NULL
);
CREATE INDEX report_measure_patient ON report_measure (patient_id, programme, measured_at DESC);
CREATE TABLE report_immunization (
  rid          bigint PRIMARY KEY,
  patient_id   text NOT NULL,
  vaccine      text NOT NULL,
  given_on     date NOT NULL
);
CREATE INDEX report_immunization_patient ON report_immunization (patient_id);

-- The NCD register, one row per person and programme.
CREATE TABLE report_ncd_person (
  patient_id   text NOT NULL,
  programme    text NOT NULL,
  managed      boolean NOT NULL,
  last_visit   timestamptz,
  measured     boolean NOT NULL,
  controlled   boolean NOT NULL,
  PRIMARY KEY (patient_id, programme)
);

-- 3. Cells. grp '*' = every resident; a resident in several groups counts in each of them.
CREATE TABLE report_coverage_cell (
  commune      text NOT NULL,
  old_district text NOT NULL,
  grp          text NOT NULL,
  sex          text NOT NULL,
  age_band     text NOT NULL,
  population   integer NOT NULL,
  registered   integer NOT NULL,
  with_data    integer NOT NULL,
  updated_12m  integer NOT NULL,
  verified     integer NOT NULL,
  with_account integer NOT NULL,
  PRIMARY KEY (commune, grp, sex, age_band, old_district)
);

-- grain 'M' (period = first day of the month) or 'Y' (first day of the year); care 'all' and
-- level 'all' (key '*') are their own rows because distinct patients do not add up.
CREATE TABLE report_disease_cell (
  grain        char(1) NOT NULL,
  level        text NOT NULL,
  period       date NOT NULL,
  commune      text NOT NULL,
  old_district text NOT NULL,
  care         text NOT NULL,
  key          text NOT NULL,
  episodes     integer NOT NULL,
  patients     integer NOT NULL,
  PRIMARY KEY (grain, level, period, commune, care, key, old_district)
);
CREATE INDEX report_disease_cell_commune ON report_disease_cell (commune, period);

CREATE TABLE report_ncd_cell (
  commune      text NOT NULL,
  old_district text NOT NULL,
  programme    text NOT NULL,
  known        integer NOT NULL,
  managed      integer NOT NULL,
  recent_visit integer NOT NULL,
  measured     integer NOT NULL,
  controlled   integer NOT NULL,
  PRIMARY KEY (commune, programme, old_district)
);

CREATE TABLE report_vaccination_cell (
  commune      text NOT NULL,
  old_district text NOT NULL,
  birth_year   integer NOT NULL,
  vaccine      text NOT NULL,
  cohort       integer NOT NULL,
  first_dose   integer NOT NULL,
  complete     integer NOT NULL,
  PRIMARY KEY (birth_year, vaccine, commune, old_district)
);

CREATE TABLE report_arrival_cell (
  facility     text NOT NULL,
  day          date NOT NULL,
  episodes     integer NOT NULL,
  last_arrival timestamptz NOT NULL,
  PRIMARY KEY (facility, day)
);

-- When the cells were last brought up to date ('cells'), and the last full rebuild ('full').
CREATE TABLE report_state (
  key        text PRIMARY KEY,
  updated_at timestamptz NOT NULL
);

-- Saved custom reports (D2) and who they are shared with.
CREATE TABLE report_definition (
  id         text PRIMARY KEY,
  owner_id   text NOT NULL,
  name       text NOT NULL,
  spec       jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX report_definition_owner ON report_definition (owner_id);
CREATE TABLE report_share (
  report_id text NOT NULL REFERENCES report_definition (id) ON DELETE CASCADE,
  user_id   text NOT NULL,
  shared_by text NOT NULL,
  shared_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (report_id, user_id)
);
CREATE INDEX report_share_user ON report_share (user_id);

-- Data already stored when reports are installed is extracted by the first refresh.
INSERT INTO report_dirty_resource (rid, resource_type)
SELECT rid, resource_type FROM resource
WHERE resource_type IN ('Patient', 'Encounter', 'Condition', 'Immunization', 'Observation', 'EpisodeOfCare', 'Group');
INSERT INTO report_dirty_patient (patient_id) SELECT patient_id FROM resident_account ON CONFLICT DO NOTHING;
