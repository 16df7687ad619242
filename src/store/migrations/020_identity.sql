-- The master patient index (MISSION A1, B4): a compact matching view of every Patient, its
-- blocking keys, the resident ID sequence, the review queue of uncertain pairs and the merges
-- (with what is needed to undo them). See docs/identity.md.

-- Resident IDs (src/identity/resident-id.ts): never reused, so a sequence, not max()+1.
CREATE SEQUENCE resident_id_seq MINVALUE 0 START 1 NO CYCLE;

-- One row per Patient written through the pipeline: the facts the matcher compares, as JSON
-- (src/identity/matcher.ts PersonFacts). active = false once merged into another record.
CREATE TABLE mpi_person (
  patient_id  text PRIMARY KEY,
  resident_id text,
  facts       jsonb       NOT NULL,
  active      boolean     NOT NULL DEFAULT true,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX mpi_person_resident_id ON mpi_person (resident_id) WHERE resident_id IS NOT NULL;

-- Blocking keys (matcher.blockingKeys) as 64-bit hashes: candidates of a person are the
-- persons sharing a key. A hash collision only adds a candidate; the matcher decides.
CREATE TABLE mpi_block (
  key        bigint NOT NULL,
  patient_id text   NOT NULL,
  PRIMARY KEY (key, patient_id)
);
CREATE INDEX mpi_block_patient ON mpi_block (patient_id);

-- Uncertain pairs waiting for a person: the record that was created (patient_id) and the
-- existing record it may be (candidate_id).
CREATE TABLE identity_review (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  patient_id   text        NOT NULL,
  candidate_id text        NOT NULL,
  score        numeric     NOT NULL,
  reasons      jsonb       NOT NULL,
  source_key   text,
  status       text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'linked', 'separate', 'obsolete')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  decided_by   text,
  decided_at   timestamptz
);
CREATE UNIQUE INDEX identity_review_pair ON identity_review (patient_id, candidate_id) WHERE status = 'pending';
CREATE INDEX identity_review_pending ON identity_review (created_at, id) WHERE status = 'pending';

-- Pairs a person decided are different people: never offered for review again.
CREATE TABLE identity_distinct (
  patient_a text NOT NULL,
  patient_b text NOT NULL,
  decided_by text,
  decided_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (patient_a, patient_b),
  CHECK (patient_a < patient_b)
);

-- Merges: the source record now points at the survivor. `versions` lists every resource the
-- merge rewrote with its version before and after, so an unmerge restores them exactly.
CREATE TABLE identity_link (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source_id   text        NOT NULL,
  survivor_id text        NOT NULL,
  review_id   bigint REFERENCES identity_review (id),
  versions    jsonb       NOT NULL,
  merged_by   text        NOT NULL,
  merged_at   timestamptz NOT NULL DEFAULT now(),
  undone_by   text,
  undone_at   timestamptz
);
CREATE UNIQUE INDEX identity_link_active_source ON identity_link (source_id) WHERE undone_at IS NULL;
CREATE INDEX identity_link_survivor ON identity_link (survivor_id);
