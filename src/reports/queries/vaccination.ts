// Vaccination coverage (D3): for each expanded-programme vaccine, the children of each birth
// cohort living in the unit, those with a first dose and those with the full schedule. Reads
// report_vaccination_cell. People counts under 5 are suppressed.
import type { Queryable } from '../../store/database.ts';
import { unitCondition, type ReportFilters } from '../filters.ts';
import type { Cell, ReportTable } from '../output.ts';
import { rate, suppressed } from '../suppress.ts';
import { SqlParams } from '../sql.ts';
import { unitName } from '../units.ts';
import { epiSeries } from '../vaccines.ts';

interface Row {
  birthYear: number;
  unit: string;
  name: string;
  vaccine: string;
  vaccineName: string;
  cohort: number | '<5';
  firstDose: number | '<5';
  complete: number | '<5';
  coverage: number | '<5' | null;
}

export async function vaccinationReport(db: Queryable, f: ReportFilters) {
  const sql = new SqlParams();
  const unitCol = f.by === 'district' ? 'old_district' : 'commune';
  const { rows } = await db.query<{ birth_year: number; k: string; vaccine: string; cohort: number; first_dose: number; complete: number }>(
    `SELECT birth_year, ${unitCol} AS k, vaccine, sum(cohort)::int AS cohort, sum(first_dose)::int AS first_dose, sum(complete)::int AS complete
     FROM report_vaccination_cell WHERE ${unitCondition(f.unit, sql)} GROUP BY GROUPING SETS ((1, 2, 3), (1, 3)) ORDER BY 1, 3, 2`,
    sql.values,
  );
  const label = new Map(epiSeries().map((v) => [v.code, v.label]));
  const level = f.by === 'district' ? 'district' : 'commune';
  const toRow = (r: (typeof rows)[number]): Row => {
    const total = r.k === null;
    const row: Row = {
      birthYear: r.birth_year,
      unit: total ? f.unit.code : r.k,
      name: total ? `Tổng: ${unitName(f.unit.level, f.unit.code)}` : unitName(level, r.k),
      vaccine: r.vaccine,
      vaccineName: label.get(r.vaccine) ?? r.vaccine,
      cohort: r.cohort,
      firstDose: r.first_dose,
      complete: r.complete,
      coverage: rate(r.complete, r.cohort),
    };
    if (suppressed(r.complete)) return { ...row, complete: '<5', coverage: '<5' };
    if (suppressed(r.first_dose)) return { ...row, firstDose: '<5' };
    return row;
  };
  const all = rows.map(toRow);
  return {
    unit: { level: f.unit.level, code: f.unit.code, name: unitName(f.unit.level, f.unit.code) },
    vaccines: epiSeries().map((v) => ({ code: v.code, name: v.label, doses: v.doses, vaccines: v.vaccines })),
    totals: all.filter((r) => r.unit === f.unit.code && r.name.startsWith('Tổng')),
    rows: all.filter((r) => !(r.unit === f.unit.code && r.name.startsWith('Tổng'))),
  };
}

export function vaccinationTables(r: Awaited<ReturnType<typeof vaccinationReport>>): ReportTable[] {
  const columns = [
    { key: 'birthYear', header: 'Năm sinh' },
    { key: 'unit', header: 'Mã đơn vị' },
    { key: 'name', header: 'Tên đơn vị' },
    { key: 'vaccineName', header: 'Vắc xin' },
    { key: 'cohort', header: 'Số trẻ' },
    { key: 'firstDose', header: 'Đã tiêm mũi 1' },
    { key: 'complete', header: 'Tiêm đủ mũi' },
    { key: 'coverage', header: 'Tỷ lệ tiêm đủ' },
  ];
  return [{ name: 'Tiêm chủng mở rộng', columns, rows: [...r.rows, ...r.totals] as unknown as Record<string, Cell>[] }];
}
