// The SQL that writes resource versions: the current row and its index rows — and, when a
// version replaces another, the replaced one moved into resource_history — for many resources at
// once, in ONE statement (data-modifying CTEs over unnest()ed arrays). The current version is
// stored once, in `resource` (history readers add it, see repository.ts): a second copy of every
// new version in resource_history was a fifth of the XML ingest's PostgreSQL CPU.
// One round trip per write or per bundle is what makes single creates and bundles fast.
import pg from 'pg';
import { restampCompartments, stampsForExisting, stampsForNew, type CommuneStamps } from './compartment-communes.ts';
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
  token: [number[], number[], (string | null)[], (string | null)[], (string | null)[]];
  string: [number[], number[], string[], string[]];
  date: [number[], number[], (string | null)[], (string | null)[]];
  number: [number[], number[], number[]];
  quantity: [number[], number[], number[], (string | null)[], (string | null)[], (string | null)[]];
  reference: [number[], number[], (string | null)[], string[]];
  uri: [number[], number[], string[]];
}

/**
 * Index rows as column arrays. The first column is the 1-based ordinal of the version the row
 * belongs to, so that rows join their resource on an integer (a text key join made PostgreSQL
 * compare strings for every pair of a 1,000-resource batch).
 */
function collectIndexArrays(versions: VersionToWrite[]): IndexArrays {
  const a: IndexArrays = {
    token: [[], [], [], [], []],
    string: [[], [], [], []],
    date: [[], [], [], []],
    number: [[], [], []],
    quantity: [[], [], [], [], [], []],
    reference: [[], [], [], []],
    uri: [[], [], []],
  };
  const push = (cols: unknown[][], ord: number, row: readonly unknown[]) => {
    cols[0]!.push(ord);
    for (let i = 0; i < row.length; i++) cols[i + 1]!.push(row[i]);
  };
  versions.forEach((v, i) => {
    if (!v.index) return;
    const ord = i + 1;
    for (const r of v.index.token) push(a.token, ord, r);
    for (const r of v.index.string) push(a.string, ord, r);
    for (const r of v.index.date) push(a.date, ord, r);
    for (const r of v.index.number) push(a.number, ord, r);
    for (const r of v.index.quantity) push(a.quantity, ord, r);
    for (const r of v.index.reference) push(a.reference, ord, r);
    for (const r of v.index.uri) push(a.uri, ord, r);
  });
  return a;
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const UNSAFE_FOR_JSON = /[\u0000-\u001f\ud800-\udfff]/;

/**
 * A PostgreSQL array literal of a column, built in one pass: node-postgres quotes every element
 * (numbers too) and escapes each string with two regular expressions, which was a sixth of the
 * household import's CPU. Strings are quoted with `\` and `"` escaped; numbers and booleans
 * are written bare; null is NULL.
 */
export function arrayLiteral(values: readonly unknown[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = 'NULL';
    else if (typeof v === 'number') parts[i] = String(v);
    else if (typeof v === 'boolean') parts[i] = v ? 't' : 'f';
    else {
      const text = String(v);
      if (!text.includes('"') && !text.includes('\\')) parts[i] = `"${text}"`;
      // JSON.stringify escapes `"` and `\` the same way, natively (stored JSON is full of quotes:
      // half the cost of the regular expression); it would also escape control characters and
      // lone surrogates, which an array literal must keep as they are.
      else if (!UNSAFE_FOR_JSON.test(text)) parts[i] = JSON.stringify(text);
      else parts[i] = `"${text.replace(/["\\]/g, '\\$&')}"`;
    }
  }
  return `{${parts.join(',')}}`;
}

const TEXT_OID = 25;
const INT4_OID = 23;

/**
 * A `text[]` parameter in PostgreSQL's binary array format (node-postgres sends a Buffer as a
 * binary parameter): each element is its UTF-8 bytes behind a length, so nothing is escaped here
 * and nothing unescaped by the server. For the resource JSON — two thirds of a write's parameter
 * bytes, full of quotes — the text literal cost Node an escaping pass and PostgreSQL's array
 * parser a character-by-character scan (~0.16 ms of backend CPU per XML episode).
 */
export function binaryTextArray(values: readonly (string | null)[]): Buffer {
  if (values.length === 0) {
    // No dimensions: PostgreSQL's own form of an empty array.
    const empty = Buffer.alloc(12);
    empty.writeUInt32BE(TEXT_OID, 8);
    return empty;
  }
  let size = 20;
  const lengths = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    lengths[i] = v === null || v === undefined ? -1 : Buffer.byteLength(v);
    size += 4 + Math.max(lengths[i]!, 0);
  }
  const out = Buffer.allocUnsafe(size);
  out.writeInt32BE(1, 0); // one dimension
  out.writeInt32BE(lengths.includes(-1) ? 1 : 0, 4); // has nulls
  out.writeUInt32BE(TEXT_OID, 8);
  out.writeInt32BE(values.length, 12);
  out.writeInt32BE(1, 16); // lower bound
  let at = 20;
  for (let i = 0; i < values.length; i++) {
    out.writeInt32BE(lengths[i]!, at);
    at += 4;
    if (lengths[i]! > 0) at += out.write(values[i]!, at, 'utf8');
  }
  return out;
}

