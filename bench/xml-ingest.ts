// XML 4210/130 end to end: a synthetic province's residents are loaded through the household
// import, then generated QĐ 130 episodes go through the XML channel (adapter → pipeline → store)
// on a fresh embedded PostgreSQL. At scale s: 1,000,000·s residents and 100,000·s episodes.
// Reports episodes/s, resources/s, peak RSS and the data sizes it ran on. Every batch is validated,
// as `hssk import xml` and `POST /api/xml` do (`--validate sample`: one batch in ten, for comparison
// with older figures). HSSK_INGEST_THREADS sets the worker threads (default: cores − 1).
//   node bench/xml-ingest.ts [--scale 0.01] [--validate all|sample|none] [--profile DIR] [--pg-statements] [--explain FILE]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.ts';
import { ingestXmlFile } from '../src/ingest/channel/xml-channel.ts';
import { importHouseholds } from '../src/ingest/household/import-households.ts';
import { openHouseholdSource } from '../src/ingest/household/read-rows.ts';
import { generateEpisodes } from '../src/ingest/xml/generator.ts';
import { generateProvince } from '../src/province/generator.ts';
import { openDatabase, type Queryable } from '../src/store/database.ts';
import { cpuBetween, postmasterPid, sampleCpu } from './lib/cpu.ts';

export interface XmlIngestBenchOptions {
  scale: number;
  log: (line: string) => void;
  validate?: 'all' | 'sample' | 'none';
  dataDir?: string;
  /** Write a CPU profile of the ingest phase alone (not the province load) to this directory. */
  profileDir?: string;
  /** Report the ingest's costliest SQL statements per episode (pg_stat_statements; embedded PostgreSQL only). */
  pgStatements?: boolean;
  /**
   * Append to this file the plans, with actual times, of the ingest's statements slower than 40 ms
   * (auto_explain; embedded PostgreSQL only): how two plan mistakes of the writer and the pipeline
   * were found. Timing every node slows the ingest: not for figures.
   */
  explainLog?: string;
}

