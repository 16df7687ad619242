// Disease situation (D1): episodes and distinct patients by ICD-10 chapter, group or code
// (the main diagnosis), by month and administrative unit, inpatient and outpatient; the top
// diagnoses; the hypertension and diabetes registers. Reads report_disease_cell (and its
// province sums, report_disease_province_cell) and report_ncd_cell; cuts the cells do not hold
// (sex, age band, group, facility) are counted from the episode facts instead. People counts under 5 are suppressed.
import type { Queryable } from '../../store/database.ts';
import { unitCondition, type IcdLevel, type ReportFilters } from '../filters.ts';
import { icdName } from '../icd-names.ts';
import { NCD_PROGRAMMES } from '../ncd.ts';
import type { Cell, ReportTable } from '../output.ts';
import { rate, suppressRow, suppressed, type Count } from '../suppress.ts';
import { SqlParams } from '../sql.ts';
import { unitName } from '../units.ts';
import { countEpisodeGroupings, type EpisodeDimension } from './episode-facts.ts';

interface Counts {
  episodes: Count;
  patients: Count;
  inpatientEpisodes: Count;
  outpatientEpisodes: Count;
}

type Tally = { all: [number, number]; inpatient: [number, number]; outpatient: [number, number] };
const tally = (): Tally => ({ all: [0, 0], inpatient: [0, 0], outpatient: [0, 0] });

function counts(t: Tally): Counts {
  const row: Counts = { episodes: t.all[0], patients: t.all[1], inpatientEpisodes: t.inpatient[0], outpatientEpisodes: t.outpatient[0] };
  return suppressRow(row, t.all[1], ['episodes', 'patients', 'inpatientEpisodes', 'outpatientEpisodes']);
}

/** Rows (key, care, episodes, patients) folded into one tally per key. */
function fold(rows: { k: string; care: string; episodes: number; patients: number }[]): Map<string, Tally> {
  const out = new Map<string, Tally>();
  for (const r of rows) {
    const t = out.get(r.k) ?? tally();
    const slot = r.care as keyof Tally;
    if (t[slot]) t[slot] = [t[slot][0] + r.episodes, t[slot][1] + r.patients];
    out.set(r.k, t);
  }
  return out;
}

function monthsOf(f: ReportFilters): string[] {
  if (f.period.grain === 'M') return [f.period.start];
  const y = f.period.start.slice(0, 4);
  return Array.from({ length: 12 }, (_, i) => `${y}-${String(i + 1).padStart(2, '0')}-01`);
}

/** One breakdown a report needs: by key at an ICD-10 level, by period, or by unit. */
interface Breakdown {
  level: IcdLevel | 'all';
  grain: 'M' | 'Y';
  groupBy: 'key' | 'period' | 'unit';
}
type Source = (breakdowns: Breakdown[]) => Promise<Map<string, Tally>[]>;

/**
 * From the cells: care 'all' rows give distinct patients across both kinds of care. The whole
 * province reads its own cells (the sums of its communes') unless rows per unit are asked for.
 */
function cellSource(db: Queryable, f: ReportFilters): Source {
  const one = async ({ level, grain, groupBy }: Breakdown) => {
    const sql = new SqlParams();
    const provinceWide = f.unit.level === 'province' && groupBy !== 'unit';
    const where = [`grain = ${sql.add(grain)}`, `level = ${sql.add(level)}`];
    if (!provinceWide) where.push(unitCondition(f.unit, sql));
    if (grain === f.period.grain) where.push(`period = ${sql.add(f.period.start)}::date`);
    else where.push(`period >= ${sql.add(f.period.start)}::date AND period < ${sql.add(f.period.start)}::date + interval '1 year'`);
    const k = groupBy === 'key' ? 'key' : groupBy === 'period' ? `to_char(period, 'YYYY-MM-DD')` : f.by === 'district' ? 'old_district' : 'commune';
    const { rows } = await db.query<{ k: string; care: string; episodes: number; patients: number }>(
      `SELECT ${k} AS k, care, sum(episodes)::int AS episodes, sum(patients)::int AS patients
       FROM ${provinceWide ? 'report_disease_province_cell' : 'report_disease_cell'} WHERE ${where.join(' AND ')} GROUP BY 1, 2`,
      sql.values,
    );
    return fold(rows);
  };
  return (breakdowns) => Promise.all(breakdowns.map(one));
}

