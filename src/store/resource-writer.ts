// The SQL that writes resource versions: the current row, its history row and its index rows,
// for many resources at once, in ONE statement (data-modifying CTEs over unnest()ed arrays).
// One round trip per write or per bundle is what makes single creates and bundles fast.
import type { Queryable } from './database.ts';
import type { IndexRows } from './indexer.ts';

export interface VersionToWrite {
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: string;
  deleted: boolean;
  method: 'create' | 'update' | 'delete' | 'patch';
  compartment: string | null;
  sourceFacility: string | null;
  /** The resource JSON (null for a deletion). */
  content: string | null;
  index: IndexRows | null;
  /** For an existing resource: its internal key and the version this write replaces. */
  existing?: { rid: number; versionId: number };
}

export interface WrittenVersion {
  rid: number;
  resourceType: string;
  id: string;
  versionId: number;
}

interface IndexArrays {
  key: string[];
  token: [number[], (string | null)[], (string | null)[], (string | null)[]];
  string: [number[], string[], string[]];
  date: [number[], (string | null)[], (string | null)[]];
  number: [number[], number[]];
  quantity: [number[], number[], (string | null)[], (string | null)[], (string | null)[]];
  reference: [number[], (string | null)[], string[]];
  uri: [number[], string[]];
  keys: { token: string[]; string: string[]; date: string[]; number: string[]; quantity: string[]; reference: string[]; uri: string[] };
}

function collectIndexArrays(versions: VersionToWrite[]): IndexArrays {
  const a: IndexArrays = {
    key: [],
    token: [[], [], [], []],
    string: [[], [], []],
    date: [[], [], []],
    number: [[], []],
    quantity: [[], [], [], [], []],
    reference: [[], [], []],
    uri: [[], []],
    keys: { token: [], string: [], date: [], number: [], quantity: [], reference: [], uri: [] },
  };
  for (const v of versions) {
    if (!v.index) continue;
    const key = `${v.resourceType}/${v.id}`;
    for (const r of v.index.token) { a.keys.token.push(key); r.forEach((x, i) => (a.token[i] as unknown[]).push(x)); }
    for (const r of v.index.string) { a.keys.string.push(key); r.forEach((x, i) => (a.string[i] as unknown[]).push(x)); }
    for (const r of v.index.date) { a.keys.date.push(key); r.forEach((x, i) => (a.date[i] as unknown[]).push(x)); }
    for (const r of v.index.number) { a.keys.number.push(key); r.forEach((x, i) => (a.number[i] as unknown[]).push(x)); }
    for (const r of v.index.quantity) { a.keys.quantity.push(key); r.forEach((x, i) => (a.quantity[i] as unknown[]).push(x)); }
    for (const r of v.index.reference) { a.keys.reference.push(key); r.forEach((x, i) => (a.reference[i] as unknown[]).push(x)); }
    for (const r of v.index.uri) { a.keys.uri.push(key); r.forEach((x, i) => (a.uri[i] as unknown[]).push(x)); }
  }
  return a;
}

/** SQL fragments inserting the index rows, joined to the CTE `w(rid, resource_type, id)`. */
function indexInsertCtes(a: IndexArrays, params: unknown[]): string[] {
  const ctes: string[] = [];
  const add = (table: string, columns: string[], types: string[], values: unknown[][], keys: string[]) => {
    if (keys.length === 0) return;
    const start = params.length;
    params.push(keys, ...values);
    const list = types.map((t, i) => `$${start + 2 + i}::${t}[]`).join(', ');
    ctes.push(
      `i_${table} AS (INSERT INTO search_${table} (rid, ${columns.join(', ')})
        SELECT w.rid, ${columns.map((c) => `x.${c}`).join(', ')}
        FROM unnest($${start + 1}::text[], ${list}) AS x(k, ${columns.join(', ')})
        JOIN w ON w.resource_type || '/' || w.id = x.k)`,
    );
  };
  add('token', ['p', 'system', 'code', 'display'], ['int', 'text', 'text', 'text'], a.token, a.keys.token);
  add('string', ['p', 'value', 'raw'], ['int', 'text', 'text'], a.string, a.keys.string);
  add('date', ['p', 'low', 'high'], ['int', 'timestamptz', 'timestamptz'], a.date, a.keys.date);
  add('number', ['p', 'value'], ['int', 'numeric'], a.number, a.keys.number);
  add('quantity', ['p', 'value', 'system', 'code', 'unit'], ['int', 'numeric', 'text', 'text', 'text'], a.quantity, a.keys.quantity);
  add('reference', ['p', 'target_type', 'target_id'], ['int', 'text', 'text'], a.reference, a.keys.reference);
  add('uri', ['p', 'value'], ['int', 'text'], a.uri, a.keys.uri);
  return ctes;
}

