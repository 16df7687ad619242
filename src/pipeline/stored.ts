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

const parsed = new WeakMap<CurrentRow, Resource>();

/**
 * The stored JSON of a row, parsed once (its meta is copied and its content compared with the
 * incoming version: two parses of every existing resource on a re-send). Read only: callers that
 * change the resource parse their own copy.
 */
export function storedContent(row: CurrentRow): Resource {
  let value = parsed.get(row);
  if (!value) parsed.set(row, (value = JSON.parse(row.content) as Resource));
  return value;
}

export async function loadCurrent(q: Queryable, type: string, ids: string[]): Promise<Map<string, CurrentRow>> {
  return loadRows(q, type, ids, 'content');
}

/**
 * The same rows without their content (`content` is empty): what a check of versions needs —
 * a re-imported household list's Patients were read twice, once to plan and once to check.
 */
export async function loadCurrentVersions(q: Queryable, type: string, ids: string[]): Promise<Map<string, CurrentRow>> {
  return loadRows(q, type, ids, "'' AS content");
}

async function loadRows(q: Queryable, type: string, ids: string[], content: string): Promise<Map<string, CurrentRow>> {
  const out = new Map<string, CurrentRow>();
  if (ids.length === 0) return out;
  // One look-up by (type, id) per id: with `id = ANY(…)` the planner, its statistics not yet
  // showing the residents a household import had just loaded, read every Patient of the province
  // and filtered them by id (~180 wanted of 10,000 read per XML batch at 20,000 residents — a
  // cost growing with the province).
  const { rows } = await q.query<Row>(
    `SELECT r.* FROM unnest($2::text[]) AS x(id)
       CROSS JOIN LATERAL (SELECT rid, resource_type, id, version_id, last_updated, ${content}
                             FROM resource WHERE resource_type = $1 AND id = x.id AND NOT deleted LIMIT 1) r`,
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
  return findIdentified(q, wanted, 'r.content');
}

/** The same without content (`content` is empty): versions only, for a check. */
export async function findVersionsByIdentifiers(q: Queryable, wanted: { type: string; system: string; value: string }[], exceptIds?: Set<string>): Promise<Map<string, CurrentRow>> {
  return findIdentified(q, wanted, "'' AS content", exceptIds);
}

/** `exceptIds`: resources this transaction has just created, left out (they were not there when it planned). */
async function findIdentified(q: Queryable, wanted: { type: string; system: string; value: string }[], content: string, exceptIds?: Set<string>): Promise<Map<string, CurrentRow>> {
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
    `SELECT DISTINCT ON (r.rid) r.rid, r.resource_type, r.id, r.version_id, r.last_updated, ${content}, t.system, t.code
       FROM unnest($1::int[], $2::text[], $3::text[], $4::text[]) AS x(p, system, code, type)
       JOIN search_token t ON t.p = x.p AND t.code = x.code AND t.system = x.system
       JOIN resource r ON r.rid = t.rid AND r.resource_type = x.type AND NOT r.deleted`,
    [ps, systems, values, types],
  );
  for (const r of rows) if (!exceptIds?.has(r.id)) out.set(lookupKey(r.resource_type, r.system, r.code), toCurrent(r));
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

/**
 * For each (system, prefix): the current resources stored under that identifier system whose value
 * is the prefix or starts with prefix + '/'. One query for a whole batch (a query per re-sent
 * record was most of a re-send's time); the lateral keeps each lookup an index range scan.
 */
export async function findReplacedMany(q: Queryable, wanted: readonly { system: string; valuePrefix: string }[]): Promise<CurrentRow[][]> {
  const out: CurrentRow[][] = wanted.map(() => []);
  if (wanted.length === 0) return out;
  const { rows } = await q.query<Row & { i: number }>(
    `SELECT x.i::int AS i, r.rid, r.resource_type, r.id, r.version_id, r.last_updated, r.content
       FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS x(system, prefix, i)
       CROSS JOIN LATERAL (
         SELECT DISTINCT t.rid FROM search_token t
          WHERE t.p = ANY($1::int[]) AND t.system = x.system
            AND (t.code = x.prefix OR (t.code >= x.prefix || '/' AND t.code < x.prefix || '0'))) m
       JOIN resource r ON r.rid = m.rid AND NOT r.deleted`,
    [allIdentifierKeys(), wanted.map((w) => w.system), wanted.map((w) => w.valuePrefix)],
  );
  for (const r of rows) out[r.i - 1]!.push(toCurrent(r));
  return out;
}
