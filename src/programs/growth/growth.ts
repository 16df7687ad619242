// A child's growth from weight and length/height Observations: one point per measurement day with
// the WHO z-scores it allows — weight-for-age (underweight, nhẹ cân), length/height-for-age
// (stunting, thấp còi), weight-for-length/height (wasting, gầy còm; overweight, thừa cân).
import type { Observation } from '@medplum/fhirtypes';
import { LOINC } from '../codes.ts';
import { daysBetween, localDateOf, type IsoDate } from '../dates.ts';
import {
  lengthHeightForAgeZ,
  nutritionStatus,
  overweightStatus,
  weightForAgeZ,
  weightForLengthHeightZ,
  type MeasuredPosition,
  type NutritionStatus,
  type Sex,
  type WeightStatus,
} from './who-lms.ts';

export interface GrowthPoint {
  date: IsoDate;
  ageDays: number;
  weightKg?: number;
  heightCm?: number;
  /** How the length/height was measured, when the Observation says so. */
  position?: MeasuredPosition;
  weightForAgeZ?: number;
  heightForAgeZ?: number;
  weightForHeightZ?: number;
  /** Underweight (weight-for-age). */
  status?: NutritionStatus;
  /** Stunting (length/height-for-age). */
  stunting?: NutritionStatus;
  /** Wasting (weight-for-length/height). */
  wasting?: NutritionStatus;
  /** Overweight / obesity (weight-for-length/height). */
  overweight?: WeightStatus;
  observationId?: string;
  heightObservationId?: string;
}

/** LOINC body height standing; 8302-2 (body height) leaves the position open. */
const BODY_HEIGHT_STANDING = '8308-9';

function codesOf(o: Observation): string[] {
  return (o.code?.coding ?? []).map((c) => c.code ?? '');
}

function kilograms(o: Observation): number | undefined {
  const q = o.valueQuantity;
  if (q?.value === undefined) return undefined;
  const unit = (q.code ?? q.unit ?? 'kg').toLowerCase();
  if (unit === 'g') return q.value / 1000;
  return unit === 'kg' ? q.value : undefined;
}

function centimetres(o: Observation): number | undefined {
  const q = o.valueQuantity;
  if (q?.value === undefined) return undefined;
  const unit = (q.code ?? q.unit ?? 'cm').toLowerCase();
  if (unit === 'm') return q.value * 100;
  if (unit === 'mm') return q.value / 10;
  return unit === 'cm' ? q.value : undefined;
}

interface Measured<T> {
  value: T;
  id?: string;
  position?: MeasuredPosition;
}

const round2 = (z: number) => Math.round(z * 100) / 100;

export function growthPoints(sex: Sex | undefined, birthDate: IsoDate, observations: readonly Observation[]): GrowthPoint[] {
  const weights = new Map<IsoDate, Measured<number>>();
  const heights = new Map<IsoDate, Measured<number>>();
  for (const o of observations) {
    if (o.status === 'entered-in-error') continue;
    const date = localDateOf(o.effectiveDateTime ?? o.effectivePeriod?.start);
    if (!date || daysBetween(birthDate, date) < 0) continue;
    const codes = codesOf(o);
    // Later entries of a day replace earlier ones (a corrected measurement is stored after).
    if (codes.includes(LOINC.bodyWeight)) {
      const kg = kilograms(o);
      if (kg !== undefined) weights.set(date, { value: kg, ...(o.id ? { id: o.id } : {}) });
    } else if (codes.some((c) => c === LOINC.bodyHeight || c === LOINC.bodyLength || c === BODY_HEIGHT_STANDING)) {
      const cm = centimetres(o);
      const position: MeasuredPosition | undefined = codes.includes(LOINC.bodyLength) ? 'lying' : codes.includes(BODY_HEIGHT_STANDING) ? 'standing' : undefined;
      if (cm !== undefined) heights.set(date, { value: cm, ...(o.id ? { id: o.id } : {}), ...(position ? { position } : {}) });
    }
  }
  const dates = [...new Set([...weights.keys(), ...heights.keys()])].sort();
  return dates.map((date) => {
    const ageDays = daysBetween(birthDate, date);
    const w = weights.get(date);
    const h = heights.get(date);
    const point: GrowthPoint = { date, ageDays };
    if (w) {
      point.weightKg = w.value;
      if (w.id) point.observationId = w.id;
    }
    if (h) {
      point.heightCm = h.value;
      if (h.position) point.position = h.position;
      if (h.id) point.heightObservationId = h.id;
    }
    if (!sex) return point;
    const wfa = w ? weightForAgeZ(sex, ageDays, w.value) : undefined;
    if (wfa !== undefined) {
      point.weightForAgeZ = round2(wfa);
      point.status = nutritionStatus(wfa);
    }
    const hfa = h ? lengthHeightForAgeZ(sex, ageDays, h.value, h.position) : undefined;
    if (hfa !== undefined) {
      point.heightForAgeZ = round2(hfa);
      point.stunting = nutritionStatus(hfa);
    }
    const wfh = w && h ? weightForLengthHeightZ(sex, ageDays, h.value, w.value, h.position) : undefined;
    if (wfh !== undefined) {
      point.weightForHeightZ = round2(wfh);
      point.wasting = nutritionStatus(wfh);
      point.overweight = overweightStatus(wfh);
    }
    return point;
  });
}
