// Where versions live since migration 410: the current one in `resource` only, the replaced ones in
// resource_history — and rows written before it (current version in both, no method) still read
// and update correctly.
import type { Observation } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.ts';
import type { Database } from './database.ts';
import { Repository } from './repository.ts';

let db: Database;
let repo: Repository;

beforeAll(async () => {
  db = await createTestDatabase();
  repo = new Repository(db);
});

afterAll(async () => {
  await db.close();
});

const observation = (value: number): Observation => ({
  resourceType: 'Observation',
  status: 'final',
  code: { text: 'Cân nặng' },
  valueQuantity: { value, unit: 'kg' },
});

const historyRows = async (rid: number) =>
  (await db.pool.query<{ version_id: number; method: string }>('SELECT version_id, method FROM resource_history WHERE rid = $1 ORDER BY version_id', [rid])).rows;

async function ridOf(id: string): Promise<number> {
  const { rows } = await db.pool.query<{ rid: number }>(`SELECT rid FROM resource WHERE resource_type = 'Observation' AND id = $1`, [id]);
  return Number(rows[0]!.rid);
}

describe('resource versions', () => {
  it('keep the current version once, in resource; a replaced or deleted one moves into history', async () => {
    const created = await repo.create(observation(60));
    const id = created.resource.id!;
    const rid = await ridOf(id);
    expect(await historyRows(rid)).toEqual([]);

    await repo.update({ ...observation(61), id });
    expect(await historyRows(rid)).toEqual([{ version_id: 1, method: 'create' }]);
    await repo.delete('Observation', id);
    expect(await historyRows(rid)).toEqual([
      { version_id: 1, method: 'create' },
      { version_id: 2, method: 'update' },
    ]);

    const history = await repo.history('Observation', id, { count: 10 });
    expect(history.map((h) => [h.versionId, h.method, h.deleted])).toEqual([
      [3, 'delete', true],
      [2, 'update', false],
      [1, 'create', false],
    ]);
    expect(JSON.parse((await repo.vread('Observation', id, 2)).content!).valueQuantity.value).toBe(61);
    expect(JSON.parse((await repo.vread('Observation', id, 1)).content!).valueQuantity.value).toBe(60);
    expect(JSON.parse((await repo.contentBeforeDeletion('Observation', id))!).valueQuantity.value).toBe(61);
  });

  it('written before migration 410 (current version in history too, no method): read once, updated without a duplicate', async () => {
    const created = await repo.create(observation(70));
    const id = created.resource.id!;
    const rid = await ridOf(id);
    // What the writer did before: the current version copied into resource_history, no method on the row.
    await db.pool.query(
      `INSERT INTO resource_history (rid, resource_type, id, version_id, last_updated, deleted, method, compartment, source_facility, content)
         SELECT rid, resource_type, id, version_id, last_updated, deleted, 'create', compartment, source_facility, content FROM resource WHERE rid = $1`,
      [rid],
    );
    await db.pool.query('UPDATE resource SET method = NULL WHERE rid = $1', [rid]);

    expect((await repo.history('Observation', id, { count: 10 })).map((h) => h.versionId)).toEqual([1]);
    expect(JSON.parse((await repo.vread('Observation', id, 1)).content!).valueQuantity.value).toBe(70);

    await repo.update({ ...observation(71), id });
    expect(await historyRows(rid)).toEqual([{ version_id: 1, method: 'create' }]);
    const history = await repo.history('Observation', id, { count: 10 });
    expect(history.map((h) => [h.versionId, h.method])).toEqual([
      [2, 'update'],
      [1, 'create'],
    ]);
    expect(JSON.parse((await repo.vread('Observation', id, 2)).content!).valueQuantity.value).toBe(71);
  });

  it('page through type and system history across both tables, newest first, each version once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await repo.create(observation(80 + i));
      ids.push(c.resource.id!);
      await repo.update({ ...observation(90 + i), id: c.resource.id! });
    }
    for (const type of ['Observation', undefined]) {
      const all = await repo.history(type, undefined, { count: 1000 });
      const keys = all.map((h) => `${h.id}/${h.versionId}`);
      expect(new Set(keys).size).toBe(keys.length);
      for (const id of ids) expect(keys).toEqual(expect.arrayContaining([`${id}/1`, `${id}/2`]));
      const times = all.map((h) => new Date(h.lastUpdated).getTime());
      expect([...times].sort((a, b) => b - a)).toEqual(times);

      // Two entries per page, each page starting below the last entry of the previous one.
      const paged: string[] = [];
      let before: { lastUpdated: string; rid: number; versionId: number } | undefined;
      for (;;) {
        const page = await repo.history(type, undefined, { count: 2, ...(before ? { before } : {}) });
        paged.push(...page.map((h) => `${h.id}/${h.versionId}`));
        if (page.length < 2) break;
        const last = page.at(-1)!;
        before = { lastUpdated: new Date(last.lastUpdated).toISOString(), rid: last.rid, versionId: last.versionId };
      }
      expect(paged).toEqual(keys);
    }
  });
});
