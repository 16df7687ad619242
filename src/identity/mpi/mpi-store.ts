// The MPI tables (migration 020_identity.sql): candidate look-up by blocking keys, the person
// rows kept in step with every Patient write of the pipeline, and resident ID allocation.
import type { Queryable } from '../../store/database.ts';
// Array parameters as literals built in one pass: node-postgres escapes every element with regular expressions.
import { arrayLiteral } from '../../store/resource-writer.ts';
import { formatResidentId } from '../resident-id.ts';
import { parseFhirDate, type PersonFacts } from '../matcher.ts';
import { LOCK_CLASS, stripesOf } from './block-keys.ts';

export interface StoredPerson {
  patientId: string;
  residentId: string | null;
  facts: PersonFacts;
}

/** A complete birth date as yyyymmdd (mpi_block.born), or null when partial or unknown. */
export function bornDay(birthDate: string | undefined): number | null {
  const d = parseFhirDate(birthDate);
  return d?.month !== undefined && d.day !== undefined ? d.year * 10000 + d.month * 100 + d.day : null;
}

/**
 * Keys to look up, each with the incoming person's complete birth date (yyyymmdd) or null: a
 * holder whose complete birth date cannot be that one — not equal, not day and month swapped,
 * not one keystroke off in the day or the year (matcher.ts relateDates) — is not a candidate.
 */
export interface KeyLookup {
  keys: string[];
  born: (number | null)[];
}

/**
 * Whether a holder born `b.born` may be the person born `x.born` (both yyyymmdd), as matcher.ts
 * relateDates sees two complete dates: the same year and month (exact, or a day typo — any day
 * kept), the same year with day and month swapped, or the same day and month in years a typo
 * apart (migration 400). Anything else is 'different', and skipped by the resolver unless the
 * two share an identifier — whose keys are looked up without a date.
 */
export const MAY_BE_BORN_SAME_DAY = `(x.born IS NULL OR b.born IS NULL
    OR b.born / 100 = x.born / 100
    OR (b.born / 10000 = x.born / 10000 AND b.born / 100 % 100 = x.born % 100 AND b.born % 100 = x.born / 100 % 100)
    OR (b.born % 10000 = x.born % 10000 AND hssk_years_close(b.born / 10000, x.born / 10000)))`;

/** The persons found by a set of keys, the keys each was found by, and the version of its row. */
export interface CandidateSet {
  persons: Map<string, StoredPerson>;
  byKey: Map<string, string[]>;
  /** Per person: its row version (xmin — any update of the person, a merge or unmerge makes a new one) and the keys that found it. */
  versions: Map<string, string>;
}

/**
 * The keys looked up and who holds them, one row per distinct person (its keys aggregated, in
 * key order): a person found by several keys — on a re-import, every record finds its own person
 * by each of its ~6 keys — is fetched and its facts sent once. Each key is one look-up in the
 * key index and each person one by primary key, whatever the statistics say: as a plain join,
 * right after a household import had loaded the residents, the planner read and hashed all of
 * mpi_block (~11 rows per resident) or every person of the province for each batch. OFFSET 0
 * keeps the key's subquery from being flattened into such a join; LIMIT 1 the person's.
 */
const PERSONS_BY_KEYS = `
  FROM (SELECT patient_id, string_agg(key::text, ',' ORDER BY key) AS keys
          FROM (SELECT DISTINCT x.key, b.patient_id FROM unnest($1::bigint[], $2::int[]) AS x(key, born)
                  CROSS JOIN LATERAL (SELECT b.patient_id FROM mpi_block b
                                       WHERE b.key = x.key AND ${MAY_BE_BORN_SAME_DAY} OFFSET 0) b) f
         GROUP BY patient_id) k
  CROSS JOIN LATERAL (SELECT p.patient_id, p.resident_id, p.facts, p.xmin FROM mpi_person p
                       WHERE p.patient_id = k.patient_id AND p.active LIMIT 1) p`;

type CandidateRow = { keys: string; patient_id: string; version: string; resident_id: string | null; facts: PersonFacts | null };

