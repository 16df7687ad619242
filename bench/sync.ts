// Sync (issue 9): a province instance pushing to a hub instance on this machine (two embedded
// PostgreSQL clusters, the hub a real HSSK server on a local port), then the lag while the province
// takes a steady XML 130 ingest through the real channel, then `$export` of the province.
// Scale 1 = 1,000,000 resources pushed (500,000 residents with one Observation each) and a
// 1,000,000-resident province exported (each resident a Patient and an Observation).
//   node bench/sync.ts [--scale 0.01] [--seconds 60] [--episodes-per-second 20] [--profile DIR]
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Observation, Patient, Resource } from '@medplum/fhirtypes';
import { createClient } from '../src/auth/clients.ts';
import { loadConfig } from '../src/config/config.ts';
import { loadFhirDefinitions } from '../src/fhir/definitions.ts';
import { IdentifierSystem } from '../src/fhir/systems.ts';
import { buildApp } from '../src/http/app.ts';
import { ingestXmlFile } from '../src/ingest/channel/xml-channel.ts';
import { importHouseholds } from '../src/ingest/household/import-households.ts';
import { openHouseholdSource } from '../src/ingest/household/read-rows.ts';
import { generateEpisodes } from '../src/ingest/xml/generator.ts';
import { createLogger } from '../src/logging.ts';
import { generateProvince } from '../src/province/generator.ts';
import { bulkLoad } from '../src/store/bulk-load.ts';
import { openDatabase, type Database } from '../src/store/database.ts';
import { outboxStats } from '../src/store/outbox.ts';
import { createExportJob, parseExportParams, runExportJob } from '../src/sync/bulk-export.ts';
import { bindProvinceClient } from '../src/sync/hub-guard.ts';
import { SyncTarget } from '../src/sync/target.ts';
import { SyncWorker } from '../src/sync/worker.ts';
import { cpuMsOf, postmasterPid } from './lib/process-cpu.ts';
import { freePort } from './lib/server-process.ts';

const FULL_PUSH = 1_000_000;
const FULL_EXPORT_RESIDENTS = 1_000_000;
/** Residents of the generated province whose households and XML 130 episodes feed the steady phase. */
const INGEST_RESIDENTS = 5_000;

