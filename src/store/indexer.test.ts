import type { Appointment, Patient } from '@medplum/fhirtypes';
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

  it('store a name once per part: family and given names under their own parameters, the rest under name', () => {
    const patient: Patient = {
      resourceType: 'Patient',
      id: 'p1',
      name: [{ text: 'Nguyễn Văn An', family: 'Nguyễn', given: ['Văn', 'An'] }],
      address: [{ text: 'Thôn 1, Xã Nam Thành', city: 'Xã Nam Thành', country: 'VN' }],
    };
    const rows = extractIndex(patient).rows.string;
    const under = (code: string) => {
      const param = getSearchParam('Patient', code)!;
      return rows.filter(([p]) => p === param.key).map(([, , raw]) => raw).sort();
    };
    const searchedAs = (code: string) => {
      const keys = getSearchParam('Patient', code)!.storedKeys;
      return [...new Set(rows.filter(([p]) => keys.includes(p)).map(([, , raw]) => raw))].sort();
    };
    expect(under('name')).toEqual(['Nguyễn Văn An', 'Văn An', 'Văn An Nguyễn']);
    expect(under('family')).toEqual(['Nguyễn']);
    expect(under('given')).toEqual(['An', 'Văn']);
    expect(searchedAs('name')).toEqual(['An', 'Nguyễn', 'Nguyễn Văn An', 'Văn', 'Văn An', 'Văn An Nguyễn']);
    expect(under('address')).toEqual(['Thôn 1, Xã Nam Thành', 'Xã Nam Thành, VN']);
    expect(searchedAs('address')).toEqual(['Thôn 1, Xã Nam Thành', 'VN', 'Xã Nam Thành', 'Xã Nam Thành, VN']);
  });
});
