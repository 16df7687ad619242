// Identifier systems, OIDs and template ids the CDA adapter needs that src/fhir/systems.ts does
// not define (that module belongs to the FHIR core; these are specific to CDA input).
import { HSSK_CANONICAL, IdentifierSystem } from '../../fhir/systems.ts';

/** HSSK's identifier system for everything produced from a CDA document. Values are
 *  `<document set key>/<entry key>/<Type>-<n>`, so a new version of a document replaces the
 *  previous one by value prefix (`AdaptedRecord.replaces`). */
export const CDA_RECORD_SYSTEM = `${HSSK_CANONICAL}/sid/cda`;

/** RFC 3986 identifier system, for ids given only as an OID or UUID root. */
export const URI_SYSTEM = 'urn:ietf:rfc:3986';

/** The HL7 v3 namespace every CDA document's root element is in. */
export const HL7_V3_NAMESPACE = 'urn:hl7-org:v3';

/** Code system OIDs as CDA writes them. */
export const Oid = {
  icd10: '2.16.840.1.113883.6.3',
  icd10cm: '2.16.840.1.113883.6.90',
  loinc: '2.16.840.1.113883.6.1',
  snomed: '2.16.840.1.113883.6.96',
  atc: '2.16.840.1.113883.6.73',
  actCode: '2.16.840.1.113883.5.4',
  confidentiality: '2.16.840.1.113883.5.25',
} as const;

/** DocumentReference.content.format of a C-CDA R2.1 structured-body document (IHE format code). */
export const CCDA_FORMAT = {
  system: 'http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode',
  code: 'urn:hl7-org:sdwg:ccda-structuredBody:2.1',
  display: 'C-CDA R2.1 Structured Body',
} as const;

/** WHO ATC, the URI the storage policy and FHIR terminology use for it. */
export const ATC_SYSTEM = 'http://www.whocc.no/atc';

/** v3 Confidentiality code system, for DocumentReference.securityLabel. */
export const CONFIDENTIALITY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';

/**
 * Identifier roots recognised as a Vietnamese identifier. No Vietnamese OIDs are published
 * (shared/reference/vn-standards.md §9), so this only recognises senders that put the Vietnam
 * CORE IG NamingSystem URI (or a plain label) in `root`, which some do; an unknown root is kept
 * as `urn:oid:<root>` and identity resolution uses name, birth date and sex instead.
 * Add a Vietnamese OID here when one is assigned.
 */
export const KNOWN_ID_ROOTS: Readonly<Record<string, string>> = {
  [IdentifierSystem.cccd]: IdentifierSystem.cccd,
  [IdentifierSystem.cmnd]: IdentifierSystem.cmnd,
  [IdentifierSystem.bhytCard]: IdentifierSystem.bhytCard,
  [IdentifierSystem.passport]: IdentifierSystem.passport,
  [IdentifierSystem.patientInternalId]: IdentifierSystem.patientInternalId,
  [IdentifierSystem.bhxh]: IdentifierSystem.bhxh,
  CCCD: IdentifierSystem.cccd,
  CMND: IdentifierSystem.cmnd,
  BHYT: IdentifierSystem.bhytCard,
  BHXH: IdentifierSystem.bhxh,
};

/** C-CDA section template roots. */
export const SectionTemplate = {
  medications: '2.16.840.1.113883.10.20.22.2.1.1',
  problems: '2.16.840.1.113883.10.20.22.2.5.1',
  procedures: '2.16.840.1.113883.10.20.22.2.7.1',
} as const;

/**
 * Sections whose entries @medplum/ccda would skip because it dispatches on a few template ids
 * only: each is converted as the section it is equivalent to. `unwrap` names the entry act whose
 * `entryRelationship` holds the real statement (discharge and admission medication acts wrap a
 * medication activity).
 */
export const SECTION_ALIASES: Readonly<Record<string, { as: string; unwrap?: 'substanceAdministration' }>> = {
  // Medications, entries optional.
  '2.16.840.1.113883.10.20.22.2.1': { as: SectionTemplate.medications },
  // Hospital discharge medications (act 4.29 wrapping medication activities).
  '2.16.840.1.113883.10.20.22.2.11': { as: SectionTemplate.medications, unwrap: 'substanceAdministration' },
  '2.16.840.1.113883.10.20.22.2.11.1': { as: SectionTemplate.medications, unwrap: 'substanceAdministration' },
  // Admission medications (act 4.36).
  '2.16.840.1.113883.10.20.22.2.44': { as: SectionTemplate.medications, unwrap: 'substanceAdministration' },
  // Discharge diagnosis (act 4.33) and admission diagnosis (act 4.34): problem observations under SUBJ.
  '2.16.840.1.113883.10.20.22.2.24': { as: SectionTemplate.problems },
  '2.16.840.1.113883.10.20.22.2.43': { as: SectionTemplate.problems },
  // Procedures, entries optional.
  '2.16.840.1.113883.10.20.22.2.7': { as: SectionTemplate.procedures },
};

/** LOINC document types named in HSSK's documentation (others are accepted as they come). */
export const DocumentType = {
  ccd: '34133-9',
  dischargeSummary: '18842-5',
  referralNote: '57133-1',
} as const;