function* residents(from: number, to: number): Generator<Resource> {
  for (let n = from; n < to; n++) {
    const id = `bench-p-${n}`;
    yield {
      resourceType: 'Patient',
      id,
      identifier: [{ system: IdentifierSystem.cccd, value: `068${String(n).padStart(9, '0')}` }],
      name: [{ family: 'Nguyễn', given: ['Văn', `An${n}`] }],
      gender: n % 2 ? 'male' : 'female',
      birthDate: `19${50 + (n % 50)}-0${1 + (n % 9)}-1${n % 10}`,
      address: [{ line: [`${n % 300} Trần Phú`], city: 'Đà Lạt', state: 'Lâm Đồng' }],
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

const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;
const lagOf = async (db: Database) => {
  const s = await outboxStats(db.pool);
  return { depth: s.depth, lag: s.oldestQueuedAt ? (Date.now() - s.oldestQueuedAt.getTime()) / 1000 : 0 };
};
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;

/** CPU of this process (worker and hub server) and of each cluster's backends, in ms. */
function cpuMeter(hubPg: number, provPg: number) {
  const start = { node: process.cpuUsage(), hub: cpuMsOf([], hubPg), prov: cpuMsOf([], provPg) };
  return () => {
    const n = process.cpuUsage(start.node);
    return { nodeMs: (n.user + n.system) / 1000, hubPgMs: cpuMsOf([], hubPg) - start.hub, provincePgMs: cpuMsOf([], provPg) - start.prov };
  };
}

export interface SyncBenchOptions {
  scale: number;
  log: (line: string) => void;
  dataDir?: string;
  /** Length of the steady-ingest phase (default 60 s). */
  seconds?: number;
  episodesPerSecond?: number;
  profileDir?: string;
  /** Outbox rows read per cycle and Bundles pushed at once (HSSK_SYNC_BATCH; 4). */
  batch?: number;
  concurrency?: number;
  /** Only the push of the backlog (for comparing changes back to back). */
  pushOnly?: boolean;
}

export async function syncBench(options: SyncBenchOptions): Promise<Record<string, unknown>> {
  const log = options.log;
  const pushResidents = Math.max(500, Math.round((FULL_PUSH / 2) * options.scale));
  const exportResidents = Math.max(1000, Math.round(FULL_EXPORT_RESIDENTS * options.scale));
  const steadySeconds = Math.max(20, options.seconds ?? 60);
  const episodesPerSecond = options.episodesPerSecond ?? 20;
  const BATCH = options.batch ?? 500;
  const CONCURRENCY = options.concurrency ?? 4;
  const root = options.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'hssk-bench-sync-')));
  // The embedded PostgreSQL may run as another system user (as root): it must reach its dirs.
  await fs.chmod(root, 0o755);
  loadFhirDefinitions();
  const hubPort = await freePort();
  const hubConfig = loadConfig({ ...process.env, HSSK_DATA_DIR: path.join(root, 'hub'), HSSK_DEMO: 'off', LOG_LEVEL: 'warn', HSSK_MODE: 'hub', HSSK_BASE_URL: `http://127.0.0.1:${hubPort}`, DATABASE_URL: '' });
  const provConfig = loadConfig({ ...process.env, HSSK_DATA_DIR: path.join(root, 'province'), HSSK_DEMO: 'off', LOG_LEVEL: 'warn', DATABASE_URL: '' });
  const hubDb = await openDatabase(hubConfig, { poolSize: 8, statementTimeoutMs: 0 });
  const provDb = await openDatabase(provConfig, { poolSize: 6, statementTimeoutMs: 0 });
  const hub = await buildApp({ config: hubConfig, db: hubDb, logger: createLogger('warn'), background: false });
  await hub.listen({ port: hubPort, host: '127.0.0.1' });
  const hubPg = postmasterPid(path.join(root, 'hub'));
  const provPg = postmasterPid(path.join(root, 'province'));
  try {
    // 1. The backlog: resources loaded into the province (queued in its outbox), pushed.
    log(`sync: loading ${pushResidents * 2} resources into the province`);
    const load = await bulkLoad(provDb, residents(0, pushResidents), { validate: false });
    const client = await createClient(hubDb.pool, { name: 'bench province', scopes: ['system/*.cruds'] });
    // Bound to its province, as on a real hub: an unbound client's pushes are refused (403).
    await bindProvinceClient(hubDb.pool, client.clientId, '68');
    const worker = new SyncWorker({
      db: provDb,
      target: new SyncTarget({ baseUrl: `http://127.0.0.1:${hubPort}/fhir`, clientId: client.clientId, clientSecret: client.clientSecret!, timeoutMs: 300_000 }),
      province: '68',
      batchSize: BATCH,
      concurrency: CONCURRENCY,
    });
    const queued = (await outboxStats(provDb.pool)).depth;
    log(`sync: pushing ${queued} queued changes to the hub (load average ${os.loadavg()[0]!.toFixed(1)})`);
    const profiler = options.profileDir ? new Session() : undefined;
    if (profiler) {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    const loadBefore = os.loadavg()[0]!;
    const pushCpu = cpuMeter(hubPg, provPg);
    const t0 = performance.now();
    let batches = 0;
    for (;;) {
      const outcome = await worker.runOnce();
      if (outcome === 'idle') break;
      if (outcome !== 'pushed') throw new Error(`push ${outcome}`);
      if (++batches % 20 === 0) {
        const s = await outboxStats(provDb.pool);
        const rate = (queued - s.depth) / ((performance.now() - t0) / 1000);
        log(`sync: ${queued - s.depth} / ${queued} (${Math.round(rate)}/s, load ${os.loadavg()[0]!.toFixed(1)})`);
      }
    }
    const pushMs = performance.now() - t0;
    const pushCpuUsed = pushCpu();
    const loadAfterPush = os.loadavg()[0]!;
    if (profiler && options.profileDir) {
      const { profile } = await profiler.post('Profiler.stop');
      await fs.mkdir(options.profileDir, { recursive: true });
      const file = path.join(options.profileDir, `sync-push-${Date.now()}.cpuprofile`);
      await fs.writeFile(file, JSON.stringify(profile));
      profiler.disconnect();
      log(`CPU profile of the push: ${file}`);
    }
    const { rows } = await hubDb.pool.query<{ n: string }>('SELECT count(*) AS n FROM resource');
    const push = {
      changes: queued,
      appliedOnHub: Number(rows[0]!.n),
      batchSize: BATCH,
      concurrency: CONCURRENCY,
      seconds: r1(pushMs / 1000),
      resourcesPerSecond: Math.round(queued / (pushMs / 1000)),
      cpuMsPerResource: { node: r2(pushCpuUsed.nodeMs / queued), hubPostgres: r2(pushCpuUsed.hubPgMs / queued), provincePostgres: r2(pushCpuUsed.provincePgMs / queued) },
      loadAverage: [r1(loadBefore), r1(loadAfterPush)],
      provinceLoadSeconds: r1(load.ms / 1000),
    };
    log(`sync: push ${JSON.stringify(push)}`);
    if (options.pushOnly) return { scale: options.scale, push };

    // 2. Steady state: households, then XML 130 episodes at a steady rate through the real
    //    channel (adapter → pipeline → store, as a hospital's file upload), the worker running.
    const work = path.join(root, 'xml');
    generateProvince({ residents: INGEST_RESIDENTS, seed: 'bench-sync', outDir: path.join(work, 'province') });
    const ctx = { db: provDb, actor: { kind: 'system' as const, name: 'bench:sync' }, province: provConfig.province };
    const perFile = Math.max(5, Math.round(episodesPerSecond));
    const episodeCount = Math.ceil(steadySeconds * episodesPerSecond * 1.2);
    const g = await generateEpisodes({ provinceDir: path.join(work, 'province'), count: episodeCount, format: '130', outDir: path.join(work, 'episodes'), perFile });
    worker.start();
    log(`sync: households of ${INGEST_RESIDENTS} residents through the household import, pushed as they come`);
    await importHouseholds(ctx, openHouseholdSource(path.join(work, 'province', 'households.csv')), { batchSize: 1000, completeList: true });
    for (let t = Date.now(); (await lagOf(provDb)).depth > 0 && Date.now() - t < 600_000; ) await new Promise((r) => setTimeout(r, 200));
    log(`sync: steady XML 130 ingest, ${episodesPerSecond} episodes/s for ${steadySeconds} s, worker running`);
    const lags: number[] = [];
    const depths: number[] = [];
    const sampler = setInterval(() => {
      void lagOf(provDb).then((s) => {
        lags.push(s.lag);
        depths.push(s.depth);
      });
    }, 1000);
    const steadyCpu = cpuMeter(hubPg, provPg);
    const ingestStart = Date.now();
    let episodes = 0;
    let written = 0;
    // Files of about one second of episodes each, started on the schedule of the target rate
    // (when the ingest falls behind, the next file starts at once).
    for (const file of g.files) {
      const elapsed = (Date.now() - ingestStart) / 1000;
      if (elapsed >= steadySeconds) break;
      const due = episodes / episodesPerSecond;
      if (due > elapsed) await new Promise((r) => setTimeout(r, (due - elapsed) * 1000));
      const s = await ingestXmlFile(ctx, file, { validate: 'sample' });
      episodes += s.accepted + s.rejected;
      written += s.written;
    }
    const ingestSeconds = (Date.now() - ingestStart) / 1000;
    clearInterval(sampler);
    const drainStart = Date.now();
    while ((await outboxStats(provDb.pool)).depth > 0 && Date.now() - drainStart < 600_000) await new Promise((r) => setTimeout(r, 100));
    const drained = (Date.now() - drainStart) / 1000;
    const steadyCpuUsed = steadyCpu();
    await worker.stop();
    lags.sort((a, b) => a - b);
    const loadAfterSteady = os.loadavg()[0]!;

    // 3. $export of a province of `exportResidents` residents (more loaded if needed).
    const { rows: pc } = await provDb.pool.query<{ n: string }>(`SELECT count(*) AS n FROM resource WHERE resource_type = 'Patient' AND NOT deleted`);
    const more = exportResidents - Number(pc[0]!.n);
    if (more > 0) {
      log(`sync: loading ${more} more residents (Patient + Observation) for the $export of ${exportResidents}`);
      await bulkLoad(provDb, residents(pushResidents, pushResidents + more), { validate: false });
    }
    await provDb.pool.query('TRUNCATE sync_outbox'); // the export does not read it; keeps the disk small
    const { rows: total } = await provDb.pool.query<{ patients: string; resources: string }>(
      `SELECT count(*) FILTER (WHERE resource_type = 'Patient') AS patients, count(*) AS resources FROM resource WHERE NOT deleted`,
    );
    log(`sync: $export of the province (${total[0]!.patients} residents, ${total[0]!.resources} resources; load ${os.loadavg()[0]!.toFixed(1)})`);
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const memSampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    const job = await createExportJob(provDb.pool, 'bench', '/fhir/$export', parseExportParams('system', {}));
    const exportCpu = cpuMeter(hubPg, provPg);
    const loadBeforeExport = os.loadavg()[0]!;
    const t1 = performance.now();
    const outcome = await runExportJob(provDb, job, () => true);
    const exportMs = performance.now() - t1;
    const exportCpuUsed = exportCpu();
    clearInterval(memSampler);
    if (outcome !== 'complete') throw new Error(`export ${outcome}`);
    const { rows: files } = await provDb.pool.query<{ n: string; files: string; bytes: string }>(
      'SELECT sum(count) AS n, count(*) AS files, sum(length(content)) AS bytes FROM bulk_export_file WHERE job_id = $1', [job.id],
    );
    const exported = Number(files[0]!.n);
    const result = {
      scale: options.scale,
      push,
      steadyXmlIngest: {
        seconds: r1(ingestSeconds),
        targetEpisodesPerSecond: episodesPerSecond,
        episodesPerSecond: r1(episodes / ingestSeconds),
        versionsWrittenPerSecond: r1(written / ingestSeconds),
        lagSeconds: { median: r1(quantile(lags, 0.5)), p95: r1(quantile(lags, 0.95)), max: r1(lags.at(-1) ?? 0) },
        queueDepthMax: Math.max(0, ...depths),
        drainedAfterSeconds: r1(drained),
        cpuMsPerVersion: written ? { node: r2(steadyCpuUsed.nodeMs / written), hubPostgres: r2(steadyCpuUsed.hubPgMs / written), provincePostgres: r2(steadyCpuUsed.provincePgMs / written) } : null,
        loadAverage: r1(loadAfterSteady),
      },
      export: {
        residents: Number(total[0]!.patients),
        resources: exported,
        files: Number(files[0]!.files),
        megabytes: Math.round(Number(files[0]!.bytes) / 2 ** 20),
        seconds: r1(exportMs / 1000),
        resourcesPerSecond: Math.round(exported / (exportMs / 1000)),
        cpuMsPerThousandResources: { node: r1((exportCpuUsed.nodeMs / exported) * 1000), postgres: r1((exportCpuUsed.provincePgMs / exported) * 1000) },
        peakRssMiB: Math.round(peakRss / 2 ** 20),
        rssGrowthMiB: Math.round((peakRss - rssBefore) / 2 ** 20),
        loadAverage: [r1(loadBeforeExport), r1(os.loadavg()[0]!)],
      },
      machine: { cpus: os.cpus().length },
    };
    return result;
  } finally {
    await hub.close();
    await provDb.close();
    await hubDb.close();
    if (!options.dataDir && existsSync(root)) await fs.rm(root, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { scale: { type: 'string', default: '0.01' }, seconds: { type: 'string', default: '60' }, 'episodes-per-second': { type: 'string', default: '20' }, profile: { type: 'string' }, batch: { type: 'string' }, concurrency: { type: 'string' }, 'push-only': { type: 'boolean' } },
  });
  const result = await syncBench({
    scale: Number(values.scale),
    seconds: Number(values.seconds),
    episodesPerSecond: Number(values['episodes-per-second']),
    profileDir: values.profile,
    ...(values.batch ? { batch: Number(values.batch) } : {}),
    ...(values.concurrency ? { concurrency: Number(values.concurrency) } : {}),
    pushOnly: values['push-only'] ?? false,
    log: (l) => process.stderr.write(`[sync] ${new Date().toISOString().slice(11, 19)} ${l}\n`),
  });
  console.log(JSON.stringify(result, null, 2));
}
