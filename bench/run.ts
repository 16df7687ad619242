// `npm run bench [-- --scale 0.05 --seconds 10 --suite fhir-core]`: runs the benchmarks and
// prints one JSON document with the figures, the data size they ran on and the machine's size.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { accessOverheadBench } from './access-overhead.ts';
import { fhirCoreBench } from './fhir-core.ts';
import { householdImportBench } from './household-import.ts';
import { identityQualityBench } from './identity-quality.ts';
import { programsBench } from './programs.ts';
import { reportsBench } from './reports.ts';
import { syncBench } from './sync.ts';
import { xmlIngestBench } from './xml-ingest.ts';

const suites: Record<
  string,
  (o: { scale: number; seconds: number; concurrency: number; dataDir?: string; profileDir?: string; pgStatements?: boolean; skipReimport?: boolean; scenarios?: string[]; callers?: string[]; log: (l: string) => void }) => Promise<Record<string, unknown>>
> = {
  'fhir-core': fhirCoreBench,
  'access-overhead': accessOverheadBench,
  'identity-quality': identityQualityBench,
  'household-import': householdImportBench,
  'xml-ingest': xmlIngestBench,
  reports: reportsBench,
  programs: programsBench,
  sync: syncBench,
};

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '16' },
    suite: { type: 'string', multiple: true },
    'data-dir': { type: 'string' },
    profile: { type: 'string' },
    // access-overhead only: restrict to these scenarios / callers (names as in its results).
    scenario: { type: 'string', multiple: true },
    caller: { type: 'string', multiple: true },
    'pg-statements': { type: 'boolean', default: false },
    // household-import only: measure the first import, not the re-import of the same file.
    'skip-reimport': { type: 'boolean', default: false },
  },
});

const scale = Number(values.scale);
if (!(scale > 0 && scale <= 1)) {
  console.error('--scale must be in (0, 1] (1 = the full data size each benchmark names)');
  process.exit(2);
}
const selected = values.suite?.length ? values.suite : Object.keys(suites);
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const report: Record<string, unknown> = {
  startedAt: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  suites: {},
};
for (const name of selected) {
  const suite = suites[name];
  if (!suite) {
    console.error(`unknown suite "${name}"; known: ${Object.keys(suites).join(', ')}`);
    process.exit(2);
  }
  log(`suite ${name} (scale ${scale})`);
  (report.suites as Record<string, unknown>)[name] = await suite({
    scale,
    seconds: Number(values.seconds),
    concurrency: Number(values.concurrency),
    dataDir: values['data-dir'],
    profileDir: values.profile,
    pgStatements: values['pg-statements'],
    skipReimport: values['skip-reimport'],
    ...(values.scenario ? { scenarios: values.scenario } : {}),
    ...(values.caller ? { callers: values.caller } : {}),
    log,
  });
}
console.log(JSON.stringify(report, null, 2));
