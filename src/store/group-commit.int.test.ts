import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.ts';
import type { Database } from './database.ts';
import { createGroupCommit } from './group-commit.ts';

let db: Database;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.pool.query('CREATE TABLE group_commit_probe (n int PRIMARY KEY, txid bigint NOT NULL)');
});

afterAll(async () => {
  await db.close();
});

const insert = (tx: Parameters<Parameters<typeof createGroupCommit<number>>[1]>[0], units: number[]) =>
  tx.query('INSERT INTO group_commit_probe (n, txid) SELECT n, txid_current() FROM unnest($1::int[]) AS n', [units]).then(() => undefined);

describe('group commit of concurrent writes', () => {
  it('writes units submitted together in fewer transactions than units, each visible once its promise resolves', async () => {
    const commits = createGroupCommit<number>(db, insert, { maxInFlight: 1 });
    const units = Array.from({ length: 40 }, (_, i) => i + 1);
    await Promise.all(
      units.map(async (n) => {
        await commits.submit(n);
        const { rows } = await db.pool.query('SELECT 1 FROM group_commit_probe WHERE n = $1', [n]);
        expect(rows).toHaveLength(1);
      }),
    );
    const { rows } = await db.pool.query<{ transactions: number; units: number }>(
      'SELECT count(DISTINCT txid)::int AS transactions, count(*)::int AS units FROM group_commit_probe WHERE n <= 40',
    );
    expect(rows[0]!.units).toBe(40);
    expect(rows[0]!.transactions).toBeLessThan(40);
  });

  it('fails only the unit that cannot be written: the others of its batch are still committed', async () => {
    const commits = createGroupCommit<number>(db, insert);
    // 5 is already stored (first test): its primary key fails the batch it lands in.
    const results = await Promise.allSettled([101, 102, 5, 103].map((n) => commits.submit(n)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ code: '23505' });
    const { rows } = await db.pool.query<{ n: number }>('SELECT n FROM group_commit_probe WHERE n > 100 ORDER BY n');
    expect(rows.map((r) => r.n)).toEqual([101, 102, 103]);
  });
});