export async function xmlIngestBench({ scale, log, validate = 'all', dataDir: given, profileDir, pgStatements, explainLog }: XmlIngestBenchOptions): Promise<Record<string, unknown>> {
  const residents = Math.max(1000, Math.round(1_000_000 * scale));
  const episodes = Math.max(200, Math.round(100_000 * scale));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-xml-ingest-'));
  // The embedded PostgreSQL runs as its own user when HSSK runs as root: it must reach the data dir.
  fs.chmodSync(work, 0o755);
  const dataDir = given ?? path.join(work, 'data');
  const provinceDir = path.join(work, 'province');
  const episodesDir = path.join(work, 'episodes');
  let peak = 0;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
  const config = loadConfig({ ...process.env, HSSK_DATA_DIR: dataDir, HSSK_DEMO: 'off', LOG_LEVEL: 'warn' });
  let db = await openDatabase(config, { poolSize: 6, statementTimeoutMs: 0 });
  if (pgStatements || explainLog) {
    // The extensions must be preloaded: set them, restart the embedded cluster.
    await db.pool.query(`ALTER SYSTEM SET shared_preload_libraries = pg_stat_statements, auto_explain`);
    await db.close();
    const onLog = explainLog ? (line: string) => fs.appendFileSync(explainLog, `${line}\n`) : undefined;
    db = await openDatabase(config, { poolSize: 6, statementTimeoutMs: 0, ...(onLog ? { onLog } : {}) });
    await db.pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  }
  /** auto_explain on (ingest phase only) or off; parameters (the resources' JSON) left out of the log. */
  const explain = async (on: boolean) => {
    if (!explainLog) return;
    for (const [name, value] of [['log_min_duration', on ? "'40ms'" : '-1'], ['log_analyze', 'on'], ['log_nested_statements', 'on'], ['log_wal', 'on'], ['log_parameter_max_length', '0']]) {
      await db.pool.query(`ALTER SYSTEM SET auto_explain.${name} = ${value}`);
    }
    await db.pool.query('SELECT pg_reload_conf()');
  };
  try {
    let t = performance.now();
    generateProvince({ residents, seed: 'bench-xml', outDir: provinceDir });
    log(`province: ${residents} residents generated in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    t = performance.now();
    const ctx = { db, actor: { kind: 'system' as const, name: 'bench:xml-ingest' }, province: config.province };
    const households = await importHouseholds(ctx, openHouseholdSource(path.join(provinceDir, 'households.csv')), { batchSize: 1000, completeList: true });
    const loadSeconds = (performance.now() - t) / 1000;
    log(`residents loaded through the household import: ${households.rows} rows in ${loadSeconds.toFixed(1)} s (${households.rowsPerSecond} rows/s)`);

    t = performance.now();
    const g = await generateEpisodes({ provinceDir, count: episodes, format: '130', outDir: episodesDir, perFile: 5000 });
    const bytes = g.files.reduce((n, f) => n + fs.statSync(f).size, 0);
    log(`episodes: ${g.episodes} in ${g.files.length} files (${(bytes / 1e6).toFixed(0)} MB) generated in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    peak = 0;
    const profiler = profileDir ? new Session() : undefined;
    if (profiler) {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    // CPU of this process and of the PostgreSQL cluster: on a shared machine the rate alone misleads.
    const postmaster = postmasterPid(path.join(dataDir, 'pg'));
    if (pgStatements) await db.pool.query('SELECT pg_stat_statements_reset()');
    await explain(true);
    const pgBefore = sampleCpu(undefined, postmaster);
    const cpu = process.cpuUsage();
    t = performance.now();
    let accepted = 0, rejected = 0, resources = 0, written = 0, excluded = 0;
    for (const file of g.files) {
      const s = await ingestXmlFile(ctx, file, {
        validate,
        threads: config.ingestThreads,
        onProgress: (p) => log(`  ${path.basename(file)}: ${p.units} episodes, ${p.unitsPerSecond}/s`),
      });
      accepted += s.accepted;
      rejected += s.rejected;
      written += s.written;
      resources += Object.values(s.resources).reduce((a, b) => a + b, 0);
      excluded += Object.values(s.excluded).reduce((a, b) => a + b, 0);
    }
    const seconds = (performance.now() - t) / 1000;
    const used = process.cpuUsage(cpu);
    await explain(false);
    const postgresMs = postmaster === undefined ? undefined : cpuBetween(pgBefore, sampleCpu(undefined, postmaster)).postgresMs;
    if (profiler && profileDir) {
      const { profile } = await profiler.post('Profiler.stop');
      fs.mkdirSync(profileDir, { recursive: true });
      const file = path.join(profileDir, `xml-ingest-${Date.now()}.cpuprofile`);
      fs.writeFileSync(file, JSON.stringify(profile));
      profiler.disconnect();
      log(`CPU profile of the ingest phase: ${file}`);
    }
    const statements = pgStatements ? await topStatements(db.pool, accepted + rejected) : undefined;
    const resendT = performance.now();
    const resend = await ingestXmlFile(ctx, g.files[0]!, { validate, threads: config.ingestThreads });
    const resendSeconds = (performance.now() - resendT) / 1000;
    const dbBytes = Number((await db.pool.query<{ n: string }>('SELECT pg_database_size(current_database()) AS n')).rows[0]!.n);
    const result = {
      scale,
      validate,
      data: { residents: households.rows, episodes: g.episodes, xmlMB: Math.round(bytes / 1e6), databaseMBAfter: Math.round(dbBytes / 1e6) },
      ingest: {
        // Worker threads that made the units ready (HSSK_INGEST_THREADS); Node CPU counts them too.
        workerThreads: config.ingestThreads,
        seconds: Math.round(seconds * 10) / 10,
        accepted,
        rejected,
        excludedItems: excluded,
        resources,
        versionsWritten: written,
        episodesPerSecond: Math.round((accepted + rejected) / seconds),
        resourcesPerSecond: Math.round(resources / seconds),
        nodeCpuSeconds: Math.round(((used.user + used.system) / 1e6) * 10) / 10,
        nodeCpuMsPerEpisode: Math.round(((used.user + used.system) / 1e3 / Math.max(accepted + rejected, 1)) * 100) / 100,
        postgresCpuMsPerEpisode: postgresMs === undefined ? null : Math.round((postgresMs / Math.max(accepted + rejected, 1)) * 100) / 100,
        peakRssMB: Math.round(peak / 1e6),
      },
      resendOfFirstFile: { episodes: resend.units, versionsWritten: resend.written, episodesPerSecond: Math.round(resend.units / resendSeconds) },
      residentLoad: { rowsPerSecond: households.rowsPerSecond, seconds: Math.round(loadSeconds * 10) / 10 },
      ...(statements ? { statementsPerEpisode: statements } : {}),
      machine: { cpus: os.cpus().length, loadAverage1m: os.loadavg()[0] },
    };
    log(`ingested ${accepted + rejected} episodes in ${seconds.toFixed(1)} s: ${result.ingest.episodesPerSecond} episodes/s, ${result.ingest.resourcesPerSecond} resources/s, peak RSS ${result.ingest.peakRssMB} MB`);
    return result;
  } finally {
    clearInterval(sample);
    await db.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The statements that cost PostgreSQL most during the ingest: calls and execution ms per episode. */
async function topStatements(pool: Queryable, episodes: number): Promise<{ query: string; callsPerEpisode: number; msPerEpisode: number; rowsPerCall: number }[]> {
  const { rows } = await pool.query<{ query: string; calls: string; total: number; rows: string }>(
    `SELECT query, calls, total_exec_time AS total, rows FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY total_exec_time DESC LIMIT 20`,
  );
  const per = (n: number) => Math.round((n / Math.max(episodes, 1)) * 1000) / 1000;
  return rows.map((r) => ({
    query: r.query.replace(/\s+/g, ' ').slice(0, 160),
    callsPerEpisode: per(Number(r.calls)),
    msPerEpisode: per(r.total),
    rowsPerCall: Math.round(Number(r.rows) / Math.max(Number(r.calls), 1)),
  }));
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { scale: { type: 'string', default: '0.01' }, validate: { type: 'string', default: 'all' }, profile: { type: 'string' }, 'pg-statements': { type: 'boolean', default: false }, explain: { type: 'string' } } });
  const validate = values.validate as 'all' | 'sample' | 'none';
  const result = await xmlIngestBench({ scale: Number(values.scale), validate, profileDir: values.profile, pgStatements: values['pg-statements'], explainLog: values.explain, log: (l) => process.stderr.write(`[xml-ingest] ${l}\n`) });
  console.log(JSON.stringify(result, null, 2));
}
