import type { Encounter, Observation, Patient } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { Extension } from '../fhir/systems.ts';
import { diagnosisIds, episodeFact, fullDate, personFact, vietnamMonth } from './extract.ts';
import { measurementOf, programmeOfIcd } from './ncd.ts';
import { epiVaccineOf } from './vaccines.ts';

describe('facts read from resources', () => {
  it('a year-only birth date is the 1st of January; a month-only one the 1st of the month', () => {
    expect(fullDate('1960')).toBe('1960-01-01');
    expect(fullDate('1960-05')).toBe('1960-05-01');
    expect(fullDate(undefined)).toBeNull();
  });

  it('an episode at 23:30 on 31 March in Vietnam counts in March', () => {
    expect(vietnamMonth('2025-03-31T23:30:00+07:00')).toBe('2025-03-01');
    expect(vietnamMonth('2025-03-31T17:30:00Z')).toBe('2025-04-01');
  });

  it('the main diagnosis is the one of lowest rank, and an admitted stay is inpatient', () => {
    const e: Encounter = {
      resourceType: 'Encounter', status: 'finished', class: { code: 'IMP' }, period: { start: '2025-02-01T08:00:00+07:00' },
      diagnosis: [{ condition: { reference: 'Condition/b' }, rank: 2 }, { condition: { reference: 'Condition/a' }, rank: 1 }],
    };
    expect(diagnosisIds(e)).toEqual(['a', 'b']);
    const fact = episodeFact({ rid: '1', patientId: 'p', facility: '68001', lastUpdated: '2025-02-02T00:00:00Z' }, e, 'J18.9');
    expect(fact).toMatchObject({ care: 'inpatient', chapter: 'X', month: '2025-02-01' });
  });

  it('a merged record does not count as a resident; a verified one does', () => {
    const p: Patient = {
      resourceType: 'Patient', gender: 'female', birthDate: '1990',
      address: [{ extension: [{ url: Extension.addressCommune, valueCode: '22918' }] }],
      extension: [{ url: Extension.populationVerification, extension: [{ url: 'result', valueCode: 'match' }] }],
    };
    expect(personFact('x', p, '2026-07-01')).toMatchObject({ commune: '22918', verified: true, active: true, birthDate: '1990-01-01' });
    expect(personFact('x', { ...p, link: [{ type: 'replaced-by', other: { reference: 'Patient/y' } }] }, '2026-07-01').active).toBe(false);
  });
});

describe('programme definitions', () => {
  it('I10–I15 is hypertension and E10–E14 diabetes, nothing else', () => {
    expect(programmeOfIcd('I11.9')).toBe('hypertension');
    expect(programmeOfIcd('E119')).toBe('diabetes');
    expect(programmeOfIcd('I20')).toBeUndefined();
  });

  it('blood pressure 139/89 is controlled, 140/80 is not; HbA1c 54 mmol/mol (7.1%) is not under 7%', () => {
    const bp = (sys: number, dia: number): Observation => ({
      resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] },
      component: [
        { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: sys } },
        { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: dia } },
      ],
    });
    expect(measurementOf(bp(139, 89))?.controlled).toBe(true);
    expect(measurementOf(bp(140, 80))?.controlled).toBe(false);
    const a1c: Observation = { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '4548-4' }] }, valueQuantity: { value: 54, unit: 'mmol/mol' } };
    expect(measurementOf(a1c)?.controlled).toBe(false);
  });

  it('a pentavalent dose given with a CVX code is a DPT-VGB-Hib dose', () => {
    expect(epiVaccineOf([{ system: 'http://hl7.org/fhir/sid/cvx', code: '198' }])).toBe('DPT-VGB-Hib');
  });
});
