-- The trigram index of the distinct string values (:contains) takes new values through its
-- pending list instead of one by one: a household import brings about two new values per
-- resident (full names in both orders, villages), and inserting each value's ~15 trigrams
-- straight into the GIN tree was half the PostgreSQL time of an import batch's write. The
-- pending list (4 MB by default) is merged into the tree in bulk, by the writer that fills it
-- or by autovacuum; a :contains search also reads the pending list, a few ms at most.
ALTER INDEX search_string_value_trgm SET (fastupdate = on);
