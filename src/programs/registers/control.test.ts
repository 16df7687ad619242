import { describe, expect, it } from 'vitest';
import type { Observation } from '@medplum/fhirtypes';
import { alertReadings, controlStatus } from './control.ts';
import { icdInRanges, programme, programmes, programmesForIcd } from './programmes.ts';

const bp = (date: string, sys: number, dia: number): Observation => ({
  resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] }, effectiveDateTime: date,
  component: [
    { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: sys, unit: 'mm[Hg]', code: 'mm[Hg]' } },
    { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: dia, unit: 'mm[Hg]', code: 'mm[Hg]' } },
  ],
});
const hba1c = (date: string, value: number, unit = '%'): Observation => ({
  resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '4548-4' }] }, effectiveDateTime: date, valueQuantity: { value, unit, code: unit },
});

describe('register definitions', () => {
  it('enrol from the ICD-10 ranges I10–I15 and E10–E14 in any written form', () => {
    expect(programmesForIcd('I10').map((p) => p.code)).toEqual(['hypertension']);
    expect(programmesForIcd('i11.9').map((p) => p.code)).toEqual(['hypertension']);
    expect(programmesForIcd('E11.65').map((p) => p.code)).toEqual(['diabetes']);
    expect(programmesForIcd('E15')).toEqual([]);
    expect(programmesForIcd('I16')).toEqual([]);
    expect(icdInRanges('G40.3', ['F20-F29', 'G40'])).toBe(true);
  });

  it('are data: every programme has a follow-up interval and a lost-to-follow-up threshold', () => {
    for (const p of programmes()) expect(p.lostAfterDays).toBeGreaterThan(p.followUpDays);
  });
});

describe('control status', () => {
  const htn = programme('hypertension')!;
  const dm = programme('diabetes')!;
  it('blood pressure is controlled under 140/90 on the latest reading', () => {
    expect(controlStatus(htn, [bp('2025-01-01', 150, 95), bp('2025-02-01', 132, 84)], '2025-03-01').status).toBe('controlled');
    expect(controlStatus(htn, [bp('2025-02-01', 132, 84), bp('2025-02-20', 141, 80)], '2025-03-01').status).toBe('uncontrolled');
    expect(controlStatus(htn, [bp('2025-02-01', 139, 90)], '2025-03-01').status).toBe('uncontrolled');
  });

  it('HbA1c under 7% is controlled; IFCC mmol/mol is converted', () => {
    expect(controlStatus(dm, [hba1c('2025-02-01', 6.8)], '2025-03-01').status).toBe('controlled');
    expect(controlStatus(dm, [hba1c('2025-02-01', 58, 'mmol/mol')], '2025-03-01').status).toBe('uncontrolled');
  });

  it('without a reading in the last six months the status is unknown', () => {
    expect(controlStatus(htn, [bp('2024-01-01', 120, 80)], '2025-03-01').status).toBe('unknown');
    expect(controlStatus(htn, [], '2025-03-01').status).toBe('unknown');
  });

  it('a reading of 180/120 or more is an alert', () => {
    expect(alertReadings(programmes(), bp('2025-03-01', 185, 100)).map((a) => a.measure.code)).toEqual(['systolic']);
    expect(alertReadings(programmes(), bp('2025-03-01', 170, 110))).toEqual([]);
  });
});
