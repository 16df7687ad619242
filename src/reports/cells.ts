// Recomputing report cells from the fact tables. Each function takes the cells to recompute
// (null: all of them) and replaces exactly those; values are always bind parameters.
import type pg from 'pg';
import { ageBandSql } from './definitions.ts';
import { RECENT_VISIT_DAYS } from './ncd.ts';
import { COHORT_YEARS, epiSeries } from './vaccines.ts';

type Client = pg.PoolClient;

/** Coverage, NCD and vaccination cells of these communes ('' = residents without a known commune). */
export async function recomputeCommuneCells(client: Client, communes: string[] | null, asOf: string): Promise<void> {
  await client.query('DELETE FROM report_coverage_cell WHERE $1::text[] IS NULL OR commune = ANY($1)', [communes]);
  await client.query(
    `INSERT INTO report_coverage_cell (commune, old_district, grp, sex, age_band, population, registered, with_data, updated_12m, verified, with_account)
     SELECT p.commune, p.old_district, g.grp, p.sex, ${ageBandSql('p.birth_date', '$2::date')},
            count(*) FILTER (WHERE p.in_household), count(*), count(*) FILTER (WHERE p.has_data),
            count(*) FILTER (WHERE p.last_activity >= $2::date - interval '12 months'),
            count(*) FILTER (WHERE p.verified), count(*) FILTER (WHERE p.has_account)
     FROM report_person p CROSS JOIN LATERAL unnest(array_append(p.groups, '*')) AS g(grp)
     WHERE p.active AND ($1::text[] IS NULL OR p.commune = ANY($1))
     GROUP BY 1, 2, 3, 4, 5`,
    [communes, asOf],
  );

  await client.query('DELETE FROM report_ncd_cell WHERE $1::text[] IS NULL OR commune = ANY($1)', [communes]);
  await client.query(
    `INSERT INTO report_ncd_cell (commune, old_district, programme, known, managed, recent_visit, measured, controlled)
     SELECT p.commune, p.old_district, n.programme, count(*), count(*) FILTER (WHERE n.managed),
            count(*) FILTER (WHERE n.last_visit >= $2::date - $3::int),
            count(*) FILTER (WHERE n.measured), count(*) FILTER (WHERE n.controlled)
     FROM report_ncd_person n JOIN report_person p USING (patient_id)
     WHERE p.active AND ($1::text[] IS NULL OR p.commune = ANY($1))
     GROUP BY 1, 2, 3`,
    [communes, asOf, RECENT_VISIT_DAYS],
  );

  const series = epiSeries();
  await client.query('DELETE FROM report_vaccination_cell WHERE $1::text[] IS NULL OR commune = ANY($1)', [communes]);
  await client.query(
    `WITH cohort AS (
       SELECT patient_id, commune, old_district, extract(year FROM birth_date)::int AS birth_year
       FROM report_person
       WHERE active AND birth_date >= make_date(extract(year FROM $2::date)::int - $3::int + 1, 1, 1)
         AND ($1::text[] IS NULL OR commune = ANY($1))
     ), series AS (
       SELECT * FROM unnest($4::text[], $5::int[], $6::text[]) AS s(series, doses, vaccines)
     ), doses AS (
       SELECT i.patient_id, s.series, count(DISTINCT i.given_on) AS n
       FROM report_immunization i JOIN cohort c USING (patient_id)
       JOIN series s ON i.vaccine = ANY(string_to_array(s.vaccines, ','))
       GROUP BY 1, 2
     )
     INSERT INTO report_vaccination_cell (commune, old_district, birth_year, vaccine, cohort, first_dose, complete)
     SELECT c.commune, c.old_district, c.birth_year, s.series, count(*), count(d.n), count(*) FILTER (WHERE d.n >= s.doses)
     FROM cohort c CROSS JOIN series s
     LEFT JOIN doses d ON d.patient_id = c.patient_id AND d.series = s.series
     GROUP BY 1, 2, 3, 4`,
    [communes, asOf, COHORT_YEARS, series.map((v) => v.code), series.map((v) => v.doses), series.map((v) => v.vaccines.join(','))],
  );
}

