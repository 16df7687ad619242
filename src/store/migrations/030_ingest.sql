-- Hospital and clinic records (issue 4, MISSION B5): how each facility sends, and what arrived.

-- A facility sends each episode as it closes ('episode') or a nightly batch ('daily'). Both give
-- the same record; the mode says when data is due, for the arrivals view.
CREATE TABLE ingest_facility_config (
  facility_code text PRIMARY KEY,
  send_mode     text NOT NULL CHECK (send_mode IN ('episode', 'daily')),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  updated_by    text
);

-- Units (episodes, documents) received per facility, Vietnamese day and channel: counts only,
-- never content.
CREATE TABLE ingest_arrival (
  facility_code text NOT NULL,
  day           date NOT NULL,
  channel       text NOT NULL,
  received      integer NOT NULL DEFAULT 0,
  rejected      integer NOT NULL DEFAULT 0,
  submissions   integer NOT NULL DEFAULT 0,
  first_at      timestamptz NOT NULL,
  last_at       timestamptz NOT NULL,
  PRIMARY KEY (facility_code, day, channel)
);
CREATE INDEX ingest_arrival_day ON ingest_arrival (day);
