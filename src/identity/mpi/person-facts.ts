// What the matcher compares about a Patient (PersonFacts), read from the FHIR resource: the
// official name, birth date, sex, national identifiers, the current commune and a mobile number.
import type { Patient } from '@medplum/fhirtypes';
import { Extension, HSSK_CANONICAL, IdentifierSystem } from '../../fhir/systems.ts';
import type { PersonFacts } from '../matcher.ts';

function identifierValue(patient: Patient, system: string): string | undefined {
  return patient.identifier?.find((i) => i.system === system && i.value && i.use !== 'old')?.value
    ?? patient.identifier?.find((i) => i.system === system && i.value)?.value;
}

/** The name as a Vietnamese writes it: family, middle, given. */
export function fullNameOf(patient: Patient): string | undefined {
  const name = patient.name?.find((n) => n.use === 'official') ?? patient.name?.[0];
  if (!name) return undefined;
  if (name.text?.trim()) return name.text.trim();
  const parts = [name.family, ...(name.given ?? [])].filter((p): p is string => Boolean(p?.trim()));
  return parts.length ? parts.join(' ') : undefined;
}

/** The current commune (2025 code) of the home address. */
export function communeOf(patient: Patient): string | undefined {
  const addresses = patient.address ?? [];
  const home = addresses.find((a) => a.use === 'home' && !a.period?.end) ?? addresses.find((a) => !a.period?.end) ?? addresses[0];
  return home?.extension?.find((e) => e.url === Extension.addressCommune)?.valueCode
    ?? home?.extension?.find((e) => e.url === Extension.addressCommune)?.valueString;
}

export function residentIdOf(patient: Patient): string | undefined {
  return identifierValue(patient, IdentifierSystem.residentId);
}

/** Identifier system of a person's row in the household registry: `ma_ho/folded name/birth date`. HSSK. */
export const HOUSEHOLD_MEMBER_SYSTEM = `${HSSK_CANONICAL}/sid/thanh-vien-ho`;

/** Identifiers that name one resident for certain (`system|value`): the resident ID, a household registry member. */
export function exactIdentifiersOf(patient: Patient): string[] {
  return (patient.identifier ?? [])
    .filter((i) => i.value && (i.system === IdentifierSystem.residentId || i.system === HOUSEHOLD_MEMBER_SYSTEM))
    .map((i) => `${i.system}|${i.value}`);
}

export function factsFromPatient(patient: Patient): PersonFacts {
  const facts: PersonFacts = {};
  const set = <K extends keyof PersonFacts>(key: K, value: PersonFacts[K] | undefined) => {
    if (value !== undefined && value !== '') facts[key] = value;
  };
  set('fullName', fullNameOf(patient));
  set('birthDate', patient.birthDate);
  set('sex', patient.gender);
  set('cccd', identifierValue(patient, IdentifierSystem.cccd));
  set('cmnd', identifierValue(patient, IdentifierSystem.cmnd));
  set('bhxh', identifierValue(patient, IdentifierSystem.bhxh));
  set('bhytCard', identifierValue(patient, IdentifierSystem.bhytCard));
  set('communeCode', communeOf(patient));
  const phone = patient.telecom?.find((t) => (t.system === 'phone' || t.system === 'sms') && t.value && !t.period?.end);
  set('phone', phone?.value);
  return facts;
}
