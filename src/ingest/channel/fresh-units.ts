// A record's `replaces` makes the pipeline look up, one query per record, what an earlier version
// of the unit stored. Most units arrive once: one query for the whole batch tells which units
// have anything stored under their identifier prefix, and only those keep `replaces` (a unit
// with nothing stored has nothing to replace). Same rule as the pipeline: the value is the prefix
// or starts with prefix + '/'.
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

/** Copies of the records without `replaces` when nothing is stored under their prefix. */
export async function dropNeedlessReplaces(q: Queryable, records: readonly AdaptedRecord[]): Promise<AdaptedRecord[]> {
  const withReplaces = records.map((r, i) => ({ r, i })).filter(({ r }) => r.replaces);
  if (withReplaces.length === 0) return [...records];
  const { rows } = await q.query<{ i: number }>(
    `SELECT x.i::int AS i FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS x(system, prefix, i)
      WHERE EXISTS (SELECT 1 FROM search_token t
                     WHERE t.p = ANY($3::int[]) AND t.system = x.system
                       AND (t.code = x.prefix OR (t.code >= x.prefix || '/' AND t.code < x.prefix || '0')))`,
    [withReplaces.map(({ r }) => r.replaces!.system), withReplaces.map(({ r }) => r.replaces!.valuePrefix), identifierKeys()],
  );
  const stored = new Set(rows.map((row) => withReplaces[row.i - 1]!.i));
  return records.map((r, i) => {
    if (!r.replaces || stored.has(i)) return r;
    const { replaces: _none, ...rest } = r;
    return rest;
  });
}
