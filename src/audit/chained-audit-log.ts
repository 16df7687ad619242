// The audit log the server writes reads and searches to: concurrent records are grouped into
// one INSERT (group commit) that also chains them — each entry is inserted with its chain
// position and hash already set, so it is written once and never updated. (The sealer,
// ./sealer.ts, whose UPDATE of every entry was most of what an audited read cost PostgreSQL,
// is left with the entries that write transactions insert inside their own transaction.)
// One statement per batch, in autocommit: it takes the chain's lock before inserting (so it
// never interleaves with the sealer or another process), and the chain position's UNIQUE
// index refuses a batch built on a head that another writer has moved meanwhile — the batch
// is then rebuilt on the new head. Batches of one process follow one another; the more
// requests arrive meanwhile, the larger the next batch. Sequence numbers are reserved in
// blocks. `record` resolves once the entries are committed.
// The server hands it a connection with `synchronous_commit = off` (Database.asyncCommitPool):
// a read then waits for its entry to be in PostgreSQL, not for the disk flush (5–7 ms on this
// VM, most of what auditing cost a read). A crash of the HSSK process loses nothing; a crash of
// PostgreSQL or the OS can lose the last fraction of a second of these entries (wal_writer_delay
// × 3), always as a tail of the chain — a later synchronous commit (any write) flushes every
// earlier one, so the chain on disk stays unbroken. Writes' entries commit with the write.
import type pg from 'pg';
import { preparedQuery } from '../store/database.ts';
import type { AuditEntry, AuditEntryInput } from './audit-entry.ts';
import { batchingAuditLog, type AuditLog } from './audit-log.ts';
import { byteaText, ENTRY_COLUMNS, entryValues, rowsFromJson } from './audit-rows.ts';
import { CHAIN_LOCK, GENESIS_HASH, chainHash } from './chain.ts';

const MAX_BATCH = 1000;

const SEQUENCE_BLOCK = 1000;
const MAX_ATTEMPTS = 20;

const HEAD_SQL = 'SELECT chain_pos, hash FROM audit_entry WHERE chain_pos IS NOT NULL ORDER BY chain_pos DESC LIMIT 1';
// The identity's sequence by name: pg_get_serial_sequence() in the select list was evaluated for
// every row, five times the cost of the nextval() itself.
const SEQUENCE_SQL = `SELECT nextval('audit_entry_seq_seq'::regclass) AS seq FROM generate_series(1, $1::int)`;

const CHAINED_COLUMNS = [['seq', 'bigint'], ...ENTRY_COLUMNS, ['chain_pos', 'bigint'], ['hash', 'bytea']] as const;

// The lock is an InitPlan: taken once, before the first row is inserted, held until commit.
const INSERT_SQL = `WITH inserted AS (
    INSERT INTO audit_entry (${CHAINED_COLUMNS.map(([c]) => c).join(', ')}) OVERRIDING SYSTEM VALUE
    ${rowsFromJson(CHAINED_COLUMNS, '$1')}
    WHERE (SELECT 1 FROM pg_advisory_xact_lock(hashtext($4))) = 1
    RETURNING 1)
  INSERT INTO audit_seal (last_pos, last_hash) SELECT $2, $3 WHERE EXISTS (SELECT 1 FROM inserted)`;

interface ChainHead {
  position: number;
  hash: Buffer;
}

/** Appends to the chain from one process; `append` calls must not overlap. */
export function chainAppender(pool: pg.Pool): { append(inputs: AuditEntryInput[]): Promise<void> } {
  let head: ChainHead | undefined;
  let reserved: number[] = [];

  async function readHead(): Promise<ChainHead> {
    const { rows } = await pool.query<{ chain_pos: number; hash: Buffer }>(preparedQuery(HEAD_SQL, []));
    return rows[0] ? { position: rows[0].chain_pos, hash: rows[0].hash } : { position: 0, hash: GENESIS_HASH };
  }

  async function reserveSequence(n: number): Promise<number[]> {
    if (reserved.length < n) {
      const { rows } = await pool.query<{ seq: number }>(preparedQuery(SEQUENCE_SQL, [Math.max(n - reserved.length, SEQUENCE_BLOCK)]));
      reserved = [...reserved, ...rows.map((r) => Number(r.seq))].sort((a, b) => a - b);
    }
    return reserved.slice(0, n);
  }

  return {
    async append(inputs) {
      const seqs = await reserveSequence(inputs.length);
      const entries: AuditEntry[] = [];
      const rows: unknown[][] = [];
      for (let i = 0; i < inputs.length; i++) {
        const { detail, recordedAt, ...rest } = inputs[i]!;
        const detailText = detail ? JSON.stringify(detail) : null;
        const entry: AuditEntry = { ...rest, seq: seqs[i]!, recordedAt: recordedAt ?? new Date() };
        // Hashed as the database will give it back (jsonb drops undefined members): the hash must match a re-read.
        if (detailText !== null) entry.detail = JSON.parse(detailText) as AuditEntry['detail'];
        entries.push(entry);
        rows.push([entry.seq, ...entryValues(entry, entry.recordedAt, detailText)]);
      }
      for (let attempt = 1; ; attempt++) {
        head ??= await readHead();
        let position = head.position;
        let previous = head.hash;
        for (let i = 0; i < entries.length; i++) {
          previous = chainHash(previous, entries[i]!);
          const row = rows[i]!;
          row.length = CHAINED_COLUMNS.length - 2;
          row.push(++position, byteaText(previous));
        }
        try {
          await pool.query(preparedQuery(INSERT_SQL, [JSON.stringify(rows), position, previous, CHAIN_LOCK]));
        } catch (err) {
          head = undefined;
          // Another writer took these positions first: build the batch again on the new head.
          if ((err as { code?: string }).code === '23505' && attempt < MAX_ATTEMPTS) continue;
          throw err;
        }
        head = { position, hash: previous };
        reserved = reserved.slice(inputs.length);
        return;
      }
    },
  };
}

/** Groups concurrent records into chained batches, one batch at a time (the chain is linear). */
export function createChainedAuditLog(pool: pg.Pool): AuditLog {
  const appender = chainAppender(pool);
  return batchingAuditLog((entries) => appender.append(entries), 1, MAX_BATCH);
}
