// The QĐ 831/QĐ-BYT personal health record form as data: its fields, their validation, and the
// one FHIR transaction Bundle it is saved as (Patient, AllergyIntolerance, FamilyMemberHistory,
// Condition, Observation, Immunization, Encounter for the health-check visit).
import type { Bundle, BundleEntry, CodeableConcept, Observation, Patient, Reference, Resource } from '@medplum/fhirtypes';
import { Ext, HEALTH_CHECK_TYPE, System } from './fhir.ts';
import { ETHNIC_GROUPS } from './ethnicity.ts';
import { nowVn, parseVnDate } from './format.ts';
import type { MessageKey } from './i18n.tsx';

export interface AllergyRow { category: 'medication' | 'food' | 'environment' | 'biologic'; substance: string }
export interface ConditionRow { text: string; icd: string; year: string }
export interface FamilyRow { relationship: string; text: string; icd: string }
export interface VaccineRow { vaccine: string; dose: string; date: string }

export interface Form831 {
  fullName: string;
  birthDate: string;
  gender: string;
  cccd: string;
  bhyt: string;
  phone: string;
  ethnicity: string;
  occupation: string;
  address: string;
  communeCode: string;
  bloodGroup: string;
  contactName: string;
  contactRelationship: string;
  contactPhone: string;
  birthDelivery: string;
  birthWeight: string;
  birthLength: string;
  birthDefects: string;
  smoking: string;
  alcohol: string;
  activity: string;
  exposure: string;
  toilet: string;
  otherRisks: string;
  allergies: AllergyRow[];
  conditions: ConditionRow[];
  surgeries: string;
  disabilities: string[];
  disabilityOther: string;
  family: FamilyRow[];
  contraception: string;
  lastPeriod: string;
  pregnancies: string;
  births: string;
  abortions: string;
  livingChildren: string;
  gynae: string;
  vaccines: VaccineRow[];
  visitDate: string;
  visitHistory: string;
  pulse: string;
  temperature: string;
  systolic: string;
  diastolic: string;
  respiration: string;
  height: string;
  weight: string;
  waist: string;
  visionRight: string;
  visionLeft: string;
  examGeneral: string;
  examOrgans: string;
  diagnosis: string;
  diagnosisIcd: string;
  advice: string;
  examiner: string;
}

export const DISABILITIES = ['hearing', 'vision', 'hands', 'legs', 'spine', 'cleft'] as const;

export function emptyForm(): Form831 {
  return {
    fullName: '', birthDate: '', gender: '', cccd: '', bhyt: '', phone: '', ethnicity: '01', occupation: '', address: '', communeCode: '', bloodGroup: '',
    contactName: '', contactRelationship: '', contactPhone: '', birthDelivery: '', birthWeight: '', birthLength: '', birthDefects: '',
    smoking: '', alcohol: '', activity: '', exposure: '', toilet: '', otherRisks: '', allergies: [], conditions: [], surgeries: '', disabilities: [], disabilityOther: '',
    family: [], contraception: '', lastPeriod: '', pregnancies: '', births: '', abortions: '', livingChildren: '', gynae: '', vaccines: [],
    visitDate: '', visitHistory: '', pulse: '', temperature: '', systolic: '', diastolic: '', respiration: '', height: '', weight: '', waist: '',
    visionRight: '', visionLeft: '', examGeneral: '', examOrgans: '', diagnosis: '', diagnosisIcd: '', advice: '', examiner: '',
  };
}