/**
 * From the facts, when a filter the cells do not hold is given: every breakdown, with and
 * without the kind of care, from one read of the filtered episodes.
 */
function factSource(db: Queryable, f: ReportFilters): Source {
  return async (breakdowns) => {
    const keyDims = breakdowns.map(({ level, grain, groupBy }): EpisodeDimension | undefined =>
      groupBy === 'key' ? (level === 'all' ? undefined : level === 'chapter' ? 'chapter' : level === 'group' ? 'icdGroup' : 'code')
      : groupBy === 'period' ? (grain === 'M' ? 'month' : 'year')
      : f.by === 'district' ? 'district' : 'commune');
    const filters = { ...f };
    delete filters.care;
    const groupings = keyDims.flatMap((d) => {
      const dims: EpisodeDimension[] = d ? [d] : [];
      return [dims, [...dims, 'care' as const]];
    });
    const counted = await countEpisodeGroupings(db, groupings, filters);
    return breakdowns.map(({ grain, groupBy }, i) => {
      const keyDim = keyDims[i];
      const [all, byCare] = [counted[2 * i]!, counted[2 * i + 1]!];
      const rows = [
        ...all.map((r) => ({ k: keyDim ? r.keys[keyDim]! : '*', care: 'all', episodes: r.episodes, patients: r.patients })),
        ...byCare.map((r) => ({ k: keyDim ? r.keys[keyDim]! : '*', care: r.keys.care!, episodes: r.episodes, patients: r.patients })),
      ].map((r) => (groupBy === 'period' ? { ...r, k: grain === 'M' ? `${r.k}-01` : `${r.k}-01-01` } : r));
      return fold(rows);
    });
  };
}

export async function diseaseReport(db: Queryable, f: ReportFilters) {
  const fromFacts = f.sex !== undefined || f.ageBand !== undefined || f.group !== undefined || f.facility !== undefined;
  const source = fromFacts ? factSource(db, f) : cellSource(db, f);
  const careSlot = f.care ?? 'all';
  const breakdowns: Breakdown[] = [
    { level: 'all', grain: f.period.grain, groupBy: 'key' },
    { level: f.level, grain: f.period.grain, groupBy: 'key' },
    { level: 'all', grain: 'M', groupBy: 'period' },
    { level: 'all', grain: f.period.grain, groupBy: 'unit' },
    ...(f.level === 'code' ? [] : [{ level: 'code', grain: f.period.grain, groupBy: 'key' } as const]),
  ];
  const [maps, ncd] = await Promise.all([source(breakdowns), ncdRegisters(db, f)]);
  const [total, byKey, byMonth, byUnit] = maps as [Map<string, Tally>, Map<string, Tally>, Map<string, Tally>, Map<string, Tally>];
  const byCode = maps[4];
  const pick = (t: Tally): Tally => (careSlot === 'all' ? t : { all: t[careSlot], inpatient: careSlot === 'inpatient' ? t.inpatient : [0, 0], outpatient: careSlot === 'outpatient' ? t.outpatient : [0, 0] });
  const keyRows = (m: Map<string, Tally>, level: IcdLevel) =>
    [...m.entries()]
      .map(([key, t]) => ({ key, name: icdName(level, key), raw: pick(t) }))
      .filter((r) => r.raw.all[0] > 0)
      .sort((a, b) => b.raw.all[0] - a.raw.all[0] || a.key.localeCompare(b.key));
  const codes = keyRows(byCode ?? byKey, 'code');
  return {
    unit: { level: f.unit.level, code: f.unit.code, name: unitName(f.unit.level, f.unit.code) },
    period: f.period,
    level: f.level,
    care: careSlot,
    source: fromFacts ? 'facts' : 'cells',
    total: counts(pick(total.get('*') ?? tally())),
    byKey: keyRows(byKey, f.level).map((r) => ({ key: r.key, name: r.name, ...counts(r.raw) })),
    top: codes.filter((r) => !suppressed(r.raw.all[1]) && r.key !== '').slice(0, 10).map((r) => ({ key: r.key, name: r.name, ...counts(r.raw) })),
    byMonth: monthsOf(f).map((m) => ({ month: m.slice(0, 7), ...counts(pick(byMonth.get(m) ?? tally())) })),
    byUnit: [...byUnit.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, t]) => ({ unit: k, name: unitName(f.by === 'district' ? 'district' : 'commune', k), ...counts(pick(t)) })),
    ncd,
  };
}

