// The one definition of every aggregated cell: a SELECT over the facts of the residents that
// `filter` keeps (a condition on the person alias p, or the episode alias e, that may use $1).
// The full rebuild passes 'true'; the incremental refresh passes the changed residents, so both
// count with exactly the same rules.
import { ageBandSql } from './definitions.ts';
import { COHORT_YEARS, epiSeries } from './vaccines.ts';

export interface CellTable {
  table: string;
  keys: readonly string[];
  measures: readonly string[];
  /** The measure that is 0 exactly when the cell counts nobody (then the row is removed). */
  presence: string;
}

export const COVERAGE: CellTable = {
  table: 'report_coverage_cell',
  keys: ['commune', 'old_district', 'grp', 'sex', 'age_band'],
  measures: ['population', 'registered', 'with_data', 'updated_12m', 'verified', 'with_account'],
  presence: 'registered',
};
export const NCD: CellTable = {
  table: 'report_ncd_cell',
  keys: ['commune', 'old_district', 'programme'],
  measures: ['known', 'managed', 'recent_visit', 'measured', 'controlled'],
  presence: 'known',
};
export const VACCINATION: CellTable = {
  table: 'report_vaccination_cell',
  keys: ['commune', 'old_district', 'birth_year', 'vaccine'],
  measures: ['cohort', 'first_dose', 'complete'],
  presence: 'cohort',
};
export const DISEASE: CellTable = {
  table: 'report_disease_cell',
  keys: ['grain', 'level', 'period', 'commune', 'old_district', 'care', 'key'],
  measures: ['episodes', 'patients'],
  presence: 'episodes',
};

/**
 * The disease cells of the whole province, summed from its communes' cells (and the residents
 * without a known commune), so a province report reads one row per key instead of one per
 * commune and key. A resident's episodes all carry the resident's commune, so patients add up
 * across communes exactly as the province report summed them before.
 */
export const DISEASE_PROVINCE: CellTable = {
  table: 'report_disease_province_cell',
  keys: ['grain', 'level', 'period', 'care', 'key'],
  measures: ['episodes', 'patients'],
  presence: 'episodes',
};

const columns = (t: CellTable) => `(${[...t.keys, ...t.measures].join(', ')})`;

/** Coverage cells. Params: $1 filter argument, $2 as-of date. */
export function coverageSelect(filter: string): string {
  return `${columns(COVERAGE)}
     SELECT p.commune, p.old_district, g.grp, p.sex, ${ageBandSql('p.birth_date', '$2::date')},
            count(*) FILTER (WHERE p.in_household), count(*), count(*) FILTER (WHERE p.has_data),
            count(*) FILTER (WHERE p.last_activity >= $2::date - interval '12 months'),
            count(*) FILTER (WHERE p.verified), count(*) FILTER (WHERE p.has_account)
     FROM report_person p CROSS JOIN LATERAL unnest(array_append(p.groups, '*')) AS g(grp)
     WHERE p.active AND (${filter})
     GROUP BY 1, 2, 3, 4, 5`;
}

/** NCD register cells. Params: $1 filter argument, $2 as-of date, $3 days of a recent visit. */
export function ncdSelect(filter: string): string {
  return `${columns(NCD)}
     SELECT p.commune, p.old_district, n.programme, count(*), count(*) FILTER (WHERE n.managed),
            count(*) FILTER (WHERE n.last_visit >= $2::date - $3::int),
            count(*) FILTER (WHERE n.measured), count(*) FILTER (WHERE n.controlled)
     FROM report_ncd_person n JOIN report_person p USING (patient_id)
     WHERE p.active AND (${filter})
     GROUP BY 1, 2, 3`;
}

