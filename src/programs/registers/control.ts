// Control status of a register member from the latest readings of the programme's measures:
// controlled when every measure read within the look-back meets its target, uncontrolled when
// one does not, unknown without readings. Blood pressure arrives as a panel (85354-9) with
// systolic/diastolic components, or as separate Observations; both are read.
import type { Observation } from '@medplum/fhirtypes';
import { addDays, localDateOf, type IsoDate } from '../dates.ts';
import type { Measure, Programme } from './programmes.ts';

export type ControlStatus = 'controlled' | 'uncontrolled' | 'unknown';

export interface Reading {
  measure: string;
  value: number;
  unit: string;
  date: IsoDate;
  observationId?: string;
}

export interface ControlResult {
  status: ControlStatus;
  readings: Reading[];
}

function codes(coding: { code?: string }[] | undefined): string[] {
  return (coding ?? []).map((c) => c.code ?? '');
}

function toUnit(measure: Measure, value: number, unit: string | undefined): number | undefined {
  const u = (unit ?? measure.unit).trim();
  if (u === measure.unit || u === '') return value;
  if (measure.unit === '%' && u === 'mmol/mol') return value / 10.929 + 2.15;
  if (measure.unit === 'mmol/L' && u === 'mg/dL') return value / 18;
  if (measure.unit === 'mm[Hg]' && u.toLowerCase() === 'mmhg') return value;
  return undefined;
}

/** Every value of `measure` in the observations, newest first. */
export function readingsOf(measure: Measure, observations: readonly Observation[]): Reading[] {
  const wanted = new Set([measure.loinc, ...(measure.alternateLoinc ?? [])]);
  const out: Reading[] = [];
  for (const o of observations) {
    if (o.status === 'entered-in-error' || o.status === 'cancelled') continue;
    const date = localDateOf(o.effectiveDateTime ?? o.effectivePeriod?.start ?? o.issued);
    if (!date) continue;
    const push = (q: { value?: number; unit?: string; code?: string } | undefined) => {
      if (q?.value === undefined) return;
      const v = toUnit(measure, q.value, q.code ?? q.unit);
      if (v !== undefined) out.push({ measure: measure.code, value: v, unit: measure.unit, date, ...(o.id ? { observationId: o.id } : {}) });
    };
    if (codes(o.code?.coding).some((c) => wanted.has(c))) push(o.valueQuantity);
    for (const comp of o.component ?? []) if (codes(comp.code?.coding).some((c) => wanted.has(c))) push(comp.valueQuantity);
  }
  return out.sort((a, b) => b.date.localeCompare(a.date));
}

function meets(measure: Measure, value: number): boolean {
  return measure.comparator === '<' ? value < measure.target : value <= measure.target;
}

export function controlStatus(programme: Programme, observations: readonly Observation[], asOf: IsoDate): ControlResult {
  const since = addDays(asOf, -programme.controlLookbackDays);
  const latest = new Map<string, Reading>();
  for (const m of programme.measures) {
    const r = readingsOf(m, observations).find((x) => x.date >= since && x.date <= asOf);
    if (r) latest.set(m.code, r);
  }
  const counted = programme.measures.filter((m) => latest.has(m.code) && !(m.controlOnlyWithout && latest.has(m.controlOnlyWithout)));
  if (counted.length === 0) return { status: 'unknown', readings: [...latest.values()] };
  const ok = counted.every((m) => meets(m, latest.get(m.code)!.value));
  return { status: ok ? 'controlled' : 'uncontrolled', readings: [...latest.values()] };
}

/** Readings at or above a measure's alert threshold (e.g. BP ≥ 180/120). */
export function alertReadings(programmesList: readonly Programme[], observation: Observation): { programme: Programme; measure: Measure; reading: Reading }[] {
  const out: { programme: Programme; measure: Measure; reading: Reading }[] = [];
  for (const p of programmesList) {
    for (const m of p.measures) {
      if (m.alertAtOrAbove === undefined) continue;
      for (const r of readingsOf(m, [observation])) if (r.value >= m.alertAtOrAbove) out.push({ programme: p, measure: m, reading: r });
    }
  }
  return out;
}
