// Custom reports (D2): a saved composition of documented dimensions and measures over one
// subject — residents (from the coverage cells) or treatment episodes (from the episode facts).
// Only aggregates come out; any cell counting 1–4 people is suppressed.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../store/database.ts';
import { AGE_BANDS, SEXES, groupLabel, labelOf, CARE_TYPES } from './definitions.ts';
import { ReportError } from './errors.ts';
import { parseFilters, unitCondition, type ReportFilters } from './filters.ts';
import { icdName } from './icd-names.ts';
import type { Cell, ReportTable } from './output.ts';
import { countEpisodes, type EpisodeDimension } from './queries/episode-facts.ts';
import { SqlParams } from './sql.ts';
import { rate, suppressed } from './suppress.ts';
import { unitName } from './units.ts';

export const RESIDENT_DIMENSIONS = ['commune', 'district', 'group', 'sex', 'ageBand'] as const;
export const RESIDENT_MEASURES = ['population', 'registered', 'withData', 'updated12m', 'verified', 'withAccount', 'coverageRate', 'verifiedRate', 'accountRate'] as const;
export const EPISODE_DIMENSION_LIST = ['commune', 'district', 'month', 'year', 'sex', 'ageBand', 'group', 'facility', 'care', 'chapter', 'icdGroup', 'code'] as const;
export const EPISODE_MEASURES = ['episodes', 'patients', 'episodesPerPatient'] as const;

export interface CustomSpec {
  subject: 'residents' | 'episodes';
  dimensions: string[];
  measures: string[];
  /** The same query parameters as the built-in reports (unit, period, group, sex, ageBand, facility, care). */
  filters: Record<string, string>;
}

export interface CustomDefinition {
  id: string;
  ownerId: string;
  name: string;
  spec: CustomSpec;
  sharedWith: string[];
}

const HEADERS: Record<string, string> = {
  commune: 'Xã/phường', district: 'Huyện (cũ)', group: 'Nhóm đối tượng', sex: 'Giới tính', ageBand: 'Nhóm tuổi', month: 'Tháng', year: 'Năm',
  facility: 'Cơ sở KCB', care: 'Hình thức điều trị', chapter: 'Chương ICD-10', icdGroup: 'Nhóm bệnh ICD-10', code: 'Mã bệnh ICD-10',
  population: 'Dân số', registered: 'Số người có hồ sơ', withData: 'Có thông tin sức khỏe', updated12m: 'Cập nhật trong 12 tháng',
  verified: 'Đã xác thực CSDL dân cư', withAccount: 'Có tài khoản', coverageRate: 'Tỷ lệ bao phủ', verifiedRate: 'Tỷ lệ đã xác thực',
  accountRate: 'Tỷ lệ có tài khoản', episodes: 'Số lượt khám chữa bệnh', patients: 'Số người bệnh', episodesPerPatient: 'Số lượt bình quân mỗi người',
};

export function validateSpec(raw: unknown, province: string, now: Date): CustomSpec {
  const s = raw as Partial<CustomSpec> | null;
  const bad = (m: string) => new ReportError(400, m);
  if (!s || (s.subject !== 'residents' && s.subject !== 'episodes')) throw bad('subject phải là "residents" hoặc "episodes".');
  const dims: readonly string[] = s.subject === 'residents' ? RESIDENT_DIMENSIONS : EPISODE_DIMENSION_LIST;
  const measures: readonly string[] = s.subject === 'residents' ? RESIDENT_MEASURES : EPISODE_MEASURES;
  if (!Array.isArray(s.dimensions) || s.dimensions.length > 4 || s.dimensions.some((d) => !dims.includes(d)) || new Set(s.dimensions).size !== s.dimensions.length) {
    throw bad(`dimensions: tối đa 4 chiều, trong số: ${dims.join(', ')}.`);
  }
  if (!Array.isArray(s.measures) || s.measures.length === 0 || s.measures.some((m) => !measures.includes(m))) {
    throw bad(`measures: ít nhất một chỉ số, trong số: ${measures.join(', ')}.`);
  }
  const filters = s.filters ?? {};
  if (typeof filters !== 'object' || Object.values(filters).some((v) => typeof v !== 'string')) throw bad('filters phải là các cặp tên–giá trị.');
  parseFilters(filters, province, now);
  return { subject: s.subject, dimensions: s.dimensions, measures: s.measures, filters };
}

