// The CDA header: which document this is (id, set id, version), who it is about (recordTarget),
// what kind of document it is, and the encounter it documents (componentOf).
import { mapCcdaCodeToCodeableConcept, mapCcdaToFhirDateTime, type CcdaCode, type CcdaId } from '@medplum/ccda';
import type { Address, CodeableConcept, ContactPoint, Encounter, HumanName, Identifier, Patient } from '@medplum/fhirtypes';
import { CodeSystem } from '../../fhir/systems.ts';
import { KNOWN_ID_ROOTS, Oid, URI_SYSTEM } from './cda-systems.ts';
import { cdaDate } from './time.ts';

/** The parsed tree as @medplum/ccda leaves it: typed where its interfaces reach, loose elsewhere. */
export type Tree = Record<string, unknown>;

export function asTree(value: unknown): Tree | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Tree) : undefined;
}

export function asList(value: unknown): Tree[] {
  if (Array.isArray(value)) return value.map(asTree).filter((v): v is Tree => v !== undefined);
  const single = asTree(value);
  return single === undefined ? [] : [single];
}

/** An element that may occur once or many times, as a list of raw values. */
export function rawList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** Text content of an element that may be a string or `{ '#text': … }`. */
export function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  const tree = asTree(value);
  const text = tree?.['#text'];
  return typeof text === 'string' ? text.trim() || undefined : undefined;
}

