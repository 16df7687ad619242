// The audit log the server writes reads and searches to: concurrent records are grouped into
// one batch (group commit) that is chained as it is written — each entry gets its sequence
// number, chain position and hash in Node — and stored as ONE row of audit_pack (migration 420:
// the entries' canonical forms, their hashes, and the patient/agent/entity keys AuditEvent search
// looks them up by). A row and its index entries per batch instead of per entry is what makes an
// audited read cheap (docs/benchmarks.md, "Authorisation and audit"); every entry is still its
// own entry: own sequence number, position and hash, found by search, checked by `hssk audit verify`.
// One statement per batch, in autocommit: it takes the chain's lock before inserting (so it
// never interleaves with the sealer or another process), and the seal's UNIQUE first position
// refuses a batch built on a head that another writer has moved meanwhile — the batch is then
// rebuilt on the new head. Batches of one process follow one another; the more requests arrive
// meanwhile, the larger the next batch. Sequence numbers are reserved in blocks. `record`
// resolves once the batch is committed. The reads' spool (./audit-spool.ts) appends its packs
// through the same appender, between these batches.
// The server hands it a connection with `synchronous_commit = off` (Database.asyncCommitPool):
// a read then waits for its entry to be in PostgreSQL, not for the disk flush (5–7 ms on this
// VM, most of what auditing cost a read). A crash of the HSSK process loses nothing; a crash of
// PostgreSQL or the OS can lose the last fraction of a second of these entries (wal_writer_delay
// × 3), always as a tail of the chain — a later synchronous commit (any write) flushes every
// earlier one, so the chain on disk stays unbroken. Writes' entries commit with the write.
import type pg from 'pg';
import { preparedQuery } from '../store/database.ts';
import { canonicalFields, withSequence, type AuditEntryInput } from './audit-entry.ts';
import { batchingAuditLog, type AuditLog } from './audit-log.ts';
import { CHAIN_LOCK, GENESIS_HASH, HEAD_SQL, hashCanonical } from './chain.ts';

const MAX_BATCH = 1000;

const SEQUENCE_BLOCK = 1000;
const MAX_ATTEMPTS = 20;

// The identity's sequence by name: pg_get_serial_sequence() in the select list was evaluated for
// every row, five times the cost of the nextval() itself.
const SEQUENCE_SQL = `SELECT nextval('audit_entry_seq_seq'::regclass) AS seq FROM generate_series(1, $1::int)`;

// The lock is an InitPlan: taken once, before the row is inserted, held until commit.
const INSERT_SQL = `WITH inserted AS (
    INSERT INTO audit_pack (first_pos, n, min_seq, max_seq, first_recorded, last_recorded, keys, entries, hashes, spool_id, spool_end)
    SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $12, $13
     WHERE (SELECT 1 FROM pg_advisory_xact_lock(hashtext($11))) = 1
    RETURNING 1)
  INSERT INTO audit_seal (first_pos, last_pos, last_hash) SELECT $1, $1::bigint + $2::int - 1, $10 WHERE EXISTS (SELECT 1 FROM inserted)`;

interface ChainHead {
  position: number;
  hash: Buffer;
}

/** The search keys of a batch's entries (audit-search.ts): patient, agent and entity ids, actions. */
export function packKeys(entries: readonly AuditEntryInput[]): string[] {
  const keys = new Set<string>();
  for (const e of entries) {
    keys.add(`x:${e.action}`);
    if (e.patientId) keys.add(`p:${e.patientId}`);
    if (e.agentId) keys.add(`a:${e.agentId}`);
    // A read of a patient's own Patient record is found by the patient key (as in audit_row's entity index).
    if (e.entityId && e.entityId !== e.patientId) keys.add(`e:${e.entityId}`);
  }
  return [...keys];
}

/** Where a batch of spooled entries came from (./audit-spool.ts): the spool and the index of its last entry. */
export interface SpoolMark {
  id: string;
  end: number;
}

