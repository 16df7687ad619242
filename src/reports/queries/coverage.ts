// Coverage (D1): population from the household data, residents with a record, with health data,
// updated in the last 12 months, verified against the national population database, with an
// account — per commune or old district, the unit's total and per resident group, against the
// 80% and 95% targets. Reads report_coverage_cell only.
import type { Queryable } from '../../store/database.ts';
import { TARGETS, groupLabel, GROUPS } from '../definitions.ts';
import { unitCondition, type ReportFilters } from '../filters.ts';
import type { ReportTable } from '../output.ts';
import { rate } from '../suppress.ts';
import { SqlParams } from '../sql.ts';
import { unitName } from '../units.ts';

export interface CoverageRow {
  unit: string;
  name: string;
  population: number;
  registered: number;
  withData: number;
  updated12m: number;
  verified: number;
  withAccount: number;
  coverage: number | null;
  updatedRate: number | null;
  meets80: boolean;
  meets95: boolean;
}

const SUMS = `sum(population)::int AS population, sum(registered)::int AS registered, sum(with_data)::int AS with_data,
  sum(updated_12m)::int AS updated_12m, sum(verified)::int AS verified, sum(with_account)::int AS with_account`;

interface SumRow {
  k: string;
  population: number;
  registered: number;
  with_data: number;
  updated_12m: number;
  verified: number;
  with_account: number;
}

function toRow(unit: string, name: string, r: SumRow): CoverageRow {
  const coverage = rate(r.with_data, r.population);
  return {
    unit,
    name,
    population: r.population,
    registered: r.registered,
    withData: r.with_data,
    updated12m: r.updated_12m,
    verified: r.verified,
    withAccount: r.with_account,
    coverage,
    updatedRate: rate(r.updated_12m, r.population),
    meets80: coverage !== null && coverage >= TARGETS[0].rate,
    meets95: coverage !== null && coverage >= TARGETS[1].rate,
  };
}

const EMPTY: SumRow = { k: '', population: 0, registered: 0, with_data: 0, updated_12m: 0, verified: 0, with_account: 0 };

function conditions(f: ReportFilters, sql: SqlParams): string {
  const where = [unitCondition(f.unit, sql)];
  if (f.sex) where.push(`sex = ${sql.add(f.sex)}`);
  if (f.ageBand) where.push(`age_band = ${sql.add(f.ageBand)}`);
  return where.join(' AND ');
}

export async function coverageReport(db: Queryable, f: ReportFilters) {
  const unitCol = f.by === 'district' ? 'old_district' : 'commune';
  const level = f.by === 'district' ? 'district' : 'commune';
  const one = new SqlParams();
  const w = `${conditions(f, one)} AND grp = ${one.add(f.group ?? '*')}`;
  const all = new SqlParams();
  const wAll = conditions(f, all);
  const [units, total, groups] = await Promise.all([
    db.query<SumRow>(`SELECT ${unitCol} AS k, ${SUMS} FROM report_coverage_cell WHERE ${w} GROUP BY 1 ORDER BY 1`, one.values),
    db.query<SumRow>(`SELECT '' AS k, ${SUMS} FROM report_coverage_cell WHERE ${w}`, one.values),
    db.query<SumRow>(`SELECT grp AS k, ${SUMS} FROM report_coverage_cell WHERE ${wAll} GROUP BY 1`, all.values),
  ]);
  const t = total.rows[0]?.population === null ? EMPTY : (total.rows[0] ?? EMPTY);
  const byGroup = new Map(groups.rows.map((r) => [r.k, r]));
  return {
    unit: { level: f.unit.level, code: f.unit.code, name: unitName(f.unit.level, f.unit.code) },
    targets: TARGETS.map((x) => ({ rate: x.rate, label: x.label })),
    total: toRow(f.unit.code, unitName(f.unit.level, f.unit.code), { ...EMPTY, ...t }),
    rows: units.rows.map((r) => toRow(r.k, unitName(level, r.k), r)),
    byGroup: GROUPS.map((g) => toRow(g.code, groupLabel(g.code), byGroup.get(g.code) ?? EMPTY)),
  };
}

const COLUMNS = [
  { key: 'unit', header: 'Mã đơn vị' },
  { key: 'name', header: 'Tên đơn vị' },
  { key: 'population', header: 'Dân số (dữ liệu hộ gia đình)' },
  { key: 'registered', header: 'Số người có hồ sơ' },
  { key: 'withData', header: 'Có thông tin sức khỏe' },
  { key: 'updated12m', header: 'Cập nhật trong 12 tháng' },
  { key: 'verified', header: 'Đã xác thực CSDL dân cư' },
  { key: 'withAccount', header: 'Có tài khoản' },
  { key: 'coverage', header: 'Tỷ lệ bao phủ' },
  { key: 'meets80', header: 'Đạt 80%' },
  { key: 'meets95', header: 'Đạt 95%' },
] as const;

const yes = (b: boolean) => (b ? 'Đạt' : 'Chưa đạt');

export function coverageTables(r: Awaited<ReturnType<typeof coverageReport>>): ReportTable[] {
  const flat = (x: CoverageRow) => ({ ...x, meets80: yes(x.meets80), meets95: yes(x.meets95) });
  return [
    { name: 'Theo đơn vị', columns: COLUMNS, rows: [...r.rows.map(flat), flat({ ...r.total, name: `Tổng: ${r.total.name}` })] },
    { name: 'Theo nhóm đối tượng', columns: [{ key: 'unit', header: 'Mã nhóm' }, ...COLUMNS.slice(1)].map((c) => (c.key === 'name' ? { key: 'name', header: 'Nhóm đối tượng' } : c)), rows: r.byGroup.map(flat) },
  ];
}