/** Disease cells (month and year grains) of these (commune, year) pairs; years as yyyy-01-01. */
export async function recomputeDiseaseCells(client: Client, cells: { commune: string; year: string }[] | null): Promise<void> {
  const communes = cells?.map((c) => c.commune) ?? null;
  const years = cells?.map((c) => c.year) ?? null;
  const where = `($1::text[] IS NULL OR (commune, date_trunc('year', period)::date) IN (SELECT * FROM unnest($1::text[], $2::date[])))`;
  await client.query(`DELETE FROM report_disease_cell WHERE ${where}`, [communes, years]);
  await client.query(
    `INSERT INTO report_disease_cell (grain, level, period, commune, old_district, care, key, episodes, patients)
     SELECT g.grain, l.level, CASE g.grain WHEN 'M' THEN e.month ELSE date_trunc('year', e.month)::date END,
            e.commune, e.old_district, c.care, l.key, count(*), count(DISTINCT e.patient_id)
     FROM report_episode e
     CROSS JOIN (VALUES ('M'), ('Y')) AS g(grain)
     CROSS JOIN LATERAL (VALUES (e.care), ('all')) AS c(care)
     CROSS JOIN LATERAL (VALUES ('all', '*'), ('chapter', e.chapter), ('group', e.icd_group), ('code', e.code)) AS l(level, key)
     WHERE $1::text[] IS NULL OR (e.commune, date_trunc('year', e.month)::date) IN (SELECT * FROM unnest($1::text[], $2::date[]))
     GROUP BY 1, 2, 3, 4, 5, 6, 7`,
    [communes, years],
  );
}

const VN_DAY = `(received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date`;

/** Arrival cells of these (facility, day) pairs. */
export async function recomputeArrivalCells(client: Client, cells: { facility: string; day: string }[] | null): Promise<void> {
  const facilities = cells?.map((c) => c.facility) ?? null;
  const days = cells?.map((c) => c.day) ?? null;
  await client.query(
    `DELETE FROM report_arrival_cell WHERE $1::text[] IS NULL OR (facility, day) IN (SELECT * FROM unnest($1::text[], $2::date[]))`,
    [facilities, days],
  );
  await client.query(
    `INSERT INTO report_arrival_cell (facility, day, episodes, last_arrival)
     SELECT facility, ${VN_DAY}, count(*), max(received_at) FROM report_episode
     WHERE $1::text[] IS NULL OR (facility, ${VN_DAY}) IN (SELECT * FROM unnest($1::text[], $2::date[]))
     GROUP BY 1, 2`,
    [facilities, days],
  );
}

/** The (commune, year) and (facility, day) cells episodes fall in. */
export async function episodeCellsOf(client: Client, where: string, params: unknown[]): Promise<{ disease: { commune: string; year: string }[]; arrival: { facility: string; day: string }[] }> {
  const d = await client.query<{ commune: string; year: string }>(
    `SELECT DISTINCT commune, to_char(date_trunc('year', month), 'YYYY-MM-DD') AS year FROM report_episode WHERE ${where}`,
    params,
  );
  const a = await client.query<{ facility: string; day: string }>(
    `SELECT DISTINCT facility, to_char(${VN_DAY}, 'YYYY-MM-DD') AS day FROM report_episode WHERE ${where}`,
    params,
  );
  return { disease: d.rows, arrival: a.rows };
}

/** Every cell, from the facts (first refresh, and once a day: ages, 12-month windows and recent visits move with time). */
export async function rebuildAllCells(client: Client, asOf: string): Promise<void> {
  await recomputeCommuneCells(client, null, asOf);
  await recomputeDiseaseCells(client, null);
  await recomputeArrivalCells(client, null);
}
