// A sync worker in its own process, for the kill -9 test: argv = database URL, target, client id,
// secret, batch size. Runs until killed.
import pg from 'pg';
import { createDatabase } from '../../src/store/database.ts';
import { SyncTarget } from '../../src/sync/target.ts';
import { SyncWorker } from '../../src/sync/worker.ts';
import { loadFhirDefinitions } from '../../src/fhir/definitions.ts';

const [databaseUrl, target, clientId, clientSecret, batch] = process.argv.slice(2);
loadFhirDefinitions();
const db = createDatabase(new pg.Pool({ connectionString: databaseUrl, max: 2 }), false, async () => undefined);
const worker = new SyncWorker({
  db,
  target: new SyncTarget({ baseUrl: target!, clientId: clientId!, clientSecret: clientSecret! }),
  province: '68',
  batchSize: Number(batch),
  backoffMs: 20,
  maxBackoffMs: 200,
  idleMs: 20,
});
worker.start();
process.stdout.write('started\n');