/**
 * An `int[]` parameter in PostgreSQL's binary array format: four bytes per element, no text to
 * build in Node nor to parse in PostgreSQL. Every value must be a 32-bit integer (the index rows'
 * ordinals and parameter keys).
 */
export function binaryInt4Array(values: readonly number[]): Buffer {
  if (values.length === 0) {
    const empty = Buffer.alloc(12);
    empty.writeUInt32BE(INT4_OID, 8);
    return empty;
  }
  const out = Buffer.allocUnsafe(20 + values.length * 8);
  out.writeInt32BE(1, 0);
  out.writeInt32BE(0, 4);
  out.writeUInt32BE(INT4_OID, 8);
  out.writeInt32BE(values.length, 12);
  out.writeInt32BE(1, 16);
  let at = 20;
  for (let i = 0; i < values.length; i++) {
    out.writeInt32BE(4, at);
    out.writeInt32BE(values[i]!, at + 4);
    at += 8;
  }
  return out;
}

/** A column's parameter: binary for int and text (no escaping either side), a literal otherwise. */
function columnParam(type: string, values: unknown[]): unknown {
  if (type === 'int') return binaryInt4Array(values as number[]);
  if (type === 'text') return binaryTextArray(values as (string | null)[]);
  return arrayLiteral(values);
}

/** SQL fragments inserting the index rows, joined by ordinal to the CTE `k(ord, rid)`. */
function indexInsertCtes(a: IndexArrays, params: unknown[], values: string[]): string[] {
  const ctes: string[] = [];
  const add = (table: string, columns: string[], types: string[], values: unknown[][]) => {
    if (values[0]!.length === 0) return;
    const start = params.length;
    const all = ['int', ...types];
    params.push(...values.map((column, i) => columnParam(all[i]!, column)));
    const list = all.map((t, i) => `$${start + 1 + i}::${t}[]`).join(', ');
    ctes.push(
      `i_${table} AS (INSERT INTO search_${table} (rid, ${columns.join(', ')})
        SELECT k.rid, ${columns.map((c) => `x.${c}`).join(', ')}
        FROM unnest(${list}) AS x(ord, ${columns.join(', ')})
        JOIN k ON k.ord = x.ord)`,
    );
  };
  add('token', ['p', 'system', 'code', 'display'], ['int', 'text', 'text', 'text'], a.token);
  add('string', ['p', 'value', 'raw'], ['int', 'text', 'text'], a.string);
  if (values.length > 0) {
    // New distinct values for :contains (search_string_value); sorted so that concurrent
    // writers take the unique-index locks in the same order.
    params.push(binaryTextArray(values));
    ctes.push(`i_string_value AS (${stringValueInsert(`$${params.length}`)})`);
  }
  add('date', ['p', 'low', 'high'], ['int', 'timestamptz', 'timestamptz'], a.date);
  add('number', ['p', 'value'], ['int', 'numeric'], a.number);
  add('quantity', ['p', 'value', 'system', 'code', 'unit'], ['int', 'numeric', 'text', 'text', 'text'], a.quantity);
  add('reference', ['p', 'target_type', 'target_id'], ['int', 'text', 'text'], a.reference);
  add('uri', ['p', 'value'], ['int', 'text'], a.uri);
  return ctes;
}

