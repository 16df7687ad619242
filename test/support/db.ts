// A fresh, migrated database for one test file, cloned from the template of global-setup.ts.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createDatabase, type Database } from '../../src/store/database.ts';

export async function createTestDatabase(): Promise<Database> {
  const adminUrl = inject('pgAdminUrl');
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE hssk_template`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 10, application_name: 'hssk:test' });
  return createDatabase(pool, false, async () => {
    const drop = new pg.Client({ connectionString: adminUrl });
    await drop.connect();
    try {
      // pool.end() can resolve before the server has seen every connection close; a forced
      // drop would then kill them and surface as a "terminating connection" error in the run.
      for (let attempt = 0; attempt < 50; attempt++) {
        try {
          await drop.query(`DROP DATABASE IF EXISTS ${name}`);
          return;
        } catch (err) {
          if ((err as { code?: string }).code !== '55006') throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    } finally {
      await drop.end();
    }
  });
}
