// A record's `replaces` makes the pipeline look up, one query per record, what an earlier version
// of the unit stored. Most units arrive once: one query for the whole batch tells which units
// have anything stored under their identifier prefix, and only those keep `replaces` (a unit
// with nothing stored has nothing to replace). Same rule as the pipeline: the value is the prefix
// or starts with prefix + '/'.
import type { Identifier, Patient } from '@medplum/fhirtypes';
import { IdentifierSystem } from '../../fhir/systems.ts';
import { identifierParamKey } from '../../pipeline/stored.ts';
import type { Queryable } from '../../store/database.ts';
import type { AdaptedRecord } from '../adapted-record.ts';

/** Every type an identifier-bearing resource of a unit can have (a superset of the pipeline's list). */
const TYPES = [
  'Patient', 'RelatedPerson', 'Encounter', 'Condition', 'Observation', 'MedicationRequest', 'MedicationStatement', 'MedicationDispense',
  'Procedure', 'DiagnosticReport', 'Composition', 'Coverage', 'Claim', 'ExplanationOfBenefit', 'Immunization', 'AllergyIntolerance',
  'ServiceRequest', 'CarePlan', 'Appointment', 'DocumentReference', 'ChargeItem', 'Specimen', 'ImagingStudy', 'EpisodeOfCare', 'Group',
  'Organization', 'Location', 'Practitioner', 'FamilyMemberHistory', 'RiskAssessment', 'Goal', 'Communication', 'QuestionnaireResponse',
  'List', 'Flag', 'DetectedIssue', 'ClinicalImpression', 'NutritionOrder', 'DeviceRequest', 'Media', 'Invoice', 'Basic',
];

let keys: number[] | undefined;
function identifierKeys(): number[] {
  keys ??= [...new Set(TYPES.map(identifierParamKey).filter((k): k is number => k !== undefined))];
  return keys;
}

const idOf = (p: Patient, system: string) => p.identifier?.find((i) => i.system === system)?.value;

/**
 * A re-sent unit belongs to the resident its earlier version was stored for: the record carries
 * that resident's ID, which the MPI links exactly — otherwise a unit whose identity went to review
 * would make a new resident at every re-send. Not when the re-send names another person (a
 * different CCCD or BHXH number): then identity is decided afresh.
 */
function pinnedTo(record: AdaptedRecord, stored: Patient): AdaptedRecord {
  const residentId = idOf(stored, IdentifierSystem.residentId);
  if (!residentId) return record;
  for (const system of [IdentifierSystem.cccd, IdentifierSystem.bhxh]) {
    const incoming = idOf(record.patient, system);
    const known = idOf(stored, system);
    if (incoming && known && incoming !== known) return record;
  }
  const identifier: Identifier[] = [...(record.patient.identifier ?? []).filter((i) => i.system !== IdentifierSystem.residentId), { system: IdentifierSystem.residentId, value: residentId }];
  return { ...record, patient: { ...record.patient, identifier } };
}

/**
 * Copies of the records: without `replaces` when nothing is stored under their prefix; tied to the
 * resident of their earlier version when something is.
 */
export async function dropNeedlessReplaces(q: Queryable, records: readonly AdaptedRecord[]): Promise<AdaptedRecord[]> {
  const withReplaces = records.map((r, i) => ({ r, i })).filter(({ r }) => r.replaces);
  if (withReplaces.length === 0) return [...records];
  // Per unit: whether anything is stored under its prefix, and the Patient its episode or document is about.
  const { rows } = await q.query<{ i: number; patient: string | null }>(
    `SELECT x.i::int AS i, (SELECT p.content FROM resource p WHERE p.resource_type = 'Patient' AND p.id = s.compartment AND NOT p.deleted) AS patient
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS x(system, prefix, i)
       CROSS JOIN LATERAL (
         SELECT r.compartment FROM search_token t JOIN resource r ON r.rid = t.rid AND NOT r.deleted
          WHERE t.p = ANY($3::int[]) AND t.system = x.system
            AND (t.code = x.prefix OR (t.code >= x.prefix || '/' AND t.code < x.prefix || '0'))
          ORDER BY CASE r.resource_type WHEN 'Encounter' THEN 0 WHEN 'Composition' THEN 1 WHEN 'DocumentReference' THEN 2 WHEN 'Patient' THEN 9 WHEN 'RelatedPerson' THEN 9 ELSE 5 END
          LIMIT 1) s`,
    [withReplaces.map(({ r }) => r.replaces!.system), withReplaces.map(({ r }) => r.replaces!.valuePrefix), identifierKeys()],
  );
  const stored = new Map<number, Patient | undefined>(rows.map((row) => [withReplaces[row.i - 1]!.i, row.patient ? (JSON.parse(row.patient) as Patient) : undefined]));
  return records.map((r, i) => {
    if (!r.replaces) return r;
    if (stored.has(i)) {
      const patient = stored.get(i);
      return patient ? pinnedTo(r, patient) : r;
    }
    const { replaces: _none, ...rest } = r;
    return rest;
  });
}