/** Fills the administrative part from an existing Patient. */
export function formFromPatient(p: Patient): Form831 {
  const f = emptyForm();
  const name = p.name?.[0];
  f.fullName = name?.text ?? [name?.family, ...(name?.given ?? [])].filter(Boolean).join(' ');
  if (p.birthDate) {
    const [y, m, d] = p.birthDate.split('-');
    f.birthDate = d && m ? `${d}/${m}/${y}` : (y ?? '');
  }
  f.gender = p.gender ?? '';
  f.cccd = p.identifier?.find((i) => i.system === System.cccd)?.value ?? '';
  f.bhyt = p.identifier?.find((i) => i.system === System.bhytCard)?.value ?? '';
  f.phone = p.telecom?.find((t) => t.system === 'phone')?.value ?? '';
  f.ethnicity = p.extension?.find((e) => e.url === Ext.ethnicity)?.valueCoding?.code ?? '';
  const occ = p.extension?.find((e) => e.url === Ext.occupation);
  f.occupation = occ?.valueCoding?.display ?? occ?.valueCodeableConcept?.text ?? occ?.valueString ?? '';
  const addr = (p.address ?? []).find((a) => a.use !== 'old') ?? p.address?.[0];
  f.address = addr?.text ?? '';
  f.communeCode = addr?.extension?.find((e) => e.url === Ext.addressCommune)?.valueCode ?? '';
  const contact = p.contact?.[0];
  f.contactName = contact?.name?.text ?? '';
  f.contactRelationship = contact?.relationship?.[0]?.text ?? '';
  f.contactPhone = contact?.telecom?.[0]?.value ?? '';
  return f;
}

export type FormErrors = Partial<Record<keyof Form831 | `vaccines.${number}` | `allergies.${number}` | `conditions.${number}` | `family.${number}`, MessageKey>>;

const num = (s: string) => (s.trim() === '' ? undefined : Number(s.replace(',', '.')));

function range(errors: FormErrors, f: Form831, key: keyof Form831, min: number, max: number) {
  const v = num(f[key] as string);
  if (v !== undefined && (Number.isNaN(v) || v < min || v > max)) errors[key] = 'form.err.range';
}

export function hasVisit(f: Form831): boolean {
  return [f.visitHistory, f.pulse, f.temperature, f.systolic, f.diastolic, f.respiration, f.height, f.weight, f.waist, f.visionLeft, f.visionRight, f.examGeneral, f.examOrgans, f.diagnosis, f.advice].some((x) => x.trim() !== '');
}

export function validate(f: Form831): FormErrors {
  const e: FormErrors = {};
  if (f.fullName.trim().length < 2) e.fullName = 'form.err.name';
  const birth = parseVnDate(f.birthDate);
  if (!birth) e.birthDate = 'form.err.date';
  else if (birth > nowVn().slice(0, 10)) e.birthDate = 'form.err.future';
  if (!f.gender) e.gender = 'form.err.gender';
  if (f.cccd && !/^\d{12}$/.test(f.cccd.trim())) e.cccd = 'form.err.cccd';
  if (f.bhyt && !/^[A-Za-z]{2}\d{13}$/.test(f.bhyt.trim())) e.bhyt = 'form.err.bhyt';
  if (f.phone && !/^(0|\+84)\d{9}$/.test(f.phone.replace(/[\s.]/g, ''))) e.phone = 'form.err.phone';
  if (f.contactPhone && !/^(0|\+84)\d{9}$/.test(f.contactPhone.replace(/[\s.]/g, ''))) e.contactPhone = 'form.err.phone';
  if (f.communeCode && !/^\d{5}$/.test(f.communeCode.trim())) e.communeCode = 'form.err.commune';
  range(e, f, 'birthWeight', 300, 7000);
  range(e, f, 'birthLength', 20, 70);
  range(e, f, 'pulse', 20, 250);
  range(e, f, 'temperature', 30, 45);
  range(e, f, 'systolic', 50, 300);
  range(e, f, 'diastolic', 20, 200);
  range(e, f, 'respiration', 5, 80);
  range(e, f, 'height', 30, 250);
  range(e, f, 'weight', 1, 300);
  range(e, f, 'waist', 20, 250);
  for (const k of ['pregnancies', 'births', 'abortions', 'livingChildren'] as const) range(e, f, k, 0, 30);
  if (!e.systolic && !e.diastolic && num(f.systolic) !== undefined && num(f.diastolic) !== undefined && num(f.diastolic)! >= num(f.systolic)!) e.diastolic = 'form.err.bp';
  if ((f.systolic.trim() === '') !== (f.diastolic.trim() === '')) e[f.systolic.trim() ? 'diastolic' : 'systolic'] = 'form.err.bpBoth';
  if (f.lastPeriod && !parseVnDate(f.lastPeriod)) e.lastPeriod = 'form.err.date';
  if (f.visitDate && !parseVnDate(f.visitDate)) e.visitDate = 'form.err.date';
  if (f.diagnosisIcd && !/^[A-Z]\d{2}(\.\d{1,2})?$/i.test(f.diagnosisIcd.trim())) e.diagnosisIcd = 'form.err.icd';
  f.vaccines.forEach((v, i) => {
    if (!v.vaccine.trim() || !parseVnDate(v.date)) e[`vaccines.${i}`] = 'form.err.vaccine';
  });
  f.allergies.forEach((a, i) => {
    if (!a.substance.trim()) e[`allergies.${i}`] = 'form.err.required';
  });
  f.conditions.forEach((c, i) => {
    if (!c.text.trim() && !c.icd.trim()) e[`conditions.${i}`] = 'form.err.required';
    else if (c.icd && !/^[A-Z]\d{2}(\.\d{1,2})?$/i.test(c.icd.trim())) e[`conditions.${i}`] = 'form.err.icd';
  });
  f.family.forEach((m, i) => {
    if (!m.relationship || (!m.text.trim() && !m.icd.trim())) e[`family.${i}`] = 'form.err.required';
  });
  return e;
}

