// Benchmark of the FHIR core (issue 2): a real `hssk serve` child process on loopback, a database
// of Patients and Observations loaded through the bulk path, and 16 concurrent HTTP clients
// authenticated with a real OAuth2 system client.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { loadConfig } from '../src/config/config.ts';
import { createClient } from '../src/auth/clients.ts';
import { bulkLoad } from '../src/store/bulk-load.ts';
import { upsertPersons, type PersonToWrite } from '../src/identity/mpi/mpi-store.ts';
import { personRow } from '../src/identity/mpi/person-row.ts';
import { openDatabase, type Database } from '../src/store/database.ts';
import { IdentifierSystem } from '../src/fhir/systems.ts';
import { foldVietnamese } from '../src/fhir/fold.ts';
import { cpuBetween, cpuPerRequest, loadAverage, postmasterPid, sampleCpu } from './lib/cpu.ts';
import { runLoad, type LoadResult } from './lib/http-load.ts';
import { cccdOf, makeObservation, makePatient, OBSERVATION_CODES, patientId, prng } from './lib/synthetic.ts';
import { freePort, waitHealthy } from './lib/server-process.ts';

export interface FhirCoreOptions {
  scale: number;
  seconds: number;
  concurrency: number;
  dataDir?: string;
  /** Write a CPU profile of the server to this directory. */
  profileDir?: string;
  /** Run only these scenarios (names as in the results, e.g. readById, createBundle100). */
  scenarios?: string[];
  log: (line: string) => void;
}

const FULL_PATIENTS = 1_000_000;
const OBSERVATIONS_PER_PATIENT = 10;
const EVERYTHING_RESOURCES = 200;

async function* patients(n: number): AsyncGenerator<Resource> {
  for (let i = 0; i < n; i++) yield makePatient(i);
}

async function* observations(n: number): AsyncGenerator<Resource> {
  // Patient 0 gets the $everything record of 200 resources; the others 10 each.
  for (let j = 0; j < EVERYTHING_RESOURCES - 1; j++) yield makeObservation(0, j);
  for (let i = 1; i < n; i++) for (let j = 0; j < OBSERVATIONS_PER_PATIENT; j++) yield makeObservation(i, j);
}

