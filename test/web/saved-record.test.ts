import type { Bundle, Patient } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { savedRecord } from '../../web/src/shared/saved-record.ts';

// The transaction-response of a new QĐ 831 form: its first entry answers for the Patient.
const response = (first: NonNullable<Bundle['entry']>[number]): Bundle => ({
  resourceType: 'Bundle',
  type: 'transaction-response',
  entry: [first, { response: { status: '201 Created', location: 'http://h/fhir/Observation/o1/_history/1' } }],
});

describe('where a saved QĐ 831 form leads', () => {
  it('a new record opens', () => {
    const r = response({ resource: { resourceType: 'Patient', id: 'p-new' }, response: { status: '201 Created', location: 'http://h/fhir/Patient/p-new/_history/1' } });
    expect(savedRecord(r, undefined)).toEqual({ kind: 'written', patientId: 'p-new' });
  });

  it('someone registered whose record the user may read: that record opens, marked as existing', () => {
    const r = response({ resource: { resourceType: 'Patient', id: 'p-old' }, response: { status: '200 OK', location: 'http://h/fhir/Patient/p-old/_history/4' } });
    expect(savedRecord(r, undefined)).toEqual({ kind: 'existing', patientId: 'p-old' });
  });

  it('someone registered whose record the user may not read: its id only, to ask for consent', () => {
    const r = response({
      response: {
        status: '200 OK',
        location: 'http://h/fhir/Patient/p-hidden',
        outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'duplicate', details: { text: 'Người này đã có hồ sơ' } }] },
      },
    });
    expect(savedRecord(r, undefined)).toEqual({ kind: 'existing-hidden', patientId: 'p-hidden' });
  });

  it('an edit of an existing record goes back to it, whatever the entries say', () => {
    const existing: Patient = { resourceType: 'Patient', id: 'p-edit' };
    expect(savedRecord(response({ response: { status: '200 OK' } }), existing)).toEqual({ kind: 'written', patientId: 'p-edit' });
  });

  it('an answer naming no Patient leads nowhere in particular', () => {
    expect(savedRecord({ resourceType: 'Bundle', type: 'transaction-response', entry: [] }, undefined)).toEqual({ kind: 'unknown' });
  });
});
