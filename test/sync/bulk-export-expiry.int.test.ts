// $export housekeeping: finished jobs are deleted with their files after the retention; a job
// still in progress is never deleted (one whose process died is resumed: export-resume.int.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFhirDefinitions } from '../../src/fhir/definitions.ts';
import type { Database } from '../../src/store/database.ts';
import { Repository } from '../../src/store/repository.ts';
import { createExportJob, exportFiles, getExportJob, parseExportParams, runExportJob, sweepExportJobs } from '../../src/sync/bulk-export.ts';
import { createTestDatabase } from '../support/db.ts';

let db: Database;

beforeAll(async () => {
  loadFhirDefinitions();
  db = await createTestDatabase();
  await new Repository(db).create({ resourceType: 'Patient', gender: 'female' });
});
afterAll(async () => db.close());

const age = (id: string, column: 'finished_at' | 'heartbeat_at', interval: string) =>
  db.pool.query(`UPDATE bulk_export_job SET ${column} = now() - $2::interval WHERE id = $1`, [id, interval]);

describe('$export housekeeping', () => {
  it('deletes a finished job and its files after the retention, and keeps a recent one', async () => {
    const old = await createExportJob(db.pool, 'c1', '/fhir/$export', parseExportParams('system', {}));
    await runExportJob(db, old, () => true);
    const recent = await createExportJob(db.pool, 'c1', '/fhir/$export', parseExportParams('system', {}));
    await runExportJob(db, recent, () => true);
    expect(await exportFiles(db.pool, old.id)).toHaveLength(1);
    await age(old.id, 'finished_at', '25 hours');

    expect(await sweepExportJobs(db.pool, 24)).toEqual({ expired: 1 });
    expect(await getExportJob(db.pool, old.id)).toBeUndefined();
    expect(await exportFiles(db.pool, old.id)).toHaveLength(0);
    expect((await getExportJob(db.pool, recent.id))?.status).toBe('complete');
  });

  it('keeps a job still in progress, however old', async () => {
    const running = await createExportJob(db.pool, 'c1', '/fhir/$export', parseExportParams('system', {}));
    await db.pool.query(`UPDATE bulk_export_job SET created_at = now() - interval '3 days', heartbeat_at = now() - interval '3 days' WHERE id = $1`, [running.id]);
    expect(await sweepExportJobs(db.pool, 24)).toEqual({ expired: 0 });
    expect((await getExportJob(db.pool, running.id))?.status).toBe('in-progress');
  });
});
