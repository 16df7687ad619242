// Starts one embedded PostgreSQL for the whole test run and migrates a template database;
// each test file then clones its own database from the template (see ./db.ts).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedCluster } from '../../src/store/embedded-postgres.ts';
import { createDatabase } from '../../src/store/database.ts';
import { migrate } from '../../src/store/migrations.ts';

let cluster: EmbeddedCluster | undefined;
let dataDir: string | undefined;

export const TEMPLATE_DB = 'hssk_template';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

export async function setup(project: TestProject): Promise<void> {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hssk-test-'));
  cluster = await startEmbeddedPostgres({ dataDir, port: 0, database: TEMPLATE_DB });
  const pool = new pg.Pool({ connectionString: cluster.url, max: 2 });
  await migrate(createDatabase(pool, true, async () => undefined));
  await pool.end();
  const adminUrl = new URL(cluster.url);
  adminUrl.pathname = '/postgres';
  project.provide('pgAdminUrl', adminUrl.toString());
}

export async function teardown(): Promise<void> {
  await cluster?.release();
  if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
}
