// A small, fixed demo record set: two facilities of Lâm Đồng and a family whose records show
// every kind of entry (episode, diagnoses, blood-pressure series, vaccinations, allergy,
// discharge summary). Ids are fixed so that the demo is the same on every machine.
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { CodeSystem, Extension, IdentifierSystem } from '../fhir/systems.ts';

function bp(id: string, patient: string, date: string, sys: number, dia: number): Resource {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    category: [{ coding: [{ system: CodeSystem.observationCategory, code: 'vital-signs', display: 'Dấu hiệu sinh tồn' }] }],
    code: { coding: [{ system: CodeSystem.loinc, code: '85354-9', display: 'Huyết áp' }], text: 'Huyết áp' },
    subject: { reference: `Patient/${patient}` },
    effectiveDateTime: date,
    performer: [{ reference: 'Organization/demo-tyt-duc-trong' }],
    component: [
      { code: { coding: [{ system: CodeSystem.loinc, code: '8480-6', display: 'Huyết áp tâm thu' }] }, valueQuantity: { value: sys, unit: 'mmHg', system: CodeSystem.ucum, code: 'mm[Hg]' } },
      { code: { coding: [{ system: CodeSystem.loinc, code: '8462-4', display: 'Huyết áp tâm trương' }] }, valueQuantity: { value: dia, unit: 'mmHg', system: CodeSystem.ucum, code: 'mm[Hg]' } },
    ],
  } as Resource;
}

