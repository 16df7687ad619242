// `hssk audit verify`: recomputes the chain from the first entry and names the first broken
// one — an entry changed (its hash no longer matches), entries deleted (a gap in chain_pos),
// or the newest entries deleted (a seal names a head that is gone or different).
import type { Queryable } from '../store/database.ts';
import { AUDIT_COLUMNS, entryFromRow, type AuditRow } from './audit-entry.ts';
import { GENESIS_HASH, chainHash } from './chain.ts';

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

export async function verifyAuditChain(db: Queryable): Promise<ChainReport> {
  let previous: Buffer = GENESIS_HASH;
  let expected = 1;
  let verified = 0;
  for (;;) {
    const { rows } = await db.query<AuditRow & { hash: Buffer | null }>(
      `SELECT ${AUDIT_COLUMNS}, hash FROM audit_entry WHERE chain_pos >= $1 ORDER BY chain_pos LIMIT $2`,
      [expected, PAGE],
    );
    for (const row of rows) {
      if (row.chain_pos !== expected) return { ok: false, verified, unsealed: await countUnsealed(db), broken: { seq: row.seq, chainPos: expected, problem: 'deleted-before' } };
      const hash = chainHash(previous, entryFromRow(row));
      if (!row.hash || !hash.equals(row.hash)) return { ok: false, verified, unsealed: await countUnsealed(db), broken: { seq: row.seq, chainPos: expected, problem: 'changed' } };
      previous = row.hash;
      expected++;
      verified++;
    }
    if (rows.length < PAGE) break;
  }
  const unsealed = await countUnsealed(db);
  const seal = await db.query<{ last_pos: number }>(
    `SELECT s.last_pos FROM audit_seal s LEFT JOIN audit_entry a ON a.chain_pos = s.last_pos
      WHERE a.hash IS DISTINCT FROM s.last_hash ORDER BY s.last_pos LIMIT 1`,
  );
  if (seal.rows[0]) return { ok: false, verified, unsealed, broken: { chainPos: Math.min(seal.rows[0].last_pos, expected), problem: 'deleted-at-end' } };
  const stray = await db.query<{ seq: number }>('SELECT seq FROM audit_entry WHERE chain_pos IS NULL AND hash IS NOT NULL ORDER BY seq LIMIT 1');
  if (stray.rows[0]) return { ok: false, verified, unsealed, broken: { seq: stray.rows[0].seq, chainPos: expected, problem: 'unsealed-hash' } };
  return { ok: true, verified, unsealed, ...(verified > 0 ? { headHash: previous.toString('hex') } : {}) };
}

async function countUnsealed(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_entry WHERE chain_pos IS NULL');
  return rows[0]!.n;
}
