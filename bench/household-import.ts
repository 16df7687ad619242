// Importing residents from the household CSV end to end (parse, validate, match, store, index)
// into a fresh embedded PostgreSQL: the issue 3 target is 1,000,000 residents in ≤ 5 minutes on
// the 2-core machine, in bounded memory. Prints rows/s and the peak resident set of this process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../src/config/config.ts';
import { createDatabase } from '../src/store/database.ts';
import { startEmbeddedPostgres } from '../src/store/embedded-postgres.ts';
import { migrate } from '../src/store/migrations.ts';
import { generateProvince } from '../src/province/generator.ts';
import { importHouseholds } from '../src/ingest/household/import-households.ts';
import { openHouseholdSource } from '../src/ingest/household/read-rows.ts';
import { cpuBetween, loadAverage, postmasterPid, sampleCpu } from './lib/cpu.ts';

export interface HouseholdImportBenchOptions {
  scale: number;
  /** Where to keep the generated CSV between runs (`--data-dir`): generating 1,000,000 residents takes minutes. */
  dataDir?: string;
  /** Write a CPU profile of the first import (not of the CSV generation) to this directory. */
  profileDir?: string;
  /** Report the costliest SQL statements per row, of the import and of the re-import (pg_stat_statements). */
  pgStatements?: boolean;
  /** Only the first import (`--skip-reimport`): at full size the re-import takes as long again. */
  skipReimport?: boolean;
  log: (line: string) => void;
}

const FULL_RESIDENTS = 1_000_000;

