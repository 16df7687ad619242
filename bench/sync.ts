// Sync: sustained push of resources from a province instance to a hub instance (two embedded
// PostgreSQL clusters, the hub a real HSSK server on a local port), and $export speed.
// Full size: 1,000,000 resources (500,000 residents with one Observation each) × scale.
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Observation, Patient, Resource } from '@medplum/fhirtypes';
import { createClient } from '../src/auth/clients.ts';
import { loadConfig } from '../src/config/config.ts';
import { loadFhirDefinitions } from '../src/fhir/definitions.ts';
import { IdentifierSystem } from '../src/fhir/systems.ts';
import { buildApp } from '../src/http/app.ts';
import { createLogger } from '../src/logging.ts';
import { bulkLoad } from '../src/store/bulk-load.ts';
import { openDatabase } from '../src/store/database.ts';
import { outboxStats } from '../src/store/outbox.ts';
import { Repository } from '../src/store/repository.ts';
import { createExportJob, parseExportParams, runExportJob } from '../src/sync/bulk-export.ts';
import { bindProvinceClient } from '../src/sync/hub-guard.ts';
import { SyncTarget } from '../src/sync/target.ts';
import { SyncWorker } from '../src/sync/worker.ts';

const FULL_RESOURCES = 1_000_000;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function* resources(residents: number): Generator<Resource> {
  for (let n = 0; n < residents; n++) {
    const id = `bench-p-${n}`;
    yield {
      resourceType: 'Patient',
      id,
      identifier: [{ system: IdentifierSystem.cccd, value: `068${String(n).padStart(9, '0')}` }],
      name: [{ family: 'Nguyễn', given: ['Văn', `An${n}`] }],
      gender: n % 2 ? 'male' : 'female',
      birthDate: `19${50 + (n % 50)}-0${1 + (n % 9)}-1${n % 10}`,
    } as Patient;
    yield {
      resourceType: 'Observation',
      id: `bench-o-${n}`,
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
      subject: { reference: `Patient/${id}` },
      effectiveDateTime: '2025-03-01T08:00:00+07:00',
      valueQuantity: { value: 60 + (n % 40), unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
    } as Observation;
  }
}

export async function syncBench(options: { scale: number; log: (line: string) => void; dataDir?: string }): Promise<Record<string, unknown>> {
  const log = options.log;
  const residents = Math.max(500, Math.round((FULL_RESOURCES / 2) * options.scale));
  const root = options.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'hssk-bench-sync-')));
  // The embedded PostgreSQL may run as another system user (as root): it must reach its dirs.
  await fs.chmod(root, 0o755);
  loadFhirDefinitions();
  const hubPort = await freePort();
  const hubConfig = loadConfig({ ...process.env, HSSK_DATA_DIR: path.join(root, 'hub'), HSSK_DEMO: 'off', LOG_LEVEL: 'warn', HSSK_MODE: 'hub', HSSK_BASE_URL: `http://127.0.0.1:${hubPort}`, DATABASE_URL: '' });
  const provConfig = loadConfig({ ...process.env, HSSK_DATA_DIR: path.join(root, 'province'), HSSK_DEMO: 'off', LOG_LEVEL: 'warn', DATABASE_URL: '' });
  const hubDb = await openDatabase(hubConfig, { poolSize: 8, statementTimeoutMs: 0 });
  const provDb = await openDatabase(provConfig, { poolSize: 4, statementTimeoutMs: 0 });
  const hub = await buildApp({ config: hubConfig, db: hubDb, logger: createLogger('warn'), background: false });
  await hub.listen({ port: hubPort, host: '127.0.0.1' });
  try {
    log(`sync: loading ${residents * 2} resources into the province`);
    const load = await bulkLoad(provDb, resources(residents), { validate: false });
    const client = await createClient(hubDb.pool, { name: 'bench province', scopes: ['system/*.cruds'] });
    // Bound to its province, as on a real hub: an unbound client's pushes are refused (403).
    await bindProvinceClient(hubDb.pool, client.clientId, '68');
    const worker = new SyncWorker({
      db: provDb,
      target: new SyncTarget({ baseUrl: `http://127.0.0.1:${hubPort}/fhir`, clientId: client.clientId, clientSecret: client.clientSecret!, timeoutMs: 300_000 }),
      province: '68',
      batchSize: 500,
      concurrency: 4,
    });
    const queued = (await outboxStats(provDb.pool)).depth;
    log(`sync: pushing ${queued} queued changes to the hub`);
    const t0 = performance.now();
    let maxLag = 0;
    let batches = 0;
    for (;;) {
      const outcome = await worker.runOnce();
      if (outcome === 'idle') break;
      if (outcome !== 'pushed') throw new Error(`push ${outcome}`);
      batches++;
      if (batches % 2 === 0) {
        const s = await outboxStats(provDb.pool);
        maxLag = Math.max(maxLag, s.oldestQueuedAt ? (Date.now() - s.oldestQueuedAt.getTime()) / 1000 : 0);
        log(`sync: ${queued - s.depth} / ${queued}`);
      }
    }
    const pushMs = performance.now() - t0;
    const { rows } = await hubDb.pool.query<{ n: string }>('SELECT count(*) AS n FROM resource');

    // Steady state: the worker running while the province keeps writing (single creates through
    // the repository, as the FHIR API and the ingest channels do), lag sampled every second.
    const steadySeconds = Math.max(10, Math.round(60 * options.scale * 10));
    log(`sync: steady writes for ${steadySeconds} s with the worker running`);
    worker.start();
    const repo = new Repository(provDb);
    const lags: number[] = [];
    let written = 0;
    const until = Date.now() + steadySeconds * 1000;
    const sampler0 = setInterval(() => {
      void outboxStats(provDb.pool).then((s) => lags.push(s.oldestQueuedAt ? (Date.now() - s.oldestQueuedAt.getTime()) / 1000 : 0));
    }, 1000);
    while (Date.now() < until) {
      for (const r of resources(1)) await repo.create({ ...r, id: undefined, identifier: undefined } as Resource);
      written += 2;
    }
    clearInterval(sampler0);
    const drainStart = Date.now();
    while ((await outboxStats(provDb.pool)).depth > 0 && Date.now() - drainStart < 120_000) await new Promise((r) => setTimeout(r, 100));
    await worker.stop();
    lags.sort((a, b) => a - b);

    log('sync: $export of the province');
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    const job = await createExportJob(provDb.pool, 'bench', '/fhir/$export', parseExportParams('system', {}));
    const t1 = performance.now();
    await runExportJob(provDb, job, () => true);
    const exportMs = performance.now() - t1;
    clearInterval(sampler);
    const { rows: files } = await provDb.pool.query<{ n: string; bytes: string }>('SELECT sum(count) AS n, sum(length(content)) AS bytes FROM bulk_export_file WHERE job_id = $1', [job.id]);
    return {
      resources: residents * 2,
      loadMs: Math.round(load.ms),
      push: {
        changes: queued,
        appliedOnHub: Number(rows[0]!.n),
        batchSize: 500,
        concurrency: 4,
        seconds: Math.round(pushMs / 100) / 10,
        resourcesPerSecond: Math.round(queued / (pushMs / 1000)),
        backlogSeconds: Math.round(maxLag * 10) / 10,
      },
      steady: {
        seconds: steadySeconds,
        writesPerSecond: Math.round(written / steadySeconds),
        lagMedianSeconds: Math.round((lags[Math.floor(lags.length / 2)] ?? 0) * 10) / 10,
        lagMaxSeconds: Math.round((lags.at(-1) ?? 0) * 10) / 10,
        drainedAfterSeconds: Math.round((Date.now() - drainStart) / 100) / 10,
      },
      export: {
        resources: Number(files[0]!.n),
        megabytes: Math.round(Number(files[0]!.bytes) / 2 ** 20),
        seconds: Math.round(exportMs / 100) / 10,
        resourcesPerSecond: Math.round(Number(files[0]!.n) / (exportMs / 1000)),
        peakRssMiB: Math.round(peakRss / 2 ** 20),
        rssGrowthMiB: Math.round((peakRss - rssBefore) / 2 ** 20),
      },
    };
  } finally {
    await hub.close();
    await provDb.close();
    await hubDb.close();
    if (!options.dataDir) await fs.rm(root, { recursive: true, force: true });
  }
}