function stringValuesOf(a: IndexArrays): string[] {
  return [...new Set(a.string[2] as string[])].sort();
}

const stringValueInsert = (param: string): string =>
  `INSERT INTO search_string_value (value) SELECT v FROM unnest(${param}::text[]) AS v ORDER BY v ON CONFLICT DO NOTHING`;

/**
 * Stores the string values a statement left apart (`stringValuesApart`), committed on their own
 * (a value no row uses is harmless: searches join values to rows). A transaction that then
 * waits for a lock — the identity lock of a batch planned ahead — holds no new value that
 * another writer's insert would wait for, so the two cannot deadlock.
 */
export async function insertStringValues(db: Queryable, statement: WriteStatement | undefined): Promise<void> {
  if (!statement || statement.stringValuesApart.length === 0) return;
  await db.query(stringValueInsert('$1'), [binaryTextArray(statement.stringValuesApart)]);
}

const INDEX_TABLES = ['token', 'string', 'date', 'number', 'quantity', 'reference', 'uri'];

/** The parameters of the columns every written version carries, in the order both statements unnest them. */
function versionColumns(versions: VersionToWrite[]): unknown[] {
  return [
    binaryInt4Array(versions.map((v) => v.versionId)),
    arrayLiteral(versions.map((v) => v.lastUpdated)),
    arrayLiteral(versions.map((v) => v.deleted)),
    binaryTextArray(versions.map((v) => v.compartment)),
    binaryTextArray(versions.map((v) => v.sourceFacility)),
    binaryTextArray(versions.map((v) => v.content)),
    binaryTextArray(versions.map((v) => v.method)),
  ];
}

/** A statement to run later: the arrays are built by whoever has the CPU to spare (an import plans its next batch while the previous one is written). */
export interface WriteStatement {
  text: string;
  values: unknown[];
  /** New Patients with communes: their compartments' stored rows are stamped again after the write. */
  createdPatients: string[];
  /** The batch writes Patient versions whose communes may change (it then reports which did). */
  updatesPatients: boolean;
  /** It reads stored Patients' communes (hssk_compartment_communes), taking their compartment stripes until commit. */
  readsCompartments: boolean;
  /** The distinct string values it leaves to insertStringValues, sorted (empty: it adds them itself). */
  stringValuesApart: string[];
}

/**
 * The communes column of a batch (resource.communes, see compartment-communes.ts): a parameter
 * of array literals (NULL: read from the compartment's stored Patient) and, when some are read,
 * the CTE `lc(patient_id, communes)` that reads them.
 */
function communeColumn(stamps: CommuneStamps, params: unknown[]): { param: string; lookupCte?: string } {
  params.push(arrayLiteral(stamps.known.map((codes) => (codes ? arrayLiteral(codes) : null))));
  const param = `$${params.length}`;
  if (stamps.lookup.length === 0) return { param };
  params.push(arrayLiteral(stamps.lookup));
  return { param, lookupCte: `lc AS (SELECT patient_id, communes FROM hssk_compartment_communes($${params.length}::text[]))` };
}

/**
 * The statement that inserts brand-new resources (version 1 or an update-as-create). A duplicate
 * (type, id) raises 23505. `stringValuesApart`: their new string values are left to
 * insertStringValues, run before it.
 */
