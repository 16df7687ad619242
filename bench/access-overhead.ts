// Benchmark of what authorisation and audit cost (issue 5, target ≤ 15 %): the product server
// (`hssk serve`) and a benchmark-only build of the same application without them
// (bench/lib/unguarded-server.ts) run side by side on one database; the same read and search
// requests are sent to each in interleaved rounds, so both see the same machine load, and the
// overhead is 1 − (throughput with auth and audit ÷ throughput without), per caller kind:
// - a provincial system client (OAuth2 token, scopes; reads everything),
// - a facility's client (token; the SQL keeps only what its facility wrote),
// - a commune health worker (portal session cookie; the SQL keeps the commune's residents).
// Besides throughput, each run reports the CPU time the server and its PostgreSQL backends
// spent per request (the audit sealer's work included: a run ends when its entries are
// sealed), and the server's own share of it — on a machine shared with other work, that is the
// steadier measure of cost.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Observation, Patient } from '@medplum/fhirtypes';
import { createClient } from '../src/auth/clients.ts';
import { createStaffUser } from '../src/auth/staff-users.ts';
import { loadConfig } from '../src/config/config.ts';
import { Extension, IdentifierSystem } from '../src/fhir/systems.ts';
import { bulkLoad } from '../src/store/bulk-load.ts';
import { openDatabase, type Database } from '../src/store/database.ts';
import { runLoad, type LoadRequest, type LoadResult } from './lib/http-load.ts';
import { cpuMsOf, postgresCpuMsByKind, postmasterPid } from './lib/process-cpu.ts';
import { cccdOf, makeObservation, makePatient, OBSERVATION_CODES, patientId, prng } from './lib/synthetic.ts';
import { freePort, waitHealthy } from './lib/server-process.ts';

export interface AccessOverheadOptions {
  scale: number;
  seconds: number;
  concurrency: number;
  dataDir?: string;
  /** Write a CPU profile of the product server (with auth and audit) to this directory. */
  profileDir?: string;
  /** Only these scenarios / callers (names as in the results). */
  scenarios?: string[];
  callers?: string[];
  log: (line: string) => void;
}

const FULL_PATIENTS = 1_000_000;
const OBSERVATIONS_PER_PATIENT = 10;
/**
 * Rounds per scenario. A round runs the benchmark-only server and every caller once each, for
 * half of `--seconds`, in an order that rotates from round to round; each side's figures are
 * its totals over all rounds. The machine's speed drifts by a third within minutes (a VM's
 * neighbours): many short interleaved slices put the same share of fast and slow moments on
 * each side, where three long rounds in a fixed order did not (docs/benchmarks.md).
 */
const ROUNDS = 6;
/** Seconds of unmeasured load per server and caller before a scenario's rounds. */
const WARMUP_SECONDS = 5;
/** Phường Mũi Né (Lâm Đồng): the commune every benchmark resident lives in. */
const COMMUNE = '22918';
const FACILITY = '68001';
const PASSWORD = 'Bench-overhead-2026!';

function residentOf(i: number): Patient {
  const p = makePatient(i);
  p.address = [{ ...p.address![0]!, extension: [{ url: Extension.addressCommune, valueCode: COMMUNE }] }];
  return p;
}

