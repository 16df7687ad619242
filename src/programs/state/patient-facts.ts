// Facts about a resident the programmes need: commune, sex, age, resident groups (A4).
import type { Patient } from '@medplum/fhirtypes';
import { Extension } from '../../fhir/systems.ts';
import { ageOn, residentGroups, type ResidentGroupCode } from '../../identity/resident-groups.ts';
import type { IsoDate } from '../dates.ts';
import type { Sex } from '../growth/who-lms.ts';

export function communeOfPatient(patient: Patient): string | null {
  for (const a of patient.address ?? []) {
    const code = a.extension?.find((e) => e.url === Extension.addressCommune)?.valueCode;
    if (code) return code;
  }
  return null;
}

export function sexOf(patient: Patient): Sex | undefined {
  return patient.gender === 'male' ? 'male' : patient.gender === 'female' ? 'female' : undefined;
}

/** Resident groups on `asOf`: recomputed from birth date and occupation (stored groups age). */
export function groupsOf(patient: Patient, asOf: IsoDate): ResidentGroupCode[] {
  const occupation = patient.extension?.find((e) => e.url === Extension.occupation);
  const text = occupation?.valueString ?? occupation?.valueCodeableConcept?.text ?? occupation?.valueCodeableConcept?.coding?.[0]?.display;
  const code = occupation?.valueCodeableConcept?.coding?.[0]?.code;
  return residentGroups({ birthDate: patient.birthDate, occupation: { text, code }, asOf });
}

export function ageYears(patient: Patient, asOf: IsoDate): number | undefined {
  return ageOn(patient.birthDate, asOf);
}

export function displayName(patient: Patient): string {
  const n = patient.name?.[0];
  if (!n) return '';
  return n.text ?? [n.family, ...(n.given ?? [])].filter(Boolean).join(' ');
}
