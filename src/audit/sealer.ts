// The sealer puts committed entries into the chain, in batches: one process at a time (an
// advisory lock), while writers keep inserting without waiting. Entries are chained in the
// order the sealer finds them (chain_pos), so an entry whose transaction committed late is
// simply sealed in a later batch.
import type { Database } from '../store/database.ts';
import { AUDIT_COLUMNS, entryFromRow, type AuditRow } from './audit-entry.ts';
import { CHAIN_LOCK, GENESIS_HASH, HEAD_SQL, chainHash } from './chain.ts';

/** Seals up to `max` entries; returns how many. */
export async function sealAuditBatch(db: Database, max = 1000): Promise<number> {
  return db.transaction(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [CHAIN_LOCK]);
    const head = await client.query<{ pos: string; hash: Buffer | null }>(HEAD_SQL);
    let position = Number(head.rows[0]?.pos ?? 0);
    const firstPos = position + 1;
    let previous = head.rows[0]?.hash ?? GENESIS_HASH;
    const { rows } = await client.query<AuditRow>(
      `SELECT ${AUDIT_COLUMNS} FROM audit_row WHERE chain_pos IS NULL ORDER BY seq LIMIT $1`,
      [max],
    );
    if (rows.length === 0) return 0;
    const seqs: number[] = [];
    const positions: number[] = [];
    const hashes: Buffer[] = [];
    for (const row of rows) {
      position++;
      previous = chainHash(previous, entryFromRow(row));
      seqs.push(row.seq);
      positions.push(position);
      hashes.push(previous);
    }
    await client.query(
      `UPDATE audit_row a SET chain_pos = v.pos, hash = v.hash
         FROM unnest($1::bigint[], $2::bigint[], $3::bytea[]) AS v(seq, pos, hash) WHERE a.seq = v.seq`,
      [seqs, positions, hashes],
    );
    await client.query('INSERT INTO audit_seal (first_pos, last_pos, last_hash) VALUES ($1, $2, $3)', [firstPos, position, previous]);
    return rows.length;
  });
}

/** Seals until nothing is left. */
export async function sealAll(db: Database): Promise<number> {
  let total = 0;
  for (let n = await sealAuditBatch(db); n > 0; n = await sealAuditBatch(db)) total += n;
  return total;
}

/** Runs the sealer every `intervalMs` in this process; returns a stop function that seals what is left. */
export function startAuditSealer(db: Database, intervalMs = 1000, onError: (err: unknown) => void = () => undefined): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => sealAll(db)).catch(onError);
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
    await sealAll(db).catch(onError);
  };
}
