// XML 4210/130 adapter alone (no database): generates episodes for a province, then streams the
// files through the adapter and prints episodes/s, resources/s and peak RSS.
//   node bench/xml-adapter.ts [PROVINCE_DIR] [COUNT] [130|4210]
// PROVINCE_DIR defaults to the small test fixture (test/fixtures/xml/province).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { adaptXmlFile } from '../src/ingest/xml/adapter.ts';
import { generateEpisodes } from '../src/ingest/xml/generator.ts';

const provinceDir = process.argv[2] ?? path.join(import.meta.dirname, '../test/fixtures/xml/province');
const count = Number(process.argv[3] ?? 20_000);
const format = (process.argv[4] ?? '130') as '130' | '4210';
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-xml-bench-'));
try {
  let t = performance.now();
  const g = await generateEpisodes({ provinceDir, count, format, outDir, perFile: 5000 });
  const bytes = g.files.reduce((n, f) => n + fs.statSync(f).size, 0);
  console.log(`generated ${g.episodes} episodes (${(bytes / 1e6).toFixed(0)} MB, ${g.files.length} files) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  let accepted = 0, rejected = 0, resources = 0, peak = 0;
  t = performance.now();
  const cpu = process.cpuUsage();
  for (const file of g.files) {
    for await (const r of adaptXmlFile(file)) {
      if (r.ok) {
        accepted++;
        resources += r.record.entries.length + 1;
      } else rejected++;
      if ((accepted + rejected) % 500 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
  }
  const s = (performance.now() - t) / 1000;
  // CPU time too: on a shared machine the wall-clock rate says as much about the neighbours.
  const used = process.cpuUsage(cpu);
  const cpuS = (used.user + used.system) / 1e6;
  console.log(`adapted ${accepted} accepted + ${rejected} rejected in ${s.toFixed(1)} s: ${((accepted + rejected) / s).toFixed(0)} episodes/s, ${(resources / s).toFixed(0)} resources/s, peak RSS ${(peak / 1e6).toFixed(0)} MB`);
  console.log(`CPU ${cpuS.toFixed(1)} s: ${((accepted + rejected) / cpuS).toFixed(0)} episodes per CPU-second`);
} finally {
  fs.rmSync(outDir, { recursive: true, force: true });
}
