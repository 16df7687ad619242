-- Candidate look-ups leave out key holders born on a day that cannot be the incoming person's
-- (src/identity/mpi/mpi-store.ts, KeyLookup): the complete birth date of each key's holder,
-- yyyymmdd (NULL when partial or unknown: never left out), beside the key in the index, so that
-- the look-up filters inside the index instead of fetching every namesake's person row — in a
-- province of a million, a family name, given-name prefix and birth year is ~80 people.
ALTER TABLE mpi_block ADD COLUMN born integer;

UPDATE mpi_block b SET born = d.born
  FROM (SELECT patient_id,
               CASE WHEN m[2]::int BETWEEN 1 AND 12 AND m[3]::int BETWEEN 1 AND 31
                    THEN m[1]::int * 10000 + m[2]::int * 100 + m[3]::int END AS born
          FROM mpi_person,
               regexp_match(btrim(facts->>'birthDate'), '^(\d{4})-(\d{2})-(\d{2})$') AS m
         WHERE m IS NOT NULL) d
 WHERE d.patient_id = b.patient_id;

ALTER TABLE mpi_block DROP CONSTRAINT mpi_block_pkey;
ALTER TABLE mpi_block ADD PRIMARY KEY (key, patient_id) INCLUDE (born);

-- Years a typo apart (matcher.ts yearsClose: one apart, or one keystroke — one digit changed, or
-- two adjacent digits swapped — of four-digit years).
CREATE FUNCTION hssk_years_close(a integer, b integer) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN abs(a - b) = 1
  OR a / 10 = b / 10 OR (a / 100 = b / 100 AND a % 10 = b % 10)
  OR (a / 1000 = b / 1000 AND a % 100 = b % 100) OR a % 1000 = b % 1000
  OR (a / 100 = b / 100 AND a / 10 % 10 = b % 10 AND a % 10 = b / 10 % 10)
  OR (a / 1000 = b / 1000 AND a % 10 = b % 10 AND a / 100 % 10 = b / 10 % 10 AND a / 10 % 10 = b / 100 % 10)
  OR (a % 100 = b % 100 AND a / 1000 = b / 100 % 10 AND a / 100 % 10 = b / 1000);
