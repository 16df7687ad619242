// Bulk loading against a concurrent writer: a batch chosen as a deadlock's victim is rolled back
// whole by PostgreSQL and written again, so the load completes instead of failing midway.
import type { Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.ts';
import { bulkLoad } from './bulk-load.ts';
import type { Database } from './database.ts';

let db: Database;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => db?.close());

/** Waits until some other backend of this database is blocked on a lock. */
async function someoneWaitsOnALock(except: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await db.pool.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> $1`, [except]);
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('no backend ever waited on a lock');
}

describe('bulk load', () => {
  it('a batch that loses a deadlock to another writer is written again, and the load completes', async () => {
    // The batch's distinct strings (raw and folded) are inserted in sorted order: "Aaa…" before "Zzz…".
    const patient: Patient = { resourceType: 'Patient', id: 'bulk-deadlock', name: [{ family: 'Zzzdeadlock', given: ['Aaadeadlock'] }] };
    const other = await db.pool.connect();
    try {
      const otherPid = (await other.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await other.query('BEGIN');
      // The other writer holds the values the batch inserts last…
      await other.query(`INSERT INTO search_string_value (value) VALUES ('Zzzdeadlock Aaadeadlock'), ('zzzdeadlock aaadeadlock') ON CONFLICT DO NOTHING`);
      const load = bulkLoad(db, [patient], { validate: true });
      const outcome = load.then(
        (r) => ({ ok: true as const, loaded: r.loaded }),
        (err: unknown) => ({ ok: false as const, err }),
      );
      // …the batch, having inserted its first values, waits for them…
      await someoneWaitsOnALock(otherPid);
      // …and the other writer then wants the batch's first values: a deadlock. The batch waited
      // first, so its deadlock check fires first and it is the one rolled back (40P01).
      await other.query(`INSERT INTO search_string_value (value) VALUES ('Aaadeadlock'), ('aaadeadlock') ON CONFLICT DO NOTHING`);
      await other.query('ROLLBACK');
      const result = await outcome;
      expect(result).toEqual({ ok: true, loaded: 1 });
    } finally {
      other.release();
    }
    const { rows } = await db.pool.query(`SELECT version_id FROM resource WHERE resource_type = 'Patient' AND id = 'bulk-deadlock'`);
    expect(rows).toEqual([{ version_id: 1 }]);
    const deadlocks = await db.pool.query<{ n: string }>('SELECT deadlocks AS n FROM pg_stat_database WHERE datname = current_database()');
    expect(Number(deadlocks.rows[0]!.n)).toBeGreaterThan(0);
  }, 30_000);
});