function dimLabel(dim: string, value: string): string {
  switch (dim) {
    case 'commune': return unitName('commune', value);
    case 'district': return unitName('district', value);
    case 'group': return groupLabel(value);
    case 'sex': return labelOf(SEXES, value);
    case 'ageBand': return labelOf(AGE_BANDS, value);
    case 'care': return labelOf(CARE_TYPES, value);
    case 'chapter': return icdName('chapter', value);
    case 'icdGroup': return icdName('group', value);
    case 'code': return value ? `${value} ${icdName('code', value)}` : icdName('code', value);
    default: return value;
  }
}

const RESIDENT_COLUMN: Record<string, string> = { commune: 'commune', district: 'old_district', group: 'grp', sex: 'sex', ageBand: 'age_band' };

async function residentRows(db: Queryable, spec: CustomSpec, f: ReportFilters): Promise<Record<string, Cell>[]> {
  const sql = new SqlParams();
  const where = [unitCondition(f.unit, sql)];
  if (!spec.dimensions.includes('group')) where.push(`grp = ${sql.add(f.group ?? '*')}`);
  else if (f.group) where.push(`grp = ${sql.add(f.group)}`);
  else where.push(`grp <> '*'`);
  if (f.sex) where.push(`sex = ${sql.add(f.sex)}`);
  if (f.ageBand) where.push(`age_band = ${sql.add(f.ageBand)}`);
  const select = spec.dimensions.map((d, i) => `${RESIDENT_COLUMN[d]} AS d${i}`);
  const { rows } = await db.query<Record<string, string | number>>(
    `SELECT ${[...select, 'sum(population)::int AS population', 'sum(registered)::int AS registered', 'sum(with_data)::int AS with_data',
      'sum(updated_12m)::int AS updated_12m', 'sum(verified)::int AS verified', 'sum(with_account)::int AS with_account'].join(', ')}
     FROM report_coverage_cell WHERE ${where.join(' AND ')}
     ${spec.dimensions.length ? `GROUP BY ${spec.dimensions.map((_, i) => i + 1).join(', ')} ORDER BY ${spec.dimensions.map((_, i) => i + 1).join(', ')}` : ''}`,
    sql.values,
  );
  return rows.map((r) => {
    const n = (k: string) => Number(r[k] ?? 0);
    const values: Record<string, number | null> = {
      population: n('population'), registered: n('registered'), withData: n('with_data'), updated12m: n('updated_12m'), verified: n('verified'),
      withAccount: n('with_account'), coverageRate: rate(n('with_data'), n('population')), verifiedRate: rate(n('verified'), n('registered')),
      accountRate: rate(n('with_account'), n('registered')),
    };
    const small: Record<string, boolean> = {
      population: suppressed(n('population')), registered: suppressed(n('registered')), withData: suppressed(n('with_data')),
      updated12m: suppressed(n('updated_12m')), verified: suppressed(n('verified')), withAccount: suppressed(n('with_account')),
    };
    small.coverageRate = small.withData!;
    small.verifiedRate = small.verified!;
    small.accountRate = small.withAccount!;
    return row(spec, (i) => String(r[`d${i}`] ?? ''), values, (m) => small[m] ?? false);
  });
}

