-- :contains on strings through the distinct values instead of every index row: the trigram GIN
-- index on search_string cost three quarters of the insert time of a Patient, while names and
-- addresses repeat so much that their distinct values are a small table. A :contains search
-- finds the matching distinct values by trigram, then the rows through (p, value).
DROP INDEX IF EXISTS search_string_trgm;

CREATE TABLE search_string_value (
  value text PRIMARY KEY
);
INSERT INTO search_string_value (value) SELECT DISTINCT value FROM search_string ON CONFLICT DO NOTHING;
CREATE INDEX search_string_value_trgm ON search_string_value USING gin (value gin_trgm_ops) WITH (fastupdate = off);
