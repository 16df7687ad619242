// NDJSON from a $export loads back into another database: same resources, same content.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/database.ts';
import { NdjsonLineError, importNdjson } from '../../src/sync/ndjson-import.ts';
import { createTestDatabase } from '../support/db.ts';
import { holdings } from './harness.ts';

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);
afterAll(async () => db?.close());

const lines = [
  { resourceType: 'Patient', id: 'p1', name: [{ family: 'Võ', given: ['Hạnh'] }], birthDate: '2001-01-01' },
  { resourceType: 'Patient', id: 'p2', gender: 'female' },
  { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'Mạch' }, subject: { reference: 'Patient/p1' } },
];

describe('hssk import fhir', () => {
  it('loads every line, keeping ids, indexed and queued for sync', async () => {
    const r = await importNdjson(db, Readable.from(lines.map((l) => JSON.stringify(l) + '\n').join('')));
    expect(r.loaded).toBe(3);
    const h = await holdings(db, ['Patient', 'Observation']);
    expect([...h.keys()].sort()).toEqual(['Observation/o1', 'Patient/p1', 'Patient/p2']);
    const { rows } = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM sync_outbox');
    expect(Number(rows[0]!.n)).toBe(3);
  });

  it('an invalid resource or a line that is not JSON is refused with its line number', async () => {
    await expect(importNdjson(db, Readable.from('{"resourceType":"Patient","id":"p9"}\nnot json\n'))).rejects.toBeInstanceOf(NdjsonLineError);
    await expect(importNdjson(db, Readable.from('{"resourceType":"Patient","id":"p8","gender":"nope"}\n'))).rejects.toThrow();
  });
});
