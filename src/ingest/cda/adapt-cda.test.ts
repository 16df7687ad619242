import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AllergyIntolerance, Composition, Condition, DocumentReference, Encounter, MedicationRequest, Observation, Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { classifyResource } from '../../policy/sensitive-data.ts';
import type { AdaptedRecord, AdaptResult } from '../adapted-record.ts';
import { ORIGINAL_NOT_KEPT, adaptCdaDocument } from './adapt-cda.ts';
import { CDA_RECORD_SYSTEM } from './cda-systems.ts';

const FIXTURES = path.join(import.meta.dirname, '../../../test/fixtures/cda');
const fixture = (name: string): Buffer => readFileSync(path.join(FIXTURES, name));

function accepted(result: AdaptResult): AdaptedRecord {
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.reasons)}`);
  return result.record;
}

function ofType<T extends Resource>(record: AdaptedRecord, type: T['resourceType']): T[] {
  return record.entries.map((e) => e.resource).filter((r): r is T => r.resourceType === type);
}

function cdaIdentifier(resource: Resource): string | undefined {
  const identifiers = (resource as { identifier?: { system?: string; value?: string }[] | { system?: string; value?: string } }).identifier;
  const list = Array.isArray(identifiers) ? identifiers : identifiers ? [identifiers] : [];
  return list.find((i) => i.system === CDA_RECORD_SYSTEM)?.value;
}

describe('a CCD with every section', () => {
  const record = accepted(adaptCdaDocument(fixture('ccd-full.xml')));

  it('takes the patient from recordTarget with Vietnamese name order, sex, birth date, address and phone', () => {
    expect(record.patient.id).toBeUndefined();
    expect(record.patient.name?.[0]).toMatchObject({ text: 'Nguyễn Thị Lan', family: 'Nguyễn', given: ['Thị', 'Lan'] });
    expect(record.patient.gender).toBe('female');
    expect(record.patient.birthDate).toBe('1985-03-12');
    expect(record.patient.address?.[0]).toMatchObject({ state: 'Thành phố Hồ Chí Minh', city: 'Quận 1', use: 'home' });
    expect(record.patient.telecom?.[0]).toEqual({ system: 'phone', value: '0912345678', use: 'mobile' });
  });

  it('recognises the CCCD given with the Vietnam CORE system and keeps an unknown root as urn:oid', () => {
    expect(record.patient.identifier).toContainEqual({ system: 'http://fhir.ehealth.gov.vn/core/sid/national_id', value: '079185001234' });
    expect(record.patient.identifier).toContainEqual({ system: 'urn:oid:2.16.704.0.79001.3', value: 'BN-0098765' });
    expect(record.warnings.some((w) => w.includes('2.16.704.0.79001.3'))).toBe(true);
  });

  it('converts problems, medications, allergies, immunizations, results, vital signs, encounters and procedures', () => {
    const types = record.entries.map((e) => e.resource.resourceType);
    for (const type of ['Condition', 'MedicationRequest', 'AllergyIntolerance', 'Immunization', 'Observation', 'Encounter', 'Procedure', 'Composition', 'DocumentReference']) {
      expect(types).toContain(type);
    }
    const conditions = ofType<Condition>(record, 'Condition');
    expect(conditions.map((c) => c.code?.coding?.[0])).toContainEqual(expect.objectContaining({ system: 'http://hl7.org/fhir/sid/icd-10', code: 'E11.9' }));
    const allergy = ofType<AllergyIntolerance>(record, 'AllergyIntolerance')[0]!;
    expect(allergy.category).toEqual(['medication']);
    expect(allergy.code?.coding?.[0]?.code).toBe('7980');
    const amlodipine = ofType<MedicationRequest>(record, 'MedicationRequest').find((m) => m.medicationCodeableConcept?.coding?.[0]?.code === '197361')!;
    expect(amlodipine.dosageInstruction?.[0]?.doseAndRate?.[0]?.doseQuantity).toMatchObject({ value: 5, unit: 'mg' });
  });

  it('keeps result panels and vital-sign groups with their members, linked by urn:uuid', () => {
    const observations = ofType<Observation>(record, 'Observation');
    const panel = observations.find((o) => o.code.coding?.[0]?.code === '24323-8')!;
    expect(panel.hasMember).toHaveLength(2);
    const urls = new Set(record.entries.map((e) => e.fullUrl));
    for (const member of panel.hasMember ?? []) expect(urls.has(member.reference!)).toBe(true);
    const hba1c = observations.find((o) => o.code.coding?.[0]?.code === '4548-4')!;
    expect(hba1c.valueQuantity).toMatchObject({ value: 7.2, unit: '%' });
    expect(observations.filter((o) => o.category?.[0]?.coding?.[0]?.code === 'vital-signs')).toHaveLength(5);
  });

  it('reads local times with the Vietnam offset', () => {
    const glucose = ofType<Observation>(record, 'Observation').find((o) => o.code.coding?.[0]?.code === '15074-8')!;
    expect(glucose.effectiveDateTime).toBe('2024-03-10T07:30:00+07:00');
    const encounter = ofType<Encounter>(record, 'Encounter')[0]!;
    expect(encounter.period).toEqual({ start: '2024-03-15T08:30:00+07:00', end: '2024-03-15T09:30:00+07:00' });
  });

  it('references the patient only through patientFullUrl and every other reference inside the record', () => {
    const urls = new Set([record.patientFullUrl, ...record.entries.map((e) => e.fullUrl)]);
    const references: string[] = [];
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (node !== null && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === 'reference' && typeof value === 'string') references.push(value);
          else collect(value);
        }
      }
    };
    record.entries.forEach((e) => collect(e.resource));
    expect(references.length).toBeGreaterThan(10);
    for (const reference of references) expect(urls.has(reference)).toBe(true);
    for (const entry of record.entries) {
      expect(entry.fullUrl).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
      expect(entry.resource.id).toBeUndefined();
      expect(entry.resource.meta).toBeUndefined();
    }
  });

  it('gives every resource a stable identifier under the document set, replaced as a whole on re-send', () => {
    expect(record.replaces).toEqual({ system: CDA_RECORD_SYSTEM, valuePrefix: '2.16.704.0.79001.2^CCD-NTL-1985' });
    const values = record.entries.map((e) => cdaIdentifier(e.resource));
    for (const value of values) expect(value?.startsWith(`${record.replaces!.valuePrefix}/`)).toBe(true);
    expect(new Set(values).size).toBe(values.length);
  });

  it('produces the same identifiers when the same document is sent again', () => {
    const again = accepted(adaptCdaDocument(fixture('ccd-full.xml')));
    expect(again.entries.map((e) => cdaIdentifier(e.resource))).toEqual(record.entries.map((e) => cdaIdentifier(e.resource)));
    expect(again.key).toBe(record.key);
    expect(again.key).toBe('cda/2.16.704.0.79001.1^CCD-2024-000123');
  });

  it('keeps the original XML as a DocumentReference identified by ClinicalDocument/id', () => {
    const document = ofType<DocumentReference>(record, 'DocumentReference')[0]!;
    expect(document.masterIdentifier).toEqual({ system: 'urn:oid:2.16.704.0.79001.1', value: 'CCD-2024-000123' });
    expect(document.type?.coding?.[0]).toMatchObject({ system: 'http://loinc.org', code: '34133-9' });
    const attachment = document.content[0]!.attachment;
    expect(attachment.contentType).toBe('application/xml');
    expect(Buffer.from(attachment.data!, 'base64').equals(fixture('ccd-full.xml'))).toBe(true);
    expect(document.date).toBe('2024-03-15T10:30:00+07:00');
    expect(document.author?.[0]?.display).toBe('Trần Minh Đức — Bệnh viện Đa khoa Sài Gòn');
  });

  it('builds a readable Composition from the section narratives as XHTML', () => {
    const composition = ofType<Composition>(record, 'Composition')[0]!;
    expect(composition.section?.map((s) => s.title)).toEqual([
      'Dị ứng', 'Thuốc đang dùng', 'Bệnh lý', 'Thủ thuật, phẫu thuật', 'Kết quả xét nghiệm',
      'Dấu hiệu sinh tồn', 'Tiêm chủng', 'Lượt khám', 'Tiền sử xã hội', 'Kế hoạch điều trị',
    ]);
    const problems = composition.section![2]!;
    expect(problems.text?.div).toContain('<li><span>Đái tháo đường típ 2</span> (E11.9), từ 2022</li>');
    expect(problems.entry).toHaveLength(2);
  });

  it('has nothing excluded', () => {
    expect(record.excluded).toEqual({});
  });
});

describe('a discharge summary', () => {
  const record = accepted(adaptCdaDocument(fixture('discharge-summary.xml')));

  it('recognises the BHYT card given with a label root and keeps a year-only birth date', () => {
    expect(record.patient.identifier).toContainEqual({ system: 'http://fhir.ehealth.gov.vn/core/sid/insurance_number', value: 'HT2010012345678' });
    expect(record.patient.birthDate).toBe('1962');
    expect(record.warnings).toEqual([]);
  });

  it('turns the encompassing encounter into an inpatient Encounter the documents point to', () => {
    const encounter = ofType<Encounter>(record, 'Encounter')[0]!;
    expect(encounter).toMatchObject({
      status: 'finished',
      class: { code: 'IMP' },
      period: { start: '2024-04-15T10:20:00+07:00', end: '2024-04-22T14:00:00+07:00' },
      serviceProvider: { display: 'Khoa Hô hấp – Bệnh viện Bạch Mai' },
    });
    const url = record.entries.find((e) => e.resource === encounter)!.fullUrl;
    expect(ofType<Composition>(record, 'Composition')[0]!.encounter?.reference).toBe(url);
    expect(ofType<DocumentReference>(record, 'DocumentReference')[0]!.context?.encounter?.[0]?.reference).toBe(url);
  });

  it('reads discharge diagnoses and discharge medications, which the converter alone would skip', () => {
    expect(ofType<Condition>(record, 'Condition').map((c) => c.code?.coding?.[0]?.code).sort()).toEqual(['E11.9', 'J18.1']);
    const medication = ofType<MedicationRequest>(record, 'MedicationRequest')[0]!;
    expect(medication.medicationCodeableConcept?.coding?.[0]).toMatchObject({ system: 'http://www.whocc.no/atc', code: 'J01DC02' });
  });

  it('keeps narrative-only sections (hospital course) in the Composition, mixed content in order', () => {
    const course = ofType<Composition>(record, 'Composition')[0]!.section!.find((s) => s.title?.startsWith('Quá trình'))!;
    expect(course.text?.div).toContain('Điều trị <span>ceftriaxon</span> 7 ngày');
  });
});

describe('a referral note', () => {
  const record = accepted(adaptCdaDocument(fixture('referral-note.xml')));

  it('splits an unstructured Vietnamese name, family name first', () => {
    expect(record.patient.name?.[0]).toMatchObject({ text: 'Lê Thị Hồng Nhung', family: 'Lê', given: ['Thị', 'Hồng', 'Nhung'] });
  });

  it('keys the document by a UUID root and reads a time without offset as Vietnam time', () => {
    expect(record.key).toBe('cda/5c0f3a62-3f7e-4d9b-9a51-0b6f2e8c4d17');
    const document = ofType<DocumentReference>(record, 'DocumentReference')[0]!;
    expect(document.masterIdentifier).toEqual({ system: 'urn:ietf:rfc:3986', value: 'urn:uuid:5c0f3a62-3f7e-4d9b-9a51-0b6f2e8c4d17' });
    expect(document.date).toBe('2024-05-06T08:15:00+07:00');
    expect(document.type?.coding?.[0]?.code).toBe('57133-1');
  });

  it('skips an entry the converter cannot read with a warning, and keeps the rest', () => {
    expect(record.warnings).toContain('1 mục dữ liệu có cấu trúc không đọc được và đã bỏ qua (phần văn bản của mục vẫn được giữ nếu có).');
    expect(ofType<Condition>(record, 'Condition')[0]!.code?.coding?.[0]?.code).toBe('O14.9');
    const sections = ofType<Composition>(record, 'Composition')[0]!.section!.map((s) => s.title);
    expect(sections).toContain('Lý do chuyển tuyến');
    expect(sections).toContain('Xét nghiệm');
  });
});

describe('storage policy B8 on a CDA document', () => {
  const record = accepted(adaptCdaDocument(fixture('ccd-hiv-excluded.xml')));

  it('drops the HIV problem, the ARV regimen, the HIV viral load and the drug-use observation, and counts them', () => {
    expect(record.excluded).toEqual({ hiv: 3, 'drug-use': 1 });
    expect(ofType<Condition>(record, 'Condition').map((c) => c.code?.coding?.[0]?.code)).toEqual(['I10']);
    expect(ofType<MedicationRequest>(record, 'MedicationRequest').map((m) => m.medicationCodeableConcept?.coding?.[0]?.code)).toEqual(['197361']);
    expect(ofType<Observation>(record, 'Observation').map((o) => o.code.coding?.[0]?.code).sort()).toEqual(['15074-8', '24323-8']);
  });

  it('leaves nothing excluded in any stored resource', () => {
    for (const entry of record.entries) expect(classifyResource(entry.resource)).toBeUndefined();
    const stored = JSON.stringify(record);
    for (const word of ['HIV', 'B24', 'Dolutegravir', 'ARV', '26416006', '25836-8']) expect(stored).not.toContain(word);
  });

  it('does not keep the original XML, and says so neutrally', () => {
    const document = ofType<DocumentReference>(record, 'DocumentReference')[0]!;
    expect(document.content[0]!.attachment.data).toBeUndefined();
    expect(document.description).toContain(ORIGINAL_NOT_KEPT);
    expect(document.description).not.toMatch(/HIV|B8|ma túy/);
    expect(document.masterIdentifier?.value).toBe('CCD-2024-0777');
    expect(record.warnings.some((w) => w.includes('B8'))).toBe(true);
  });

  it('removes from the Composition every section whose narrative or entries carried excluded content', () => {
    expect(ofType<Composition>(record, 'Composition')).toEqual([]);
  });
});

describe('documents that are refused', () => {
  it('rejects XML that is not well-formed, naming line and column', () => {
    const result = adaptCdaDocument(fixture('malformed.xml'));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reasons[0]!.message).toMatch(/^Tài liệu không phải XML hợp lệ \(dòng 5, cột \d+\)/);
      expect(result.key).toMatch(/^cda\/sha256-[0-9a-f]{16}$/);
    }
  });

  it('refuses a DOCTYPE with external entities (XXE) before parsing', () => {
    const result = adaptCdaDocument(fixture('xxe.xml'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reasons[0]!.message).toContain('XXE');
  });

  it('rejects XML that is not CDA', () => {
    const result = adaptCdaDocument('<?xml version="1.0"?><GIAMDINHHS><THONGTINDONVI/></GIAMDINHHS>');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reasons[0]).toEqual({ field: 'ClinicalDocument', message: 'Không phải tài liệu HL7 CDA: phần tử gốc là <GIAMDINHHS>, cần <ClinicalDocument>.' });
  });

  it('rejects a ClinicalDocument outside the HL7 v3 namespace', () => {
    const result = adaptCdaDocument('<ClinicalDocument xmlns="urn:example"><id root="1.2.3"/></ClinicalDocument>');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reasons[0]!.message).toContain('urn:hl7-org:v3');
  });

  it('rejects a document without id, patient or date, listing every missing part', () => {
    const noId = adaptCdaDocument('<ClinicalDocument xmlns="urn:hl7-org:v3"><title>x</title></ClinicalDocument>');
    expect(noId.ok).toBe(false);
    if (!noId.ok) expect(noId.reasons[0]!.field).toBe('ClinicalDocument/id');
    const noPatient = adaptCdaDocument('<ClinicalDocument xmlns="urn:hl7-org:v3"><id root="1.2.3" extension="a"/></ClinicalDocument>');
    expect(noPatient.ok).toBe(false);
    if (!noPatient.ok) {
      expect(noPatient.key).toBe('cda/1.2.3^a');
      expect(noPatient.reasons.map((r) => r.field)).toEqual(['recordTarget/patientRole', 'ClinicalDocument/effectiveTime']);
    }
  });

  it('rejects an empty document and one in an unsupported encoding', () => {
    expect(adaptCdaDocument('').ok).toBe(false);
    const latin = adaptCdaDocument('<?xml version="1.0" encoding="ISO-8859-1"?><ClinicalDocument xmlns="urn:hl7-org:v3"/>');
    expect(latin.ok).toBe(false);
    if (!latin.ok) expect(latin.reasons[0]!.message).toContain('ISO-8859-1');
  });

  it('rejects a document larger than the limit', () => {
    const result = adaptCdaDocument(fixture('ccd-full.xml'), { maxBytes: 1000 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reasons[0]!.message).toContain('quá lớn');
  });
});

describe('versions of a document', () => {
  it('replaces by set id, so version 2 replaces version 1', () => {
    const v1 = fixture('ccd-full.xml').toString('utf8');
    const v2 = v1.replace('extension="CCD-2024-000123"', 'extension="CCD-2024-000124"').replace('<versionNumber value="1"/>', '<versionNumber value="2"/>');
    const first = accepted(adaptCdaDocument(v1));
    const second = accepted(adaptCdaDocument(v2));
    expect(second.key).not.toBe(first.key);
    expect(second.replaces).toEqual(first.replaces);
  });
});
