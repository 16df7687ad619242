// The dimensions every report is cut by: sex, age band, type of care, resident group.
// One place for their codes, their Vietnamese labels and their SQL.
import { RESIDENT_GROUPS } from '../identity/resident-groups.ts';

export const SEXES = [
  { code: 'male', label: 'Nam' },
  { code: 'female', label: 'Nữ' },
  { code: 'other', label: 'Khác' },
  { code: 'unknown', label: 'Không rõ' },
] as const;
export type Sex = (typeof SEXES)[number]['code'];

/** Age bands in completed years on the day the cells are computed; `max` inclusive. */
export const AGE_BANDS = [
  { code: '0-5', label: 'Dưới 6 tuổi', min: 0, max: 5 },
  { code: '6-14', label: '6–14 tuổi', min: 6, max: 14 },
  { code: '15-24', label: '15–24 tuổi', min: 15, max: 24 },
  { code: '25-39', label: '25–39 tuổi', min: 25, max: 39 },
  { code: '40-59', label: '40–59 tuổi', min: 40, max: 59 },
  { code: '60+', label: 'Từ 60 tuổi', min: 60, max: 200 },
  { code: 'unknown', label: 'Không rõ tuổi', min: -1, max: -1 },
] as const;
export type AgeBand = (typeof AGE_BANDS)[number]['code'];

/** SQL of the age band of `birth` (a date column) on `asOf` (a date expression). No user input. */
export function ageBandSql(birth: string, asOf: string): string {
  const age = `date_part('year', age(${asOf}, ${birth}))`;
  const whens = AGE_BANDS.filter((b) => b.min >= 0)
    .map((b) => `WHEN ${age} BETWEEN ${b.min} AND ${b.max} THEN '${b.code}'`)
    .join(' ');
  return `(CASE ${whens} ELSE 'unknown' END)`;
}

export const CARE_TYPES = [
  { code: 'inpatient', label: 'Nội trú' },
  { code: 'outpatient', label: 'Ngoại trú' },
] as const;
export type Care = (typeof CARE_TYPES)[number]['code'];

/** Encounter.class codes (v3 ActCode) counted as inpatient: admitted, short stay, observation. */
export const INPATIENT_CLASSES: ReadonlySet<string> = new Set(['IMP', 'ACUTE', 'NONAC', 'SS', 'OBSENC', 'PRENC']);

export const GROUPS = RESIDENT_GROUPS;

export const TARGETS = [
  { code: 'target80', rate: 0.8, label: 'Chỉ tiêu 80%' },
  { code: 'target95', rate: 0.95, label: 'Chỉ tiêu 95%' },
] as const;

/** Cells counting fewer people than this (and more than 0) are shown as "<5". */
export const SMALL_CELL = 5;

export function labelOf(list: readonly { code: string; label: string }[], code: string): string {
  return list.find((x) => x.code === code)?.label ?? code;
}

export function groupLabel(code: string): string {
  if (code === '*') return 'Tất cả';
  return GROUPS.find((g) => g.code === code)?.display ?? code;
}