/** Active persons sharing at least one of the hashed keys, with the keys they share. */
export async function findCandidates(q: Queryable, lookup: KeyLookup): Promise<CandidateSet> {
  if (lookup.keys.length === 0) return candidateSet([], undefined);
  const { rows } = await q.query<CandidateRow>(
    // Ordered by person so that each key's list is in the order the key's index holds them.
    `SELECT k.keys, p.patient_id, p.xmin::text AS version, p.resident_id, p.facts ${PERSONS_BY_KEYS} ORDER BY k.patient_id COLLATE "C"`,
    [arrayLiteral(lookup.keys), arrayLiteral(lookup.born)],
  );
  return candidateSet(rows, undefined);
}

/**
 * The same look-up again, against what an earlier one found: 'unchanged' when the same persons,
 * in the same row versions, are found by the same keys; else the set as it is now, with the facts
 * of only the persons that are new or changed read again (the others' are taken from `earlier`).
 *
 * One statement under the identity lock: it sends back only the persons not found as they were
 * (new, changed, or found by other keys) and how many were found unchanged. It used to count
 * first and read the whole set again when the count differed — which, with batches in flight
 * adding persons under the same common keys, was most of the time: two look-ups of every key
 * while every other batch waited. A person found before and not now (merged away, or its keys
 * removed) is the one case where the changes alone do not say which: the set is then read whole.
 */
export async function findCandidatesAgain(q: Queryable, lookup: KeyLookup, earlier: CandidateSet): Promise<CandidateSet | 'unchanged'> {
  if (lookup.keys.length === 0) return earlier.versions.size === 0 ? 'unchanged' : candidateSet([], undefined);
  const ids = [...earlier.versions.keys()];
  const { rows } = await q.query<Omit<CandidateRow, 'patient_id'> & { patient_id: string | null; unchanged: string | null }>(
    `WITH c AS MATERIALIZED (SELECT k.keys, p.patient_id, p.xmin::text AS version, p.resident_id, p.facts ${PERSONS_BY_KEYS}),
          e AS (SELECT id, stamp, split_part(stamp, ':', 1) AS version FROM unnest($3::text[], $4::text[]) AS e(id, stamp))
     SELECT c.keys, c.patient_id, c.version,
            CASE WHEN e.id IS NULL OR e.version <> c.version THEN c.resident_id END AS resident_id,
            CASE WHEN e.id IS NULL OR e.version <> c.version THEN c.facts END AS facts,
            NULL AS unchanged
       FROM c LEFT JOIN e ON e.id = c.patient_id
      WHERE e.id IS NULL OR e.stamp <> c.version || ':' || c.keys
     UNION ALL
     SELECT NULL, NULL, NULL, NULL, NULL, count(*)::text FROM c JOIN e ON e.id = c.patient_id AND e.stamp = c.version || ':' || c.keys`,
    [arrayLiteral(lookup.keys), arrayLiteral(lookup.born), arrayLiteral(ids), arrayLiteral([...earlier.versions.values()])],
  );
  let unchanged = 0;
  const changed: CandidateRow[] = [];
  for (const r of rows) {
    if (r.patient_id === null) unchanged = Number(r.unchanged);
    else changed.push(r as CandidateRow);
  }
  if (changed.length === 0 && unchanged === ids.length) return 'unchanged';
  const changedIds = new Set(changed.map((r) => r.patient_id));
  const stillFound = unchanged + ids.filter((id) => changedIds.has(id)).length;
  if (stillFound !== ids.length) return readAllAgain(q, lookup, earlier);
  // The unchanged persons as the earlier look-up found them, with the changed and new ones, in
  // the order a look-up returns them (by person id, byte order: FHIR ids are ASCII).
  const all: CandidateRow[] = [...changed];
  for (const [id, stamp] of earlier.versions) {
    if (changedIds.has(id)) continue;
    const colon = stamp.indexOf(':');
    all.push({ keys: stamp.slice(colon + 1), patient_id: id, version: stamp.slice(0, colon), resident_id: null, facts: null });
  }
  all.sort((a, b) => (a.patient_id < b.patient_id ? -1 : a.patient_id > b.patient_id ? 1 : 0));
  return candidateSet(all, earlier);
}

