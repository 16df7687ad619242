// FHIR knowledge the screens need: the systems HSSK uses (mirrors src/fhir/systems.ts), names,
// identifiers and search queries. No user text here: labels are translation keys.
import type { Bundle, HumanName, Identifier, Patient, Reference, Resource } from '@medplum/fhirtypes';
import type { MessageKey } from './i18n.tsx';

const VN_CORE = 'http://fhir.ehealth.gov.vn/core';
const HSSK = 'http://fhir.hssk.vn';

export const System = {
  cccd: `${VN_CORE}/sid/national_id`,
  cmnd: `${VN_CORE}/sid/citizen_id`,
  bhytCard: `${VN_CORE}/sid/insurance_number`,
  passport: `${VN_CORE}/sid/passport_number`,
  bhxh: `${HSSK}/sid/ma-so-bhxh`,
  residentId: `${HSSK}/sid/resident-id`,
  facilityCode: `${HSSK}/sid/ma-cskcb`,
  loinc: 'http://loinc.org',
  ucum: 'http://unitsofmeasure.org',
  icd10: 'http://hl7.org/fhir/sid/icd-10',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  conditionCategory: 'http://terminology.hl7.org/CodeSystem/condition-category',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  allergyClinical: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical',
  v3ActCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  v3RoleCode: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode',
  encounterType: `${HSSK}/CodeSystem/loai-luot-kham`,
  form831: `${HSSK}/CodeSystem/qd831`,
  ethnicity: `${HSSK}/CodeSystem/dan-toc`,
} as const;

export const Ext = {
  addressCommune: `${HSSK}/StructureDefinition/address-commune`,
  addressProvince: `${HSSK}/StructureDefinition/address-province`,
  residentGroup: `${HSSK}/StructureDefinition/resident-group`,
  populationVerification: `${HSSK}/StructureDefinition/population-verification`,
  ethnicity: `${HSSK}/StructureDefinition/dan-toc`,
  occupation: `${HSSK}/StructureDefinition/nghe-nghiep`,
} as const;

/** The type code QĐ 831 health-check visits carry (Encounter.type). */
export const HEALTH_CHECK_TYPE = { system: System.encounterType, code: 'kham-suc-khoe', display: 'Khám sức khỏe' } as const;

export const IDENTIFIER_LABELS: Record<string, MessageKey> = {
  [System.residentId]: 'id.residentId',
  [System.cccd]: 'id.cccd',
  [System.cmnd]: 'id.cmnd',
  [System.bhytCard]: 'id.bhyt',
  [System.bhxh]: 'id.bhxh',
  [System.passport]: 'id.passport',
};

export function nameOf(name: HumanName[] | undefined): string {
  const n = name?.find((x) => x.use === 'official') ?? name?.[0];
  if (!n) return '';
  return n.text ?? [n.family, ...(n.given ?? [])].filter(Boolean).join(' ');
}

export function identifiersOf(resource: { identifier?: Identifier[] }): { label: MessageKey | undefined; system?: string; value: string }[] {
  return (resource.identifier ?? [])
    .filter((i) => i.value)
    .map((i) => ({ label: i.system ? IDENTIFIER_LABELS[i.system] : undefined, ...(i.system ? { system: i.system } : {}), value: i.value! }))
    .sort((a, b) => Number(b.label !== undefined) - Number(a.label !== undefined));
}

export function phoneOf(patient: Patient): string | undefined {
  return patient.telecom?.find((t) => t.system === 'phone' || t.system === 'sms')?.value;
}

export function currentAddress(patient: Patient) {
  return (patient.address ?? []).find((a) => a.use !== 'old' && !a.period?.end) ?? patient.address?.[0];
}

export function communeCodeOf(patient: Patient): string | undefined {
  return currentAddress(patient)?.extension?.find((e) => e.url === Ext.addressCommune)?.valueCode;
}

export function addressText(patient: Patient): string {
  const a = currentAddress(patient);
  if (!a) return '';
  return a.text ?? [a.line?.join(', '), a.district, a.city, a.state].filter(Boolean).join(', ');
}

export function refId(ref: Reference | undefined, type?: string): string | undefined {
  const r = ref?.reference;
  if (!r) return undefined;
  const [t, id] = r.split('/');
  if (type && t !== type) return undefined;
  return id;
}

export function resourcesOf<T extends Resource>(bundle: Bundle | undefined, type: T['resourceType']): T[] {
  return (bundle?.entry ?? []).map((e) => e.resource).filter((r): r is T => r?.resourceType === type);
}

export type IdentifierKind = 'auto' | 'residentId' | 'cccd' | 'bhyt' | 'phone';

/** What a typed identifier most likely is, from its shape. */
export function guessIdentifierKind(value: string): Exclude<IdentifierKind, 'auto'> | 'any' {
  const v = value.replace(/\s+/g, '').toUpperCase();
  if (/^HS\d+$/.test(v)) return 'residentId';
  if (/^\d{12}$/.test(v)) return 'cccd';
  if (/^[A-Z]{2}\d{13}$/.test(v)) return 'bhyt';
  if (/^(\+?84|0)\d{9}$/.test(v)) return 'phone';
  return 'any';
}

export interface PatientQuery {
  identifier?: string;
  kind?: IdentifierKind;
  name?: string;
  birthYear?: string;
  commune?: string;
}

/** One or more FHIR Patient search query strings (results are merged): an id may be a phone or a code. */
export function patientSearchQueries(q: PatientQuery): string[] {
  const common = new URLSearchParams({ _count: '50' });
  if (q.name?.trim()) common.set('name', q.name.trim());
  if (q.birthYear?.trim()) common.set('birthdate', q.birthYear.trim());
  const commune = q.commune?.trim();
  if (commune) common.set(/^\d{5}$/.test(commune) ? 'address-commune' : 'address', commune);
  const id = q.identifier?.replace(/\s+/g, '');
  if (!id) return [common.toString()];
  const kind = q.kind && q.kind !== 'auto' ? q.kind : guessIdentifierKind(id);
  const withParam = (k: string, v: string) => {
    const p = new URLSearchParams(common);
    p.set(k, v);
    return p.toString();
  };
  switch (kind) {
    case 'phone':
      return [withParam('phone', id), withParam('identifier', id)];
    case 'residentId':
      return [withParam('identifier', `${System.residentId}|${id.toUpperCase()}`)];
    case 'cccd':
      return [withParam('identifier', `${System.cccd}|${id}`)];
    case 'bhyt':
      return [withParam('identifier', id.toUpperCase())];
    default:
      return [withParam('identifier', id)];
  }
}