async function loadData(db: Database, n: number, log: (l: string) => void): Promise<void> {
  const { rows } = await db.pool.query(`SELECT value FROM system_setting WHERE key = 'bench.access-overhead'`);
  if (rows[0]?.value?.patients === n) return log(`data already loaded (${n} patients)`);
  async function* patients() {
    for (let i = 0; i < n; i++) yield residentOf(i);
  }
  async function* observations() {
    for (let i = 0; i < n; i++) for (let j = 0; j < OBSERVATIONS_PER_PATIENT; j++) yield makeObservation(i, j) as Observation;
  }
  log(`loading ${n} patients and ${n * OBSERVATIONS_PER_PATIENT} observations written by facility ${FACILITY}`);
  await bulkLoad(db, patients(), { batchSize: 1000, validate: false, sourceFacility: FACILITY });
  await bulkLoad(db, observations(), { batchSize: 2000, validate: false, sourceFacility: FACILITY });
  await db.pool.query('ANALYZE');
  await db.pool.query(`INSERT INTO system_setting (key, value) VALUES ('bench.access-overhead', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [
    JSON.stringify({ patients: n }),
  ]);
}

async function clientToken(url: string, clientId: string, clientSecret: string, scope: string): Promise<string> {
  const res = await fetch(`${url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope }),
  });
  if (!res.ok) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function sessionCookie(url: string, username: string): Promise<string> {
  const res = await fetch(`${url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return res.headers.getSetCookie()[0]!.split(';')[0]!;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Requests, seconds and CPU of several runs taken together: throughput and CPU per request over all of them. */
function totals(runs: Array<LoadResult & { cpuMs: number; serverMs: number }>) {
  const requests = runs.reduce((a, r) => a + r.requests, 0);
  const seconds = runs.reduce((a, r) => a + r.seconds, 0);
  const perRequest = (ms: number) => Math.round((ms * 1000) / Math.max(1, requests));
  return {
    perSecond: Math.round(requests / seconds),
    p95ms: median(runs.map((x) => x.p95ms)),
    cpuUsPerRequest: perRequest(runs.reduce((a, r) => a + r.cpuMs, 0)),
    serverCpuUsPerRequest: perRequest(runs.reduce((a, r) => a + r.serverMs, 0)),
  };
}

export async function accessOverheadBench(options: AccessOverheadOptions): Promise<Record<string, unknown>> {
  const n = Math.max(1000, Math.round(FULL_PATIENTS * options.scale));
  const dataDir = options.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'hssk-bench-')));
  const [productPort, unguardedPort] = [await freePort(), await freePort()];
  const baseEnv = { ...process.env, HSSK_DATA_DIR: dataDir, HOST: '127.0.0.1', HSSK_DEMO: 'off', LOG_LEVEL: 'warn', HSSK_DB_POOL: '16' };
  const db = await openDatabase(loadConfig(baseEnv), { poolSize: 4, statementTimeoutMs: 0 });
  const children: ChildProcess[] = [];
  try {
    await loadData(db, n, options.log);
    const system = await createClient(db.pool, { name: 'bench-system', scopes: ['system/*.read'] });
    const facility = await createClient(db.pool, { name: 'bench-facility', facilityCode: FACILITY, scopes: ['system/*.read'] });
    const username = `bench.commune.${Date.now()}`;
    await createStaffUser(db.pool, { username, displayName: 'Trạm y tế (benchmark)', role: 'commune-worker', communeCode: COMMUNE, password: PASSWORD });

    const start = async (args: string[], port: number) => {
      const child = spawn(process.execPath, args, { env: { ...baseEnv, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
      children.push(child);
      const url = `http://127.0.0.1:${port}`;
      await waitHealthy(url, child);
      return { url, pid: child.pid! };
    };
    const profile = options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir] : [];
    const product = await start([...profile, 'bin/hssk.js', 'serve'], productPort);
    // The benchmark-only server's profile beside it (a subfolder): compared, they show what the guards cost.
    const unguardedProfile = options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', path.join(options.profileDir, 'unguarded')] : [];
    const unguarded = await start([...unguardedProfile, 'bench/lib/unguarded-server.ts'], unguardedPort);
    const productUrl = product.url;
    const postmaster = postmasterPid(dataDir);
    const allSealed = async () => {
      for (let waited = 0; waited < 60_000; waited += 100) {
        // audit_row: the per-entry table, where unsealed entries are (the view audit_entry would unpack every batch).
        const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_row WHERE chain_pos IS NULL');
        if (rows[0]!.n === 0) return;
        await new Promise((res) => setTimeout(res, 100));
      }
      throw new Error('audit entries still unsealed after 60 s');
    };
    type Run = LoadResult & { cpuMs: number; serverMs: number; cpuUsPerRequest: number; serverCpuUsPerRequest: number; postgresCpuUsPerRequest: Record<string, number> };
    const sliceSeconds = options.seconds / 2;
    const measured = async (server: { url: string; pid: number }, next: () => LoadRequest): Promise<Run> => {
      const serverBefore = cpuMsOf([server.pid]);
      const kindsBefore = postgresCpuMsByKind(postmaster);
      const result = await runLoad(server.url, next, { concurrency: options.concurrency, seconds: sliceSeconds });
      await allSealed();
      const serverMs = cpuMsOf([server.pid]) - serverBefore;
      const perRequest = (ms: number) => Math.round((ms * 1000) / Math.max(1, result.requests));
      // PostgreSQL's CPU by kind of process, and in total (a backend that exits meanwhile moves from one kind to `exited`).
      let postgresMs = 0;
      const byKind: Record<string, number> = {};
      for (const [kind, ms] of postgresCpuMsByKind(postmaster)) {
        const used = ms - (kindsBefore.get(kind) ?? 0);
        postgresMs += used;
        if (perRequest(used) > 0) byKind[kind] = perRequest(used);
      }
      const cpuMs = serverMs + postgresMs;
      return { ...result, cpuMs, serverMs, cpuUsPerRequest: perRequest(cpuMs), serverCpuUsPerRequest: perRequest(serverMs), postgresCpuUsPerRequest: byKind };
    };
    const roundFigures = (run: Run) =>
      `${run.perSecond}/s, ${run.cpuUsPerRequest} µs CPU (server ${run.serverCpuUsPerRequest}; PostgreSQL ${Object.entries(run.postgresCpuUsPerRequest)
        .map(([kind, us]) => `${kind} ${us}`)
        .join(', ')})`;

    const accept = { accept: 'application/fhir+json' };
    // Access tokens live 5 minutes, as in production: a client takes a new one before each run,
    // as real clients do before theirs expires (a run on a busy machine outlasts one token).
    const callers: Record<string, () => Promise<Record<string, string>>> = {
      systemClient: async () => ({ ...accept, authorization: `Bearer ${await clientToken(productUrl, system.clientId, system.clientSecret!, 'system/*.read')}` }),
      facilityClient: async () => ({ ...accept, authorization: `Bearer ${await clientToken(productUrl, facility.clientId, facility.clientSecret!, 'system/*.read')}` }),
      communeWorker: async () => ({ ...accept, cookie: await sessionCookie(productUrl, username) }),
    };

    const r = prng(7);
    const someone = () => Math.floor(r() * n);
    const scenarios: Record<string, () => Omit<LoadRequest, 'headers'>> = {
      readById: () => ({ method: 'GET', path: `/fhir/Patient/${patientId(someone())}` }),
      searchIdentifier: () => ({ method: 'GET', path: `/fhir/Patient?identifier=${encodeURIComponent(`${IdentifierSystem.cccd}|${cccdOf(someone())}`)}` }),
      searchObservations: () => {
        const code = OBSERVATION_CODES[Math.floor(r() * OBSERVATION_CODES.length)]!.code;
        return { method: 'GET', path: `/fhir/Observation?patient=Patient/${patientId(someone())}&code=${encodeURIComponent(`http://loinc.org|${code}`)}&date=ge2021-01-01` };
      },
    };

    for (const name of Object.keys(callers)) if (options.callers && !options.callers.includes(name)) delete callers[name];
    const results: Record<string, Record<string, unknown>> = {};
    for (const [scenario, next] of Object.entries(scenarios)) {
      if (options.scenarios && !options.scenarios.includes(scenario)) continue;
      const without: Run[] = [];
      const withAuth: Record<string, Run[]> = Object.fromEntries(Object.keys(callers).map((c) => [c, []]));
      // Each server first serves this scenario unmeasured for a while: the figures are those of a
      // server in its steady state (code compiled, caches and pools filled), not of its first seconds.
      options.log(`${scenario}: warm-up (${WARMUP_SECONDS} s per server and caller)`);
      await runLoad(unguarded.url, () => ({ ...next(), headers: accept }), { concurrency: options.concurrency, seconds: WARMUP_SECONDS });
      for (const credentials of Object.values(callers)) {
        const headers = await credentials();
        await runLoad(product.url, () => ({ ...next(), headers }), { concurrency: options.concurrency, seconds: WARMUP_SECONDS });
      }
      await allSealed();
      // Who runs when: the benchmark-only server and each caller, the order rotated every round.
      const sides = ['unguarded', ...Object.keys(callers)];
      for (let round = 0; round < ROUNDS; round++) {
        options.log(`${scenario}: round ${round + 1}/${ROUNDS}`);
        const order = [...sides.slice(round % sides.length), ...sides.slice(0, round % sides.length)];
        for (const side of order) {
          if (side === 'unguarded') {
            without.push(await measured(unguarded, () => ({ ...next(), headers: accept })));
            options.log(`  unguarded: ${roundFigures(without.at(-1)!)}`);
            continue;
          }
          const headers = await callers[side]!();
          const result = await measured(product, () => ({ ...next(), headers }));
          // Every answer must be a success: a refused request would be cheap and flatter the figure.
          if (result.errors > 0) throw new Error(`${scenario} as ${side}: ${result.errors} failed requests (${result.firstError})`);
          withAuth[side]!.push(result);
          options.log(`  ${side}: ${roundFigures(result)}`);
        }
      }
      const base = totals(without);
      const entry: Record<string, unknown> = { withoutAuthAndAudit: base };
      const percent = (x: number) => Math.round(x * 1000) / 10;
      for (const [caller, runs] of Object.entries(withAuth)) {
        const side = totals(runs);
        entry[caller] = {
          ...side,
          // Throughput lost, and the same from CPU: capacity = cores ÷ CPU per request.
          overheadPercent: percent(1 - side.perSecond / base.perSecond),
          cpuOverheadPercent: percent(1 - base.cpuUsPerRequest / side.cpuUsPerRequest),
          // The spread: the same figure from each round's own pair (this caller and that round's unguarded run).
          overheadPercentByRound: runs.map((r, i) => percent(1 - r.perSecond / without[i]!.perSecond)),
        };
      }
      results[scenario] = entry;
    }
    const { rows } = await db.pool.query<{ n: string }>(`SELECT (SELECT count(*) FROM audit_row) + (SELECT coalesce(sum(n), 0) FROM audit_pack) AS n`);
    return {
      data: { patients: n, observations: n * OBSERVATIONS_PER_PATIENT, scale: options.scale },
      concurrency: options.concurrency,
      secondsPerRun: sliceSeconds,
      rounds: ROUNDS,
      loadAverageAtEnd: os.loadavg().map((x) => Math.round(x * 10) / 10),
      auditEntriesWritten: Number(rows[0]!.n),
      results,
      target: { overheadPercentAtMost: 15 },
      cores: os.cpus().length,
    };
  } finally {
    for (const child of children) {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((res) => child.once('exit', res));
      }
    }
    await db.close();
    if (!options.dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  }
}
