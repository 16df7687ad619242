// A hub without a receiver of its own clears the versions its writer queues (nobody reads them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/database.ts';
import { Repository } from '../../src/store/repository.ts';
import { hubOutboxJob } from '../../src/sync/hub-outbox.ts';
import { createTestDatabase } from '../support/db.ts';

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.close());

const queued = async () => Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM sync_outbox')).rows[0]!.n);

describe('hub outbox job', () => {
  it('clears every queued version and leaves the resources as they are', async () => {
    const repo = new Repository(db);
    for (const family of ['Nguyễn', 'Trần', 'Lê']) await repo.create({ resourceType: 'Patient', name: [{ family }] });
    expect(await queued()).toBe(3);
    const lines: string[] = [];
    const job = hubOutboxJob(db.pool, (line) => lines.push(line));
    expect(job.name).toBe('hub-outbox-clear');
    await job.run();
    expect(await queued()).toBe(0);
    expect(lines).toEqual([expect.stringContaining('3 queued versions cleared')]);
    const { rows } = await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM resource WHERE resource_type = 'Patient'`);
    expect(Number(rows[0]!.n)).toBe(3);
    await job.run();
    expect(lines).toHaveLength(1);
  });
});
