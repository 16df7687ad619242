// Incremental maintenance of the cells by difference. The contribution of a set of residents
// to a cell is the cell's SELECT (cell-queries.ts) restricted to their facts. Every count,
// distinct patients included, is a sum over residents (a resident counts at most once in a
// cell), so for the residents S whose facts change:
//   cell after = cell before − contribution of S before the change + contribution of S after.
// The cost is the facts of S (a resident's episodes, their person row), not the size of a cell.
import type pg from 'pg';
import { COVERAGE, DISEASE, DISEASE_PROVINCE, NCD, VACCINATION, coverageSelect, diseaseProvinceSelect, diseaseSelect, ncdSelect, vaccinationParams, vaccinationSelect, type CellTable } from './cell-queries.ts';
import { RECENT_VISIT_DAYS } from './ncd.ts';
import { provinceReportCommunes } from './units.ts';

type Client = pg.PoolClient;
type Phase = 'before' | 'after';
/** Which cells: all, or only those that do not depend on the date (disease cells). */
export type CellSet = 'all' | 'undated';

/** What a contribution is computed for: these residents, as of this date, in this province. */
interface Change {
  patientIds: string[];
  asOf: string;
  province: string;
}

// Temporary tables (dropped at commit) shadow nothing: their names are the cell tables' + phase.
const scratch = (cell: CellTable, phase: Phase) => `${cell.table}_${phase}`;

// `dated`: the cell depends on the as-of date (ages, 12-month windows, recent visits, cohorts).
// In order: the province disease cells are summed from the residents' commune disease cells.
const CELLS: { cell: CellTable; dated: boolean; select: (phase: Phase) => string; params: (c: Change) => unknown[] }[] = [
  { cell: COVERAGE, dated: true, select: () => coverageSelect('p.patient_id = ANY($1::text[])'), params: (c) => [c.patientIds, c.asOf] },
  { cell: NCD, dated: true, select: () => ncdSelect('p.patient_id = ANY($1::text[])'), params: (c) => [c.patientIds, c.asOf, RECENT_VISIT_DAYS] },
  { cell: VACCINATION, dated: true, select: () => vaccinationSelect('p.patient_id = ANY($1::text[])'), params: (c) => [c.patientIds, ...vaccinationParams(c.asOf)] },
  { cell: DISEASE, dated: false, select: () => diseaseSelect('e.patient_id = ANY($1::text[])'), params: (c) => [c.patientIds] },
  { cell: DISEASE_PROVINCE, dated: false, select: (phase) => diseaseProvinceSelect(scratch(DISEASE, phase)), params: (c) => [provinceReportCommunes(c.province)] },
];

/** Records what these residents contribute to every cell, before or after their facts change. */
export async function captureContributions(client: Client, change: Change, phase: Phase, set: CellSet = 'all'): Promise<void> {
  for (const { cell, select, params } of CELLS.filter((c) => set === 'all' || !c.dated)) {
    await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${scratch(cell, phase)} (LIKE ${cell.table}) ON COMMIT DROP`);
    await client.query(`INSERT INTO ${scratch(cell, phase)} ${select(phase)}`, params(change));
  }
}

/** Adds (after − before) to the cells and removes cells that no longer count anyone; returns the cells changed per table. */
export async function applyContributions(client: Client, set: CellSet = 'all'): Promise<Record<string, number>> {
  const changed: Record<string, number> = {};
  for (const { cell } of CELLS.filter((c) => set === 'all' || !c.dated)) {
    const keys = cell.keys.join(', ');
    const measures = cell.measures.join(', ');
    const sums = cell.measures.map((m) => `sum(${m})::int AS ${m}`).join(', ');
    const before = `SELECT ${keys}, ${cell.measures.map((m) => `-${m}`).join(', ')} FROM ${scratch(cell, 'before')}`;
    const after = `SELECT ${keys}, ${measures} FROM ${scratch(cell, 'after')}`;
    const nonZero = cell.measures.map((m) => `sum(${m}) <> 0`).join(' OR ');
    const update = cell.measures.map((m) => `${m} = ${cell.table}.${m} + EXCLUDED.${m}`).join(', ');
    const emptied = `${cell.table}_emptied`;
    await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${emptied} (LIKE ${cell.table}) ON COMMIT DROP`);
    // Only the cells the difference changed are written, and of those only the ones that now
    // count nobody are probed for deletion (not every cell the residents touch).
    const { rows } = await client.query<{ n: number }>(
      `WITH up AS (
         INSERT INTO ${cell.table} (${keys}, ${measures})
         SELECT ${keys}, ${sums} FROM (${before} UNION ALL ${after}) d(${keys}, ${measures})
         GROUP BY ${keys} HAVING ${nonZero}
         ON CONFLICT (${keys}) DO UPDATE SET ${update}
         RETURNING *
       ), zero AS (INSERT INTO ${emptied} SELECT * FROM up WHERE ${cell.presence} = 0)
       SELECT count(*)::int AS n FROM up`,
    );
    const match = cell.keys.map((k) => `c.${k} = z.${k}`).join(' AND ');
    await client.query(`DELETE FROM ${cell.table} c USING ${emptied} z WHERE ${match}`);
    await client.query(`TRUNCATE ${emptied}`);
    changed[cell.table] = rows[0]!.n;
  }
  return changed;
}