export function newResourcesStatement(versions: VersionToWrite[], { stringValuesApart = false } = {}): WriteStatement | undefined {
  if (versions.length === 0) return undefined;
  const arrays = collectIndexArrays(versions);
  const stringValues = stringValuesOf(arrays);
  const params: unknown[] = [binaryTextArray(versions.map((v) => v.resourceType)), binaryTextArray(versions.map((v) => v.id)), ...versionColumns(versions)];
  const stamps = stampsForNew(versions);
  const communes = communeColumn(stamps, params);
  const ctes = [
    ...(communes.lookupCte ? [communes.lookupCte] : []),
    // Keys are drawn from the identity sequence up front so that every row of the batch knows
    // its resource's key by ordinal; `k` is materialised once (it is referenced several times).
    // The sequence is looked up once (a sub-select): pg_get_serial_sequence() per row was a
    // catalog look-up each, 12 times the cost of nextval() itself.
    `k AS MATERIALIZED (SELECT u.ord::int AS ord, nextval((SELECT pg_get_serial_sequence('resource', 'rid')::regclass)) AS rid, u.resource_type, u.id, u.version_id,
        u.last_updated, u.deleted, u.compartment, u.source_facility, u.content, u.method,
        ${communes.lookupCte ? "COALESCE(u.communes::text[], lc.communes, '{}')" : 'u.communes::text[]'} AS communes
      FROM unnest($1::text[], $2::text[], $3::int[], $4::timestamptz[], $5::bool[], $6::text[], $7::text[], $8::text[], $9::text[], ${communes.param}::text[])
        WITH ORDINALITY AS u(resource_type, id, version_id, last_updated, deleted, compartment, source_facility, content, method, communes, ord)
      ${communes.lookupCte ? 'LEFT JOIN lc ON lc.patient_id = u.compartment' : ''})`,
    `w AS (INSERT INTO resource (rid, resource_type, id, version_id, last_updated, deleted, method, compartment, source_facility, content, communes)
      OVERRIDING SYSTEM VALUE
      SELECT rid, resource_type, id, version_id, last_updated, deleted, method, compartment, source_facility, content, communes FROM k
      RETURNING rid, resource_type, id, version_id)`,
    // The sync outbox row, in the same statement: a change is queued if and only if it commits.
    `o AS (INSERT INTO sync_outbox (rid, resource_type, id, version_id, compartment)
      SELECT rid, resource_type, id, version_id, compartment FROM k)`,
    ...indexInsertCtes(arrays, params, stringValuesApart ? [] : stringValues),
  ];
  return {
    text: `WITH ${ctes.join(',\n')} SELECT rid, resource_type, id, version_id, false AS communes_changed FROM w`,
    values: params,
    createdPatients: stamps.created,
    updatesPatients: false,
    readsCompartments: communes.lookupCte !== undefined,
    stringValuesApart: stringValuesApart ? stringValues : [],
  };
}

type WrittenRow = { rid: number; resource_type: string; id: string; version_id: number; communes_changed: boolean };

/**
 * Runs a write statement and, when Patients were created or changed communes, stamps their
 * compartments' stored rows again — in the same transaction (one is opened on a pool).
 */
