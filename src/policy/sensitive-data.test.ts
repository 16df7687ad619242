import type { Composition, Condition, DocumentReference, Immunization, MedicationRequest, Observation, Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import {
  EXCLUSION_LABELS,
  classifyCode,
  classifyDiagnosis,
  classifyMedication,
  classifyResource,
  classifyText,
} from './sensitive-data.ts';

/** Every listed code with its sub-codes, in dotted and undotted form. */
const HIV_CODES = ['B20', 'B20.0', 'B20.9', 'B21.1', 'B22.7', 'B23.0', 'B23.8', 'B24', 'Z21', 'R75', 'O98.7', 'Z20.6', 'Z11.4', 'Z71.7', 'Z83.0'];
const DRUG_CODES = [
  'F11', 'F11.2', 'F12.0', 'F13.3', 'F14.2', 'F15.5', 'F16.1', 'F18.2', 'F19.2', 'F19.9',
  'Z72.2', 'Z50.3', 'Z71.5', 'P96.1', 'P04.4', 'Z86.4', 'Z81.3',
  'T40.0', 'T40.1', 'T40.3', 'T40.5', 'T40.7', 'T40.8', 'T40.9', 'R78.1', 'R78.2', 'R78.3', 'R78.4',
];
const KEPT_CODES = [
  'B19', 'B19.1', 'B25', 'B18.1', 'F10', 'F10.2', 'F17', 'F17.2', 'F20', 'Z72.0', 'Z72.1', 'Z72.3', 'Z71.4', 'Z71.6',
  'Z20.5', 'Z11.3', 'Z83.1', 'O98.4', 'R74', 'R76', 'Z86.1', 'Z81.1', 'P96.2', 'P04.3', 'Z50.2', 'T40.2', 'T40.4', 'T40.6',
  'R78.0', 'R78.5', 'Z70', 'Z70.0', 'Z70.1', 'Z70.3', 'Z70.9', 'A50', 'A54.0', 'A64', 'J18.9', 'A15.0',
];

describe('classifyDiagnosis', () => {
  it.each(HIV_CODES)('excludes %s as HIV/AIDS in both code forms', (code) => {
    expect(classifyDiagnosis(code)).toBe('hiv');
    expect(classifyDiagnosis(code.replace('.', ''))).toBe('hiv');
  });
  it.each(DRUG_CODES)('excludes %s as drug use in both code forms', (code) => {
    expect(classifyDiagnosis(code)).toBe('drug-use');
    expect(classifyDiagnosis(code.replace('.', ''))).toBe('drug-use');
  });
  it('excludes Z72.5 (high-risk sexual behaviour) as sex work', () => {
    expect(classifyDiagnosis('Z72.5')).toBe('sex-work');
    expect(classifyDiagnosis('Z725')).toBe('sex-work');
  });
  it.each(KEPT_CODES)('keeps %s, a near miss', (code) => {
    expect(classifyDiagnosis(code)).toBeUndefined();
    expect(classifyDiagnosis(code.replace('.', ''))).toBeUndefined();
  });
  it('accepts lower case, spaces and dagger/asterisk marks', () => {
    expect(classifyDiagnosis('b20')).toBe('hiv');
    expect(classifyDiagnosis(' B 20.1 ')).toBe('hiv');
    expect(classifyDiagnosis('b20.1')).toBe('hiv');
    expect(classifyDiagnosis('B20.1†')).toBe('hiv');
    expect(classifyDiagnosis('f11.2 ')).toBe('drug-use');
  });
  it('checks every code of a semicolon-separated list (MA_BENH_KT)', () => {
    expect(classifyDiagnosis('J18.9;E11;B20.7')).toBe('hiv');
    expect(classifyDiagnosis('J18.9; E11')).toBeUndefined();
  });
  it('ignores empty and non-code input', () => {
    expect(classifyDiagnosis('')).toBeUndefined();
    expect(classifyDiagnosis('HIV')).toBeUndefined();
    expect(classifyDiagnosis('20')).toBeUndefined();
  });
});

describe('classifyMedication', () => {
  it.each([
    'Tenofovir disoproxil fumarat 300mg + Lamivudin 300mg + Dolutegravir 50mg',
    'TENOFOVIR/LAMIVUDINE/EFAVIRENZ 300/300/400',
    'TDF/3TC/DTG',
    'TLD',
    'Efavirenz 600 mg',
    'Nevirapin 200mg',
    'Zidovudin 300mg',
    'Lopinavir/ritonavir 200/50mg',
    'Kaletra',
    'Abacavir',
    'Emtricitabine 200mg/tenofovir 300mg',
    'Truvada',
    'Dolutegravir',
    'EFV 600',
    'tenofovir + lamivudine',
    'Ritonavir 100mg',
  ])('classifies "%s" as an HIV medicine', (name) => {
    expect(classifyMedication(undefined, name)).toBe('hiv');
  });
  it.each(['Tenofovir disoproxil fumarat 300mg', 'Lamivudin 100mg', 'Entecavir 0,5mg', 'Adefovir', 'Nirmatrelvir/ritonavir', 'Paxlovid', 'Paracetamol 500mg', 'Amoxicilin', 'TDF'])(
    'keeps "%s" (hepatitis B, COVID-19 or unrelated)',
    (name) => {
      expect(classifyMedication(undefined, name)).toBeUndefined();
    },
  );
  it.each(['Methadone hydroclorid 10mg/ml', 'METHADON', 'Buprenorphin 2mg', 'Suboxone', 'Naltrexon 50mg'])(
    'classifies "%s" as drug-use treatment',
    (name) => {
      expect(classifyMedication(undefined, name)).toBe('drug-use');
    },
  );
  it('keeps naltrexone with bupropion (weight-loss product)', () => {
    expect(classifyMedication(undefined, 'Naltrexone/bupropion 8/90mg')).toBeUndefined();
  });
  it('ignores diacritics and case in Vietnamese names', () => {
    expect(classifyMedication(undefined, 'Thuốc EFAVIRENZ viên nén')).toBe('hiv');
    expect(classifyMedication(undefined, 'Méthadone')).toBe('drug-use');
  });
  it('classifies by ATC code', () => {
    expect(classifyMedication('J05AR27', undefined)).toBe('hiv');
    expect(classifyMedication('J05AG03', undefined)).toBe('hiv');
    expect(classifyMedication('J05AF01', undefined)).toBe('hiv');
    expect(classifyMedication('N07BC02', undefined)).toBe('drug-use');
    expect(classifyMedication('N07BB04', undefined)).toBe('drug-use');
    expect(classifyMedication('J05AF07', undefined)).toBeUndefined();
    expect(classifyMedication('J05AF05', undefined)).toBeUndefined();
    expect(classifyMedication('J05AF10', undefined)).toBeUndefined();
    expect(classifyMedication('N07BB01', undefined)).toBeUndefined();
    expect(classifyMedication('N02AA01', undefined)).toBeUndefined();
  });
  it('falls back to the name when the code is not an excluded ATC code', () => {
    expect(classifyMedication('40.123', 'Dolutegravir 50mg')).toBe('hiv');
    expect(classifyMedication(undefined, undefined)).toBeUndefined();
  });
});

describe('classifyText', () => {
  it.each([
    ['Nhiễm HIV giai đoạn lâm sàng 3', 'hiv'],
    ['nhiem hiv', 'hiv'],
    ['HIV/AIDS', 'hiv'],
    ['Xét nghiệm HIV-1 dương tính', 'hiv'],
    ['antiHIV (+)', 'hiv'],
    ['Bệnh AIDS', 'hiv'],
    ['Đang điều trị ARV tại phòng khám ngoại trú', 'hiv'],
    ['dang dieu tri arv', 'hiv'],
    ['Hội chứng suy giảm miễn dịch mắc phải', 'hiv'],
    ['hoi chung suy giam mien dich mac phai', 'hiv'],
    ['Human immunodeficiency virus disease', 'hiv'],
    ['Đang dùng PrEP', 'hiv'],
    ['Phác đồ TDF/3TC/EFV', 'hiv'],
    ['Chẩn đoán: B20.7', 'hiv'],
    ['Tiền sử nghiện ma túy 5 năm', 'drug-use'],
    ['NGHIỆN MA TUÝ', 'drug-use'],
    ['nghien ma tuy', 'drug-use'],
    ['Đang điều trị methadone', 'drug-use'],
    ['Điều trị thay thế bằng Methadon', 'drug-use'],
    ['Sử dụng heroin đường tĩnh mạch', 'drug-use'],
    ['Người nghiện chích', 'drug-use'],
    ['Hút cần sa', 'drug-use'],
    ['Opioid use disorder', 'drug-use'],
    ['Chẩn đoán F11.2', 'drug-use'],
    ['Hành nghề mại dâm', 'sex-work'],
    ['mai dam', 'sex-work'],
    ['Phụ nữ bán dâm', 'sex-work'],
    ['ban dam', 'sex-work'],
    ['Female sex worker', 'sex-work'],
  ] as const)('finds "%s"', (text, category) => {
    expect(classifyText(text)).toBe(category);
  });
  it.each([
    'Lao phổi AFB (+)',
    'lao phoi',
    'Chưa phát hiện bất thường',
    'chua phat hien',
    'Ma Văn Tú, 45 tuổi',
    'ma',
    'Đau bụng mà tụy không to',
    'Viêm tụy cấp',
    'Nghiện rượu, nghiện thuốc lá',
    'Hearing aids',
    'Bowel prep before colonoscopy',
    'Cân sa sút 3kg',
    'can sa sut',
    'Mưa dầm, cảm lạnh',
    'Viêm gan B mạn, điều trị tenofovir',
    'Morphin giảm đau sau mổ',
    'Giang mai, lậu',
    'Tiêm vắc xin viêm gan B',
    'Phòng B20 tầng 2',
    'TLE, động kinh thùy thái dương',
    '',
  ])('does not flag "%s"', (text) => {
    expect(classifyText(text)).toBeUndefined();
  });
  it('matches NFD-encoded Vietnamese as well as NFC', () => {
    expect(classifyText('nghiện ma túy'.normalize('NFD'))).toBe('drug-use');
    expect(classifyText('mại dâm'.normalize('NFD'))).toBe('sex-work');
  });
});

describe('classifyResource', () => {
  const patient = { reference: 'urn:uuid:00000000-0000-0000-0000-000000000001' };

  it('excludes a Condition coded B20 in ICD-10', () => {
    const condition: Condition = {
      resourceType: 'Condition',
      subject: patient,
      code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'B20.1' }] },
    };
    expect(classifyResource(condition)).toBe('hiv');
  });
  it('excludes an ICD-10 coding given under its OID', () => {
    const condition: Condition = {
      resourceType: 'Condition',
      subject: patient,
      code: { coding: [{ system: 'urn:oid:2.16.840.1.113883.6.90', code: 'F112' }] },
    };
    expect(classifyResource(condition)).toBe('drug-use');
  });
  it('keeps a Condition coded F10.2 (alcohol)', () => {
    const condition: Condition = {
      resourceType: 'Condition',
      subject: patient,
      code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'F10.2', display: 'Hội chứng nghiện rượu' }] },
    };
    expect(classifyResource(condition)).toBeUndefined();
  });
  it('excludes a Condition whose code is only text', () => {
    const condition: Condition = { resourceType: 'Condition', subject: patient, code: { text: 'Nhiễm HIV' } };
    expect(classifyResource(condition)).toBe('hiv');
  });
  it('excludes by a SNOMED CT code without display', () => {
    const condition: Condition = { resourceType: 'Condition', subject: patient, code: { coding: [{ system: 'http://snomed.info/sct', code: '86406008' }] } };
    expect(classifyResource(condition)).toBe('hiv');
  });
  it('excludes an Observation by its value or its note', () => {
    const byValue: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Yếu tố nguy cơ' },
      valueCodeableConcept: { text: 'Sử dụng ma túy' },
    };
    const byNote: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Công thức máu' },
      note: [{ text: 'BN khai đang bán dâm' }],
    };
    const byInterpretation: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Xét nghiệm nhanh' },
      interpretation: [{ text: 'HIV dương tính' }],
    };
    expect(classifyResource(byValue)).toBe('drug-use');
    expect(classifyResource(byNote)).toBe('sex-work');
    expect(classifyResource(byInterpretation)).toBe('hiv');
  });
  it('excludes a MedicationRequest for an ARV regimen by name or ATC code', () => {
    const byName: MedicationRequest = {
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      subject: patient,
      medicationCodeableConcept: { coding: [{ system: 'http://fhir.hssk.vn/CodeSystem/ma-thuoc', code: '40.1', display: 'EFV 600mg' }] },
    };
    const byAtc: MedicationRequest = {
      ...byName,
      medicationCodeableConcept: { coding: [{ system: 'http://www.whocc.no/atc', code: 'J05AR' }] },
    };
    expect(classifyResource(byName)).toBe('hiv');
    expect(classifyResource(byAtc)).toBe('hiv');
  });
  it('excludes a medicine described in a contained Medication', () => {
    const request: MedicationRequest = {
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      subject: patient,
      contained: [{ resourceType: 'Medication', id: 'm', code: { text: 'Buprenorphine 8mg' } }],
      medicationReference: { reference: '#m' },
    };
    expect(classifyResource(request)).toBe('drug-use');
  });
  it('keeps a MedicationRequest for tenofovir alone (hepatitis B)', () => {
    const request: MedicationRequest = {
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      subject: patient,
      medicationCodeableConcept: { text: 'Tenofovir disoproxil fumarat 300mg' },
      reasonCode: [{ coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'B18.1' }] }],
    };
    expect(classifyResource(request)).toBeUndefined();
  });
  it('excludes by the narrative div', () => {
    const condition: Condition = {
      resourceType: 'Condition',
      subject: patient,
      code: { text: 'Viêm phổi' },
      text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>Bệnh nhân nhiễm <b>HIV</b></p></div>' },
    };
    expect(classifyResource(condition)).toBe('hiv');
  });
  it('excludes a family history of drug addiction', () => {
    const history: Resource = {
      resourceType: 'FamilyMemberHistory',
      status: 'completed',
      patient,
      relationship: { text: 'Bố' },
      condition: [{ code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'F11.2' }] } }],
    };
    expect(classifyResource(history)).toBe('drug-use');
  });
  it('keeps an Immunization whatever its vaccine, but not one whose note mentions HIV', () => {
    const immunization: Immunization = {
      resourceType: 'Immunization',
      status: 'completed',
      patient,
      occurrenceDateTime: '2024-01-01',
      vaccineCode: { text: 'Vắc xin viêm gan B' },
    };
    expect(classifyResource(immunization)).toBeUndefined();
    expect(classifyResource({ ...immunization, note: [{ text: 'Mẹ nhiễm HIV, hoãn BCG' }] })).toBe('hiv');
  });
  it('reads text attachments of a DocumentReference', () => {
    const document: DocumentReference = {
      resourceType: 'DocumentReference',
      status: 'current',
      content: [{ attachment: { contentType: 'application/xml', data: Buffer.from('<x>Điều trị ARV</x>').toString('base64') } }],
    };
    expect(classifyResource(document)).toBe('hiv');
  });
  it('does not flag identifiers, systems or references that merely look like words', () => {
    const condition: Condition = {
      resourceType: 'Condition',
      id: 'hiv',
      subject: { reference: 'Patient/arv' },
      identifier: [{ system: 'http://example.org/aids', value: 'C-1' }],
      code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'J18.9', display: 'Viêm phổi' }] },
    };
    expect(classifyResource(condition)).toBeUndefined();
  });
  it('excludes a Composition when a section mentions excluded content', () => {
    const composition: Composition = {
      resourceType: 'Composition',
      status: 'final',
      type: { text: 'Tóm tắt hồ sơ bệnh án' },
      date: '2024-01-01',
      author: [{ display: 'BV' }],
      title: 'Tóm tắt',
      section: [{ title: 'Chẩn đoán', text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Nghiện ma túy</div>' } }],
    };
    expect(classifyResource(composition)).toBe('drug-use');
  });
});

describe('EXCLUSION_LABELS', () => {
  it('names every category in Vietnamese', () => {
    expect(EXCLUSION_LABELS).toEqual({ hiv: 'HIV/AIDS', 'drug-use': 'Nghiện ma túy', 'sex-work': 'Mại dâm' });
  });
});

describe('classifyCode', () => {
  it('reads CDA code systems given as bare OIDs', () => {
    expect(classifyCode('2.16.840.1.113883.6.3', 'B20.1')).toBe('hiv');
    expect(classifyCode('2.16.840.1.113883.6.90', 'F11.20')).toBe('drug-use');
    expect(classifyCode('2.16.840.1.113883.6.73', 'J05AR')).toBe('hiv');
    expect(classifyCode('2.16.840.1.113883.6.96', '86406008')).toBe('hiv');
  });
  it('reads the display as free text and keeps unrelated codes', () => {
    expect(classifyCode('2.16.840.1.113883.6.1', '12345-6', 'HIV 1 Ab')).toBe('hiv');
    expect(classifyCode('2.16.840.1.113883.6.3', 'J18.9', 'Viêm phổi')).toBeUndefined();
    expect(classifyCode(undefined, undefined)).toBeUndefined();
  });
});