async function loadData(db: Database, n: number, log: (l: string) => void): Promise<{ loadSeconds: number; resourcesPerSecond: number }> {
  const { rows } = await db.pool.query(`SELECT value FROM system_setting WHERE key = 'bench.fhir-core'`);
  if (rows[0]?.value?.patients === n) {
    log(`data already loaded (${n} patients)`);
    return { loadSeconds: 0, resourcesPerSecond: 0 };
  }
  const started = performance.now();
  let last = 0;
  const progress = (what: string, total: number) => (loaded: number) => {
    if (performance.now() - last > 5000) {
      last = performance.now();
      log(`${what}: ${loaded}/${total} (${Math.round(loaded / ((performance.now() - started) / 1000))}/s)`);
    }
  };
  const p = await bulkLoad(db, patients(n), { batchSize: 1000, validate: false, onProgress: progress('patients', n) });
  await indexPersons(db, n, progress('master patient index', n));
  const obsTotal = EVERYTHING_RESOURCES - 1 + (n - 1) * OBSERVATIONS_PER_PATIENT;
  const o = await bulkLoad(db, observations(n), { batchSize: 2000, validate: false, onProgress: progress('observations', obsTotal) });
  await db.pool.query('ANALYZE');
  await db.pool.query(`INSERT INTO system_setting (key, value) VALUES ('bench.fhir-core', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [
    JSON.stringify({ patients: n }),
  ]);
  const seconds = (performance.now() - started) / 1000;
  return { loadSeconds: Math.round(seconds), resourcesPerSecond: Math.round((p.loaded + o.loaded) / seconds) };
}

/**
 * The loaded Patients enter the master patient index as an import would leave them: Patient
 * creates through the API are matched against the province, not against an empty index.
 */
async function indexPersons(db: Database, n: number, onProgress: (done: number) => void): Promise<void> {
  for (let i = 0; i < n; i += 1000) {
    const batch: PersonToWrite[] = [];
    for (let j = i; j < Math.min(i + 1000, n); j++) {
      const patient = makePatient(j);
      batch.push(personRow(patient.id!, patient, true));
    }
    await upsertPersons(db.pool, batch);
    onProgress(Math.min(i + 1000, n));
  }
}

export async function fhirCoreBench(options: FhirCoreOptions): Promise<Record<string, unknown>> {
  const n = Math.max(100, Math.round(FULL_PATIENTS * options.scale));
  const dataDir = options.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'hssk-bench-')));
  const port = await freePort();
  const env = { ...process.env, HSSK_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', HSSK_DEMO: 'off', LOG_LEVEL: 'warn', HSSK_DB_POOL: '32' };
  const config = loadConfig(env);
  // The bench process starts (or attaches to) the embedded cluster first, loads the data,
  // then the server attaches to the same cluster.
  const db = await openDatabase(config, { poolSize: 4, statementTimeoutMs: 0 });
  let child: ChildProcess | undefined;
  try {
    const load = await loadData(db, n, options.log);
    const { clientId, clientSecret } = await createClient(db.pool, { name: 'bench', scopes: ['system/*.*'] });
    const profile = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
    child = spawn(process.execPath, [...profile, 'bin/hssk.js', 'serve'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    const url = `http://127.0.0.1:${port}`;
    await waitHealthy(url, child);
    const tokenRes = await fetch(`${url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret!, scope: 'system/*.*' }),
    });
    if (!tokenRes.ok) throw new Error(`token request failed: ${tokenRes.status} ${await tokenRes.text()}`);
    const token = ((await tokenRes.json()) as { access_token: string }).access_token;
    const headers = { authorization: `Bearer ${token}`, accept: 'application/fhir+json' };
    const write = { ...headers, 'content-type': 'application/fhir+json' };
    const r = prng(42);
    const randomPatient = () => Math.floor(r() * n);
    const postmaster = postmasterPid(path.join(dataDir, 'pg'));
    type Result = LoadResult & { resourcesPerSecond?: number; serverCpuMsPerRequest?: number; postgresCpuMsPerRequest?: number; loadAverage?: number };
    const results: Record<string, Result> = {};
    const skipped = { requests: 0, errors: 0, seconds: 0, perSecond: 0, p50ms: 0, p95ms: 0, p99ms: 0 };
    // Each scenario also reports the CPU it cost the server and PostgreSQL per request, and the
    // machine's load average when it ended: throughput alone is noise on a shared machine.
    // The server's and PostgreSQL's own background work (schedulers, the audit sealer,
    // autovacuum), measured idle and subtracted, so that a slow run does not look costly.
    const idleStart = sampleCpu(child.pid, postmaster);
    await new Promise((r) => setTimeout(r, 3000));
    const idleEnd = sampleCpu(child.pid, postmaster);
    const idle = cpuBetween(idleStart, idleEnd);
    const background = { serverMsPerSecond: idle.serverMs / 3, postgresMsPerSecond: idle.postgresMs / 3 };
    const scenario = async (key: string, name: string, next: Parameters<typeof runLoad>[1]): Promise<Result> => {
      if (options.scenarios && !options.scenarios.includes(key)) return { ...skipped };
      options.log(`running ${name} for ${options.seconds}s with ${options.concurrency} clients`);
      // One unmeasured second first: JIT, lazily loaded definitions and pool connections are
      // start-up costs, not the steady state this measures.
      await runLoad(url, next, { concurrency: options.concurrency, seconds: 1 });
      const before = sampleCpu(child!.pid, postmaster);
      const result = await runLoad(url, next, { concurrency: options.concurrency, seconds: options.seconds });
      const used = cpuBetween(before, sampleCpu(child!.pid, postmaster));
      used.serverMs -= background.serverMsPerSecond * result.seconds;
      used.postgresMs -= background.postgresMsPerSecond * result.seconds;
      const cpu = cpuPerRequest(used, result.requests);
      return (results[key] = { ...result, ...cpu, loadAverage: loadAverage() });
    };
    await scenario('readById', 'read', () => ({ method: 'GET', path: `/fhir/Patient/${patientId(randomPatient())}`, headers }));
    await scenario('searchIdentifier', 'identifier search', () => ({
      method: 'GET',
      path: `/fhir/Patient?identifier=${encodeURIComponent(`${IdentifierSystem.cccd}|${cccdOf(randomPatient())}`)}`,
      headers,
    }));
    await scenario('searchNameNoDiacritics', 'name search', () => {
      const p = makePatient(randomPatient());
      return { method: 'GET', path: `/fhir/Patient?name=${encodeURIComponent(foldVietnamese(p.name![0]!.text!))}&_count=20`, headers };
    });
    await scenario('searchObservations', 'observation search', () => {
      const code = OBSERVATION_CODES[Math.floor(r() * OBSERVATION_CODES.length)]!.code;
      return {
        method: 'GET',
        path: `/fhir/Observation?patient=Patient/${patientId(randomPatient())}&code=${encodeURIComponent(`http://loinc.org|${code}`)}&date=ge2023-01-01`,
        headers,
      };
    });
    await scenario('everything200', '$everything', () => ({ method: 'GET', path: `/fhir/Patient/${patientId(0)}/$everything`, headers }));
    let created = n;
    await scenario('createSingle', 'create', () => ({ method: 'POST', path: '/fhir/Patient', body: JSON.stringify({ ...makePatient(created++), id: undefined }), headers: write }));
    if (results.createSingle) results.createSingle.resourcesPerSecond = results.createSingle.perSecond;
    await scenario('createBundle100', 'transaction bundles', () => {
      const bundle: Bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: Array.from({ length: 100 }, () => ({ resource: { ...makePatient(created++), id: undefined }, request: { method: 'POST', url: 'Patient' } })),
      };
      return { method: 'POST', path: '/fhir', body: JSON.stringify(bundle), headers: { ...write, prefer: 'return=minimal' } };
    });
    if (results.createBundle100) {
      results.createBundle100.resourcesPerSecond = results.createBundle100.perSecond * 100;
      // Per resource, not per Bundle, like the figure above.
      results.createBundle100.serverCpuMsPerRequest! /= 100;
      results.createBundle100.postgresCpuMsPerRequest! /= 100;
    }
    return {
      data: { patients: n, observations: EVERYTHING_RESOURCES - 1 + (n - 1) * OBSERVATIONS_PER_PATIENT, scale: options.scale },
      load,
      concurrency: options.concurrency,
      secondsPerScenario: options.seconds,
      backgroundCpuMsPerSecond: background,
      results,
      targets: {
        readPerSecond: 5000, readP99ms: 10, identifierP95ms: 10, nameP95ms: 50, createSinglePerSecond: 1500, bundleResourcesPerSecond: 10000, everythingP95ms: 50,
      },
    };
  } finally {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    await db.close();
    if (!options.dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  }
}