async function episodeRows(db: Queryable, spec: CustomSpec, f: ReportFilters): Promise<Record<string, Cell>[]> {
  const rows = await countEpisodes(db, spec.dimensions as EpisodeDimension[], f);
  rows.sort((a, b) => spec.dimensions.map((d) => a.keys[d]!.localeCompare(b.keys[d]!)).find((x) => x !== 0) ?? 0);
  return rows.map((r) => row(spec, (i) => r.keys[spec.dimensions[i]!]!, { episodes: r.episodes, patients: r.patients, episodesPerPatient: r.patients ? Math.round((r.episodes / r.patients) * 100) / 100 : null }, () => suppressed(r.patients)));
}

/** One output row: dimension codes and labels, then the measures ("<5" for a small cell). */
function row(spec: CustomSpec, key: (i: number) => string, values: Record<string, number | null>, small: (measure: string) => boolean): Record<string, Cell> {
  const out: Record<string, Cell> = {};
  spec.dimensions.forEach((d, i) => {
    out[d] = key(i);
    out[`${d}Name`] = dimLabel(d, key(i));
  });
  for (const m of spec.measures) out[m] = small(m) ? '<5' : (values[m] ?? null);
  return out;
}

export async function runCustom(db: Queryable, spec: CustomSpec, filters: ReportFilters) {
  const rows = spec.subject === 'residents' ? await residentRows(db, spec, filters) : await episodeRows(db, spec, filters);
  return { subject: spec.subject, dimensions: spec.dimensions, measures: spec.measures, filters: spec.filters, rows };
}

export function customTables(name: string, r: Awaited<ReturnType<typeof runCustom>>): ReportTable[] {
  const columns = [
    ...r.dimensions.flatMap((d) => [{ key: d, header: `Mã ${HEADERS[d]!.toLowerCase()}` }, { key: `${d}Name`, header: HEADERS[d]! }]),
    ...r.measures.map((m) => ({ key: m, header: HEADERS[m]! })),
  ];
  return [{ name: name.slice(0, 31), columns, rows: r.rows }];
}

// Storage of definitions and shares.

interface DefinitionRow {
  id: string;
  owner_id: string;
  name: string;
  spec: CustomSpec;
  shared_with: string[] | null;
}

const SELECT = `SELECT d.id, d.owner_id, d.name, d.spec, (SELECT array_agg(user_id ORDER BY user_id) FROM report_share s WHERE s.report_id = d.id) AS shared_with
                FROM report_definition d`;
const toDef = (r: DefinitionRow): CustomDefinition => ({ id: r.id, ownerId: r.owner_id, name: r.name, spec: r.spec, sharedWith: r.shared_with ?? [] });

export async function saveDefinition(db: Queryable, ownerId: string, name: string, spec: CustomSpec, sharedWith: string[]): Promise<CustomDefinition> {
  const id = randomUUID();
  await db.query('INSERT INTO report_definition (id, owner_id, name, spec) VALUES ($1, $2, $3, $4)', [id, ownerId, name, JSON.stringify(spec)]);
  await shareDefinition(db, id, ownerId, sharedWith);
  return { id, ownerId, name, spec, sharedWith: [...new Set(sharedWith)].sort() };
}

export async function shareDefinition(db: Queryable, id: string, by: string, userIds: string[]): Promise<void> {
  if (userIds.length === 0) return;
  await db.query(
    `INSERT INTO report_share (report_id, user_id, shared_by) SELECT $1, u, $2 FROM unnest($3::text[]) AS u
     WHERE u IN (SELECT id FROM staff_user) ON CONFLICT DO NOTHING`,
    [id, by, userIds],
  );
}

export async function findDefinition(db: Queryable, id: string): Promise<CustomDefinition | undefined> {
  const { rows } = await db.query<DefinitionRow>(`${SELECT} WHERE d.id = $1`, [id]);
  return rows[0] ? toDef(rows[0]) : undefined;
}

export async function listDefinitions(db: Queryable, userId: string): Promise<CustomDefinition[]> {
  const { rows } = await db.query<DefinitionRow>(
    `${SELECT} WHERE d.owner_id = $1 OR d.id IN (SELECT report_id FROM report_share WHERE user_id = $1) ORDER BY d.name`,
    [userId],
  );
  return rows.map(toDef);
}
