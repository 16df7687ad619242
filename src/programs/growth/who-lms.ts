// WHO Child Growth Standards (2006) z-scores by the LMS method. Weight-based indicators use WHO's
// restricted application beyond ±3 SD (distances measured in the SD23 unit, as the WHO Anthro
// software does); length/height-for-age is normally distributed (L = 1) and is not restricted.
// Tables are data (data/programs/who-*-lms.csv); between tabulated ages or lengths L, M and S are
// interpolated linearly.
import { readProgramCsv } from '../data-files.ts';

export type Sex = 'male' | 'female';
export type Indicator = 'weight-for-age' | 'length-height-for-age' | 'weight-for-length' | 'weight-for-height';
/** How a child's length/height was measured: lying (recumbent length) or standing (height). */
export type MeasuredPosition = 'lying' | 'standing';

interface LmsRow {
  x: number;
  l: number;
  m: number;
  s: number;
}

const TABLE_FILES: Record<Indicator, { file: string; x: string }> = {
  'weight-for-age': { file: 'who-wfa-lms.csv', x: 'day' },
  'length-height-for-age': { file: 'who-lhfa-lms.csv', x: 'day' },
  'weight-for-length': { file: 'who-wfl-lms.csv', x: 'cm' },
  'weight-for-height': { file: 'who-wfh-lms.csv', x: 'cm' },
};

/** WHO: recumbent length below 731 days (24 months), standing height from 731 days on. */
export const HEIGHT_FROM_DAY = 731;
/** Age limit of the standards: under 60 completed months (the tables end at day 1826). */
export const MAX_AGE_DAYS = 1826;
/** Standing height is on average 0.7 cm less than recumbent length (WHO MGRS). */
const LYING_STANDING_CM = 0.7;

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

/** The plain LMS z-score, without the restriction beyond ±3 SD. */
export function plainZ(lms: LmsRow, value: number): number {
  return lms.l === 0 ? Math.log(value / lms.m) / lms.s : (Math.pow(value / lms.m, lms.l) - 1) / (lms.l * lms.s);
}

/** The LMS z-score with WHO's restriction beyond ±3 SD (weight-based indicators). */
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
  if (!(weightKg > 0)) return undefined;
  const lms = lmsAt('weight-for-age', sex, ageDays);
  return lms ? zScoreFromLms(lms, weightKg) : undefined;
}

/**
 * The length/height the standards expect at this age: WHO adds 0.7 cm to a standing height taken
 * before 731 days and subtracts 0.7 cm from a lying length taken from 731 days on. Without the
 * position, the measurement is taken to match the age.
 */
export function standardisedLengthHeight(ageDays: number, cm: number, position?: MeasuredPosition): number {
  if (ageDays < HEIGHT_FROM_DAY && position === 'standing') return cm + LYING_STANDING_CM;
  if (ageDays >= HEIGHT_FROM_DAY && position === 'lying') return cm - LYING_STANDING_CM;
  return cm;
}

/** Length/height-for-age z-score (age in completed days, 0–1826), or undefined outside the standards. */
export function lengthHeightForAgeZ(sex: Sex, ageDays: number, cm: number, position?: MeasuredPosition): number | undefined {
  if (!(cm > 0) || ageDays < 0 || ageDays > MAX_AGE_DAYS) return undefined;
  const lms = lmsAt('length-height-for-age', sex, Math.floor(ageDays));
  return lms ? plainZ(lms, standardisedLengthHeight(ageDays, cm, position)) : undefined;
}

/**
 * Weight-for-length (under 731 days, 45–110 cm) or weight-for-height (from 731 days, 65–120 cm)
 * z-score, after the same 0.7 cm adjustment. Without an age WHO chooses by the position, or by
 * the measurement itself (lying below 87 cm).
 */
export function weightForLengthHeightZ(sex: Sex, ageDays: number | undefined, cm: number, weightKg: number, position?: MeasuredPosition): number | undefined {
  if (!(cm > 0) || !(weightKg > 0)) return undefined;
  if (ageDays !== undefined && (ageDays < 0 || ageDays > MAX_AGE_DAYS)) return undefined;
  const adjusted = ageDays === undefined ? cm : standardisedLengthHeight(ageDays, cm, position);
  const lying = ageDays !== undefined ? ageDays < HEIGHT_FROM_DAY : position !== undefined ? position === 'lying' : cm < 87;
  const lms = lmsAt(lying ? 'weight-for-length' : 'weight-for-height', sex, adjusted);
  return lms ? zScoreFromLms(lms, weightKg) : undefined;
}

export type NutritionStatus = 'normal' | 'moderate' | 'severe';

export function nutritionStatus(z: number, moderate = -2, severe = -3): NutritionStatus {
  if (z < severe) return 'severe';
  if (z < moderate) return 'moderate';
  return 'normal';
}

/** Weight-for-length/height above the standards: overweight (> +2 SD), obese (> +3 SD). */
export type WeightStatus = 'normal' | 'overweight' | 'obese';

export function overweightStatus(z: number, overweight = 2, obese = 3): WeightStatus {
  if (z > obese) return 'obese';
  if (z > overweight) return 'overweight';
  return 'normal';
}
