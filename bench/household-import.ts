// Importing residents from the household CSV end to end (parse, validate, match, store, index)
// into a fresh embedded PostgreSQL: the issue 3 target is 1,000,000 residents in ≤ 5 minutes on
// the 2-core machine, in bounded memory. Prints rows/s and the peak resident set of this process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
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
  log: (line: string) => void;
}

const FULL_RESIDENTS = 1_000_000;

export async function householdImportBench({ scale, dataDir, log }: HouseholdImportBenchOptions): Promise<Record<string, unknown>> {
  const residents = Math.max(1000, Math.round(FULL_RESIDENTS * scale));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-hhb-'));
  fs.chmodSync(dir, 0o755); // the embedded PostgreSQL runs as its own user when we are root
  const cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'db'), port: 0, database: 'hssk' });
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
    const pgBefore = sampleCpu(undefined, postmaster);
    const loadBefore = loadAverage();
    const cpu = process.cpuUsage();
    const report = await importHouseholds(
      { db, actor: { kind: 'system', name: 'bench' }, province: '68' },
      openHouseholdSource(file),
      { onProgress: (p) => log(`${p.rows} rows, ${p.rowsPerSecond}/s, eta ${p.etaSeconds}s`), progressIntervalMs: 10_000 },
    );
    const used = process.cpuUsage(cpu);
    const postgresMs = cpuBetween(pgBefore, sampleCpu(undefined, postmaster)).postgresMs;
    const size = await pool.query<{ mb: number }>(`SELECT round(pg_database_size(current_database()) / 1048576.0) AS mb`);
    const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
    // The same file again: idempotent (nothing written), and what an unchanged row costs.
    log('importing the same file again');
    const pgAgain = sampleCpu(undefined, postmaster);
    const cpuAgain = process.cpuUsage();
    const again = await importHouseholds({ db, actor: { kind: 'system', name: 'bench' }, province: '68' }, openHouseholdSource(file), {});
    const usedAgain = process.cpuUsage(cpuAgain);
    const postgresAgainMs = cpuBetween(pgAgain, sampleCpu(undefined, postmaster)).postgresMs;
    return {
      residents,
      ...report,
      cpuSeconds: Math.round((used.user + used.system) / 1e5) / 10,
      cpuMsPerRow: Math.round(((used.user + used.system) / 1000 / Math.max(report.rows, 1)) * 100) / 100,
      postgresCpuMsPerRow: Math.round((postgresMs / Math.max(report.rows, 1)) * 100) / 100,
      loadAverage: { before: loadBefore, after: loadAverage() },
      peakRssMiB,
      csvGeneratedInProcess: generatedHere,
      databaseMiB: Number(size.rows[0]!.mb),
      projectedSecondsFor1M: Math.round((FULL_RESIDENTS / report.rows) * report.seconds),
      reimport: {
        seconds: again.seconds,
        rowsPerSecond: again.rowsPerSecond,
        written: again.written,
        matched: again.matched,
        cpuMsPerRow: Math.round(((usedAgain.user + usedAgain.system) / 1000 / Math.max(again.rows, 1)) * 100) / 100,
        postgresCpuMsPerRow: Math.round((postgresAgainMs / Math.max(again.rows, 1)) * 100) / 100,
        loadAverage: loadAverage(),
      },
    };
  } finally {
    await pool.end();
    await cluster.release();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
