// `hssk audit verify`: recomputes the chain from the first entry and names the first broken
// one — an entry changed (its hash no longer matches), entries deleted (a gap in the chain
// positions), or the newest entries deleted (a seal names a head that is gone or different).
// The chain runs across audit_row (an entry per row) and audit_pack (a batch per row, migration
// 420): both are read in position order and merged.
import type { Queryable } from '../store/database.ts';
import { AUDIT_COLUMNS, canonicalEntry, entryFromCanonical, entryFromRow, type AuditEntry, type AuditRow } from './audit-entry.ts';
import { GENESIS_HASH, hashCanonical } from './chain.ts';

export type ChainProblem = 'changed' | 'deleted-before' | 'deleted-at-end' | 'unsealed-hash';

export interface ChainReport {
  ok: boolean;
  /** Entries checked. */
  verified: number;
  /** Entries written but not yet sealed (the sealer runs every second). */
  unsealed: number;
  /** Hex hash of the last sealed entry: record it outside the database to anchor the chain. */
  headHash?: string;
  broken?: { seq?: number; chainPos: number; problem: ChainProblem };
}

const PAGE = 10_000;
const PACK_PAGE = 1_000;

/** A chained entry as stored: its position, its entry (undefined if unreadable) and stored hash. */
interface Chained {
  position: number;
  entry: AuditEntry | undefined;
  seq: number | undefined;
  hash: Buffer | null;
}

/** audit_row's chained entries from `from` on, in position order. */
async function* rowEntries(db: Queryable, from: number): AsyncGenerator<Chained> {
  for (let next = from; ; ) {
    const { rows } = await db.query<AuditRow & { hash: Buffer | null }>(
      `SELECT ${AUDIT_COLUMNS}, hash FROM audit_row WHERE chain_pos >= $1 ORDER BY chain_pos LIMIT $2`,
      [next, PAGE],
    );
    for (const row of rows) yield { position: row.chain_pos!, entry: entryFromRow(row), seq: row.seq, hash: row.hash };
    if (rows.length < PAGE) return;
    next = rows[rows.length - 1]!.chain_pos! + 1;
  }
}

/** audit_pack's entries from `from` on, in position order. */
async function* packEntries(db: Queryable, from: number): AsyncGenerator<Chained> {
  for (let next = from; ; ) {
    const { rows } = await db.query<{ first_pos: number; n: number; entries: string; hashes: Buffer }>(
      'SELECT first_pos, n, entries, hashes FROM audit_pack WHERE first_pos >= $1 ORDER BY first_pos LIMIT $2',
      [next, PACK_PAGE],
    );
    for (const pack of rows) {
      let parsed: unknown[] = [];
      try {
        const value: unknown = JSON.parse(pack.entries);
        if (Array.isArray(value)) parsed = value;
      } catch {
        // An edited pack that is no longer JSON: every entry of it reads as changed.
      }
      for (let i = 0; i < pack.n; i++) {
        let entry: AuditEntry | undefined;
        try {
          entry = entryFromCanonical(parsed[i]);
        } catch {
          entry = undefined;
        }
        const hash = pack.hashes.length >= 32 * (i + 1) ? pack.hashes.subarray(32 * i, 32 * (i + 1)) : null;
        yield { position: pack.first_pos + i, entry, seq: entry?.seq, hash };
      }
    }
    if (rows.length < PACK_PAGE) return;
    next = rows[rows.length - 1]!.first_pos + 1;
  }
}

/** Two position-ordered streams as one. */
async function* merged(a: AsyncGenerator<Chained>, b: AsyncGenerator<Chained>): AsyncGenerator<Chained> {
  let x = await a.next();
  let y = await b.next();
  while (!x.done || !y.done) {
    if (y.done || (!x.done && x.value.position <= y.value.position)) {
      yield x.value!;
      x = await a.next();
    } else {
      yield y.value;
      y = await b.next();
    }
  }
}

export async function verifyAuditChain(db: Queryable): Promise<ChainReport> {
  let previous: Buffer = GENESIS_HASH;
  let expected = 1;
  let verified = 0;
  const broken = async (problem: ChainProblem, c: Chained): Promise<ChainReport> => ({
    ok: false,
    verified,
    unsealed: await countUnsealed(db),
    broken: { ...(c.seq !== undefined ? { seq: c.seq } : {}), chainPos: expected, problem },
  });
  for await (const c of merged(rowEntries(db, 1), packEntries(db, 1))) {
    if (c.position !== expected) return broken('deleted-before', c);
    const hash = c.entry ? hashCanonical(previous, canonicalEntry(c.entry)) : undefined;
    if (!hash || !c.hash || !hash.equals(c.hash)) return broken('changed', c);
    previous = c.hash;
    expected++;
    verified++;
  }
  const unsealed = await countUnsealed(db);
  // Each seal names the hash at its last position, in whichever table that entry lives.
  const seal = await db.query<{ last_pos: number }>(
    `SELECT s.last_pos FROM audit_seal s
       LEFT JOIN audit_row a ON a.chain_pos = s.last_pos
       LEFT JOIN LATERAL (SELECT p.first_pos, p.n, p.hashes FROM audit_pack p WHERE p.first_pos <= s.last_pos ORDER BY p.first_pos DESC LIMIT 1) p ON true
      WHERE coalesce(a.hash, CASE WHEN s.last_pos < p.first_pos + p.n THEN substring(p.hashes FROM ((s.last_pos - p.first_pos) * 32 + 1)::int FOR 32) END)
            IS DISTINCT FROM s.last_hash
      ORDER BY s.last_pos LIMIT 1`,
  );
  if (seal.rows[0]) return { ok: false, verified, unsealed, broken: { chainPos: Math.min(seal.rows[0].last_pos, expected), problem: 'deleted-at-end' } };
  const stray = await db.query<{ seq: number }>('SELECT seq FROM audit_row WHERE chain_pos IS NULL AND hash IS NOT NULL ORDER BY seq LIMIT 1');
  if (stray.rows[0]) return { ok: false, verified, unsealed, broken: { seq: stray.rows[0].seq, chainPos: expected, problem: 'unsealed-hash' } };
  return { ok: true, verified, unsealed, ...(verified > 0 ? { headHash: previous.toString('hex') } : {}) };
}

async function countUnsealed(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_row WHERE chain_pos IS NULL');
  return rows[0]!.n;
}
