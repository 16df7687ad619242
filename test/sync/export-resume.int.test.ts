// $export jobs survive a restart: a job whose process is killed (kill -9) mid-way is taken over by
// the next server to start and finishes from its last written file, every resource exactly once;
// a job another live process is running is left alone; a job whose client lost its right ends.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Observation, Patient } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, revokeClient } from '../../src/auth/clients.ts';
import { loadConfig } from '../../src/config/config.ts';
import { loadFhirDefinitions } from '../../src/fhir/definitions.ts';
import { buildApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/logging.ts';
import type { Database } from '../../src/store/database.ts';
import { Repository } from '../../src/store/repository.ts';
import { createExportJob, exportFiles, getExportJob, parseExportParams } from '../../src/sync/bulk-export.ts';
import { ExportRunner } from '../../src/sync/export-runner.ts';
import { createTestDatabase } from '../support/db.ts';

const RESIDENTS = 150;
let db: Database;
let url: string;
let client: { clientId: string; clientSecret?: string };
const children: ChildProcess[] = [];

function runChild(jobId: string): ChildProcess {
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'export-child.ts'), url, jobId, '20'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return child;
}

async function until(cond: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function killed(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
}

beforeAll(async () => {
  loadFhirDefinitions();
  db = await createTestDatabase();
  url = (db.pool.options as { connectionString: string }).connectionString;
  client = await createClient(db.pool, { name: 'kho dữ liệu', scopes: ['system/*.read'] });
  const repo = new Repository(db);
  for (let n = 0; n < RESIDENTS; n++) {
    const p = await repo.create({ resourceType: 'Patient', gender: n % 2 ? 'male' : 'female', name: [{ family: 'Trần', given: [`Bình ${n}`] }] } as Patient);
    await repo.create({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
      subject: { reference: `Patient/${p.resource.id}` },
      valueQuantity: { value: 60 + (n % 30), unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
    } as Observation);
  }
}, 120_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await db?.close();
});

describe('an $export interrupted by a restart', () => {
  it('is resumed by the next server and delivers every resource exactly once', async () => {
    const job = await createExportJob(db.pool, client.clientId, '/fhir/$export', parseExportParams('system', {}));
    const child = runChild(job.id);
    await until(async () => (await exportFiles(db.pool, job.id)).length >= 3, 60_000);
    await killed(child);
    const before = await exportFiles(db.pool, job.id);
    expect((await getExportJob(db.pool, job.id))?.status).toBe('in-progress');
    expect(before.reduce((n, f) => n + f.count, 0)).toBeLessThan(RESIDENTS * 2);

    // A new server on the same database: it takes the job over when it starts.
    const app: FastifyInstance = await buildApp({ config: loadConfig({ HSSK_BASE_URL: 'http://hssk.test' }), db, logger: createLogger('silent'), background: false });
    try {
      await app.ready();
      const t = await app.inject({
        method: 'POST',
        url: '/oauth2/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret! }).toString(),
      });
      const auth = { authorization: `Bearer ${t.json<{ access_token: string }>().access_token}` };
      let manifest: { output: { type: string; url: string; count: number }[] } | undefined;
      await until(async () => {
        const s = await app.inject({ method: 'GET', url: `/fhir/$export-status/${job.id}`, headers: auth });
        if (s.statusCode === 202) return false;
        expect(s.statusCode, s.body).toBe(200);
        manifest = s.json();
        return true;
      }, 60_000);
      const ids: string[] = [];
      for (const f of manifest!.output) {
        const d = await app.inject({ method: 'GET', url: new URL(f.url).pathname, headers: auth });
        const lines = d.body.trim().split('\n').map((l) => JSON.parse(l) as { resourceType: string; id: string });
        expect(lines).toHaveLength(f.count);
        ids.push(...lines.map((r) => `${r.resourceType}/${r.id}`));
      }
      expect(ids).toHaveLength(RESIDENTS * 2);
      expect(new Set(ids).size).toBe(RESIDENTS * 2);
      // The files written before the kill are kept as they were, not written again.
      expect((await exportFiles(db.pool, job.id)).slice(0, before.length)).toEqual(before);
      const { rows } = await db.pool.query<{ resumes: number }>('SELECT resumes FROM bulk_export_job WHERE id = $1', [job.id]);
      expect(rows[0]!.resumes).toBe(1);
    } finally {
      await app.close();
    }
  }, 180_000);

  it('leaves alone a job that another running process is exporting', async () => {
    const job = await createExportJob(db.pool, client.clientId, '/fhir/$export', parseExportParams('system', {}));
    const child = runChild(job.id);
    await until(async () => (await exportFiles(db.pool, job.id)).length >= 1, 60_000);
    expect(await new ExportRunner(db).resumeOrphans()).toEqual(['busy']);
    const out: string[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b.toString()));
    await new Promise((r) => child.once('exit', r));
    expect(out.join('').trim()).toBe('complete');
    const files = await exportFiles(db.pool, job.id);
    expect(files.reduce((n, f) => n + f.count, 0)).toBe(RESIDENTS * 2);
    expect(files.map((f) => f.n)).toEqual(files.map((_, i) => i + 1));
  }, 120_000);

  it('ends, instead of resuming, a job whose client was revoked meanwhile', async () => {
    const other = await createClient(db.pool, { name: 'kho tạm', scopes: ['system/*.read'] });
    const job = await createExportJob(db.pool, other.clientId, '/fhir/$export', parseExportParams('system', {}));
    const child = runChild(job.id);
    await until(async () => (await exportFiles(db.pool, job.id)).length >= 1, 60_000);
    await killed(child);
    await revokeClient(db.pool, other.clientId);
    expect(await new ExportRunner(db).resumeOrphans()).toEqual(['error']);
    expect(await getExportJob(db.pool, job.id)).toMatchObject({ status: 'error', error: expect.stringMatching(/no longer allowed/) });
  }, 120_000);
});
