// WHO Child Growth Standards (2006) z-scores by the LMS method, with WHO's restricted
// application beyond ±3 SD (distances measured in the SD23 unit, as the WHO Anthro software
// does). Tables are data (data/programs/who-*-lms.csv); between tabulated ages L, M and S are
// interpolated linearly.
import { readProgramCsv } from '../data-files.ts';

export type Sex = 'male' | 'female';
export type Indicator = 'weight-for-age';

interface LmsRow {
  x: number;
  l: number;
  m: number;
  s: number;
}

const TABLE_FILES: Record<Indicator, { file: string; x: string }> = {
  'weight-for-age': { file: 'who-wfa-lms.csv', x: 'day' },
};

const tables = new Map<string, LmsRow[]>();

function table(indicator: Indicator, sex: Sex): LmsRow[] {
  const key = `${indicator}/${sex}`;
  let rows = tables.get(key);
  if (!rows) {
    const def = TABLE_FILES[indicator];
    const code = sex === 'male' ? '1' : '2';
    rows = readProgramCsv(def.file)
      .filter((r) => r['sex'] === code)
      .map((r) => ({ x: Number(r[def.x]), l: Number(r['l']), m: Number(r['m']), s: Number(r['s']) }))
      .sort((a, b) => a.x - b.x);
    tables.set(key, rows);
  }
  return rows;
}

export function lmsAt(indicator: Indicator, sex: Sex, x: number): LmsRow | undefined {
  const rows = table(indicator, sex);
  if (rows.length === 0 || x < rows[0]!.x || x > rows.at(-1)!.x) return undefined;
  const hi = rows.findIndex((r) => r.x >= x);
  if (rows[hi]!.x === x) return rows[hi];
  const a = rows[hi - 1]!;
  const b = rows[hi]!;
  const f = (x - a.x) / (b.x - a.x);
  return { x, l: a.l + f * (b.l - a.l), m: a.m + f * (b.m - a.m), s: a.s + f * (b.s - a.s) };
}

/** The measurement at z standard deviations (the LMS curve). */
export function valueAtZ(lms: LmsRow, z: number): number {
  return lms.l === 0 ? lms.m * Math.exp(lms.s * z) : lms.m * Math.pow(1 + lms.l * lms.s * z, 1 / lms.l);
}

export function zScoreFromLms(lms: LmsRow, value: number): number {
  const z = lms.l === 0 ? Math.log(value / lms.m) / lms.s : (Math.pow(value / lms.m, lms.l) - 1) / (lms.l * lms.s);
  if (z > 3) {
    const sd3 = valueAtZ(lms, 3);
    const sd23 = sd3 - valueAtZ(lms, 2);
    return 3 + (value - sd3) / sd23;
  }
  if (z < -3) {
    const sd3neg = valueAtZ(lms, -3);
    const sd23neg = valueAtZ(lms, -2) - sd3neg;
    return -3 + (value - sd3neg) / sd23neg;
  }
  return z;
}

/** Weight-for-age z-score (age in completed days, weight in kg), or undefined outside 0–1826 days. */
export function weightForAgeZ(sex: Sex, ageDays: number, weightKg: number): number | undefined {
  const lms = lmsAt('weight-for-age', sex, ageDays);
  return lms ? zScoreFromLms(lms, weightKg) : undefined;
}

export type NutritionStatus = 'normal' | 'moderate' | 'severe';

export function nutritionStatus(z: number, moderate = -2, severe = -3): NutritionStatus {
  if (z < severe) return 'severe';
  if (z < moderate) return 'moderate';
  return 'normal';
}
