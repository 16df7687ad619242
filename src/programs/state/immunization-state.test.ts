import { describe, expect, it } from 'vitest';
import type { Immunization } from '@medplum/fhirtypes';
import { ProgramSystem } from '../codes.ts';
import { immunizationState } from './immunization-state.ts';
import type { ResidentRecord } from './types.ts';

const INFANT_DOSES: Array<[string, string]> = [
  ['VGB', '2018-01-01'], ['BCG', '2018-01-10'],
  ['DPT-VGB-Hib', '2018-03-01'], ['OPV', '2018-03-01'], ['DPT-VGB-Hib', '2018-04-01'], ['OPV', '2018-04-01'],
  ['DPT-VGB-Hib', '2018-05-01'], ['OPV', '2018-05-01'], ['IPV', '2018-06-01'], ['IPV', '2018-10-01'], ['SOI', '2018-10-01'],
  ['MR', '2019-07-01'], ['DPT', '2019-07-01'], ['VNNB', '2019-01-02'], ['VNNB', '2019-01-16'], ['VNNB', '2020-01-16'],
];

function child(birthDate: string, doses: Array<[string, string]>): ResidentRecord {
  return {
    patient: { resourceType: 'Patient', id: 'c1', birthDate, gender: 'male' },
    immunizations: doses.map(([code, date]): Immunization => ({
      resourceType: 'Immunization', status: 'completed', vaccineCode: { coding: [{ system: ProgramSystem.vaccine, code }] }, patient: { reference: 'Patient/c1' }, occurrenceDateTime: date,
    })),
    conditions: [], observations: [], encounters: [], episodes: [], flags: [],
  };
}

const ctx = (asOf: string) => ({ asOf, stationOf: () => undefined });
const series = (items: { detail?: Record<string, unknown> }[]) => items.map((i) => i.detail?.series);

describe('the Td booster at 7 years (TT 10/2024)', () => {
  it('a child of seven with every infant dose is due for Td, and nothing else', () => {
    const state = immunizationState(child('2018-01-01', INFANT_DOSES), ctx('2025-01-10'), undefined);
    expect(series(state.worklist)).toEqual(['td-7y']);
  });

  it('a child of six without records is not listed for infant catch-up doses past the infant programme', () => {
    const state = immunizationState(child('2019-01-01', []), ctx('2025-03-01'), undefined);
    expect(state.worklist).toEqual([]);
  });

  it('once the booster is given, or past ten years of age, nothing is forecast', () => {
    expect(immunizationState(child('2018-01-01', [...INFANT_DOSES, ['UV', '2025-01-20']]), ctx('2025-02-01'), undefined).worklist).toEqual([]);
    expect(immunizationState(child('2014-01-01', INFANT_DOSES), ctx('2025-02-01'), undefined).worklist).toEqual([]);
  });
});