export async function runWrite(db: Queryable, statement: WriteStatement | undefined): Promise<WrittenVersion[]> {
  if (!statement) return [];
  const mayRestamp = statement.createdPatients.length > 0 || statement.updatesPatients;
  if (mayRestamp && db instanceof pg.Pool) {
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      const written = await runWrite(client, statement);
      await client.query('COMMIT');
      return written;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
  const { rows } = await db.query<WrittenRow>(statement.text, statement.values);
  await restampCompartments(db, statement.createdPatients, false);
  await restampCompartments(db, rows.filter((r) => r.communes_changed).map((r) => r.id), true);
  return rows.map((r) => ({ rid: r.rid, resourceType: r.resource_type, id: r.id, versionId: r.version_id }));
}

/** Inserts brand-new resources (version 1 or an update-as-create). A duplicate (type, id) raises 23505. */
export async function insertNewResources(db: Queryable, versions: VersionToWrite[]): Promise<WrittenVersion[]> {
  return runWrite(db, newResourcesStatement(versions));
}

/**
 * The statement that writes new versions of existing resources, each only if its current version
 * is still the one it was based on (optimistic concurrency).
 */
export function existingResourcesStatement(versions: VersionToWrite[]): WriteStatement | undefined {
  if (versions.length === 0) return undefined;
  const arrays = collectIndexArrays(versions);
  const params: unknown[] = [arrayLiteral(versions.map((v) => v.existing!.rid)), binaryInt4Array(versions.map((v) => v.existing!.versionId)), ...versionColumns(versions)];
  const stamps = stampsForExisting(versions);
  const communes = communeColumn(stamps, params);
  const updatesPatients = versions.some((v) => v.resourceType === 'Patient');
  const ctes = [
    ...(communes.lookupCte ? [communes.lookupCte] : []),
    `u AS (SELECT * FROM unnest($1::bigint[], $2::int[], $3::int[], $4::timestamptz[], $5::bool[], $6::text[], $7::text[], $8::text[], $9::text[], ${communes.param}::text[])
      WITH ORDINALITY AS u(rid, expected, version_id, last_updated, deleted, compartment, source_facility, content, method, communes, ord))`,
    // The rows as they are before this statement (its snapshot): the versions it replaces, moved
    // into resource_history, and the communes the Patients had (a change re-stamps their
    // compartments). Materialised: inlined, the planner (which expects one row from w) put it
    // inside a nested loop and re-read the batch's rows once per updated row (~1 ms each).
    `prev AS MATERIALIZED (SELECT rid, resource_type, id, version_id, last_updated, deleted, method, compartment, source_facility, content, communes
      FROM resource WHERE rid = ANY($1::bigint[]))`,
    `w AS (UPDATE resource r SET version_id = u.version_id, last_updated = u.last_updated, deleted = u.deleted, method = u.method,
        compartment = u.compartment, source_facility = u.source_facility, content = u.content,
        communes = ${communes.lookupCte ? "COALESCE(u.communes::text[], lc.communes, '{}')" : 'u.communes::text[]'}
      FROM u ${communes.lookupCte ? 'LEFT JOIN lc ON lc.patient_id = u.compartment' : ''}
      WHERE r.rid = u.rid AND r.version_id = u.expected
      RETURNING r.rid, r.resource_type, r.id, r.version_id, r.compartment, r.communes)`,
    // Only the versions that lost their place: the optimistic check made them the ones the batch
    // planned against. A row written before migration 410 has no method and its version is in
    // resource_history already (ON CONFLICT: kept as it is).
    `h AS (INSERT INTO resource_history (rid, resource_type, id, version_id, last_updated, deleted, method, compartment, source_facility, content)
      SELECT p.rid, p.resource_type, p.id, p.version_id, p.last_updated, p.deleted, COALESCE(p.method, 'update'), p.compartment, p.source_facility, p.content
      FROM w JOIN prev p ON p.rid = w.rid
      ON CONFLICT (rid, version_id) DO NOTHING)`,
    `o AS (INSERT INTO sync_outbox (rid, resource_type, id, version_id, compartment)
      SELECT rid, resource_type, id, version_id, compartment FROM w)`,
    ...INDEX_TABLES.map((t) => `d_${t} AS (DELETE FROM search_${t} WHERE rid IN (SELECT rid FROM w))`),
    // Only versions that won their optimistic check get index rows.
    `k AS (SELECT u.ord::int AS ord, w.rid FROM w JOIN u ON u.rid = w.rid)`,
    ...indexInsertCtes(arrays, params, stringValuesOf(arrays)),
  ];
  const changed = updatesPatients ? "w.resource_type = 'Patient' AND w.communes IS DISTINCT FROM prev.communes" : 'false';
  return {
    text: `WITH ${ctes.join(',\n')} SELECT w.rid, w.resource_type, w.id, w.version_id, ${changed} AS communes_changed FROM w${updatesPatients ? ' JOIN prev ON prev.rid = w.rid' : ''}`,
    values: params,
    createdPatients: [],
    updatesPatients,
    readsCompartments: communes.lookupCte !== undefined,
    stringValuesApart: [],
  };
}

/**
 * Writes new versions of existing resources, each only if its current version is still the one
 * it was based on (optimistic concurrency). Returns the versions actually written; a missing
 * entry means another writer got there first.
 */
export async function updateExistingResources(db: Queryable, versions: VersionToWrite[]): Promise<WrittenVersion[]> {
  return runWrite(db, existingResourcesStatement(versions));
}
