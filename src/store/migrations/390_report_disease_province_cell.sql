-- Province-level disease cells (issue 8): the province's sums of its communes' disease cells,
-- one row per (grain, level, period, care, key). A province report read every commune's row of
-- each key, about 125 times more rows; at 10,000,000 episodes that took over a second. The
-- refresher keeps these by the same differences as the commune cells (src/reports/deltas.ts).
CREATE TABLE report_disease_province_cell (
  grain    char(1) COLLATE "C" NOT NULL,
  level    text COLLATE "C" NOT NULL,
  period   date NOT NULL,
  care     text COLLATE "C" NOT NULL,
  key      text COLLATE "C" NOT NULL,
  episodes integer NOT NULL,
  patients integer NOT NULL,
  PRIMARY KEY (grain, level, period, care, key)
);

-- Existing installations: the next refresh builds every cell again, this table included.
DELETE FROM report_state WHERE key = 'cells';
