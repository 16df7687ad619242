-- National synchronisation (MISSION B9, docs/sync.md): the outbox written by the resource writer
-- in the same statement as every resource version, and the dead letters of the sync worker.

-- One small row per committed resource version, in commit order of its sequence number. The
-- worker pushes the resource's *current* state, so several rows of one resource coalesce.
CREATE TABLE sync_outbox (
  seq           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  rid           bigint      NOT NULL,
  resource_type text        NOT NULL,
  id            text        NOT NULL,
  version_id    int         NOT NULL,
  compartment   text,
  queued_at     timestamptz NOT NULL DEFAULT now()
);

-- Changes the target refused (a 4xx for the entry on its own): kept for an administrator to
-- inspect and replay (replay puts them back in the outbox).
CREATE TABLE sync_dead_letter (
  seq           bigint      PRIMARY KEY,
  rid           bigint      NOT NULL,
  resource_type text        NOT NULL,
  id            text        NOT NULL,
  version_id    int         NOT NULL,
  compartment   text,
  queued_at     timestamptz NOT NULL,
  failed_at     timestamptz NOT NULL DEFAULT now(),
  status        int,
  error         text        NOT NULL
);

-- Counters of the worker that survive restarts (pushed, failed attempts, last success).
CREATE TABLE sync_state (
  key   text PRIMARY KEY,
  value jsonb NOT NULL
);
