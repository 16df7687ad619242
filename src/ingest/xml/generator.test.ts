import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyResource } from '../../policy/sensitive-data.ts';
import { adaptXmlFile } from './adapter.ts';
import { birthField, generateEpisodes } from './generator.ts';

const province = path.join(import.meta.dirname, '../../../test/fixtures/xml/province');
const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-episodes-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('hssk generate episodes', () => {
  for (const format of ['130', '4210'] as const) {
    it(`writes valid QĐ ${format} envelopes whose only rejects are the deliberately broken episodes`, async () => {
      const summary = await generateEpisodes({ provinceDir: province, count: 300, format, outDir: tmp(), perFile: 120, brokenRate: 0.05, sensitiveRate: 0.05 });
      expect(summary.files).toHaveLength(3);
      expect(summary.episodes).toBe(300);
      expect(summary.broken).toBeGreaterThan(0);
      expect(summary.sensitive).toBeGreaterThan(0);
      let accepted = 0;
      let rejected = 0;
      let excluded = 0;
      const types = new Set<string>();
      for (const file of summary.files) {
        for await (const r of adaptXmlFile(file)) {
          if (!r.ok) {
            rejected++;
            continue;
          }
          accepted++;
          excluded += Object.values(r.record.excluded).reduce((a, b) => a + b, 0);
          for (const e of [{ resource: r.record.patient }, ...r.record.entries]) {
            types.add(e.resource.resourceType);
            expect(classifyResource(e.resource)).toBeUndefined();
          }
        }
      }
      expect(rejected).toBe(summary.broken);
      expect(accepted).toBe(300 - summary.broken);
      expect(excluded).toBeGreaterThanOrEqual(summary.sensitive);
      for (const t of ['Patient', 'Encounter', 'Condition', 'MedicationRequest', 'Procedure', 'Observation', 'DiagnosticReport', 'Composition', 'Appointment']) {
        if (format === '4210' && t === 'Appointment') continue;
        expect(types.has(t)).toBe(true);
      }
    }, 60_000);
  }

  it('writes the same files for the same seed', async () => {
    const a = await generateEpisodes({ provinceDir: province, count: 50, format: '130', outDir: tmp(), seed: 7 });
    const b = await generateEpisodes({ provinceDir: province, count: 50, format: '130', outDir: tmp(), seed: 7 });
    expect(fs.readFileSync(a.files[0]!, 'utf8')).toBe(fs.readFileSync(b.files[0]!, 'utf8'));
  });

  it('starts the episodes in the 300 days from --from, with cards valid over the years they span', async () => {
    const summary = await generateEpisodes({ provinceDir: province, count: 80, format: '130', outDir: tmp(), seed: 3, from: '2026-03-10', brokenRate: 0 });
    const starts: string[] = [];
    for (const file of summary.files) {
      for await (const r of adaptXmlFile(file)) {
        if (!r.ok) continue;
        const encounter = r.record.entries.find((e) => e.resource.resourceType === 'Encounter')!.resource as { period?: { start?: string } };
        starts.push(encounter.period!.start!.slice(0, 10));
        const coverage = r.record.entries.find((e) => e.resource.resourceType === 'Coverage')?.resource as { period?: { start?: string; end?: string } } | undefined;
        if (coverage) expect([coverage.period?.start?.slice(0, 10), coverage.period?.end?.slice(0, 10)]).toEqual(['2026-01-01', '2027-12-31']);
      }
    }
    expect(starts.length).toBe(80);
    expect(starts.every((d) => d >= '2026-03-10' && d <= '2027-01-04')).toBe(true);
    expect(starts.some((d) => d >= '2026-10-01')).toBe(true);
    await expect(generateEpisodes({ provinceDir: province, count: 1, format: '130', outDir: tmp(), from: '2026-13-01' })).rejects.toThrow(/yyyy-mm-dd/);
  });

  it('writes household birth dates in each generation’s convention', () => {
    expect(birthField('12/03/1960', '130')).toBe('196003120000');
    expect(birthField('1975', '130')).toBe('197500000000');
    expect(birthField('1975', '4210')).toBe('19750101');
    expect(birthField('1988-07-21', '4210')).toBe('19880721');
  });
});
