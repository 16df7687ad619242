// Report cells from the fact tables. Each cell table has one SELECT that aggregates a filtered
// set of facts (src/reports/cell-queries.ts): the full rebuild runs it on every fact; the
// incremental refresh runs it on the facts of the changed residents before and after the
// change and adds the difference (src/reports/deltas.ts). Values are always bind parameters.
import type pg from 'pg';
import { coverageSelect, diseaseProvinceSelect, diseaseSelect, ncdSelect, vaccinationSelect, vaccinationParams } from './cell-queries.ts';
import { RECENT_VISIT_DAYS } from './ncd.ts';
import { provinceReportCommunes } from './units.ts';

type Client = pg.PoolClient;

/** The filter that keeps every fact ($1 is passed as null, typed so PostgreSQL accepts it). */
const EVERYONE = '$1::text[] IS NULL';

/** Every coverage, NCD and vaccination cell, rebuilt from the person facts. */
export async function rebuildCommuneCells(client: Client, asOf: string): Promise<void> {
  await client.query('DELETE FROM report_coverage_cell');
  await client.query(`INSERT INTO report_coverage_cell ${coverageSelect(EVERYONE)}`, [null, asOf]);
  await client.query('DELETE FROM report_ncd_cell');
  await client.query(`INSERT INTO report_ncd_cell ${ncdSelect(EVERYONE)}`, [null, asOf, RECENT_VISIT_DAYS]);
  await client.query('DELETE FROM report_vaccination_cell');
  await client.query(`INSERT INTO report_vaccination_cell ${vaccinationSelect(EVERYONE)}`, [null, ...vaccinationParams(asOf)]);
}

/** Memory for the hash tables of a full build (this transaction only): they stay in memory instead of spilling. */
const BUILD_WORK_MEM = '256MB';

/** Every disease cell (month and year grains), rebuilt from the episode facts in one pass; then the province's sums of them. */
export async function rebuildDiseaseCells(client: Client, province: string): Promise<void> {
  await client.query(`SELECT set_config('work_mem', $1, true)`, [BUILD_WORK_MEM]);
  await client.query('DELETE FROM report_disease_cell');
  await client.query(`INSERT INTO report_disease_cell ${diseaseSelect(EVERYONE)}`, [null]);
  await client.query('DELETE FROM report_disease_province_cell');
  await client.query(`INSERT INTO report_disease_province_cell ${diseaseProvinceSelect('report_disease_cell')}`, [provinceReportCommunes(province)]);
}

/**
 * Province-wide disease cells for commune cells built before they existed (migration 390): the
 * sums of the commune cells, made once, before any difference is applied to them (a difference
 * added to an empty table would leave it wrong for good). Cheap when there is nothing to do.
 */
export async function ensureProvinceDiseaseCells(client: Client, province: string): Promise<boolean> {
  const { rows } = await client.query<{ missing: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM report_disease_cell) AND NOT EXISTS (SELECT 1 FROM report_disease_province_cell) AS missing`,
  );
  if (!rows[0]!.missing) return false;
  await client.query(`INSERT INTO report_disease_province_cell ${diseaseProvinceSelect('report_disease_cell')}`, [provinceReportCommunes(province)]);
  return true;
}

const VN_DAY = `(received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date`;
const VN_MIDNIGHT = (day: string) => `(${day}::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')`;

/**
 * Arrival cells of these (facility, day) pairs (null: all). "Last arrival" is a maximum, which
 * a deletion cannot subtract from, so a touched cell is recounted; a (facility, day) cell is
 * small and read through the (facility, received_at) index.
 */
export async function recomputeArrivalCells(client: Client, cells: { facility: string; day: string }[] | null): Promise<void> {
  if (cells === null) {
    await client.query('DELETE FROM report_arrival_cell');
    await client.query(
      `INSERT INTO report_arrival_cell (facility, day, episodes, last_arrival)
       SELECT facility, ${VN_DAY}, count(*), max(received_at) FROM report_episode GROUP BY 1, 2`,
    );
    return;
  }
  if (cells.length === 0) return;
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

/** The (facility, day) arrival cells of these episodes. */
export async function arrivalCellsOf(client: Client, rids: string[]): Promise<{ facility: string; day: string }[]> {
  if (rids.length === 0) return [];
  const { rows } = await client.query<{ facility: string; day: string }>(
    `SELECT DISTINCT facility, to_char(${VN_DAY}, 'YYYY-MM-DD') AS day FROM report_episode WHERE rid = ANY($1::bigint[])`,
    [rids],
  );
  return rows;
}

/** Every cell, from the facts (first refresh, and once a day: ages, 12-month windows and recent visits move with time). */
export async function rebuildAllCells(client: Client, asOf: string, province: string): Promise<void> {
  await rebuildCommuneCells(client, asOf);
  await rebuildDiseaseCells(client, province);
  await recomputeArrivalCells(client, null);
}
