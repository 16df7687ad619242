// Episodes counted straight from the fact table, for cuts the disease cells do not hold (sex,
// age band, resident group, facility) and for custom reports. Exact; slower than cells on a
// whole province, fast on a commune or a month.
import type { Queryable } from '../../store/database.ts';
import { ageBandSql } from '../definitions.ts';
import { unitCondition, type ReportFilters } from '../filters.ts';
import { SqlParams } from '../sql.ts';

export const EPISODE_DIMENSIONS = {
  commune: 'e.commune',
  district: 'e.old_district',
  month: `to_char(e.month, 'YYYY-MM')`,
  year: `to_char(e.month, 'YYYY')`,
  sex: 'p.sex',
  ageBand: ageBandSql('p.birth_date', '(e.started_at AT TIME ZONE \'Asia/Ho_Chi_Minh\')::date'),
  group: 'g.grp',
  facility: 'e.facility',
  care: 'e.care',
  chapter: 'e.chapter',
  icdGroup: 'e.icd_group',
  code: 'e.code',
} as const;
export type EpisodeDimension = keyof typeof EPISODE_DIMENSIONS;

export type EpisodeFilters = Pick<ReportFilters, 'unit' | 'period' | 'sex' | 'ageBand' | 'group' | 'facility' | 'care'>;

export interface EpisodeCountRow {
  keys: Record<string, string>;
  episodes: number;
  patients: number;
}

export async function countEpisodes(db: Queryable, dims: readonly EpisodeDimension[], f: EpisodeFilters): Promise<EpisodeCountRow[]> {
  const sql = new SqlParams();
  const where = [unitCondition(f.unit, sql, 'e')];
  if (f.period.grain === 'M') where.push(`e.month = ${sql.add(f.period.start)}::date`);
  else where.push(`e.month >= ${sql.add(f.period.start)}::date AND e.month < ${sql.add(f.period.start)}::date + interval '1 year'`);
  if (f.sex) where.push(`p.sex = ${sql.add(f.sex)}`);
  if (f.ageBand) where.push(`${EPISODE_DIMENSIONS.ageBand} = ${sql.add(f.ageBand)}`);
  if (f.facility) where.push(`e.facility = ${sql.add(f.facility)}`);
  if (f.care) where.push(`e.care = ${sql.add(f.care)}`);
  const byGroup = dims.includes('group') || f.group !== undefined;
  if (f.group) where.push(`g.grp = ${sql.add(f.group)}`);
  const select = dims.map((d, i) => `${EPISODE_DIMENSIONS[d]} AS d${i}`);
  const groupBy = dims.length ? `GROUP BY ${dims.map((_, i) => i + 1).join(', ')}` : '';
  const { rows } = await db.query<Record<string, string | number>>(
    `SELECT ${[...select, 'count(*)::int AS episodes', 'count(DISTINCT e.patient_id)::int AS patients'].join(', ')}
     FROM report_episode e JOIN report_person p ON p.patient_id = e.patient_id
     ${byGroup ? 'CROSS JOIN LATERAL unnest(p.groups) AS g(grp)' : ''}
     WHERE ${where.join(' AND ')} ${groupBy}`,
    sql.values,
  );
  return rows.map((r) => ({
    keys: Object.fromEntries(dims.map((d, i) => [d, String(r[`d${i}`] ?? '')])),
    episodes: Number(r.episodes),
    patients: Number(r.patients),
  }));
}
