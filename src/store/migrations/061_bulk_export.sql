-- FHIR Bulk Data $export (docs/sync.md): asynchronous jobs and their NDJSON files. Files are
-- kept in the database (one row per file of at most 50,000 resources) until the job is deleted.
CREATE TABLE bulk_export_job (
  id               text        PRIMARY KEY,
  client_id        text        NOT NULL,
  status           text        NOT NULL CHECK (status IN ('in-progress', 'complete', 'error', 'cancelled')),
  request          text        NOT NULL,
  params           jsonb       NOT NULL,
  transaction_time timestamptz NOT NULL,
  progress         text,
  error            text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz
);

CREATE TABLE bulk_export_file (
  job_id        text   NOT NULL REFERENCES bulk_export_job (id) ON DELETE CASCADE,
  n             int    NOT NULL,
  resource_type text   NOT NULL,
  count         int    NOT NULL,
  content       text   NOT NULL,
  PRIMARY KEY (job_id, n)
);
