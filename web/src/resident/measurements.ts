// The resident's own measurements (C5, C6) as FHIR vital-sign Observations, and the safe ranges
// that raise an alert. The ranges are configuration, not code: change SAFE_RANGES to change them.
import type { Observation } from '@medplum/fhirtypes';
import { nowVn } from '../shared/format.ts';

export type Kind = 'bp' | 'glucose' | 'weight' | 'pulse' | 'steps';
export const KINDS: readonly Kind[] = ['bp', 'glucose', 'weight', 'pulse', 'steps'];

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';

export const CODES: Record<Kind, { code: string; display: string; unit: string; ucum: string }> = {
  bp: { code: '85354-9', display: 'Huyết áp', unit: 'mmHg', ucum: 'mm[Hg]' },
  glucose: { code: '2339-0', display: 'Đường huyết', unit: 'mmol/L', ucum: 'mmol/L' },
  weight: { code: '29463-7', display: 'Cân nặng', unit: 'kg', ucum: 'kg' },
  pulse: { code: '8867-4', display: 'Nhịp tim', unit: 'lần/phút', ucum: '/min' },
  steps: { code: '55423-8', display: 'Số bước chân', unit: 'bước', ucum: '{steps}' },
};
export const SYSTOLIC = '8480-6';
export const DIASTOLIC = '8462-4';

/** Plausible input (to catch typing slips), not medical limits. */
export const INPUT_LIMITS: Record<Kind, [number, number][]> = {
  bp: [
    [50, 300],
    [30, 200],
  ],
  glucose: [[1, 40]],
  weight: [[1, 300]],
  pulse: [[20, 250]],
  steps: [[0, 100_000]],
};

/** Readings at or beyond these tell the resident to seek care now (urgent), or soon (warning). */
export const SAFE_RANGES = {
  bp: { urgentSystolic: 180, urgentDiastolic: 120, warnSystolic: 140, warnDiastolic: 90, lowSystolic: 90, lowDiastolic: 60 },
  glucose: { urgentHigh: 16.7, urgentLow: 3.9, warnHigh: 11.1 },
  pulse: { urgentHigh: 120, urgentLow: 40, warnHigh: 100, warnLow: 50 },
};

export type Alert = { level: 'urgent' | 'warning'; advice: 'bpHigh' | 'bpRaised' | 'bpLow' | 'glucoseHigh' | 'glucoseLow' | 'glucoseRaised' | 'pulseAbnormal' | 'pulseRaised' };

export function assess(kind: Kind, values: number[]): Alert | undefined {
  if (kind === 'bp') {
    const [sys = 0, dia = 0] = values;
    const r = SAFE_RANGES.bp;
    if (sys >= r.urgentSystolic || dia >= r.urgentDiastolic) return { level: 'urgent', advice: 'bpHigh' };
    if (sys < r.lowSystolic || dia < r.lowDiastolic) return { level: 'warning', advice: 'bpLow' };
    if (sys >= r.warnSystolic || dia >= r.warnDiastolic) return { level: 'warning', advice: 'bpRaised' };
  }
  if (kind === 'glucose') {
    const v = values[0] ?? 0;
    const r = SAFE_RANGES.glucose;
    if (v >= r.urgentHigh) return { level: 'urgent', advice: 'glucoseHigh' };
    if (v <= r.urgentLow) return { level: 'urgent', advice: 'glucoseLow' };
    if (v >= r.warnHigh) return { level: 'warning', advice: 'glucoseRaised' };
  }
  if (kind === 'pulse') {
    const v = values[0] ?? 0;
    const r = SAFE_RANGES.pulse;
    if (v >= r.urgentHigh || v <= r.urgentLow) return { level: 'urgent', advice: 'pulseAbnormal' };
    if (v >= r.warnHigh || v <= r.warnLow) return { level: 'warning', advice: 'pulseRaised' };
  }
  return undefined;
}

/** Parses "5,6" or "5.6" (Vietnamese decimal comma, or a dot). */
export function parseNumber(text: string): number | undefined {
  const t = text.trim().replace(/\s/g, '').replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(t)) return undefined;
  return Number(t);
}

export function buildObservation(kind: Kind, values: number[], patientId: string, when = nowVn()): Observation {
  const c = CODES[kind];
  const subject = { reference: `Patient/${patientId}` };
  const quantity = (value: number) => ({ value, unit: c.unit, system: UCUM, code: c.ucum });
  const base: Observation = {
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs', display: 'Dấu hiệu sinh tồn' }] }],
    code: { coding: [{ system: LOINC, code: c.code, display: c.display }], text: c.display },
    subject,
    performer: [subject],
    effectiveDateTime: when,
  };
  if (kind === 'bp') {
    base.component = [
      { code: { coding: [{ system: LOINC, code: SYSTOLIC, display: 'Huyết áp tâm thu' }] }, valueQuantity: quantity(values[0]!) },
      { code: { coding: [{ system: LOINC, code: DIASTOLIC, display: 'Huyết áp tâm trương' }] }, valueQuantity: quantity(values[1]!) },
    ];
  } else base.valueQuantity = quantity(values[0]!);
  return base;
}

export function kindOf(o: Observation): Kind | undefined {
  const codes = o.code?.coding?.map((c) => c.code) ?? [];
  if (codes.includes('85354-9') || codes.includes('55284-4')) return 'bp';
  if (codes.some((c) => c === '2339-0' || c === '2345-7' || c === '15074-8')) return 'glucose';
  if (codes.some((c) => c === '29463-7' || c === '3141-9')) return 'weight';
  if (codes.includes('8867-4')) return 'pulse';
  if (codes.includes('55423-8')) return 'steps';
  return undefined;
}

export function valuesOf(o: Observation): number[] {
  if (kindOf(o) === 'bp') {
    const of = (code: string) => o.component?.find((c) => c.code?.coding?.some((x) => x.code === code))?.valueQuantity?.value;
    const sys = of(SYSTOLIC);
    const dia = of(DIASTOLIC);
    return sys !== undefined && dia !== undefined ? [sys, dia] : [];
  }
  return o.valueQuantity?.value !== undefined ? [o.valueQuantity.value] : [];
}

/** Whether the reading was entered by the resident (performer = the Patient). */
export function selfReported(o: Observation): boolean {
  return Boolean(o.performer?.some((p) => p.reference?.startsWith('Patient/')));
}
