// An $export job run in its own process, for the restart test: argv = database URL, job id, file
// size. Each resource takes a few milliseconds (a slow transform), so the test can kill the
// process mid-job.
import pg from 'pg';
import { loadFhirDefinitions } from '../../src/fhir/definitions.ts';
import { createDatabase } from '../../src/store/database.ts';
import { getExportJob, runExportJob } from '../../src/sync/bulk-export.ts';

const [databaseUrl, jobId, fileSize] = process.argv.slice(2);
loadFhirDefinitions();
const db = createDatabase(new pg.Pool({ connectionString: databaseUrl, max: 2 }), false, async () => undefined);
const pause = new Int32Array(new SharedArrayBuffer(4));
const job = await getExportJob(db.pool, jobId!);
if (!job) throw new Error(`no job ${jobId}`);
const outcome = await runExportJob(db, job, () => true, (r) => {
  Atomics.wait(pause, 0, 0, 4);
  return r;
}, { fileSize: Number(fileSize) });
process.stdout.write(`${outcome}\n`);
await db.close();
