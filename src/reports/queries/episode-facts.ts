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
  return (await countEpisodeGroupings(db, [dims], f))[0]!;
}

/**
 * Several groupings of the same filtered episodes, read once (`GROUPING SETS`): the rows of
 * each grouping, in the order given. A report that needs totals, per-key, per-month and per-unit
 * counts, each with and without the kind of care, costs one scan of the episodes instead of one
 * per grouping.
 */
export async function countEpisodeGroupings(db: Queryable, groupings: readonly (readonly EpisodeDimension[])[], f: EpisodeFilters): Promise<EpisodeCountRow[][]> {
  const sql = new SqlParams();
  const where = [unitCondition(f.unit, sql, 'e')];
  if (f.period.grain === 'M') where.push(`e.month = ${sql.add(f.period.start)}::date`);
  else where.push(`e.month >= ${sql.add(f.period.start)}::date AND e.month < ${sql.add(f.period.start)}::date + interval '1 year'`);
  if (f.sex) where.push(`p.sex = ${sql.add(f.sex)}`);
  if (f.ageBand) where.push(`${EPISODE_DIMENSIONS.ageBand} = ${sql.add(f.ageBand)}`);
  if (f.facility) where.push(`e.facility = ${sql.add(f.facility)}`);
  if (f.care) where.push(`e.care = ${sql.add(f.care)}`);
  const all = [...new Set(groupings.flat())];
  // Unnesting a resident's groups repeats their episodes once per group, which only a grouping
  // by group (or a filter on one group) may see.
  if (all.includes('group') && groupings.some((g) => !g.includes('group'))) throw new Error('a grouping by resident group cannot share a read with groupings without it');
  const byGroup = all.includes('group') || f.group !== undefined;
  if (f.group) where.push(`g.grp = ${sql.add(f.group)}`);
  // A grouping asked twice is computed once (GROUPING SETS would return its rows twice).
  const setKey = (dims: readonly EpisodeDimension[]) => all.filter((d) => dims.includes(d)).join(',');
  const sets = [...new Set(groupings.map(setKey))];
  const expr = (d: EpisodeDimension) => EPISODE_DIMENSIONS[d];
  const select = all.map((d, i) => `${expr(d)} AS d${i}`);
  let groupBy = '';
  if (all.length > 0) {
    groupBy = sets.length === 1 && sets[0] === all.join(',')
      ? `GROUP BY ${all.map((_, i) => i + 1).join(', ')}`
      : `GROUP BY GROUPING SETS (${sets.map((k) => `(${k ? k.split(',').map((d) => expr(d as EpisodeDimension)).join(', ') : ''})`).join(', ')})`;
    // Which set a row belongs to: bit i set when dimension i is not part of it.
    select.push(`GROUPING(${all.map(expr).join(', ')}) AS grouping_mask`);
  }
  const { rows } = await db.query<Record<string, string | number>>(
    `SELECT ${[...select, 'count(*)::int AS episodes', 'count(DISTINCT e.patient_id)::int AS patients'].join(', ')}
     FROM report_episode e JOIN report_person p ON p.patient_id = e.patient_id
     ${byGroup ? 'CROSS JOIN LATERAL unnest(p.groups) AS g(grp)' : ''}
     WHERE ${where.join(' AND ')} ${groupBy}`,
    sql.values,
  );
  const maskOf = (key: string) => all.reduce((m, d, i) => (key.split(',').includes(d) ? m : m | (1 << (all.length - 1 - i))), 0);
  return groupings.map((dims) => {
    const mask = maskOf(setKey(dims));
    return rows
      .filter((r) => all.length === 0 || Number(r.grouping_mask) === mask)
      .map((r) => ({
        keys: Object.fromEntries(dims.map((d) => [d, String(r[`d${all.indexOf(d)}`] ?? '')])),
        episodes: Number(r.episodes),
        patients: Number(r.patients),
      }));
  });
}
