import type { Patient } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { residentWrite } from '../auth/resident-writes.ts';
import { addSelfReportedContact, hasSelfReportedTag, markSelfReported } from './self-reported.ts';
import { Extension, Tag } from './systems.ts';

const facilityPatient: Patient = {
  resourceType: 'Patient',
  id: 'p1',
  telecom: [{ system: 'phone', value: '+84 912 345 678', use: 'mobile' }],
  address: [{ use: 'home', text: 'Thôn 1', extension: [{ url: Extension.addressCommune, valueCode: '22924' }] }],
};

describe('self-reported contact details', () => {
  it('appends the resident’s phone after the facility’s, leaving the facility’s entry as it was', () => {
    const { patient, addedPhone } = addSelfReportedContact(facilityPatient, { phone: '0987654321' }, 'p1', '2026-11-24');
    expect(addedPhone).toBe(true);
    expect(patient.telecom?.[0]).toEqual(facilityPatient.telecom![0]);
    expect(patient.telecom?.[1]).toEqual({
      extension: [{ url: Extension.selfReported, valueReference: { reference: 'Patient/p1' } }],
      system: 'phone',
      value: '0987654321',
      use: 'mobile',
      period: { start: '2026-11-24' },
    });
  });

  it('does not add a number already on the record, however it was written there', () => {
    const { patient, addedPhone } = addSelfReportedContact(facilityPatient, { phone: '0912345678' }, 'p1', '2026-11-24');
    expect(addedPhone).toBe(false);
    expect(patient.telecom).toEqual(facilityPatient.telecom);
  });

  it('keeps the stated commune out of address-commune, which decides who looks after the record', () => {
    const address = { line: 'Số 5', communeCode: '22933', communeName: 'Phường Hàm Thắng', provinceName: 'Tỉnh Lâm Đồng' };
    const { patient } = addSelfReportedContact(facilityPatient, { address }, 'p1', '2026-11-24');
    const added = patient.address?.[1];
    expect(added?.text).toBe('Số 5, Phường Hàm Thắng, Tỉnh Lâm Đồng');
    expect(added?.extension?.some((e) => e.url === Extension.addressCommune)).toBe(false);
    expect(added?.extension).toContainEqual({ url: Extension.selfReportedCommune, valueCode: '22933' });
  });
});

describe('resident writes', () => {
  const allergy = { resourceType: 'AllergyIntolerance' as const, patient: { reference: 'Patient/p1' }, meta: { tag: [{ system: 'x', code: 'y' }] } };

  it('marks a new statement as the resident’s, keeping the client’s other tags', () => {
    const stored = residentWrite('p1', 'create', allergy, undefined)!;
    expect(hasSelfReportedTag(stored)).toBe(true);
    expect(stored.meta?.tag).toContainEqual({ system: 'x', code: 'y' });
    expect(stored.meta?.tag?.filter((t) => t.code === Tag.selfReported.code)).toHaveLength(1);
  });

  it('refuses to replace what a facility recorded, and any patch, delete or Patient write', () => {
    expect(() => residentWrite('p1', 'update', allergy, allergy)).toThrow(/cơ sở y tế/);
    expect(residentWrite('p1', 'update', allergy, markSelfReported(allergy, 'p1'))).toBeDefined();
    expect(() => residentWrite('p1', 'patch', undefined, undefined)).toThrow();
    expect(() => residentWrite('p1', 'delete', undefined, undefined)).toThrow();
    expect(() => residentWrite('p1', 'create', { resourceType: 'Patient' }, undefined)).toThrow(/\$add-contact/);
  });
});