export function buildDemoBundle(province: string, commune = '24820'): Bundle {
  const address = (text: string) => [
    {
      use: 'home' as const,
      text,
      extension: [
        { url: Extension.addressCommune, valueCode: commune },
        { url: Extension.addressProvince, valueCode: province },
      ],
    },
  ];
  const resources: Resource[] = [
    {
      resourceType: 'Organization',
      id: 'demo-bv-da-khoa-tinh',
      identifier: [{ system: IdentifierSystem.facilityCode, value: '68001' }],
      active: true,
      type: [{ coding: [{ system: CodeSystem.facilityType, code: 'benh-vien', display: 'Bệnh viện' }] }],
      name: 'Bệnh viện Đa khoa tỉnh Lâm Đồng (mẫu)',
    },
    {
      resourceType: 'Organization',
      id: 'demo-tyt-duc-trong',
      identifier: [{ system: IdentifierSystem.facilityCode, value: '68120' }],
      active: true,
      type: [{ coding: [{ system: CodeSystem.facilityType, code: 'tram-y-te', display: 'Trạm y tế xã' }] }],
      name: 'Trạm Y tế xã Đức Trọng (mẫu)',
    },
    {
      resourceType: 'Patient',
      id: 'demo-nguyen-van-an',
      identifier: [
        { system: IdentifierSystem.cccd, value: '068065001234' },
        { system: IdentifierSystem.bhytCard, value: 'HT3680123456789' },
      ],
      name: [{ text: 'Nguyễn Văn An', family: 'Nguyễn', given: ['Văn', 'An'] }],
      gender: 'male',
      birthDate: '1965-03-12',
      telecom: [{ system: 'phone', value: '0912345678', use: 'mobile' }],
      address: address('Thôn 2, xã Đức Trọng, tỉnh Lâm Đồng'),
      managingOrganization: { reference: 'Organization/demo-tyt-duc-trong' },
    },
    {
      resourceType: 'Patient',
      id: 'demo-tran-thi-binh',
      identifier: [
        { system: IdentifierSystem.cccd, value: '068168004321' },
        { system: IdentifierSystem.bhytCard, value: 'GD4680987654321' },
      ],
      name: [{ text: 'Trần Thị Bình', family: 'Trần', given: ['Thị', 'Bình'] }],
      gender: 'female',
      birthDate: '1968-07-20',
      telecom: [{ system: 'phone', value: '0987654321', use: 'mobile' }],
      address: address('Thôn 2, xã Đức Trọng, tỉnh Lâm Đồng'),
    },
    {
      resourceType: 'Patient',
      id: 'demo-nguyen-minh-khoa',
      identifier: [{ system: IdentifierSystem.bhytCard, value: 'TE1680555666777' }],
      name: [{ text: 'Nguyễn Minh Khoa', family: 'Nguyễn', given: ['Minh', 'Khoa'] }],
      gender: 'male',
      birthDate: '2021-11-02',
      address: address('Thôn 2, xã Đức Trọng, tỉnh Lâm Đồng'),
    },
    {
      resourceType: 'RelatedPerson',
      id: 'demo-khoa-mother',
      patient: { reference: 'Patient/demo-nguyen-minh-khoa' },
      relationship: [{ coding: [{ system: CodeSystem.v3RoleCode, code: 'MTH', display: 'Mẹ' }] }],
      name: [{ text: 'Trần Thị Bình', family: 'Trần', given: ['Thị', 'Bình'] }],
    },
    {
      resourceType: 'Encounter',
      id: 'demo-episode-1',
      identifier: [{ system: 'http://fhir.hssk.vn/sid/ma-lk/68001', value: 'DEMO-LK-0001' }],
      status: 'finished',
      class: { system: CodeSystem.v3ActCode, code: 'IMP', display: 'Nội trú' },
      subject: { reference: 'Patient/demo-nguyen-van-an' },
      serviceProvider: { reference: 'Organization/demo-bv-da-khoa-tinh' },
      period: { start: '2025-09-03T08:15:00+07:00', end: '2025-09-08T10:00:00+07:00' },
    },
    {
      resourceType: 'Condition',
      id: 'demo-condition-i10',
      clinicalStatus: { coding: [{ system: CodeSystem.conditionClinical, code: 'active' }] },
      category: [{ coding: [{ system: CodeSystem.conditionCategory, code: 'encounter-diagnosis' }] }],
      code: { coding: [{ system: CodeSystem.icd10, code: 'I10', display: 'Bệnh lý tăng huyết áp vô căn (nguyên phát)' }], text: 'Tăng huyết áp' },
      subject: { reference: 'Patient/demo-nguyen-van-an' },
      encounter: { reference: 'Encounter/demo-episode-1' },
      recordedDate: '2025-09-03',
    },
    bp('demo-bp-1', 'demo-nguyen-van-an', '2025-09-03T08:30:00+07:00', 168, 98),
    bp('demo-bp-2', 'demo-nguyen-van-an', '2025-10-05T09:00:00+07:00', 150, 92),
    bp('demo-bp-3', 'demo-nguyen-van-an', '2025-11-06T09:10:00+07:00', 138, 86),
    {
      resourceType: 'AllergyIntolerance',
      id: 'demo-allergy-penicillin',
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
      category: ['medication'],
      code: { text: 'Penicillin' },
      patient: { reference: 'Patient/demo-nguyen-van-an' },
    },
    {
      resourceType: 'Immunization',
      id: 'demo-imm-bcg',
      status: 'completed',
      vaccineCode: { text: 'BCG (phòng lao)' },
      patient: { reference: 'Patient/demo-nguyen-minh-khoa' },
      occurrenceDateTime: '2021-11-03',
      performer: [{ actor: { reference: 'Organization/demo-tyt-duc-trong' } }],
    },
    {
      resourceType: 'Immunization',
      id: 'demo-imm-5in1-1',
      status: 'completed',
      vaccineCode: { text: 'DPT-VGB-Hib (5 trong 1) mũi 1' },
      patient: { reference: 'Patient/demo-nguyen-minh-khoa' },
      occurrenceDateTime: '2022-01-04',
      protocolApplied: [{ doseNumberPositiveInt: 1 }],
      performer: [{ actor: { reference: 'Organization/demo-tyt-duc-trong' } }],
    },
    {
      resourceType: 'Composition',
      id: 'demo-discharge-summary-1',
      status: 'final',
      type: { coding: [{ system: CodeSystem.loinc, code: '18842-5', display: 'Tóm tắt ra viện' }] },
      subject: { reference: 'Patient/demo-nguyen-van-an' },
      encounter: { reference: 'Encounter/demo-episode-1' },
      date: '2025-09-08T10:00:00+07:00',
      author: [{ reference: 'Organization/demo-bv-da-khoa-tinh' }],
      title: 'Giấy ra viện (dữ liệu mẫu)',
      section: [
        { title: 'Chẩn đoán', text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Tăng huyết áp (I10)</div>' } },
        { title: 'Lời dặn', text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Uống thuốc đều, ăn nhạt, tái khám sau 1 tháng.</div>' } },
      ],
    },
  ];
  return { resourceType: 'Bundle', type: 'collection', entry: resources.map((resource) => ({ resource })) };
}