export async function householdImportBench({ scale, dataDir, profileDir, pgStatements, skipReimport, log }: HouseholdImportBenchOptions): Promise<Record<string, unknown>> {
  const residents = Math.max(1000, Math.round(FULL_RESIDENTS * scale));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-hhb-'));
  fs.chmodSync(dir, 0o755); // the embedded PostgreSQL runs as its own user when we are root
  // The cache `hssk serve` would give it (HSSK_PG_SHARED_BUFFERS_MB).
  const { embeddedPgSharedBuffersMb: sharedBuffersMb } = loadConfig();
  let cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'db'), port: 0, database: 'hssk', sharedBuffersMb });
  if (pgStatements) {
    // The extension must be preloaded: set it, restart the embedded cluster.
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`);
    await admin.end();
    await cluster.release();
    cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'db'), port: 0, database: 'hssk', sharedBuffersMb });
  }
  const pool = new pg.Pool({ connectionString: cluster.url, max: 4 });
  const db = createDatabase(pool, true, async () => undefined);
  try {
    await migrate(db);
    const csvDir = dataDir ? path.join(dataDir, `households-${residents}`) : dir;
    const file = path.join(csvDir, 'households.csv');
    // Generating in this process raises its peak RSS above the import's own: reported, so that
    // figures are compared like with like (with --data-dir the second run reuses the file).
    const generatedHere = !fs.existsSync(file);
    if (generatedHere) generateProvince({ residents, pairs: 0, seed: 'household-import-bench', outDir: csvDir });
    log(`importing ${residents} residents (${Math.round(fs.statSync(file).size / 2 ** 20)} MiB CSV)`);
    // CPU time of this process and of the PostgreSQL cluster during the import: the machine is
    // shared, wall clock alone misleads.
    const postmaster = postmasterPid(path.join(dir, 'db', 'pg'));
    if (pgStatements) {
      await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await pool.query('SELECT pg_stat_statements_reset()');
    }
    const profiler = profileDir ? new Session() : undefined;
    if (profiler) {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    const pgBefore = sampleCpu(undefined, postmaster);
    const pagesBefore = await pageTraffic(pool);
    const loadBefore = loadAverage();
    const cpu = process.cpuUsage();
    const report = await importHouseholds(
      { db, actor: { kind: 'system', name: 'bench' }, province: '68' },
      openHouseholdSource(file),
      { completeList: true, onProgress: (p) => log(`${p.rows} rows, ${p.rowsPerSecond}/s, eta ${p.etaSeconds}s`), progressIntervalMs: 10_000 },
    );
    const used = process.cpuUsage(cpu);
    const postgresMs = cpuBetween(pgBefore, sampleCpu(undefined, postmaster)).postgresMs;
    const pagesAfter = await pageTraffic(pool);
    if (profiler && profileDir) {
      const { profile } = await profiler.post('Profiler.stop');
      fs.mkdirSync(profileDir, { recursive: true });
      const file = path.join(profileDir, `household-import-${Date.now()}.cpuprofile`);
      fs.writeFileSync(file, JSON.stringify(profile));
      profiler.disconnect();
      log(`CPU profile of the import: ${file}`);
    }
    const statements = pgStatements ? await topStatements(pool, report.rows) : undefined;
    if (pgStatements) await pool.query('SELECT pg_stat_statements_reset()');
    const size = await pool.query<{ mb: number }>(`SELECT round(pg_database_size(current_database()) / 1048576.0) AS mb`);
    const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
    const tables = await tableSizes(pool, report.rows);
    const first = {
      residents,
      ...report,
      cpuSeconds: Math.round((used.user + used.system) / 1e5) / 10,
      cpuMsPerRow: Math.round(((used.user + used.system) / 1000 / Math.max(report.rows, 1)) * 100) / 100,
      postgresCpuMsPerRow: Math.round((postgresMs / Math.max(report.rows, 1)) * 100) / 100,
      loadAverage: { before: loadBefore, after: loadAverage() },
      peakRssMiB,
      postgresSharedBuffersMiB: sharedBuffersMb,
      // Pages PostgreSQL had to fetch from the kernel (not in its own cache), and checkpoints, per row.
      pageReadsPerRow: Math.round(((pagesAfter.reads - pagesBefore.reads) / Math.max(report.rows, 1)) * 100) / 100,
      checkpoints: pagesAfter.checkpoints - pagesBefore.checkpoints,
      csvGeneratedInProcess: generatedHere,
      databaseMiB: Number(size.rows[0]!.mb),
      tables,
      projectedSecondsFor1M: Math.round((FULL_RESIDENTS / report.rows) * report.seconds),
      ...(statements ? { statementsPerRow: statements } : {}),
    };
    if (skipReimport) return first;
    // The same file again: idempotent (nothing written), and what an unchanged row costs.
    log('importing the same file again');
    const pgAgain = sampleCpu(undefined, postmaster);
    const cpuAgain = process.cpuUsage();
    const again = await importHouseholds({ db, actor: { kind: 'system', name: 'bench' }, province: '68' }, openHouseholdSource(file), {});
    const usedAgain = process.cpuUsage(cpuAgain);
    const postgresAgainMs = cpuBetween(pgAgain, sampleCpu(undefined, postmaster)).postgresMs;
    const statementsAgain = pgStatements ? await topStatements(pool, again.rows) : undefined;
    return {
      ...first,
      reimport: {
        seconds: again.seconds,
        rowsPerSecond: again.rowsPerSecond,
        written: again.written,
        matched: again.matched,
        cpuMsPerRow: Math.round(((usedAgain.user + usedAgain.system) / 1000 / Math.max(again.rows, 1)) * 100) / 100,
        postgresCpuMsPerRow: Math.round((postgresAgainMs / Math.max(again.rows, 1)) * 100) / 100,
        loadAverage: loadAverage(),
        ...(statementsAgain ? { statementsPerRow: statementsAgain } : {}),
      },
    };
  } finally {
    await pool.end();
    await cluster.release();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Rows per CSV row and size on disk (table + indexes) of the tables the import writes: what a resident costs. */
async function tableSizes(pool: pg.Pool, rows: number): Promise<Record<string, { rowsPerRow: number; MiB: number }>> {
  const { rows: found } = await pool.query<{ name: string; n: string; bytes: string }>(
    `SELECT c.relname AS name, s.n_live_tup AS n, pg_total_relation_size(c.oid) AS bytes
       FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid
      WHERE pg_total_relation_size(c.oid) > 1048576 ORDER BY pg_total_relation_size(c.oid) DESC`,
  );
  return Object.fromEntries(found.map((t) => [t.name, { rowsPerRow: Math.round((Number(t.n) / Math.max(rows, 1)) * 100) / 100, MiB: Math.round(Number(t.bytes) / 1048576) }]));
}

/** The statements that cost PostgreSQL most: calls and execution ms per CSV row. */
async function topStatements(pool: pg.Pool, rows: number): Promise<{ query: string; callsPerRow: number; msPerRow: number; rowsPerCall: number }[]> {
  const { rows: top } = await pool.query<{ query: string; calls: string; total: number; rows: string }>(
    `SELECT query, calls, total_exec_time AS total, rows FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY total_exec_time DESC LIMIT 20`,
  );
  const per = (n: number) => Math.round((n / Math.max(rows, 1)) * 10000) / 10000;
  return top.map((r) => ({
    query: r.query.replace(/\s+/g, ' ').slice(0, 200),
    callsPerRow: per(Number(r.calls)),
    msPerRow: per(r.total),
    rowsPerCall: Math.round(Number(r.rows) / Math.max(Number(r.calls), 1)),
  }));
}

if (import.meta.main) {
  // node bench/household-import.ts [--scale 0.1] [--data-dir DIR] [--profile DIR] [--pg-statements]
  const { values } = parseArgs({ options: { scale: { type: 'string', default: '0.1' }, 'data-dir': { type: 'string' }, profile: { type: 'string' }, 'pg-statements': { type: 'boolean', default: false } } });
  const result = await householdImportBench({
    scale: Number(values.scale),
    dataDir: values['data-dir'],
    profileDir: values.profile,
    pgStatements: values['pg-statements'],
    log: (l) => process.stderr.write(`[household-import] ${l}\n`),
  });
  console.log(JSON.stringify(result, null, 2));
}

async function pageTraffic(pool: pg.Pool): Promise<{ reads: number; checkpoints: number }> {
  const { rows } = await pool.query<{ reads: string; checkpoints: string }>(
    `SELECT (SELECT blks_read FROM pg_stat_database WHERE datname = current_database()) AS reads,
            (SELECT num_timed + num_requested FROM pg_stat_checkpointer) AS checkpoints`,
  );
  return { reads: Number(rows[0]!.reads), checkpoints: Number(rows[0]!.checkpoints) };
}
