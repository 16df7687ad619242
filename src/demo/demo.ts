// The demo data set `npm start` loads on the embedded database's first run, so that a new user
// sees a working province. Everything it writes is tagged "demo" (meta.tag) and it runs once:
// the system_setting "demo" row records that it was loaded.
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { Config } from '../config/config.ts';
import { Repository } from '../store/repository.ts';
import type { Database } from '../store/database.ts';
import { buildDemoBundle } from './demo-bundle.ts';
import { Tag } from '../fhir/systems.ts';

export async function loadDemoIfFirstRun(db: Database, config: Config, log: (line: string) => void): Promise<boolean> {
  const { rows } = await db.pool.query(`SELECT 1 FROM system_setting WHERE key = 'demo'`);
  if (rows.length > 0) return false;
  const { rows: any } = await db.pool.query('SELECT 1 FROM resource LIMIT 1');
  if (any.length > 0) {
    // A database that already holds real data never gets demo data mixed in.
    await db.pool.query(`INSERT INTO system_setting (key, value) VALUES ('demo', '{"loaded": false, "reason": "database not empty"}') ON CONFLICT DO NOTHING`);
    return false;
  }
  log('Lần chạy đầu tiên: đang nạp tỉnh mẫu (first run: loading the demo province)…');
  const repo = new Repository(db);
  const bundle = buildDemoBundle(config.province);
  await repo.transaction(async (tx) => {
    for (const entry of bundle.entry ?? []) {
      const resource = entry.resource as Resource;
      resource.meta = { ...resource.meta, tag: [...(resource.meta?.tag ?? []), Tag.demo] };
      await tx.update(resource);
    }
    await tx.queryable.query(
      `INSERT INTO system_setting (key, value) VALUES ('demo', $1)`,
      [JSON.stringify({ loaded: true, at: new Date().toISOString(), resources: bundle.entry?.length ?? 0 })],
    );
  });
  return true;
}

export type { Bundle };
