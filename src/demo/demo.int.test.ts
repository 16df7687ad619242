// The demo province is what a new user first sees: every resident in it must be findable by the
// identity matcher like any other (a create or an import of a demo person finds their record).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.ts';
import { loadConfig } from '../config/config.ts';
import { Tag } from '../fhir/systems.ts';
import { systemFhirWriter } from '../http/app.ts';
import { residentIdOf } from '../identity/mpi/person-facts.ts';
import type { Database } from '../store/database.ts';
import { loadDemoIfFirstRun } from './demo.ts';

let db: Database;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hssk-demo-test-'));
});

afterAll(async () => {
  await db.close();
  await fs.rm(dir, { recursive: true, force: true });
});

it('puts every demo resident, the fixed family included, in the patient index with their resident ID', { timeout: 180_000 }, async () => {
  const config = loadConfig({ HSSK_DATA_DIR: dir, HSSK_BASE_URL: 'http://hssk.test' });
  const demo = await loadDemoIfFirstRun(db, config, systemFhirWriter(db), () => undefined);
  expect(demo?.residents).toBeGreaterThan(0);
  const { rows } = await db.pool.query<{ id: string; content: string; indexed: string | null; resident_id: string | null }>(
    `SELECT r.id, r.content, m.patient_id AS indexed, m.resident_id
       FROM resource r LEFT JOIN mpi_person m ON m.patient_id = r.id
      WHERE r.resource_type = 'Patient' AND NOT r.deleted`,
  );
  expect(rows.length).toBeGreaterThan(demo!.residents - 1);
  const family = rows.filter((r) => (JSON.parse(r.content) as Patient).meta?.tag?.some((t) => t.code === Tag.demo.code && t.system === Tag.demo.system));
  expect(family.length).toBeGreaterThan(1);
  for (const r of rows) {
    expect({ id: r.id, indexed: r.indexed, residentId: r.resident_id }).toEqual({ id: r.id, indexed: r.id, residentId: residentIdOf(JSON.parse(r.content) as Patient) });
  }
});

it('builds the reports as it loads, with episodes of the last ten months', async () => {
  // Runs after the demo loaded above: the reports are there before the server's first refresh.
  const { rows: state } = await db.pool.query(`SELECT 1 FROM report_state WHERE key = 'cells'`);
  expect(state).toHaveLength(1);
  // The generated hospital episodes (the fixed family's own records keep their dates).
  const { rows: [span] } = await db.pool.query<{ recent: number; future: number }>(
    `SELECT count(*) FILTER (WHERE started_at >= now() - interval '311 days')::int AS recent,
            count(*) FILTER (WHERE started_at > now())::int AS future FROM report_episode`,
  );
  expect(span!.recent).toBeGreaterThan(500);
  expect(span!.future).toBe(0);
});
