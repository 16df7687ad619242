// Reports: latency of every built-in report on a province of 1,000,000 residents and
// 10,000,000 episodes (× scale), and the incremental refresh cost per 1,000 new episodes.
// The fact tables are synthesised in SQL at the target size (the pipeline would take hours to
// load 10 M episodes); the cells are then built by the same code as in production, and the
// refresh is measured on real Encounter + Condition resources written through the store.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { loadConfig } from '../src/config/config.ts';
import { CodeSystem } from '../src/fhir/systems.ts';
import { chapterOf, groupOf } from '../src/province/icd10.ts';
import { rebuildAllCells } from '../src/reports/cells.ts';
import { refreshReports, vietnamDate } from '../src/reports/refresh.ts';
import { runBuiltIn, type BuiltInReport } from '../src/reports/run.ts';
import { oldDistrictOf, provinceCommunes } from '../src/reports/units.ts';
import { bulkLoad } from '../src/store/bulk-load.ts';
import { openDatabase } from '../src/store/database.ts';
import { synthesiseReportFacts } from './lib/report-facts.ts';

const FULL_RESIDENTS = 1_000_000;
const FULL_EPISODES = 10_000_000;
const PROVINCE = '68';

function icdCatalogue(): { code: string; chapter: string; group: string }[] {
  const out: { code: string; chapter: string; group: string }[] = [];
  for (const letter of 'ABCDEFGHIJKLMNOQRST') {
    for (let n = 0; n < 100; n += 3) {
      const code = `${letter}${String(n).padStart(2, '0')}`;
      const chapter = chapterOf(code);
      if (chapter) out.push({ code, chapter: chapter.number, group: groupOf(code)?.range ?? '' });
    }
  }
  return out;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: Math.round((performance.now() - t) * 10) / 10, value };
}