/** Vaccination cells. Params: $1 filter argument, then vaccinationParams(asOf) ($2–$6). */
export function vaccinationSelect(filter: string): string {
  return `${columns(VACCINATION)}
     WITH cohort AS (
       SELECT p.patient_id, p.commune, p.old_district, extract(year FROM p.birth_date)::int AS birth_year
       FROM report_person p
       WHERE p.active AND p.birth_date >= make_date(extract(year FROM $2::date)::int - $3::int + 1, 1, 1) AND (${filter})
     ), series AS (
       SELECT * FROM unnest($4::text[], $5::int[], $6::text[]) AS s(series, doses, vaccines)
     ), doses AS (
       SELECT i.patient_id, s.series, count(DISTINCT i.given_on) AS n
       FROM report_immunization i JOIN cohort c USING (patient_id)
       JOIN series s ON i.vaccine = ANY(string_to_array(s.vaccines, ','))
       GROUP BY 1, 2
     )
     SELECT c.commune, c.old_district, c.birth_year, s.series, count(*), count(d.n), count(*) FILTER (WHERE d.n >= s.doses)
     FROM cohort c CROSS JOIN series s
     LEFT JOIN doses d ON d.patient_id = c.patient_id AND d.series = s.series
     GROUP BY 1, 2, 3, 4`;
}

export function vaccinationParams(asOf: string): unknown[] {
  const series = epiSeries();
  return [asOf, COHORT_YEARS, series.map((v) => v.code), series.map((v) => v.doses), series.map((v) => v.vaccines.join(','))];
}

/**
 * Disease cells, month ('M') and year ('Y') grains; care 'all' and level 'all' are rows of
 * their own because distinct patients do not add up. Params: $1 filter argument.
 * Each episode belongs to 16 cells (grain × care × level). Rather than 16 rows per episode and
 * count(DISTINCT patient) — a sort of them all — the filtered episodes are read once and hashed
 * into one group per (cell, patient) for each of the 16 combinations (GROUPING SETS sharing
 * commune, old district and patient); a cell's episodes are the sum of its patients' counts and
 * its distinct patients the number of its patient groups. The CTE reads a few residents'
 * episodes through the patient index first (the incremental refresh); the full build passes
 * a filter that keeps everything. incremental.int.test.ts checks the result against a plain
 * per-episode count.
 */
export function diseaseSelect(filter: string): string {
  const grouped = (column: string) => `GROUPING(${column}) = 0`;
  const level = `CASE WHEN ${grouped('e.chapter')} THEN 'chapter' WHEN ${grouped('e.icd_group')} THEN 'group' WHEN ${grouped('e.code')} THEN 'code' ELSE 'all' END`;
  const key = `CASE WHEN ${grouped('e.chapter')} THEN e.chapter WHEN ${grouped('e.icd_group')} THEN e.icd_group WHEN ${grouped('e.code')} THEN e.code ELSE '*' END`;
  const sets = ['e.month', 'y.year'].flatMap((period) =>
    ['e.care', ''].flatMap((care) => ['', 'e.chapter', 'e.icd_group', 'e.code'].map((lvl) => `(${[period, care, lvl].filter(Boolean).join(', ')})`)),
  );
  return `${columns(DISEASE)}
     SELECT grain, level, period, commune, old_district, care, key, sum(n), count(*)
     FROM (WITH e AS MATERIALIZED (SELECT * FROM report_episode e WHERE ${filter})
           SELECT CASE WHEN ${grouped('e.month')} THEN 'M' ELSE 'Y' END AS grain, ${level} AS level, coalesce(e.month, y.year) AS period,
                  e.commune, e.old_district, CASE WHEN ${grouped('e.care')} THEN e.care ELSE 'all' END AS care, ${key} AS key, count(*) AS n
           FROM e CROSS JOIN LATERAL (SELECT date_trunc('year', e.month)::date AS year) y
           GROUP BY e.commune, e.old_district, e.patient_id, GROUPING SETS (${sets.join(', ')})) per_patient
     GROUP BY 1, 2, 3, 4, 5, 6, 7`;
}

/** Province disease cells summed from the commune disease cells of `source`. Params: $1 the province's communes ('' included). */
export function diseaseProvinceSelect(source: string): string {
  return `${columns(DISEASE_PROVINCE)}
     SELECT grain, level, period, care, key, sum(episodes), sum(patients)
     FROM ${source} WHERE commune = ANY($1::text[])
     GROUP BY 1, 2, 3, 4, 5`;
}
