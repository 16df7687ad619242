// CPU per episode of the Node side of the XML ingest, without the database: adapter → storage
// policy and validation (prepareRecord) → version planning with index extraction (VersionPlan) →
// the writer's array literals. CPU time, not wall clock, so A/B runs mean something on a machine
// shared with other work.
//   node bench/xml-cpu.ts [COUNT] [--validate]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { adaptXmlFile } from '../src/ingest/xml/adapter.ts';
import { generateEpisodes } from '../src/ingest/xml/generator.ts';
import type { AdaptedRecord } from '../src/ingest/adapted-record.ts';
import { prepareRecord } from '../src/pipeline/prepare.ts';
import { rewriteReferences } from '../src/pipeline/references.ts';
import { VersionPlan } from '../src/pipeline/versions.ts';
import { arrayLiteral } from '../src/store/resource-writer.ts';

const count = Number(process.argv[2] ?? 2000);
const validate = process.argv.includes('--validate');
const provinceDir = path.join(import.meta.dirname, '../test/fixtures/xml/province');
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-xml-cpu-'));
const cpuSeconds = (from: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1e6;
};
try {
  const g = await generateEpisodes({ provinceDir, count, format: '130', outDir, perFile: 5000, seed: 'xml-cpu' });
  // Warm-up: definitions, search parameters, JIT.
  for await (const r of adaptXmlFile(g.files[0]!)) if (r.ok) void prepareRecord(r.record, { validate: true });
  let cpu = process.cpuUsage();
  const records: AdaptedRecord[] = [];
  for (const file of g.files) for await (const r of adaptXmlFile(file)) if (r.ok) records.push(r.record);
  const adapt = cpuSeconds(cpu);
  cpu = process.cpuUsage();
  const prepared = records.map((r) => prepareRecord(r, { validate }));
  const prepare = cpuSeconds(cpu);
  cpu = process.cpuUsage();
  const plan = new VersionPlan('68001');
  let n = 0;
  for (const p of prepared) {
    if (!p.ok) continue;
    const map = new Map<string, string>([[p.value.record.patientFullUrl, `Patient/p${n++}`]]);
    for (const e of p.value.entries) map.set(e.fullUrl, `${e.resource.resourceType}/r${n++}`);
    for (const e of p.value.entries) plan.write(rewriteReferences({ ...e.resource, id: map.get(e.fullUrl)!.split('/')[1]! } as Resource & { id: string }, map), undefined);
  }
  const versions = cpuSeconds(cpu);
  cpu = process.cpuUsage();
  let chars = 0;
  for (let i = 0; i < plan.inserts.length; i += 4000) {
    const slice = plan.inserts.slice(i, i + 4000);
    chars += arrayLiteral(slice.map((v) => v.content)).length;
    chars += arrayLiteral(slice.flatMap((v) => v.index?.token.map((t) => t[2]) ?? [])).length;
  }
  const literals = cpuSeconds(cpu);
  const episodes = records.length;
  const ms = (s: number) => Number(((s * 1000) / episodes).toFixed(3));
  console.log(JSON.stringify({ episodes, versions: plan.inserts.length, validate, msPerEpisode: { adapt: ms(adapt), prepare: ms(prepare), versionsAndIndex: ms(versions), arrayLiterals: ms(literals), total: ms(adapt + prepare + versions + literals) }, literalChars: chars, loadAverage1m: os.loadavg()[0] }));
} finally {
  fs.rmSync(outDir, { recursive: true, force: true });
}
