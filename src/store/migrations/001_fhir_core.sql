-- The FHIR resource store: current versions, full history, and one index table per search
-- parameter type (HAPI FHIR's layout). See docs/architecture.md, "Schema".
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- One row per resource (type, id); a deleted resource keeps its row with deleted = true.
-- rid is the internal key every index row points to (8 bytes instead of a 36-character id).
CREATE TABLE resource (
  rid           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  resource_type text        NOT NULL,
  id            text        NOT NULL,
  version_id    integer     NOT NULL,
  last_updated  timestamptz NOT NULL,
  deleted       boolean     NOT NULL DEFAULT false,
  -- The Patient compartment this resource belongs to (the Patient's own id for a Patient):
  -- the unit of access control, of $everything, and the natural sharding key.
  compartment   text,
  -- Facility code (mã CSKCB) of the facility that wrote this version: "what my facility wrote".
  source_facility text,
  content       text
);
CREATE UNIQUE INDEX resource_type_id ON resource (resource_type, id);
CREATE INDEX resource_type_rid ON resource (resource_type, rid) WHERE NOT deleted;
CREATE INDEX resource_type_updated ON resource (resource_type, last_updated);
CREATE INDEX resource_compartment ON resource (compartment, resource_type) WHERE compartment IS NOT NULL AND NOT deleted;

-- Every version of every resource, including the current one and deletions (content NULL).
CREATE TABLE resource_history (
  rid           bigint      NOT NULL,
  resource_type text        NOT NULL,
  id            text        NOT NULL,
  version_id    integer     NOT NULL,
  last_updated  timestamptz NOT NULL,
  deleted       boolean     NOT NULL DEFAULT false,
  method        text        NOT NULL,
  compartment   text,
  source_facility text,
  content       text,
  PRIMARY KEY (rid, version_id)
);
CREATE INDEX resource_history_updated ON resource_history (last_updated);
CREATE INDEX resource_history_type_updated ON resource_history (resource_type, last_updated);

-- Search indexes. p is a 32-bit hash of "ResourceType.parameter" (src/store/search-param-key.ts),
-- so one B-tree serves every parameter of a type and stays selective.
CREATE TABLE search_token (
  rid     bigint NOT NULL,
  p       integer NOT NULL,
  system  text,
  code    text,
  -- folded (lower case, no diacritics) display text, for the :text modifier
  display text
);
CREATE INDEX search_token_lookup ON search_token (p, code, system);
CREATE INDEX search_token_rid ON search_token (rid);

-- value: lower case, diacritics removed (Vietnamese-aware); raw: as written, for :exact.
CREATE TABLE search_string (
  rid   bigint NOT NULL,
  p     integer NOT NULL,
  value text NOT NULL,
  raw   text NOT NULL
);
CREATE INDEX search_string_lookup ON search_string (p, value text_pattern_ops);
CREATE INDEX search_string_rid ON search_string (rid);
-- :contains; fastupdate off so bulk loads do not stall on the pending list.
CREATE INDEX search_string_trgm ON search_string USING gin (value gin_trgm_ops) WITH (fastupdate = off);

-- Dates as [low, high] bounds: a year-only birth date covers the whole year.
CREATE TABLE search_date (
  rid  bigint NOT NULL,
  p    integer NOT NULL,
  low  timestamptz,
  high timestamptz
);
CREATE INDEX search_date_low ON search_date (p, low);
CREATE INDEX search_date_high ON search_date (p, high);
CREATE INDEX search_date_rid ON search_date (rid);

CREATE TABLE search_number (
  rid   bigint NOT NULL,
  p     integer NOT NULL,
  value numeric NOT NULL
);
CREATE INDEX search_number_lookup ON search_number (p, value);
CREATE INDEX search_number_rid ON search_number (rid);

CREATE TABLE search_quantity (
  rid    bigint NOT NULL,
  p      integer NOT NULL,
  value  numeric NOT NULL,
  system text,
  code   text,
  unit   text
);
CREATE INDEX search_quantity_lookup ON search_quantity (p, value);
CREATE INDEX search_quantity_rid ON search_quantity (rid);

CREATE TABLE search_reference (
  rid         bigint NOT NULL,
  p           integer NOT NULL,
  target_type text,
  target_id   text NOT NULL
);
CREATE INDEX search_reference_lookup ON search_reference (p, target_id, target_type);
CREATE INDEX search_reference_rid ON search_reference (rid);

CREATE TABLE search_uri (
  rid   bigint NOT NULL,
  p     integer NOT NULL,
  value text NOT NULL
);
CREATE INDEX search_uri_lookup ON search_uri (p, value);
CREATE INDEX search_uri_rid ON search_uri (rid);

-- Key/value state of the installation (demo loaded, signing keys' ids, …).
CREATE TABLE system_setting (
  key        text PRIMARY KEY,
  value      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