function attr(tree: Tree | undefined, name: string): string | undefined {
  const value = tree?.[`@_${name}`];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OID = /^\d+(\.\d+)+$/;

/** `root^extension` with both parts escaped, so that `/` and `^` inside them cannot make one
 *  document's key a prefix of another's. */
export function iiKey(id: CcdaId | undefined): string | undefined {
  const root = id?.['@_root']?.trim();
  if (!root || id?.['@_nullFlavor' as keyof CcdaId]) return undefined;
  const extension = id?.['@_extension']?.trim();
  return extension ? `${encodeURIComponent(root)}^${encodeURIComponent(extension)}` : encodeURIComponent(root);
}

/** A CDA instance identifier as a FHIR Identifier: root+extension → system+value; a bare OID or
 *  UUID root → the RFC 3986 system with `urn:oid:`/`urn:uuid:`. */
export function iiToIdentifier(id: CcdaId | undefined): Identifier | undefined {
  const root = id?.['@_root']?.trim();
  if (!root) return undefined;
  const extension = id?.['@_extension']?.trim();
  if (!extension) {
    if (UUID.test(root)) return { system: URI_SYSTEM, value: `urn:uuid:${root.toLowerCase()}` };
    if (OID.test(root)) return { system: URI_SYSTEM, value: `urn:oid:${root}` };
    return undefined;
  }
  const known = KNOWN_ID_ROOTS[root];
  if (known !== undefined) return { system: known, value: extension };
  if (OID.test(root)) return { system: `urn:oid:${root}`, value: extension };
  if (UUID.test(root)) return { system: `urn:uuid:${root.toLowerCase()}`, value: extension };
  return { system: root, value: extension };
}

export function isKnownRoot(id: CcdaId): boolean {
  return id['@_root'] !== undefined && KNOWN_ID_ROOTS[id['@_root'].trim()] !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Patient

function mapName(name: Tree | string): HumanName | undefined {
  // Unstructured `<name>Nguyễn Thị Lan</name>`: Vietnamese order, family name first.
  const whole = typeof name === 'string' ? name.trim() : textOf(name);
  const tree = typeof name === 'string' ? undefined : name;
  const family = textOf(tree?.['family']);
  const given = rawList(tree?.['given'])
    .map(textOf)
    .filter((g): g is string => g !== undefined);
  if (family === undefined && given.length === 0) {
    if (!whole) return undefined;
    const parts = whole.split(/\s+/);
    return { use: 'official', text: whole, family: parts[0], given: parts.length > 1 ? parts.slice(1) : undefined };
  }
  const text = [family, ...given].filter(Boolean).join(' ');
  return { use: 'official', text, family, given: given.length > 0 ? given : undefined };
}

const GENDER: Readonly<Record<string, Patient['gender']>> = { M: 'male', F: 'female', UN: 'unknown' };

function mapAddress(addr: Tree): Address | undefined {
  const lines = rawList(addr['streetAddressLine']).map(textOf).filter((l): l is string => l !== undefined);
  // Vietnamese addresses: số nhà/đường, xã/phường (precinct or city), huyện (county), tỉnh (state).
  const precinct = textOf(addr['precinct']);
  const city = textOf(addr['city']);
  const district = textOf(addr['county']);
  const state = textOf(addr['state']);
  const country = textOf(addr['country']);
  const postalCode = textOf(addr['postalCode']);
  const allLines = precinct ? [...lines, precinct] : lines;
  const text = [...allLines, city, district, state, country].filter(Boolean).join(', ') || textOf(addr);
  if (!text) return undefined;
  const use = attr(addr, 'use');
  return {
    use: use === 'HP' || use === 'H' ? 'home' : use === 'WP' ? 'work' : use === 'TMP' ? 'temp' : undefined,
    text,
    line: allLines.length > 0 ? allLines : undefined,
    city,
    district,
    state,
    postalCode,
    country,
  };
}

function mapTelecom(telecom: Tree): ContactPoint | undefined {
  const value = attr(telecom, 'value');
  if (value === undefined) return undefined;
  const use = attr(telecom, 'use');
  const fhirUse = use === 'MC' ? 'mobile' : use === 'HP' || use === 'H' ? 'home' : use === 'WP' ? 'work' : undefined;
  if (value.startsWith('tel:')) return { system: 'phone', value: value.slice(4), use: fhirUse };
  if (value.startsWith('mailto:')) return { system: 'email', value: value.slice(7), use: fhirUse };
  if (value.startsWith('fax:')) return { system: 'fax', value: value.slice(4), use: fhirUse };
  return { system: 'other', value, use: fhirUse };
}

export interface MappedPatient {
  patient: Patient;
  /** Roots of identifiers kept as `urn:oid:` because HSSK does not know them. */
  unknownRoots: string[];
}

export function mapPatient(patientRole: Tree): MappedPatient {
  const ids = asList(patientRole['id']) as CcdaId[];
  const identifier = ids.map(iiToIdentifier).filter((i): i is Identifier => i !== undefined);
  const unknownRoots = ids.filter((id) => id['@_extension'] && !isKnownRoot(id)).map((id) => id['@_root'] ?? '');
  const person = asTree(patientRole['patient']) ?? {};
  const names = rawList(person['name'])
    .map((n) => (typeof n === 'string' ? mapName(n) : asTree(n) ? mapName(asTree(n)!) : undefined))
    .filter((n): n is HumanName => n !== undefined);
  const gender = GENDER[attr(asTree(person['administrativeGenderCode']), 'code') ?? ''];
  const birthDate = cdaDate(attr(asTree(person['birthTime']), 'value'));
  const address = asList(patientRole['addr']).map(mapAddress).filter((a): a is Address => a !== undefined);
  const telecom = asList(patientRole['telecom']).map(mapTelecom).filter((t): t is ContactPoint => t !== undefined);
  const patient: Patient = { resourceType: 'Patient' };
  if (identifier.length > 0) patient.identifier = identifier;
  if (names.length > 0) patient.name = names;
  if (gender !== undefined) patient.gender = gender;
  if (birthDate !== undefined) patient.birthDate = birthDate;
  if (address.length > 0) patient.address = address;
  if (telecom.length > 0) patient.telecom = telecom;
  return { patient, unknownRoots: [...new Set(unknownRoots)] };
}

// ---------------------------------------------------------------------------------------------
// Document metadata

export function mapCode(code: unknown): CodeableConcept | undefined {
  const tree = asTree(code);
  if (tree === undefined) return undefined;
  const mapped = mapCcdaCodeToCodeableConcept(tree as unknown as CcdaCode);
  if (mapped === undefined) return undefined;
  // Only the ICD-10 OID needs the HSSK system URI; @medplum/ccda leaves it as urn:oid.
  for (const coding of mapped.coding ?? []) {
    if (coding.system === `urn:oid:${Oid.icd10}`) coding.system = CodeSystem.icd10;
  }
  return mapped;
}

export function dateTimeOf(element: unknown): string | undefined {
  const tree = asTree(Array.isArray(element) ? element[0] : element);
  return mapCcdaToFhirDateTime(attr(tree, 'value'));
}

/** Display names of the document's authors: the person, else the device, with the organisation. */
export function authorDisplays(ccda: Tree): string[] {
  return asList(ccda['author'])
    .map((author) => {
      const assigned = asTree(author['assignedAuthor']);
      const rawName = rawList(asTree(assigned?.['assignedPerson'])?.['name'])[0];
      const personName = typeof rawName === 'string' ? mapName(rawName)?.text : asTree(rawName) ? mapName(asTree(rawName)!)?.text : undefined;
      const device = textOf(asTree(assigned?.['assignedAuthoringDevice'])?.['softwareName']);
      const organisation = textOf(rawList(asTree(assigned?.['representedOrganization'])?.['name'])[0]);
      return [personName ?? device, organisation].filter(Boolean).join(' — ');
    })
    .filter((d) => d !== '');
}

export function custodianDisplay(ccda: Tree): string | undefined {
  const organisation = asTree(asTree(asTree(ccda['custodian'])?.['assignedCustodian'])?.['representedCustodianOrganization']);
  return textOf(rawList(organisation?.['name'])[0]);
}

/** componentOf/encompassingEncounter → Encounter (the stay a discharge summary or referral is about). */
export function mapEncompassingEncounter(ccda: Tree, isInpatientDocument: boolean): Encounter | undefined {
  const encounter = asTree(asTree(ccda['componentOf'])?.['encompassingEncounter']);
  if (encounter === undefined) return undefined;
  const time = asTree(asList(encounter['effectiveTime'])[0] ?? encounter['effectiveTime']);
  const start = mapCcdaToFhirDateTime(attr(asTree(time?.['low']), 'value') ?? attr(time, 'value'));
  const end = mapCcdaToFhirDateTime(attr(asTree(time?.['high']), 'value'));
  const code = asTree(encounter['code']);
  const isActCode = attr(code, 'codeSystem') === Oid.actCode;
  const facility = asTree(asTree(encounter['location'])?.['healthCareFacility']);
  const facilityName =
    textOf(rawList(asTree(facility?.['location'])?.['name'])[0]) ??
    textOf(rawList(asTree(facility?.['serviceProviderOrganization'])?.['name'])[0]);
  const identifier = (asList(encounter['id']) as CcdaId[]).map(iiToIdentifier).filter((i): i is Identifier => i !== undefined);
  const disposition = mapCode(encounter['dischargeDispositionCode']);
  const result: Encounter = {
    resourceType: 'Encounter',
    status: end !== undefined ? 'finished' : 'in-progress',
    class: isActCode
      ? { system: CodeSystem.v3ActCode, code: attr(code, 'code'), display: attr(code, 'displayName') }
      : { system: CodeSystem.v3ActCode, code: isInpatientDocument ? 'IMP' : 'AMB' },
  };
  if (identifier.length > 0) result.identifier = identifier;
  if (!isActCode && code !== undefined) {
    const type = mapCode(code);
    if (type !== undefined) result.type = [type];
  }
  if (start !== undefined || end !== undefined) result.period = { start, end };
  if (disposition !== undefined) result.hospitalization = { dischargeDisposition: disposition };
  if (facilityName !== undefined) result.serviceProvider = { display: facilityName };
  return result;
}