/** The whole set as it is now, the facts of only new or changed persons read (see findCandidatesAgain). */
async function readAllAgain(q: Queryable, lookup: KeyLookup, earlier: CandidateSet): Promise<CandidateSet> {
  const versions = [...earlier.versions.values()].map((stamp) => stamp.slice(0, stamp.indexOf(':')));
  const { rows } = await q.query<CandidateRow>(
    `SELECT k.keys, p.patient_id, p.xmin::text AS version,
            CASE WHEN e.id IS NULL THEN p.resident_id END AS resident_id, CASE WHEN e.id IS NULL THEN p.facts END AS facts
       ${PERSONS_BY_KEYS}
       LEFT JOIN unnest($3::text[], $4::text[]) AS e(id, version) ON e.id = p.patient_id AND e.version = p.xmin::text
      ORDER BY k.patient_id COLLATE "C"`,
    [arrayLiteral(lookup.keys), arrayLiteral(lookup.born), arrayLiteral([...earlier.versions.keys()]), arrayLiteral(versions)],
  );
  return candidateSet(rows, earlier);
}

function candidateSet(rows: CandidateRow[], earlier: CandidateSet | undefined): CandidateSet {
  const persons = new Map<string, StoredPerson>();
  const byKey = new Map<string, string[]>();
  const versions = new Map<string, string>();
  for (const r of rows) {
    persons.set(r.patient_id, r.facts === null ? earlier!.persons.get(r.patient_id)! : { patientId: r.patient_id, residentId: r.resident_id, facts: r.facts });
    versions.set(r.patient_id, `${r.version}:${r.keys}`);
    for (const key of r.keys.split(',')) {
      const list = byKey.get(key);
      if (list) list.push(r.patient_id);
      else byKey.set(key, [r.patient_id]);
    }
  }
  return { persons, byKey, versions };
}

/** A copy that a resolver may add to without changing the original. */
export function copyCandidateSet(set: CandidateSet): CandidateSet {
  const byKey = new Map<string, string[]>();
  for (const [k, ids] of set.byKey) byKey.set(k, [...ids]);
  return { persons: new Map(set.persons), byKey, versions: set.versions };
}

export interface PersonToWrite {
  patientId: string;
  residentId: string | null;
  facts: PersonFacts;
  keys: string[];
  /** A person created in this transaction: it has no earlier keys to remove. */
  isNew?: boolean;
}

/**
 * Inserts or replaces the person rows and their blocking keys (one statement each). A person row
 * carries its keys (block_keys, migration 401): they say which mpi_block rows to remove when the
 * keys change, without an index on mpi_block's patient ids.
 */
