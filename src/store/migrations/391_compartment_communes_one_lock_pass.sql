-- hssk_compartment_communes (migration 350) took every stripe in share mode, then the stripes of
-- compartments whose Patient is absent exclusively: two writers of rows of absent Patients in
-- one stripe (the concurrent batches of a bulk load, an NDJSON import) each held the share lock
-- the other needed to leave to upgrade, and deadlocked. Each stripe is now taken once, in stripe
-- order, in the one mode it needs: exclusive if any of its compartments' Patients is absent,
-- share otherwise. The guarantees of 350 are unchanged: a Patient found absent is waited for
-- (its creator holds the stripe in share mode until commit) or waits for us and stamps our rows
-- again; a Patient that disappears after the check is deleted by a writer holding its stripe
-- exclusively, which we wait for before reading it.
CREATE OR REPLACE FUNCTION hssk_compartment_communes(ids text[]) RETURNS TABLE (patient_id text, communes text[])
  LANGUAGE plpgsql VOLATILE
  SET plan_cache_mode = force_generic_plan
  AS $$
BEGIN
  PERFORM CASE WHEN t.exclusive THEN pg_advisory_xact_lock(350, t.s) ELSE pg_advisory_xact_lock_shared(350, t.s) END
     FROM (SELECT hssk_compartment_stripe(x) AS s,
                  bool_or(NOT EXISTS (SELECT 1 FROM resource p WHERE p.resource_type = 'Patient' AND p.id = x AND NOT p.deleted)) AS exclusive
             FROM unnest(ids) AS x GROUP BY 1 ORDER BY 1) AS t;
  RETURN QUERY SELECT p.id, p.communes FROM resource p
    WHERE p.resource_type = 'Patient' AND p.id = ANY(ids) AND NOT p.deleted;
END
$$;
