// What the "Tự khai báo" forms send (MISSION C5): the resident's allergy and family-history
// statements as FHIR resources, and their phone/address as the Parameters of
// Patient/$add-contact. The server marks them self-reported; nothing here claims a source.
import type { AllergyIntolerance, FamilyMemberHistory, Parameters } from '@medplum/fhirtypes';

export const SEVERITIES = ['mild', 'moderate', 'severe'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Family relationships offered (HL7 v3 RoleCode). */
export const RELATIONSHIPS = ['FTH', 'MTH', 'BRO', 'SIS', 'SON', 'DAU', 'GRFTH', 'GRMTH'] as const;
export type Relationship = (typeof RELATIONSHIPS)[number];

const V3_ROLE = 'http://terminology.hl7.org/CodeSystem/v3-RoleCode';
const ALLERGY_CLINICAL = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical';

/** A Vietnamese mobile number as typed (spaces, dots, +84 allowed) → 0xxxxxxxxx, or undefined. */
export function mobileNumber(raw: string): string | undefined {
  const compact = raw.replace(/[\s.()-]/g, '');
  const national = compact.replace(/^(\+84|0084|84(?=\d{9}$))/, '0').replace(/^00/, '0');
  return /^0[35789]\d{8}$/.test(national) ? national : undefined;
}

export function buildAllergy(patientId: string, substance: string, reaction: string, severity: Severity | undefined): AllergyIntolerance {
  return {
    resourceType: 'AllergyIntolerance',
    clinicalStatus: { coding: [{ system: ALLERGY_CLINICAL, code: 'active' }] },
    code: { text: substance.trim() },
    patient: { reference: `Patient/${patientId}` },
    recordedDate: new Date().toISOString(),
    ...(reaction.trim() ? { reaction: [{ manifestation: [{ text: reaction.trim() }], ...(severity ? { severity } : {}) }] } : {}),
  };
}

export function buildFamilyHistory(patientId: string, relationship: Relationship, relationshipLabel: string, condition: string): FamilyMemberHistory {
  return {
    resourceType: 'FamilyMemberHistory',
    status: 'completed',
    patient: { reference: `Patient/${patientId}` },
    date: new Date().toISOString(),
    relationship: { coding: [{ system: V3_ROLE, code: relationship }], text: relationshipLabel },
    condition: [{ code: { text: condition.trim() } }],
  };
}

export function contactParameters(contact: { phone?: string; line?: string; commune?: string }): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: [
      ...(contact.phone ? [{ name: 'phone', valueString: contact.phone }] : []),
      ...(contact.line?.trim() ? [{ name: 'line', valueString: contact.line.trim() }] : []),
      ...(contact.commune ? [{ name: 'commune', valueCode: contact.commune }] : []),
    ],
  };
}

/** Lower case, no diacritics: "Hàm Thắng" is found by "ham thang". */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'd').toLowerCase();
}
