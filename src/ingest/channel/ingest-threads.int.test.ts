// An XML import whose episodes are made ready in a worker thread stores what the importing thread
// would have stored: sending the same file again through the single-threaded road writes nothing,
// and both roads report the same outcome for every episode, in the same order.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/support/db.ts';
import type { PipelineContext } from '../../pipeline/types.ts';
import type { Database } from '../../store/database.ts';
import { generateEpisodes } from '../xml/generator.ts';
import type { UnitReport } from './report.ts';
import { ingestXmlFile } from './xml-channel.ts';

let db: Database;
let ctx: PipelineContext;
let work: string;
let file: string;

beforeAll(async () => {
  db = await createTestDatabase();
  ctx = { db, actor: { kind: 'system', name: 'test:ingest-threads' }, province: '68' };
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-ingest-threads-'));
  const g = await generateEpisodes({ provinceDir: path.join(import.meta.dirname, '../../../test/fixtures/xml/province'), count: 80, format: '130', outDir: work, perFile: 100, seed: 'ingest-threads' });
  file = g.files[0]!;
}, 120_000);

afterAll(async () => {
  await db.close();
  fs.rmSync(work, { recursive: true, force: true });
});

// The outcome of the Patient (created, updated, matched) is not compared: the second time it is 'matched'.
const outcome = (u: UnitReport) => ({ key: u.key, status: u.status, patientId: u.patientId, resourceIds: u.resourceIds, excluded: u.excluded, reasons: u.reasons, warnings: u.warnings });

it('stores from worker threads exactly what the importing thread stores', async () => {
  const threaded: UnitReport[] = [];
  // Batches of 10: the first 10 episodes are made ready here, the other 70 in the thread.
  const first = await ingestXmlFile(ctx, file, { threads: 1, batchSize: 10, onReport: (u) => void threaded.push(u) });
  expect(first.units).toBe(80);
  expect(first.accepted).toBeGreaterThan(60);
  expect(first.rejected).toBeGreaterThan(0);
  expect(threaded.reduce((n, u) => n + u.written, 0)).toBeGreaterThan(first.accepted);

  const single: UnitReport[] = [];
  const again = await ingestXmlFile(ctx, file, { threads: 0, batchSize: 10, onReport: (u) => void single.push(u) });
  expect(single.reduce((n, u) => n + u.written + u.deleted, 0)).toBe(0);
  expect(again.accepted).toBe(first.accepted);
  expect(single.filter((u) => u.status === 'accepted').every((u) => u.outcome === 'matched')).toBe(true);
  expect(single.map(outcome)).toEqual(threaded.map(outcome));
}, 120_000);