const INDEX_TABLES = ['token', 'string', 'date', 'number', 'quantity', 'reference', 'uri'];

/** Inserts brand-new resources (version 1 or an update-as-create). A duplicate (type, id) raises 23505. */
export async function insertNewResources(db: Queryable, versions: VersionToWrite[]): Promise<WrittenVersion[]> {
  if (versions.length === 0) return [];
  const params: unknown[] = [
    versions.map((v) => v.resourceType),
    versions.map((v) => v.id),
    versions.map((v) => v.versionId),
    versions.map((v) => v.lastUpdated),
    versions.map((v) => v.deleted),
    versions.map((v) => v.compartment),
    versions.map((v) => v.sourceFacility),
    versions.map((v) => v.content),
    versions.map((v) => v.method),
  ];
  const ctes = [
    `w AS (INSERT INTO resource (resource_type, id, version_id, last_updated, deleted, compartment, source_facility, content)
      SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::timestamptz[], $5::bool[], $6::text[], $7::text[], $8::text[])
      RETURNING rid, resource_type, id, version_id, last_updated, deleted, compartment, source_facility, content)`,
    `h AS (INSERT INTO resource_history (rid, resource_type, id, version_id, last_updated, deleted, method, compartment, source_facility, content)
      SELECT w.rid, w.resource_type, w.id, w.version_id, w.last_updated, w.deleted, m.method, w.compartment, w.source_facility, w.content
      FROM w JOIN unnest($1::text[], $2::text[], $9::text[]) AS m(resource_type, id, method) ON m.resource_type = w.resource_type AND m.id = w.id)`,
    ...indexInsertCtes(collectIndexArrays(versions), params),
  ];
  const sql = `WITH ${ctes.join(',\n')} SELECT rid, resource_type, id, version_id FROM w`;
  const { rows } = await db.query<{ rid: number; resource_type: string; id: string; version_id: number }>(sql, params);
  return rows.map((r) => ({ rid: r.rid, resourceType: r.resource_type, id: r.id, versionId: r.version_id }));
}

/**
 * Writes new versions of existing resources, each only if its current version is still the one
 * it was based on (optimistic concurrency). Returns the versions actually written; a missing
 * entry means another writer got there first.
 */
export async function updateExistingResources(db: Queryable, versions: VersionToWrite[]): Promise<WrittenVersion[]> {
  if (versions.length === 0) return [];
  const params: unknown[] = [
    versions.map((v) => v.existing!.rid),
    versions.map((v) => v.existing!.versionId),
    versions.map((v) => v.versionId),
    versions.map((v) => v.lastUpdated),
    versions.map((v) => v.deleted),
    versions.map((v) => v.compartment),
    versions.map((v) => v.sourceFacility),
    versions.map((v) => v.content),
    versions.map((v) => v.method),
  ];
  const ctes = [
    `u AS (SELECT * FROM unnest($1::bigint[], $2::int[], $3::int[], $4::timestamptz[], $5::bool[], $6::text[], $7::text[], $8::text[], $9::text[])
      AS u(rid, expected, version_id, last_updated, deleted, compartment, source_facility, content, method))`,
    `w AS (UPDATE resource r SET version_id = u.version_id, last_updated = u.last_updated, deleted = u.deleted,
        compartment = u.compartment, source_facility = u.source_facility, content = u.content
      FROM u WHERE r.rid = u.rid AND r.version_id = u.expected
      RETURNING r.rid, r.resource_type, r.id, r.version_id, r.last_updated, r.deleted, r.compartment, r.source_facility, r.content)`,
    `h AS (INSERT INTO resource_history (rid, resource_type, id, version_id, last_updated, deleted, method, compartment, source_facility, content)
      SELECT w.rid, w.resource_type, w.id, w.version_id, w.last_updated, w.deleted, u.method, w.compartment, w.source_facility, w.content
      FROM w JOIN u ON u.rid = w.rid)`,
    ...INDEX_TABLES.map((t) => `d_${t} AS (DELETE FROM search_${t} WHERE rid IN (SELECT rid FROM w))`),
    ...indexInsertCtes(collectIndexArrays(versions), params),
  ];
  const sql = `WITH ${ctes.join(',\n')} SELECT rid, resource_type, id, version_id FROM w`;
  const { rows } = await db.query<{ rid: number; resource_type: string; id: string; version_id: number }>(sql, params);
  return rows.map((r) => ({ rid: r.rid, resourceType: r.resource_type, id: r.id, versionId: r.version_id }));
}
