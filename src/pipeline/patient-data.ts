// How a resident's Patient takes what an input says about them: a new resident gets the
// resident ID; an existing one gets the identifiers, contacts and addresses not yet recorded
// and its blanks filled — never overwritten with blanks. The household registry ('registry')
// is also the authority on name, birth date, sex, address and its own extensions.
import type { Address, ContactPoint, Extension as FhirExtension, Identifier, Patient } from '@medplum/fhirtypes';
import { normalizePhone } from '../fhir/fold.ts';
import { CodeSystem, Extension, IdentifierSystem } from '../fhir/systems.ts';
import { RESIDENT_GROUP_DISPLAY, residentGroups } from '../identity/resident-groups.ts';
import { canonicalJson } from './references.ts';

const sameIdentifier = (a: Identifier, b: Identifier) => a.system === b.system && a.value === b.value;
const contactKey = (c: ContactPoint) => `${c.system}|${c.system === 'phone' || c.system === 'sms' ? normalizePhone(c.value ?? '') : c.value}`;
const addressKey = (a: Address) => canonicalJson({ ...a, period: undefined, use: undefined });

export function withResidentId(patient: Patient, residentId: string): Patient {
  const identifier = (patient.identifier ?? []).filter((i) => i.system !== IdentifierSystem.residentId);
  return { ...patient, identifier: [{ use: 'official', system: IdentifierSystem.residentId, value: residentId }, ...identifier] };
}

function mergeIdentifiers(existing: Identifier[] = [], incoming: Identifier[] = []): Identifier[] {
  const out = [...existing];
  for (const id of incoming) {
    if (id.system === IdentifierSystem.residentId) continue; // issued by HSSK only
    if (!id.value || out.some((e) => sameIdentifier(e, id))) continue;
    out.push(id);
  }
  return out;
}

function mergeTelecom(existing: ContactPoint[] = [], incoming: ContactPoint[] = []): ContactPoint[] {
  const keys = new Set(existing.map(contactKey));
  const out = [...existing];
  for (const c of incoming) {
    if (!c.value || keys.has(contactKey(c))) continue;
    keys.add(contactKey(c));
    out.push(c);
  }
  return out;
}

function mergeAddresses(existing: Address[] = [], incoming: Address[] = [], registry: boolean): Address[] {
  if (incoming.length === 0) return existing;
  if (registry) {
    // The registry's home address is the current one; earlier ones are kept with an end.
    const incomingKeys = new Set(incoming.map(addressKey));
    const kept = existing.filter((a) => !incomingKeys.has(addressKey(a)) && a.period?.end);
    return [...incoming, ...kept];
  }
  const keys = new Set(existing.map(addressKey));
  return [...existing, ...incoming.filter((a) => !keys.has(addressKey(a)))];
}

function mergeExtensions(existing: FhirExtension[] = [], incoming: FhirExtension[] = [], registry: boolean): FhirExtension[] {
  const incomingUrls = new Set(incoming.map((e) => e.url));
  const existingUrls = new Set(existing.map((e) => e.url));
  const kept = registry ? existing.filter((e) => !incomingUrls.has(e.url)) : existing;
  const added = registry ? incoming : incoming.filter((e) => !existingUrls.has(e.url));
  return [...kept, ...added];
}

/** A year-only (or year-month) date is less precise than a full one of the same year. */
function betterBirthDate(existing: string | undefined, incoming: string | undefined): string | undefined {
  if (!incoming) return existing;
  if (!existing) return incoming;
  return incoming.length > existing.length && incoming.startsWith(existing) ? incoming : existing;
}

export function mergePatientData(existing: Patient, incoming: Patient, mode: 'fill' | 'registry'): Patient {
  const registry = mode === 'registry';
  const merged: Patient = { ...incoming, ...existing };
  merged.identifier = mergeIdentifiers(existing.identifier, incoming.identifier);
  merged.telecom = mergeTelecom(existing.telecom, incoming.telecom);
  merged.address = mergeAddresses(existing.address, incoming.address, registry);
  merged.extension = mergeExtensions(existing.extension, incoming.extension, registry);
  if (registry && incoming.name?.length) merged.name = incoming.name;
  if (registry && incoming.birthDate) merged.birthDate = incoming.birthDate;
  else merged.birthDate = betterBirthDate(existing.birthDate, incoming.birthDate);
  if (incoming.gender && (registry || !existing.gender || existing.gender === 'unknown')) merged.gender = incoming.gender;
  for (const key of ['telecom', 'address', 'extension', 'identifier'] as const) if (merged[key]?.length === 0) delete merged[key];
  if (merged.birthDate === undefined) delete merged.birthDate;
  return merged;
}

/** Sets the resident-group extensions (MISSION A4) from birth date and occupation. */
export function withResidentGroups(patient: Patient, asOf: string): Patient {
  const occupation = patient.extension?.find((e) => e.url === Extension.occupation);
  const text = occupation?.valueString ?? occupation?.valueCodeableConcept?.text ?? occupation?.valueCodeableConcept?.coding?.[0]?.display;
  const code = occupation?.valueCodeableConcept?.coding?.[0]?.code;
  const groups = residentGroups({ birthDate: patient.birthDate, occupation: { text, code }, asOf });
  const others = (patient.extension ?? []).filter((e) => e.url !== Extension.residentGroup);
  return {
    ...patient,
    extension: [
      ...others,
      ...groups.map((g) => ({ url: Extension.residentGroup, valueCoding: { system: CodeSystem.residentGroup, code: g, display: RESIDENT_GROUP_DISPLAY[g] } })),
    ],
  };
}
