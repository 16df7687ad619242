// Query parameters of every report, parsed and checked, then narrowed to the caller's scope.
import { AGE_BANDS, CARE_TYPES, GROUPS, SEXES, type Care } from './definitions.ts';
import { ReportError } from './errors.ts';
import type { ReportScope } from './scope.ts';
import { SqlParams } from './sql.ts';
import { parseUnit, provinceReportCommunes, type UnitFilter } from './units.ts';
import { vietnamDate } from './refresh.ts';

export interface Period {
  grain: 'M' | 'Y';
  /** First day of the month or year. */
  start: string;
}

export type IcdLevel = 'chapter' | 'group' | 'code';

export interface ReportFilters {
  unit: UnitFilter;
  /** Rows per commune or per old district. */
  by: 'commune' | 'district';
  period: Period;
  group?: string;
  sex?: string;
  ageBand?: string;
  facility?: string;
  care?: Care;
  level: IcdLevel;
  /** Arrivals: the number of days shown, ending today. */
  days: number;
}

export const FILTER_PARAMS = ['unit', 'by', 'period', 'group', 'sex', 'ageBand', 'facility', 'care', 'level', 'days', 'format'] as const;

const bad = (message: string) => new ReportError(400, message);

export function parsePeriod(raw: string | undefined, today: string): Period {
  if (raw === undefined || raw === '') return { grain: 'Y', start: `${today.slice(0, 4)}-01-01` };
  if (/^\d{4}$/.test(raw)) return { grain: 'Y', start: `${raw}-01-01` };
  if (/^\d{4}-(0[1-9]|1[0-2])$/.test(raw)) return { grain: 'M', start: `${raw}-01` };
  throw bad(`Kỳ báo cáo "${raw}" không hợp lệ: dùng năm (2025) hoặc tháng (2025-03).`);
}

function oneOf(name: string, raw: string | undefined, allowed: readonly string[]): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!allowed.includes(raw)) throw bad(`Giá trị "${raw}" của ${name} không hợp lệ; dùng một trong: ${allowed.join(', ')}.`);
  return raw;
}

export function parseFilters(query: Record<string, string | undefined>, province: string, now: Date): ReportFilters {
  for (const key of Object.keys(query)) {
    if (!(FILTER_PARAMS as readonly string[]).includes(key)) throw bad(`Tham số "${key}" không được hỗ trợ.`);
  }
  const unitRaw = query.unit ?? province;
  const unit = parseUnit(unitRaw);
  if (!unit) throw bad(`Không tìm thấy đơn vị hành chính "${unitRaw}" (mã tỉnh 2 số, huyện cũ 3 số hoặc xã 5 số).`);
  if (unit.level === 'province' && unit.code !== province) throw bad('Chỉ báo cáo được trong tỉnh của hệ thống.');
  const days = query.days === undefined ? 30 : Number(query.days);
  if (!Number.isInteger(days) || days < 1 || days > 366) throw bad('days phải là số ngày từ 1 đến 366.');
  if (query.facility !== undefined && !/^[0-9A-Za-z]{1,10}$/.test(query.facility)) throw bad('Mã cơ sở (facility) không hợp lệ.');
  const filters: ReportFilters = {
    unit,
    by: (oneOf('by', query.by, ['commune', 'district']) ?? 'commune') as ReportFilters['by'],
    period: parsePeriod(query.period, vietnamDate(now)),
    level: (oneOf('level', query.level, ['chapter', 'group', 'code']) ?? 'chapter') as IcdLevel,
    days,
  };
  const group = oneOf('group', query.group, GROUPS.map((g) => g.code));
  const sex = oneOf('sex', query.sex, SEXES.map((s) => s.code));
  const ageBand = oneOf('ageBand', query.ageBand, AGE_BANDS.map((a) => a.code));
  const care = oneOf('care', query.care, CARE_TYPES.map((c) => c.code)) as Care | undefined;
  if (group) filters.group = group;
  if (sex) filters.sex = sex;
  if (ageBand) filters.ageBand = ageBand;
  if (care) filters.care = care;
  if (query.facility) filters.facility = query.facility;
  return filters;
}

/** Narrows the filters to what the caller may see; asking for more is refused, not silently narrowed. */
export function applyScope(filters: ReportFilters, scope: ReportScope): ReportFilters {
  if (scope.kind === 'commune') {
    if (filters.unit.level !== 'province' && !(filters.unit.level === 'commune' && filters.unit.code === scope.commune)) {
      throw new ReportError(403, 'Chỉ xem được báo cáo của xã mình phụ trách.');
    }
    return { ...filters, unit: { level: 'commune', code: scope.commune } };
  }
  if (scope.kind === 'facility') {
    if (filters.facility !== undefined && filters.facility !== scope.facility) throw new ReportError(403, 'Chỉ xem được báo cáo của cơ sở mình.');
    return { ...filters, facility: scope.facility };
  }
  return filters;
}

/** SQL condition on cells or facts with `commune` and `old_district` columns (prefixed by `alias.`). */
export function unitCondition(unit: UnitFilter, sql: SqlParams, alias = ''): string {
  const a = alias ? `${alias}.` : '';
  if (unit.level === 'commune') return `${a}commune = ${sql.add(unit.code)}`;
  if (unit.level === 'district') return `${a}old_district = ${sql.add(unit.code)}`;
  return `${a}commune = ANY(${sql.add(provinceReportCommunes(unit.code))}::text[])`;
}

/** Query parameters without the output format (recorded in the audit trail: codes only, no personal data). */
export function auditQuery(query: Record<string, string | undefined>): string {
  return new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined && e[0] !== 'format')).toString();
}
