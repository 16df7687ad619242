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

/**
 * Disease cells (month and year grains) covering these (commune, year) pairs; years as
 * yyyy-01-01. Recomputes the communes × the span of years (a superset of the pairs, usually
 * equal: new episodes share a year) with plain ANY and range conditions, so both statements use
 * the (commune, period) and (commune, month) indexes.
 */
export async function recomputeDiseaseCells(client: Client, cells: { commune: string; year: string }[] | null): Promise<void> {
  let where = 'true';
  let params: unknown[] = [];
  if (cells) {
    if (cells.length === 0) return;
    const years = cells.map((c) => c.year).sort();
    params = [[...new Set(cells.map((c) => c.commune))], years[0], years.at(-1)];
    where = `commune = ANY($1::text[]) AND %col >= $2::date AND %col < $3::date + interval '1 year'`;
  }
  await client.query(`DELETE FROM report_disease_cell WHERE ${where.replaceAll('%col', 'period')}`, params);
  await client.query(
    `INSERT INTO report_disease_cell (grain, level, period, commune, old_district, care, key, episodes, patients)
     SELECT g.grain, l.level, CASE g.grain WHEN 'M' THEN e.month ELSE date_trunc('year', e.month)::date END,
            e.commune, e.old_district, c.care, l.key, count(*), count(DISTINCT e.patient_id)
     FROM (SELECT * FROM report_episode WHERE ${where.replaceAll('%col', 'month')}) e
     CROSS JOIN (VALUES ('M'), ('Y')) AS g(grain)
     CROSS JOIN LATERAL (VALUES (e.care), ('all')) AS c(care)
     CROSS JOIN LATERAL (VALUES ('all', '*'), ('chapter', e.chapter), ('group', e.icd_group), ('code', e.code)) AS l(level, key)
     GROUP BY 1, 2, 3, 4, 5, 6, 7`,
    params,
  );
}

const VN_DAY = `(received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date`;
const VN_MIDNIGHT = (day: string) => `(${day}::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')`;

/** Arrival cells of these (facility, day) pairs. */
export async function recomputeArrivalCells(client: Client, cells: { facility: string; day: string }[] | null): Promise<void> {
  if (cells === null) {
    await client.query('DELETE FROM report_arrival_cell');
    await client.query(
      `INSERT INTO report_arrival_cell (facility, day, episodes, last_arrival)
       SELECT facility, ${VN_DAY}, count(*), max(received_at) FROM report_episode GROUP BY 1, 2`,
    );
    return;
  }
  const params = [cells.map((c) => c.facility), cells.map((c) => c.day)];
  await client.query(
    `DELETE FROM report_arrival_cell a USING unnest($1::text[], $2::date[]) AS u(facility, day) WHERE a.facility = u.facility AND a.day = u.day`,
    params,
  );
  await client.query(
    `INSERT INTO report_arrival_cell (facility, day, episodes, last_arrival)
     SELECT u.facility, u.day, x.n, x.last FROM unnest($1::text[], $2::date[]) AS u(facility, day)
     CROSS JOIN LATERAL (SELECT count(*) AS n, max(received_at) AS last FROM report_episode e
                         WHERE e.facility = u.facility AND e.received_at >= ${VN_MIDNIGHT('u.day')} AND e.received_at < ${VN_MIDNIGHT('(u.day + 1)')}) x
     WHERE x.n > 0`,
    params,
  );
}

/** The (commune, year) and (facility, day) cells of these episodes and of these residents' episodes. */
export async function episodeCellsOf(client: Client, rids: string[], patientIds: string[]): Promise<{ disease: { commune: string; year: string }[]; arrival: { facility: string; day: string }[] }> {
  const episodes = `(SELECT commune, month, facility, received_at FROM report_episode WHERE rid = ANY($1::bigint[])
                     UNION ALL SELECT commune, month, facility, received_at FROM report_episode WHERE patient_id = ANY($2::text[])) e`;
  const d = await client.query<{ commune: string; year: string }>(
    `SELECT DISTINCT commune, to_char(date_trunc('year', month), 'YYYY-MM-DD') AS year FROM ${episodes}`,
    [rids, patientIds],
  );
  const a = await client.query<{ facility: string; day: string }>(`SELECT DISTINCT facility, to_char(${VN_DAY}, 'YYYY-MM-DD') AS day FROM ${episodes}`, [rids, patientIds]);
  return { disease: d.rows, arrival: a.rows };
}

/** Every cell, from the facts (first refresh, and once a day: ages, 12-month windows and recent visits move with time). */
export async function rebuildAllCells(client: Client, asOf: string): Promise<void> {
  await recomputeCommuneCells(client, null, asOf);
  await recomputeDiseaseCells(client, null);
  await recomputeArrivalCells(client, null);
}
