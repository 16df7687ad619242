// Memory stays bounded by one HOSO, not by the file: ~200 MB of envelope (generated on the fly,
// 4000 episodes of ~50 KB, five times a real one) stream through the reader in a child Node
// process while its RSS grows by a small fraction of the file. About 15–20 s on 2 cores.
// The full adapter on generated episodes (episodes/s, peak RSS) is bench/xml-adapter.ts.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const probe = path.join(import.meta.dirname, '../../../test/fixtures/xml/stream-probe.ts');

it('streams a 200 MB envelope in bounded memory', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [probe, '4000'], { maxBuffer: 1 << 20 });
  const r = JSON.parse(stdout) as { episodes: number; bytes: number; rssGrowth: number; peakRss: number };
  expect(r.episodes).toBe(4000);
  expect(r.bytes).toBeGreaterThan(190e6);
  expect(r.rssGrowth).toBeLessThan(64 * 1024 * 1024);
}, 120_000);
