// A child's growth from weight Observations: each measurement with its weight-for-age z-score,
// and the malnutrition flag (underweight, suy dinh dưỡng thể nhẹ cân) of the latest one.
import type { Observation } from '@medplum/fhirtypes';
import { LOINC } from '../codes.ts';
import { daysBetween, localDateOf, type IsoDate } from '../dates.ts';
import { nutritionStatus, weightForAgeZ, type NutritionStatus, type Sex } from './who-lms.ts';

export interface GrowthPoint {
  date: IsoDate;
  ageDays: number;
  weightKg: number;
  weightForAgeZ?: number;
  status?: NutritionStatus;
  observationId?: string;
}

function kilograms(o: Observation): number | undefined {
  const q = o.valueQuantity;
  if (q?.value === undefined) return undefined;
  const unit = (q.code ?? q.unit ?? 'kg').toLowerCase();
  if (unit === 'g') return q.value / 1000;
  return unit === 'kg' ? q.value : undefined;
}

function hasCode(o: Observation, code: string): boolean {
  return (o.code?.coding ?? []).some((c) => c.code === code);
}

export function growthPoints(sex: Sex | undefined, birthDate: IsoDate, observations: readonly Observation[]): GrowthPoint[] {
  const points: GrowthPoint[] = [];
  for (const o of observations) {
    if (o.status === 'entered-in-error' || !hasCode(o, LOINC.bodyWeight)) continue;
    const date = localDateOf(o.effectiveDateTime ?? o.effectivePeriod?.start);
    const kg = kilograms(o);
    if (!date || kg === undefined) continue;
    const ageDays = daysBetween(birthDate, date);
    if (ageDays < 0) continue;
    const z = sex ? weightForAgeZ(sex, ageDays, kg) : undefined;
    points.push({
      date,
      ageDays,
      weightKg: kg,
      ...(z !== undefined ? { weightForAgeZ: Math.round(z * 100) / 100, status: nutritionStatus(z) } : {}),
      ...(o.id ? { observationId: o.id } : {}),
    });
  }
  return points.sort((a, b) => a.date.localeCompare(b.date));
}
