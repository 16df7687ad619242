// A household member becomes an AdaptedRecord (a Patient for the shared pipeline); a household
// becomes a Group of its members and RelatedPerson links from the head to each member
// (docs/integration/household-import.md).
import type { Address, Group, Identifier, Patient, RelatedPerson, Resource } from '@medplum/fhirtypes';
import { nameKey, splitVietnameseName } from '../../identity/names.ts';
import { HOUSEHOLD_MEMBER_SYSTEM } from '../../identity/mpi/person-facts.ts';
import { CodeSystem, Extension, IdentifierSystem } from '../../fhir/systems.ts';
import type { AdaptedRecord } from '../adapted-record.ts';
import {
  HOUSEHOLD_LINK_SYSTEM,
  HOUSEHOLD_RELATIONSHIP_EXTENSION,
  RELATED_PATIENT_EXTENSION,
  RELATIONSHIP_SYSTEM,
  type Relationship,
} from './columns.ts';
import type { HouseholdMember } from './parse-row.ts';

const PATIENT_URL = 'urn:uuid:00000000-0000-4000-8000-000000000000';

function addressOf(m: HouseholdMember): Address | undefined {
  if (!m.address && !m.commune) return undefined;
  const extension = m.commune
    ? [
        { url: Extension.addressCommune, valueCode: m.commune.commune.code },
        ...(m.commune.scheme === 'pre2025' ? [{ url: Extension.addressCommuneOld, valueCode: m.commune.code }] : []),
        { url: Extension.addressProvince, valueCode: m.commune.commune.provinceCode },
      ]
    : undefined;
  return {
    use: 'home',
    type: 'physical',
    ...(m.address ? { text: m.address } : {}),
    ...(m.commune ? { city: m.commune.commune.name } : {}),
    country: 'VN',
    ...(extension ? { extension } : {}),
  };
}

/** The stable identifier of a person's row in the household registry. */
export function householdMemberValue(m: Pick<HouseholdMember, 'householdId' | 'fullName' | 'birthDate'>): string {
  return `${m.householdId}/${nameKey(m.fullName)}/${m.birthDate ?? ''}`;
}

export function memberToPatient(m: HouseholdMember): Patient {
  const parts = splitVietnameseName(m.fullName);
  const identifier: Identifier[] = [];
  if (m.cccd) identifier.push({ use: 'official', system: IdentifierSystem.cccd, value: m.cccd });
  if (m.cmnd) identifier.push({ system: IdentifierSystem.cmnd, value: m.cmnd });
  if (m.bhxh) identifier.push({ system: IdentifierSystem.bhxh, value: m.bhxh });
  if (m.bhytCard) identifier.push({ system: IdentifierSystem.bhytCard, value: m.bhytCard });
  identifier.push({ use: 'secondary', system: HOUSEHOLD_MEMBER_SYSTEM, value: householdMemberValue(m) });
  const address = addressOf(m);
  const given = [...parts.middle, parts.given].filter(Boolean);
  return {
    resourceType: 'Patient',
    identifier,
    active: true,
    name: [{ use: 'official', text: m.fullName, ...(parts.family ? { family: parts.family } : {}), ...(given.length ? { given } : {}) }],
    ...(m.sex ? { gender: m.sex } : {}),
    ...(m.birthDate ? { birthDate: m.birthDate } : {}),
    ...(m.phone ? { telecom: [{ system: 'phone' as const, value: m.phone, use: 'mobile' as const }] } : {}),
    ...(address ? { address: [address] } : {}),
    extension: [
      ...(m.ethnicity ? [{ url: Extension.ethnicity, valueCodeableConcept: { text: m.ethnicity } }] : []),
      ...(m.occupation ? [{ url: Extension.occupation, valueCodeableConcept: { text: m.occupation } }] : []),
    ],
  };
}

export function memberToRecord(m: HouseholdMember, line: number, warnings: string[]): AdaptedRecord {
  const patient = memberToPatient(m);
  if (patient.extension?.length === 0) delete patient.extension;
  return { key: `household/${m.householdId}/${line}`, patient, patientFullUrl: PATIENT_URL, entries: [], excluded: {}, warnings };
}

function relationshipConcept(r: Relationship) {
  return {
    coding: [
      { system: RELATIONSHIP_SYSTEM, code: r.code, display: r.display },
      ...(r.v3 ? [{ system: CodeSystem.v3RoleCode, code: r.v3 }] : []),
    ],
    text: r.display,
  };
}

/**
 * The household as FHIR: a Group (identifier mã hộ) listing every member with their relationship
 * to the head, and for every member but the head a RelatedPerson in the head's record naming the
 * relationship and pointing at the member's own Patient.
 */
export function householdResources(householdId: string, members: { patientId: string | undefined; relationship: Relationship }[]): Resource[] {
  const present = members.filter((m): m is { patientId: string; relationship: Relationship } => m.patientId !== undefined);
  if (present.length === 0) return [];
  const seen = new Set<string>();
  const unique = present.filter((m) => (seen.has(m.patientId) ? false : (seen.add(m.patientId), true)));
  const group: Group = {
    resourceType: 'Group',
    identifier: [{ system: IdentifierSystem.household, value: householdId }],
    type: 'person',
    actual: true,
    code: { coding: [{ system: RELATIONSHIP_SYSTEM, code: 'ho-gia-dinh', display: 'Hộ gia đình' }], text: 'Hộ gia đình' },
    quantity: unique.length,
    member: unique.map((m) => ({
      entity: { reference: `Patient/${m.patientId}` },
      extension: [{ url: HOUSEHOLD_RELATIONSHIP_EXTENSION, valueCodeableConcept: relationshipConcept(m.relationship) }],
    })),
  };
  const head = unique.find((m) => m.relationship.code === 'chu-ho');
  if (!head) return [group];
  const links: RelatedPerson[] = unique
    .filter((m) => m !== head)
    .map((m) => ({
      resourceType: 'RelatedPerson',
      identifier: [{ system: HOUSEHOLD_LINK_SYSTEM, value: `${householdId}/${m.patientId}` }],
      active: true,
      patient: { reference: `Patient/${head.patientId}` },
      relationship: [relationshipConcept(m.relationship)],
      extension: [{ url: RELATED_PATIENT_EXTENSION, valueReference: { reference: `Patient/${m.patientId}` } }],
    }));
  return [group, ...links];
}
