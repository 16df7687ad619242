-- Communes whose household list has been imported (MISSION A3): where every resident is
-- registered, so identity matching may apply the corroborated population rule to records
-- that state the commune (docs/identity.md, rule 5; HSSK_IDENTITY_POPULATION_RULE=auto).
-- Written at the end of every household import that ran to its end, one row per commune
-- (2025 code) with rows accepted for it.
CREATE TABLE household_coverage (
  commune           text        PRIMARY KEY,
  first_imported_at timestamptz NOT NULL,
  last_imported_at  timestamptz NOT NULL,
  -- Rows of this commune the last import accepted (created, updated, matched or review).
  last_rows         integer     NOT NULL,
  imports           integer     NOT NULL DEFAULT 1
);
