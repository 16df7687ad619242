import type { Appointment } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { getSearchParam } from '../fhir/search-parameters.ts';
import { extractIndex } from './indexer.ts';

describe('index rows of a resource', () => {
  it('hold a token once per parameter even when the resource repeats it, and keep the different ones', () => {
    const appointment: Appointment = {
      resourceType: 'Appointment',
      id: 'a1',
      status: 'booked',
      participant: [
        { actor: { reference: 'Patient/p1' }, status: 'accepted' },
        { actor: { reference: 'Practitioner/d1' }, status: 'accepted' },
        { actor: { display: 'Cơ sở 68001' }, status: 'accepted' },
        { actor: { reference: 'Practitioner/d2' }, status: 'tentative' },
      ],
    };
    const key = getSearchParam('Appointment', 'part-status')!.key;
    const rows = extractIndex(appointment).rows.token.filter(([p]) => p === key);
    expect(rows.map(([, , code]) => code).sort()).toEqual(['accepted', 'tentative']);
  });
});
