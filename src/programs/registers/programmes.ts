// Chronic-condition registers as data (data/programs/ncd-programmes.json): ICD-10 ranges that
// enrol, measures with targets that decide control, follow-up interval, when a member counts
// as lost to follow-up. A province adds a programme by adding a row.
import { readProgramJson } from '../data-files.ts';

export interface Measure {
  code: string;
  display: string;
  loinc: string;
  alternateLoinc?: string[];
  /** LOINC of the panel whose component carries the value (blood pressure). */
  panel?: string;
  unit: string;
  comparator: '<' | '<=';
  target: number;
  /** A reading at or above this is an alert (C6). */
  alertAtOrAbove?: number;
  /** Count this measure for control only when the named measure has no reading. */
  controlOnlyWithout?: string;
}

export interface Programme {
  code: string;
  display: string;
  kind: 'ncd' | 'centre';
  icd10: string[];
  followUpDays: number;
  lostAfterDays: number;
  controlLookbackDays: number;
  measures: Measure[];
}

export function programmes(): Programme[] {
  return readProgramJson<{ programmes: Programme[] }>('ncd-programmes.json').programmes;
}

export function programme(code: string): Programme | undefined {
  return programmes().find((p) => p.code === code);
}

/** ICD-10 code normalised for range comparison: "I10.0" / "I100" → "I10". */
function category(code: string): string {
  return code.trim().toUpperCase().replace('.', '').slice(0, 3);
}

/** Whether an ICD-10 code falls in a list of categories and ranges ("I10-I15", "J44"). */
export function icdInRanges(code: string, ranges: readonly string[]): boolean {
  const c = category(code);
  if (!/^[A-Z]\d\d$/.test(c)) return false;
  return ranges.some((r) => {
    const [from, to] = r.split('-').map((x) => x.trim().toUpperCase());
    return to === undefined ? c === from : c >= from! && c <= to;
  });
}

export function programmesForIcd(code: string): Programme[] {
  return programmes().filter((p) => icdInRanges(code, p.icd10));
}