export async function upsertPersons(q: Queryable, persons: PersonToWrite[]): Promise<void> {
  if (persons.length === 0) return;
  const keyIds: string[] = [];
  const keys: string[] = [];
  const born: (number | null)[] = [];
  const keyLists: string[] = [];
  for (const p of persons) {
    const day = bornDay(p.facts.birthDate);
    const distinct = [...new Set(p.keys)];
    for (const k of distinct) {
      keyIds.push(p.patientId);
      keys.push(k);
      born.push(day);
    }
    keyLists.push(arrayLiteral(distinct));
  }
  const known = persons.filter((p) => !p.isNew).map((p) => p.patientId);
  // Only persons stored before can have keys that no longer apply; a batch of new residents
  // (a household import) skips the delete and its anti-join, and the conflict check too: a new
  // person's id has no rows yet and its keys are distinct (a speculative insertion per key was a
  // quarter of the statement). Keys are written before the person rows, whose block_keys still
  // name the keys to remove.
  if (known.length === 0) {
    await q.query('INSERT INTO mpi_block (key, patient_id, born) SELECT * FROM unnest($2::bigint[], $1::text[], $3::int[])', [arrayLiteral(keyIds), arrayLiteral(keys), arrayLiteral(born)]);
  } else {
    // A key kept with a corrected birth date gets the new date (the look-up filters on it).
    await q.query(
      `WITH d AS (DELETE FROM mpi_block b
                   USING (SELECT p.patient_id, o.key FROM mpi_person p, unnest(p.block_keys) AS o(key) WHERE p.patient_id = ANY($1::text[])) s
                   WHERE b.key = s.key AND b.patient_id = s.patient_id
                     AND (s.key, s.patient_id) NOT IN (SELECT * FROM unnest($3::bigint[], $2::text[])))
       INSERT INTO mpi_block (key, patient_id, born) SELECT * FROM unnest($3::bigint[], $2::text[], $4::int[])
       ON CONFLICT (key, patient_id) DO UPDATE SET born = EXCLUDED.born WHERE mpi_block.born IS DISTINCT FROM EXCLUDED.born`,
      [arrayLiteral(known), arrayLiteral(keyIds), arrayLiteral(keys), arrayLiteral(born)],
    );
  }
  // New persons only: no conflict to check for (each one's id is new).
  await q.query(
    `INSERT INTO mpi_person (patient_id, resident_id, facts, block_keys)
     SELECT id, resident_id, facts, block_keys::bigint[] FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::text[]) AS u(id, resident_id, facts, block_keys)
     ${known.length === 0 ? '' : `ON CONFLICT (patient_id) DO UPDATE SET resident_id = COALESCE(EXCLUDED.resident_id, mpi_person.resident_id),
       facts = EXCLUDED.facts, block_keys = EXCLUDED.block_keys, updated_at = now()`}`,
    [
      arrayLiteral(persons.map((p) => p.patientId)),
      arrayLiteral(persons.map((p) => p.residentId)),
      arrayLiteral(persons.map((p) => JSON.stringify(p.facts))),
      arrayLiteral(keyLists),
    ],
  );
}

export async function setPersonActive(q: Queryable, patientId: string, active: boolean): Promise<void> {
  await q.query('UPDATE mpi_person SET active = $2, updated_at = now() WHERE patient_id = $1', [patientId, active]);
}

/** Takes the lock stripes of the keys until the end of the transaction. */
export async function lockKeys(q: Queryable, keyHashes: Iterable<string>): Promise<void> {
  const stripes = stripesOf(keyHashes);
  if (stripes.length === 0) return;
  await q.query('SELECT count(pg_advisory_xact_lock($1::int, s)) FROM unnest($2::int[]) AS s', [LOCK_CLASS, stripes]);
}

/** New resident IDs of the province, from the never-reused sequence. */
export async function allocateResidentIds(q: Queryable, province: string, count: number): Promise<string[]> {
  if (count === 0) return [];
  const { rows } = await q.query<{ n: number }>(`SELECT nextval('resident_id_seq') AS n FROM generate_series(1, $1::int)`, [count]);
  return rows.map((r) => formatResidentId(province, Number(r.n)));
}

/** Pairs a person already declared to be different people. */
export async function distinctPairs(q: Queryable, patientIds: string[]): Promise<Set<string>> {
  if (patientIds.length === 0) return new Set();
  const { rows } = await q.query<{ a: string; b: string }>(
    'SELECT patient_a AS a, patient_b AS b FROM identity_distinct WHERE patient_a = ANY($1::text[]) OR patient_b = ANY($1::text[])',
    [patientIds],
  );
  return new Set(rows.map((r) => pairKey(r.a, r.b)));
}

/** A pair of the review queue: the record written (patientId) and the existing one it may be. */
export interface ReviewPair {
  patientId: string;
  candidateId: string;
  score: number;
  /** The matcher's reasons, as JSON. */
  reasons: string;
  /** Where the record came from (an import's record key, `fhir:Patient/{id}`). */
  key: string;
}

/** Queues uncertain pairs for a person (a pair already pending is left as it is). */
export async function insertReviewPairs(q: Queryable, items: ReviewPair[]): Promise<void> {
  if (items.length === 0) return;
  await q.query(
    `INSERT INTO identity_review (patient_id, candidate_id, score, reasons, source_key)
     SELECT * FROM unnest($1::text[], $2::text[], $3::numeric[], $4::jsonb[], $5::text[])
     ON CONFLICT DO NOTHING`,
    [items.map((i) => i.patientId), items.map((i) => i.candidateId), items.map((i) => i.score), items.map((i) => i.reasons), items.map((i) => i.key)],
  );
}

export function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}
