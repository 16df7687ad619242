// The MPI tables (migration 020_identity.sql): candidate look-up by blocking keys, the person
// rows kept in step with every Patient write of the pipeline, and resident ID allocation.
import type { Queryable } from '../../store/database.ts';
import { formatResidentId } from '../resident-id.ts';
import type { PersonFacts } from '../matcher.ts';
import { LOCK_CLASS, stripesOf } from './block-keys.ts';

export interface StoredPerson {
  patientId: string;
  residentId: string | null;
  facts: PersonFacts;
}

/** Active persons sharing at least one of the hashed keys, with the keys they share. */
export async function findCandidates(q: Queryable, keyHashes: string[]): Promise<{ persons: Map<string, StoredPerson>; byKey: Map<string, string[]> }> {
  const persons = new Map<string, StoredPerson>();
  const byKey = new Map<string, string[]>();
  if (keyHashes.length === 0) return { persons, byKey };
  const { rows } = await q.query<{ key: string; patient_id: string; resident_id: string | null; facts: PersonFacts }>(
    // Each person is fetched by its primary key (LATERAL … LIMIT 1 keeps the planner from
    // flattening it into a hash join, which read and hashed every person of the province: at
    // 20,000 residents already twice the time of the ~3,000 key look-ups of a 200-episode batch).
    `SELECT b.key::text AS key, p.patient_id, p.resident_id, p.facts
       FROM mpi_block b
       CROSS JOIN LATERAL (SELECT p.patient_id, p.resident_id, p.facts FROM mpi_person p WHERE p.patient_id = b.patient_id AND p.active LIMIT 1) p
      WHERE b.key = ANY($1::bigint[])`,
    [[...new Set(keyHashes)]],
  );
  for (const r of rows) {
    if (!persons.has(r.patient_id)) persons.set(r.patient_id, { patientId: r.patient_id, residentId: r.resident_id, facts: r.facts });
    const list = byKey.get(r.key);
    if (list) list.push(r.patient_id);
    else byKey.set(r.key, [r.patient_id]);
  }
  return { persons, byKey };
}

export interface PersonToWrite {
  patientId: string;
  residentId: string | null;
  facts: PersonFacts;
  keys: string[];
  /** A person created in this transaction: it has no earlier keys to remove. */
  isNew?: boolean;
}

/** Inserts or replaces the person rows and their blocking keys (one statement each). */
export async function upsertPersons(q: Queryable, persons: PersonToWrite[]): Promise<void> {
  if (persons.length === 0) return;
  const ids = persons.map((p) => p.patientId);
  await q.query(
    `INSERT INTO mpi_person (patient_id, resident_id, facts)
     SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])
     ON CONFLICT (patient_id) DO UPDATE SET resident_id = COALESCE(EXCLUDED.resident_id, mpi_person.resident_id),
       facts = EXCLUDED.facts, updated_at = now()`,
    [ids, persons.map((p) => p.residentId), persons.map((p) => JSON.stringify(p.facts))],
  );
  const keyIds: string[] = [];
  const keys: string[] = [];
  for (const p of persons) for (const k of new Set(p.keys)) { keyIds.push(p.patientId); keys.push(k); }
  // Only persons stored before can have keys that no longer apply; a batch of new residents
  // (a household import) skips the delete and its anti-join, and the conflict check too: a new
  // person's id has no rows yet and its keys are distinct (a speculative insertion per key was a
  // quarter of the statement).
  const known = persons.filter((p) => !p.isNew).map((p) => p.patientId);
  if (known.length === 0) {
    await q.query('INSERT INTO mpi_block (key, patient_id) SELECT * FROM unnest($2::bigint[], $1::text[])', [keyIds, keys]);
    return;
  }
  await q.query(
    `WITH d AS (DELETE FROM mpi_block WHERE patient_id = ANY($1::text[])
                  AND (key, patient_id) NOT IN (SELECT * FROM unnest($3::bigint[], $2::text[])))
     INSERT INTO mpi_block (key, patient_id) SELECT * FROM unnest($3::bigint[], $2::text[]) ON CONFLICT DO NOTHING`,
    [known, keyIds, keys],
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