export const FAMILY_RELATIONSHIPS: [string, MessageKey][] = [
  ['FTH', 'rel.FTH'], ['MTH', 'rel.MTH'], ['BRO', 'rel.BRO'], ['SIS', 'rel.SIS'], ['GRFTH', 'rel.GRFTH'], ['GRMTH', 'rel.GRMTH'], ['CHILD', 'rel.CHILD'], ['SPS', 'rel.SPS'],
];

const loinc = (code: string, display: string): CodeableConcept => ({ coding: [{ system: System.loinc, code, display }], text: display });
const local = (code: string, display: string): CodeableConcept => ({ coding: [{ system: System.form831, code, display }], text: display });
const category = (code: string) => [{ coding: [{ system: System.observationCategory, code }] }];
const qty = (value: number, unit: string, code: string) => ({ value, unit, system: System.ucum, code });

function uuid(): string {
  return crypto.randomUUID();
}

/** Display texts come from the caller (translated labels), keeping this module free of user text. */
export interface Labels {
  relationship: (code: string) => string;
  disability: (code: string) => string;
  option: (field: string, value: string) => string;
}

/** The whole form as one transaction Bundle. `existing` is the Patient being edited (updated with If-Match). */
export function toTransaction(f: Form831, existing: Patient | undefined, labels: Labels): Bundle {
  const entries: BundleEntry[] = [];
  const patientUrl = existing ? `Patient/${existing.id}` : `urn:uuid:${uuid()}`;
  const subject: Reference<Patient> = { reference: patientUrl };
  const now = nowVn();

  const keepIds = (existing?.identifier ?? []).filter((i) => i.system !== System.cccd && i.system !== System.bhytCard);
  const keepExt = (existing?.extension ?? []).filter((e) => e.url !== Ext.ethnicity && e.url !== Ext.occupation);
  const keepPhones = (existing?.telecom ?? []).filter((t) => t.system !== 'phone');
  const otherAddresses = (existing?.address ?? []).filter((a) => a.use === 'old');
  const parts = f.fullName.trim().split(/\s+/);
  const ethnic = ETHNIC_GROUPS.find(([c]) => c === f.ethnicity);
  const patient: Patient = {
    ...(existing ?? {}),
    resourceType: 'Patient',
    identifier: [
      ...keepIds,
      ...(f.cccd.trim() ? [{ system: System.cccd, value: f.cccd.trim() }] : []),
      ...(f.bhyt.trim() ? [{ system: System.bhytCard, value: f.bhyt.trim().toUpperCase() }] : []),
    ],
    name: [{ use: 'official', text: parts.join(' '), family: parts[0], given: parts.slice(1) }],
    gender: f.gender as Patient['gender'],
    birthDate: parseVnDate(f.birthDate)!,
    telecom: [...keepPhones, ...(f.phone.trim() ? [{ system: 'phone' as const, value: f.phone.replace(/[\s.]/g, ''), use: 'mobile' as const }] : [])],
    address: [
      ...(f.address.trim() || f.communeCode.trim()
        ? [{ use: 'home' as const, ...(f.address.trim() ? { text: f.address.trim() } : {}), ...(f.communeCode.trim() ? { extension: [{ url: Ext.addressCommune, valueCode: f.communeCode.trim() }] } : {}) }]
        : []),
      ...otherAddresses,
    ],
    extension: [
      ...keepExt,
      ...(ethnic ? [{ url: Ext.ethnicity, valueCoding: { system: System.ethnicity, code: ethnic[0], display: ethnic[1] } }] : []),
      ...(f.occupation.trim() ? [{ url: Ext.occupation, valueCodeableConcept: { text: f.occupation.trim() } }] : []),
    ],
    ...(f.contactName.trim()
      ? { contact: [{ name: { text: f.contactName.trim() }, ...(f.contactRelationship.trim() ? { relationship: [{ text: f.contactRelationship.trim() }] } : {}), ...(f.contactPhone.trim() ? { telecom: [{ system: 'phone' as const, value: f.contactPhone.trim() }] } : {}) }] }
      : {}),
  };
  if (patient.telecom?.length === 0) delete patient.telecom;
  if (patient.address?.length === 0) delete patient.address;
  if (patient.extension?.length === 0) delete patient.extension;
  if (patient.identifier?.length === 0) delete patient.identifier;
  delete patient.meta;
  entries.push(
    existing
      ? { fullUrl: patientUrl, resource: patient, request: { method: 'PUT', url: `Patient/${existing.id}`, ...(existing.meta?.versionId ? { ifMatch: `W/"${existing.meta.versionId}"` } : {}) } }
      : { fullUrl: patientUrl, resource: patient, request: { method: 'POST', url: 'Patient' } },
  );

  const add = (resource: Resource) => entries.push({ fullUrl: `urn:uuid:${uuid()}`, resource, request: { method: 'POST', url: resource.resourceType } });
  const history = (code: CodeableConcept, value: Partial<Observation>, cat = 'social-history') =>
    add({ resourceType: 'Observation', status: 'final', category: category(cat), code, subject, effectiveDateTime: now, ...value } as Observation);

  // B1. Birth.
  if (f.birthDelivery) history(local('kieu-de', 'Cách sinh'), { valueCodeableConcept: { text: labels.option('birthDelivery', f.birthDelivery) } });
  if (num(f.birthWeight) !== undefined) history(loinc('8339-4', 'Cân nặng lúc sinh'), { valueQuantity: qty(num(f.birthWeight)!, 'g', 'g') }, 'vital-signs');
  if (num(f.birthLength) !== undefined) history(loinc('89269-5', 'Chiều dài lúc sinh'), { valueQuantity: qty(num(f.birthLength)!, 'cm', 'cm') }, 'vital-signs');
  if (f.bloodGroup) history(loinc('882-1', 'Nhóm máu ABO và Rh'), { valueCodeableConcept: { text: f.bloodGroup } }, 'laboratory');
  if (f.birthDefects.trim()) history(local('di-tat-bam-sinh', 'Dị tật bẩm sinh'), { valueString: f.birthDefects.trim() });
  // B2. Risk factors.
  if (f.smoking) history(loinc('72166-2', 'Hút thuốc lá'), { valueCodeableConcept: { text: labels.option('smoking', f.smoking) } });
  if (f.alcohol) history(local('ruou-bia', 'Uống rượu bia'), { valueCodeableConcept: { text: labels.option('alcohol', f.alcohol) } });
  if (f.activity) history(local('hoat-dong-the-luc', 'Hoạt động thể lực'), { valueCodeableConcept: { text: labels.option('activity', f.activity) } });
  if (f.exposure.trim()) history(local('tiep-xuc-nghe-nghiep', 'Tiếp xúc nghề nghiệp, môi trường sống'), { valueString: f.exposure.trim() });
  if (f.toilet.trim()) history(local('ho-xi', 'Loại hố xí gia đình'), { valueString: f.toilet.trim() });
  if (f.otherRisks.trim()) history(local('nguy-co-khac', 'Nguy cơ khác'), { valueString: f.otherRisks.trim() });
  // B3. Allergies and past illnesses.
  for (const a of f.allergies) {
    add({
      resourceType: 'AllergyIntolerance',
      clinicalStatus: { coding: [{ system: System.allergyClinical, code: 'active' }] },
      category: [a.category],
      code: { text: a.substance.trim() },
      patient: subject,
      recordedDate: now,
    });
  }
  for (const c of f.conditions) {
    add({
      resourceType: 'Condition',
      clinicalStatus: { coding: [{ system: System.conditionClinical, code: 'active' }] },
      category: [{ coding: [{ system: System.conditionCategory, code: 'problem-list-item' }] }],
      code: { ...(c.icd.trim() ? { coding: [{ system: System.icd10, code: c.icd.trim().toUpperCase() }] } : {}), text: c.text.trim() || c.icd.trim().toUpperCase() },
      subject,
      ...(/^\d{4}$/.test(c.year.trim()) ? { onsetDateTime: c.year.trim() } : {}),
      recordedDate: now,
    });
  }
  if (f.surgeries.trim()) history(loinc('10167-5', 'Tiền sử phẫu thuật'), { valueString: f.surgeries.trim() });
  // B4. Disabilities.
  for (const d of f.disabilities) history(local(`khuyet-tat-${d}`, labels.disability(d)), { valueBoolean: true }, 'exam');
  if (f.disabilityOther.trim()) history(local('khuyet-tat-khac', labels.disability('other')), { valueString: f.disabilityOther.trim() }, 'exam');
  // B6. Family history.
  for (const m of f.family) {
    add({
      resourceType: 'FamilyMemberHistory',
      status: 'completed',
      patient: subject,
      date: now.slice(0, 10),
      relationship: { coding: [{ system: System.v3RoleCode, code: m.relationship, display: labels.relationship(m.relationship) }], text: labels.relationship(m.relationship) },
      condition: [{ code: { ...(m.icd.trim() ? { coding: [{ system: System.icd10, code: m.icd.trim().toUpperCase() }] } : {}), text: m.text.trim() || m.icd.trim().toUpperCase() } }],
    });
  }
  // B7. Reproductive health.
  if (f.contraception.trim()) history(loinc('8659-5', 'Biện pháp tránh thai'), { valueString: f.contraception.trim() });
  if (f.lastPeriod && parseVnDate(f.lastPeriod)) history(loinc('8665-2', 'Kỳ kinh cuối'), { valueDateTime: parseVnDate(f.lastPeriod)! });
  if (num(f.pregnancies) !== undefined) history(loinc('11996-6', 'Số lần có thai'), { valueInteger: num(f.pregnancies)! });
  if (num(f.births) !== undefined) history(loinc('11640-0', 'Số lần sinh'), { valueInteger: num(f.births)! });
  if (num(f.abortions) !== undefined) history(loinc('11612-9', 'Số lần sảy thai, phá thai'), { valueInteger: num(f.abortions)! });
  if (num(f.livingChildren) !== undefined) history(loinc('11638-4', 'Số con hiện sống'), { valueInteger: num(f.livingChildren)! });
  if (f.gynae.trim()) history(local('benh-phu-khoa', 'Bệnh phụ khoa'), { valueString: f.gynae.trim() });
  // C. Vaccinations.
  for (const v of f.vaccines) {
    add({
      resourceType: 'Immunization',
      status: 'completed',
      vaccineCode: { text: v.vaccine.trim() },
      patient: subject,
      occurrenceDateTime: parseVnDate(v.date)!,
      primarySource: true,
      ...(/^\d+$/.test(v.dose.trim()) ? { protocolApplied: [{ doseNumberPositiveInt: Number(v.dose.trim()) }] } : v.dose.trim() ? { protocolApplied: [{ doseNumberString: v.dose.trim() }] } : {}),
    });
  }
  // D. The health-check visit.
  if (hasVisit(f)) {
    const encounterUrl = `urn:uuid:${uuid()}`;
    const when = f.visitDate ? parseVnDate(f.visitDate)! : now.slice(0, 10);
    entries.push({
      fullUrl: encounterUrl,
      resource: {
        resourceType: 'Encounter',
        status: 'finished',
        class: { system: System.v3ActCode, code: 'AMB', display: 'Ngoại trú' },
        type: [{ coding: [HEALTH_CHECK_TYPE], text: HEALTH_CHECK_TYPE.display }],
        subject,
        period: { start: when, end: when },
        ...(f.visitHistory.trim() ? { reasonCode: [{ text: f.visitHistory.trim() }] } : {}),
        ...(f.examiner.trim() ? { participant: [{ individual: { display: f.examiner.trim() } }] } : {}),
      },
      request: { method: 'POST', url: 'Encounter' },
    });
    const encounter = { reference: encounterUrl };
    const vital = (code: CodeableConcept, value: Partial<Observation>, cat = 'vital-signs') =>
      add({ resourceType: 'Observation', status: 'final', category: category(cat), code, subject, encounter, effectiveDateTime: when, ...value } as Observation);
    if (num(f.pulse) !== undefined) vital(loinc('8867-4', 'Mạch'), { valueQuantity: qty(num(f.pulse)!, 'lần/phút', '/min') });
    if (num(f.temperature) !== undefined) vital(loinc('8310-5', 'Nhiệt độ'), { valueQuantity: qty(num(f.temperature)!, '°C', 'Cel') });
    if (num(f.systolic) !== undefined && num(f.diastolic) !== undefined) {
      vital(loinc('85354-9', 'Huyết áp'), {
        component: [
          { code: loinc('8480-6', 'Huyết áp tâm thu'), valueQuantity: qty(num(f.systolic)!, 'mmHg', 'mm[Hg]') },
          { code: loinc('8462-4', 'Huyết áp tâm trương'), valueQuantity: qty(num(f.diastolic)!, 'mmHg', 'mm[Hg]') },
        ],
      });
    }
    if (num(f.respiration) !== undefined) vital(loinc('9279-1', 'Nhịp thở'), { valueQuantity: qty(num(f.respiration)!, 'lần/phút', '/min') });
    const h = num(f.height);
    const w = num(f.weight);
    if (h !== undefined) vital(loinc('8302-2', 'Chiều cao'), { valueQuantity: qty(h, 'cm', 'cm') });
    if (w !== undefined) vital(loinc('29463-7', 'Cân nặng'), { valueQuantity: qty(w, 'kg', 'kg') });
    if (h !== undefined && w !== undefined) vital(loinc('39156-5', 'Chỉ số khối cơ thể (BMI)'), { valueQuantity: qty(bmi(h, w), 'kg/m2', 'kg/m2') });
    if (num(f.waist) !== undefined) vital(loinc('8280-0', 'Vòng bụng'), { valueQuantity: qty(num(f.waist)!, 'cm', 'cm') });
    if (f.visionRight.trim()) vital(local('thi-luc-phai', 'Thị lực mắt phải'), { valueString: f.visionRight.trim() }, 'exam');
    if (f.visionLeft.trim()) vital(local('thi-luc-trai', 'Thị lực mắt trái'), { valueString: f.visionLeft.trim() }, 'exam');
    if (f.examGeneral.trim()) vital(local('toan-than', 'Khám toàn thân'), { valueString: f.examGeneral.trim() }, 'exam');
    if (f.examOrgans.trim()) vital(local('cac-co-quan', 'Khám các cơ quan'), { valueString: f.examOrgans.trim() }, 'exam');
    if (f.advice.trim()) vital(local('tu-van', 'Tư vấn'), { valueString: f.advice.trim() }, 'exam');
    if (f.diagnosis.trim() || f.diagnosisIcd.trim()) {
      add({
        resourceType: 'Condition',
        clinicalStatus: { coding: [{ system: System.conditionClinical, code: 'active' }] },
        category: [{ coding: [{ system: System.conditionCategory, code: 'encounter-diagnosis' }] }],
        code: { ...(f.diagnosisIcd.trim() ? { coding: [{ system: System.icd10, code: f.diagnosisIcd.trim().toUpperCase() }] } : {}), text: f.diagnosis.trim() || f.diagnosisIcd.trim().toUpperCase() },
        subject,
        encounter,
        recordedDate: when,
      });
    }
  }
  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}

export function bmi(heightCm: number, weightKg: number): number {
  return Math.round((weightKg / (heightCm / 100) ** 2) * 10) / 10;
}