/**
 * Appends to the chain from one process; `append` calls must not overlap. `fields`, when given,
 * are the entries' canonical forms without their sequence numbers (canonicalFields), already made.
 */
export function chainAppender(pool: pg.Pool): { append(inputs: AuditEntryInput[], spool?: SpoolMark, fields?: readonly string[]): Promise<void> } {
  let head: ChainHead | undefined;
  let reserved: number[] = [];

  async function readHead(): Promise<ChainHead> {
    const { rows } = await pool.query<{ pos: string; hash: Buffer }>(preparedQuery(HEAD_SQL, []));
    return rows[0] ? { position: Number(rows[0].pos), hash: rows[0].hash } : { position: 0, hash: GENESIS_HASH };
  }

  async function reserveSequence(n: number): Promise<number[]> {
    if (reserved.length < n) {
      const { rows } = await pool.query<{ seq: number }>(preparedQuery(SEQUENCE_SQL, [Math.max(n - reserved.length, SEQUENCE_BLOCK)]));
      reserved = [...reserved, ...rows.map((r) => Number(r.seq))].sort((a, b) => a - b);
    }
    return reserved.slice(0, n);
  }

  return {
    async append(inputs, spool, fields) {
      const n = inputs.length;
      const seqs = await reserveSequence(n);
      const canonicals: string[] = [];
      let first: Date | undefined;
      let last: Date | undefined;
      for (let i = 0; i < n; i++) {
        const input = inputs[i]!;
        const recordedAt = input.recordedAt ?? new Date();
        if (!first || recordedAt < first) first = recordedAt;
        if (!last || recordedAt > last) last = recordedAt;
        canonicals.push(withSequence(seqs[i]!, fields?.[i] ?? canonicalFields({ ...input, recordedAt })));
      }
      const text = `[${canonicals.join(',')}]`;
      const keys = packKeys(inputs);
      const hashes = Buffer.allocUnsafe(32 * n);
      for (let attempt = 1; ; attempt++) {
        head ??= await readHead();
        let previous = head.hash;
        for (let i = 0; i < n; i++) {
          previous = hashCanonical(previous, canonicals[i]!);
          previous.copy(hashes, 32 * i);
        }
        const firstPos = head.position + 1;
        try {
          await pool.query(preparedQuery(INSERT_SQL, [firstPos, n, seqs[0], seqs[n - 1], first, last, keys, text, hashes, previous, CHAIN_LOCK, spool?.id ?? null, spool?.end ?? null]));
        } catch (err) {
          head = undefined;
          // Another writer took these positions first: build the batch again on the new head.
          if ((err as { code?: string }).code === '23505' && attempt < MAX_ATTEMPTS) continue;
          throw err;
        }
        head = { position: head.position + n, hash: previous };
        reserved = reserved.slice(n);
        return;
      }
    },
  };
}

export interface ChainedAuditLog extends AuditLog {
  /**
   * Appends entries taken from a spool as one batch (after any batch in flight), marking the
   * pack with where they came from: a spool replayed after a crash skips what is already in.
   */
  appendSpooled(entries: AuditEntryInput[], spool: SpoolMark, fields?: readonly string[]): Promise<void>;
}

/** Groups concurrent records into chained batches, one batch at a time (the chain is linear). */
export function createChainedAuditLog(pool: pg.Pool): ChainedAuditLog {
  const appender = chainAppender(pool);
  // The appender keeps the head it last wrote: its batches, of either source, go one at a time.
  let tail: Promise<unknown> = Promise.resolve();
  const serially = (run: () => Promise<void>): Promise<void> => {
    const next = tail.then(run, run);
    tail = next.catch(() => undefined);
    return next;
  };
  const log = batchingAuditLog((entries) => serially(() => appender.append(entries)), 1, MAX_BATCH);
  return { ...log, appendSpooled: (entries, spool, fields) => serially(() => appender.append(entries, spool, fields)) };
}