interface NcdRow {
  programme: string;
  name: string;
  control: string;
  known: Count;
  managed: Count;
  recentVisit: Count;
  measured: Count;
  controlled: Count;
  managedRate: number | '<5' | null;
  controlledRate: number | '<5' | null;
}

async function ncdRegisters(db: Queryable, f: ReportFilters): Promise<NcdRow[]> {
  const sql = new SqlParams();
  const { rows } = await db.query<{ programme: string; known: number; managed: number; recent_visit: number; measured: number; controlled: number }>(
    `SELECT programme, sum(known)::int AS known, sum(managed)::int AS managed, sum(recent_visit)::int AS recent_visit,
            sum(measured)::int AS measured, sum(controlled)::int AS controlled
     FROM report_ncd_cell WHERE ${unitCondition(f.unit, sql)} GROUP BY 1`,
    sql.values,
  );
  const by = new Map(rows.map((r) => [r.programme, r]));
  return NCD_PROGRAMMES.map((p) => {
    const r = by.get(p.code) ?? { known: 0, managed: 0, recent_visit: 0, measured: 0, controlled: 0 };
    const row: NcdRow = {
      programme: p.code,
      name: p.label,
      control: p.control,
      known: r.known,
      managed: r.managed,
      recentVisit: r.recent_visit,
      measured: r.measured,
      controlled: r.controlled,
      managedRate: rate(r.managed, r.known),
      controlledRate: rate(r.controlled, r.measured),
    };
    const small = (n: number) => suppressed(n);
    return {
      ...row,
      ...(small(r.known) ? { known: '<5', managedRate: '<5' } : {}),
      ...(small(r.managed) ? { managed: '<5', managedRate: '<5' } : {}),
      ...(small(r.recent_visit) ? { recentVisit: '<5' } : {}),
      ...(small(r.measured) ? { measured: '<5', controlledRate: '<5' } : {}),
      ...(small(r.controlled) ? { controlled: '<5', controlledRate: '<5' } : {}),
    } as NcdRow;
  });
}

const COUNT_COLUMNS = [
  { key: 'episodes', header: 'Số lượt khám chữa bệnh' },
  { key: 'patients', header: 'Số người bệnh' },
  { key: 'inpatientEpisodes', header: 'Lượt nội trú' },
  { key: 'outpatientEpisodes', header: 'Lượt ngoại trú' },
];
const LEVEL_HEADER: Record<IcdLevel, string> = { chapter: 'Chương ICD-10', group: 'Nhóm bệnh ICD-10', code: 'Mã bệnh ICD-10' };

export function diseaseTables(r: Awaited<ReturnType<typeof diseaseReport>>): ReportTable[] {
  const rows = (xs: readonly object[]) => xs as Record<string, Cell>[];
  return [
    { name: 'Theo bệnh', columns: [{ key: 'key', header: LEVEL_HEADER[r.level] }, { key: 'name', header: 'Tên' }, ...COUNT_COLUMNS], rows: rows(r.byKey) },
    { name: 'Bệnh thường gặp nhất', columns: [{ key: 'key', header: 'Mã bệnh ICD-10' }, { key: 'name', header: 'Tên bệnh' }, ...COUNT_COLUMNS], rows: rows(r.top) },
    { name: 'Theo tháng', columns: [{ key: 'month', header: 'Tháng' }, ...COUNT_COLUMNS], rows: rows(r.byMonth) },
    { name: 'Theo đơn vị', columns: [{ key: 'unit', header: 'Mã đơn vị' }, { key: 'name', header: 'Tên đơn vị' }, ...COUNT_COLUMNS], rows: rows(r.byUnit) },
    {
      name: 'Quản lý bệnh mạn tính',
      columns: [
        { key: 'name', header: 'Bệnh' },
        { key: 'known', header: 'Số người đã phát hiện' },
        { key: 'managed', header: 'Đang được quản lý' },
        { key: 'recentVisit', header: 'Khám trong 90 ngày' },
        { key: 'measured', header: 'Có kết quả đo' },
        { key: 'controlled', header: 'Kiểm soát tốt' },
        { key: 'control', header: 'Tiêu chí kiểm soát' },
      ],
      rows: rows(r.ncd),
    },
  ];
}