export async function reportsBench(options: { scale: number; log: (line: string) => void; dataDir?: string }): Promise<Record<string, unknown>> {
  const residents = Math.max(1000, Math.round(FULL_RESIDENTS * options.scale));
  const episodes = Math.max(10_000, Math.round(FULL_EPISODES * options.scale));
  const dataDir = options.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'hssk-bench-reports-')));
  const config = loadConfig({ ...process.env, HSSK_DATA_DIR: dataDir, HSSK_DEMO: 'off', LOG_LEVEL: 'warn' });
  const db = await openDatabase(config, { poolSize: 4, statementTimeoutMs: 0 });
  const log = options.log;
  try {
    const communes = provinceCommunes(PROVINCE);
    const districts = communes.map((c) => oldDistrictOf(c));
    const icd = icdCatalogue();
    const today = vietnamDate(new Date());
    // A --data-dir kept from an earlier run of the same scale is measured again as it is (its
    // facts and cells were built then; ~35 minutes at scale 1).
    const built = (await db.pool.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM report_person)::int AS n WHERE EXISTS (SELECT 1 FROM report_state WHERE key = 'cells')`,
    )).rows[0]?.n === residents;
    let load: { ms: number } | undefined;
    let rebuild: { ms: number } | undefined;
    if (built) log(`reports: reusing the facts and cells of ${residents} residents in ${dataDir}`);
    else {
      log(`reports: synthesising ${residents} residents and ${episodes} episodes`);
      load = await timed(() => synthesiseReportFacts(db, { residents, episodes, communes, districts, icd }, log));
      log(`reports: facts loaded in ${(load.ms / 1000).toFixed(1)} s; building every cell`);
      rebuild = await timed(() => db.transaction((c) => rebuildAllCells(c, today, PROVINCE)));
      await db.pool.query(`INSERT INTO report_state (key, updated_at) VALUES ('full', now()), ('cells', now()) ON CONFLICT (key) DO UPDATE SET updated_at = now()`);
      await db.pool.query('TRUNCATE report_dirty_resource, report_dirty_patient');
      await db.pool.query('ANALYZE');
    }
    const sizes = (await db.pool.query<{ t: string; n: string }>(
      `SELECT 'coverage' AS t, count(*) AS n FROM report_coverage_cell UNION ALL SELECT 'disease', count(*) FROM report_disease_cell
       UNION ALL SELECT 'vaccination', count(*) FROM report_vaccination_cell UNION ALL SELECT 'arrival', count(*) FROM report_arrival_cell`,
    )).rows;

    const cases: [string, BuiltInReport, Record<string, string>][] = [
      ['coverage province by commune', 'coverage', {}],
      ['coverage province by old district, group elderly', 'coverage', { by: 'district', group: 'elderly' }],
      ['coverage one commune, sex and age band', 'coverage', { unit: communes[0]!, sex: 'female', ageBand: '60+' }],
      ['diseases province 2025 by chapter', 'diseases', { period: '2025' }],
      ['diseases province 2025 by code (top 10)', 'diseases', { period: '2025', level: 'code' }],
      ['diseases province 2025-03 by group, inpatient', 'diseases', { period: '2025-03', level: 'group', care: 'inpatient' }],
      ['diseases old district 2025 by chapter', 'diseases', { period: '2025', unit: districts.find((d) => d !== '')! }],
      ['diseases one commune 2025-06, women (from facts)', 'diseases', { period: '2025-06', unit: communes[0]!, sex: 'female' }],
      ['diseases one commune 2025, age band 60+ (from facts)', 'diseases', { period: '2025', unit: communes[0]!, ageBand: '60+' }],
      ['vaccination province', 'vaccination', {}],
      ['arrivals 30 days', 'arrivals', {}],
    ];
    const latencies: Record<string, { medianMs: number; maxMs: number }> = {};
    for (const [name, report, query] of cases) {
      const runs: number[] = [];
      for (let i = 0; i < 5; i++) runs.push((await timed(() => runBuiltIn({ db: db.pool, province: PROVINCE, scope: { kind: 'province' } }, report, query))).ms);
      runs.sort((a, b) => a - b);
      latencies[name] = { medianMs: runs[2]!, maxMs: runs[4]! };
      log(`reports: ${name}: median ${runs[2]} ms, max ${runs[4]} ms`);
    }

    // Refresh: 1,000 new episodes (Encounter + main Condition) of random residents, this month.
    const refresh: { episodes: number; ms: number; residents: number; cellsChanged: Record<string, number> }[] = [];
    const run = Date.now().toString(36);
    for (let round = 0; round < 2; round++) {
      const batch: Resource[] = [];
      for (let i = 0; i < 1000; i++) {
        const patient = `p${1 + Math.floor(Math.random() * residents)}`;
        const cid = `bench-c-${run}-${round}-${i}`;
        const code = icd[Math.floor(Math.random() * 40)]!.code;
        batch.push({ resourceType: 'Condition', id: cid, subject: { reference: `Patient/${patient}` }, code: { coding: [{ system: CodeSystem.icd10, code }] } } as Resource);
        batch.push({
          resourceType: 'Encounter', id: `bench-e-${run}-${round}-${i}`, status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
          subject: { reference: `Patient/${patient}` }, period: { start: new Date().toISOString() }, diagnosis: [{ condition: { reference: `Condition/${cid}` }, rank: 1 }],
        } as Resource);
      }
      await bulkLoad(db, batch, { validate: false, sourceFacility: '68001' });
      const steps: Record<string, number> = {};
      const r = await refreshReports(db, { province: PROVINCE, trace: (step, ms) => (steps[step] = (steps[step] ?? 0) + ms) });
      log(`reports: refresh steps ${JSON.stringify(steps)}`);
      refresh.push({ episodes: r.episodes, ms: r.ms, residents: r.cells.residents, cellsChanged: r.cells.changed });
      log(`reports: refresh of 1000 new episodes: ${r.ms} ms (${r.cells.residents} residents, cells changed ${JSON.stringify(r.cells.changed)})`);
    }
    return {
      data: { residents, episodes, communes: communes.length, icdCodes: icd.length, cells: Object.fromEntries(sizes.map((s) => [s.t, Number(s.n)])) },
      factLoadMs: load?.ms ?? 'reused',
      fullRebuildMs: rebuild?.ms ?? 'reused',
      latencies,
      refreshPer1000Episodes: refresh,
      targets: { reportMs: 1000 },
    };
  } finally {
    await db.close();
    if (!options.dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const scale = Number(process.argv[2] ?? '0.01');
  const result = await reportsBench({ scale, log: (l) => process.stderr.write(`[bench] ${l}\n`) });
  console.log(JSON.stringify(result, null, 2));
}
