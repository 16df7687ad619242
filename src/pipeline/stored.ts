// What the pipeline reads before it writes, in one query each: current Patients, resources by
// their stable identifier (conditional update), and the resources a re-sent record replaces.
import type { Resource } from '@medplum/fhirtypes';
import { getSearchParam, listSearchParams } from '../fhir/search-parameters.ts';
import type { Queryable } from '../store/database.ts';

export interface CurrentRow {
  rid: number;
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: Date;
  content: string;
}

interface Row {
  rid: number;
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: Date;
  content: string;
}

const toCurrent = (r: Row): CurrentRow => ({ rid: r.rid, resourceType: r.resource_type, id: r.id, versionId: r.version_id, lastUpdated: r.last_updated, content: r.content });

export async function loadCurrent(q: Queryable, type: string, ids: string[]): Promise<Map<string, CurrentRow>> {
  const out = new Map<string, CurrentRow>();
  if (ids.length === 0) return out;
  const { rows } = await q.query<Row>(
    'SELECT rid, resource_type, id, version_id, last_updated, content FROM resource WHERE resource_type = $1 AND id = ANY($2::text[]) AND NOT deleted',
    [type, [...new Set(ids)]],
  );
  for (const r of rows) out.set(r.id, toCurrent(r));
  return out;
}

/** The identifier that makes a resource's re-send an update: its first identifier with system and value. */
export function stableIdentifier(resource: Resource): { system: string; value: string } | undefined {
  const ids = (resource as { identifier?: { system?: string; value?: string }[] | { system?: string; value?: string } }).identifier;
  const list = Array.isArray(ids) ? ids : ids ? [ids] : [];
  const id = list.find((i) => i.system && i.value);
  return id ? { system: id.system!, value: id.value! } : undefined;
}

export function identifierParamKey(type: string): number | undefined {
  return getSearchParam(type, 'identifier')?.key;
}

const lookupKey = (type: string, system: string, value: string) => `${type}|${system}|${value}`;

/** Current resources by (type, identifier system, value); key `${type}|${system}|${value}`. */
export async function findByIdentifiers(q: Queryable, wanted: { type: string; system: string; value: string }[]): Promise<Map<string, CurrentRow>> {
  const out = new Map<string, CurrentRow>();
  const ps: number[] = [];
  const systems: string[] = [];
  const values: string[] = [];
  const types: string[] = [];
  for (const w of wanted) {
    const p = identifierParamKey(w.type);
    if (p === undefined) continue;
    ps.push(p);
    systems.push(w.system);
    values.push(w.value);
    types.push(w.type);
  }
  if (ps.length === 0) return out;
  const { rows } = await q.query<Row & { system: string; code: string }>(
    `SELECT DISTINCT ON (r.rid) r.rid, r.resource_type, r.id, r.version_id, r.last_updated, r.content, t.system, t.code
       FROM unnest($1::int[], $2::text[], $3::text[], $4::text[]) AS x(p, system, code, type)
       JOIN search_token t ON t.p = x.p AND t.code = x.code AND t.system = x.system
       JOIN resource r ON r.rid = t.rid AND r.resource_type = x.type AND NOT r.deleted`,
    [ps, systems, values, types],
  );
  for (const r of rows) out.set(lookupKey(r.resource_type, r.system, r.code), toCurrent(r));
  return out;
}

export { lookupKey as identifierLookupKey };

let identifierKeys: number[] | undefined;

/** Every resource type's `identifier` parameter key. */
function allIdentifierKeys(): number[] {
  if (identifierKeys) return identifierKeys;
  const keys = new Set<number>();
  for (const type of ['Encounter', 'Condition', 'Observation', 'MedicationRequest', 'MedicationStatement', 'MedicationDispense', 'Procedure', 'DiagnosticReport', 'Composition', 'Coverage', 'Claim', 'ExplanationOfBenefit', 'Immunization', 'AllergyIntolerance', 'ServiceRequest', 'CarePlan', 'Appointment', 'DocumentReference', 'ChargeItem', 'Specimen', 'ImagingStudy', 'EpisodeOfCare', 'Group', 'RelatedPerson', 'Organization', 'Location', 'Practitioner', 'FamilyMemberHistory', 'RiskAssessment', 'Goal', 'Communication', 'QuestionnaireResponse', 'List', 'Flag', 'DetectedIssue', 'ClinicalImpression', 'NutritionOrder', 'DeviceRequest', 'Media', 'Invoice', 'Basic']) {
    const def = listSearchParams(type).find((d) => d.code === 'identifier');
    if (def) keys.add(def.key);
  }
  identifierKeys = [...keys];
  return identifierKeys;
}

/** Current resources stored under an identifier system whose value starts with a prefix. */
export async function findReplaced(q: Queryable, system: string, valuePrefix: string): Promise<CurrentRow[]> {
  const { rows } = await q.query<Row>(
    `SELECT DISTINCT r.rid, r.resource_type, r.id, r.version_id, r.last_updated, r.content
       FROM search_token t JOIN resource r ON r.rid = t.rid AND NOT r.deleted
      WHERE t.p = ANY($1::int[]) AND t.system = $2 AND (t.code = $3 OR (t.code >= $4 AND t.code < $5))`,
    [allIdentifierKeys(), system, valuePrefix, `${valuePrefix}/`, `${valuePrefix}0`],
  );
  return rows.map(toCurrent);
}
