-- The address communes (current and old codes, Patient.address-commune) of the Patient whose
-- compartment a resource is in, on every current resource row: a commune health worker's access
-- rule is then one array test on the row it already reads (src/auth/access-filter-sql.ts), instead
-- of a join through the search index that PostgreSQL planned again on every search.
-- Kept by the resource writer (src/store/compartment-communes.ts); deleted rows and rows outside
-- every compartment carry '{}'.
ALTER TABLE resource ADD COLUMN communes text[] NOT NULL DEFAULT '{}';

-- Backfill from the search index, as the access rule read it until now. The reports' change
-- queue is not fed by it (no fact changes: the trigger is off for this statement only).
ALTER TABLE resource DISABLE TRIGGER report_dirty_on_update;
UPDATE resource r SET communes = c.codes
  FROM (SELECT pr.id, array_agg(DISTINCT pc.code ORDER BY pc.code) AS codes
          FROM resource pr JOIN search_token pc ON pc.rid = pr.rid
         WHERE pr.resource_type = 'Patient' AND NOT pr.deleted
           AND pc.p = ('x' || left(md5('Patient.address-commune'), 8))::bit(32)::int
           AND pc.code IS NOT NULL AND pc.code <> ''
         GROUP BY pr.id) c
 WHERE r.compartment = c.id AND NOT r.deleted;
ALTER TABLE resource ENABLE TRIGGER report_dirty_on_update;

-- Concurrent writers are ordered by transaction-scoped advisory locks on 256 stripes of
-- compartments (key 350, stripe): a writer reading a Patient's communes to stamp new rows holds
-- its stripe in share mode; a writer that changed a Patient's communes holds it exclusively
-- while it stamps the rows already stored. Either the reader waits and then sees the change, or
-- the re-stamp waits and then sees the reader's rows. Each function's statements take a fresh
-- snapshot (VOLATILE, READ COMMITTED), after the locks.
CREATE FUNCTION hssk_compartment_stripe(patient_id text) RETURNS int
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT hashtext(patient_id) & 255 $$;

-- The communes of these compartments' Patients, for rows about to be written. A compartment
-- whose Patient does not exist (or is deleted) may be getting it from a transaction not yet
-- committed: its stripe is then taken exclusively, which waits for that creator (it holds the
-- stripe in share mode until commit, hssk_restamp_compartments) — or makes it wait for us and
-- then re-stamp our rows.
CREATE FUNCTION hssk_compartment_communes(ids text[]) RETURNS TABLE (patient_id text, communes text[])
  LANGUAGE plpgsql VOLATILE
  AS $$
DECLARE
  missing text[];
BEGIN
  PERFORM pg_advisory_xact_lock_shared(350, s)
     FROM (SELECT DISTINCT hssk_compartment_stripe(x) AS s FROM unnest(ids) AS x ORDER BY 1) AS stripes;
  SELECT array_agg(x) INTO missing FROM unnest(ids) AS x
   WHERE NOT EXISTS (SELECT 1 FROM resource p WHERE p.resource_type = 'Patient' AND p.id = x AND NOT p.deleted);
  IF missing IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(350, s)
       FROM (SELECT DISTINCT hssk_compartment_stripe(x) AS s FROM unnest(missing) AS x ORDER BY 1) AS stripes;
  END IF;
  RETURN QUERY SELECT p.id, p.communes FROM resource p
    WHERE p.resource_type = 'Patient' AND p.id = ANY(ids) AND NOT p.deleted;
END
$$;

-- Stamps the stored rows of these compartments with their Patient's communes ('{}' when the
-- Patient is deleted or absent). `exclusive`: the Patients' communes changed (a move, a
-- deletion, a merge), so readers of the old value must finish first; a Patient just created
-- needs only to wait for writers that found it absent (they hold the stripe exclusively).
CREATE FUNCTION hssk_restamp_compartments(ids text[], exclusive boolean) RETURNS void
  LANGUAGE plpgsql VOLATILE
  AS $$
BEGIN
  IF exclusive THEN
    PERFORM pg_advisory_xact_lock(350, s)
       FROM (SELECT DISTINCT hssk_compartment_stripe(x) AS s FROM unnest(ids) AS x ORDER BY 1) AS stripes;
  ELSE
    PERFORM pg_advisory_xact_lock_shared(350, s)
       FROM (SELECT DISTINCT hssk_compartment_stripe(x) AS s FROM unnest(ids) AS x ORDER BY 1) AS stripes;
  END IF;
  UPDATE resource r SET communes = c.communes
    FROM (SELECT x AS id,
                 COALESCE((SELECT p.communes FROM resource p WHERE p.resource_type = 'Patient' AND p.id = x AND NOT p.deleted), '{}') AS communes
            FROM unnest(ids) AS x) AS c
   WHERE r.compartment = c.id AND NOT r.deleted AND r.resource_type <> 'Patient'
     AND r.communes IS DISTINCT FROM c.communes;
END
$$;
