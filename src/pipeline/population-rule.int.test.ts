// The corroborated population rule (docs/identity.md, rule 5) in the product: it applies to a
// record whose commune's household list has been imported, in every channel that resolves
// identity (here XML 4210/130 and FHIR Patient/$match), and never to the household list itself.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, fixture, hoso } from '../../test/fixtures/xml/build.ts';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { identityCommands } from '../cli/commands/identity.ts';
import { importHouseholdsCommand } from '../cli/commands/import-households.ts';
import { loadConfig } from '../config/config.ts';
import { Extension } from '../fhir/systems.ts';
import { listHouseholdCoverage } from '../identity/mpi/population-rule.ts';
import { ingestXml } from '../ingest/channel/xml-channel.ts';
import { importHouseholds } from '../ingest/household/import-households.ts';
import { openHouseholdSource } from '../ingest/household/read-rows.ts';
import type { PipelineContext } from './types.ts';

let t: TestApp;
let ctx: PipelineContext;

// Communes of Lâm Đồng (68): the registered residents live in Mũi Né; Hàm Thắng and the former
// 24850 (today 24853) are where the incoming records say they live now.
const MUI_NE = '22918';
const HAM_THANG = '22933';
const OLD_CODE = '24850';
const OLD_CODE_TODAY = '24853';
const PHAN_THIET = '22945';

interface Row { household: string; name: string; born: string; sex: 'Nam' | 'Nữ'; commune: string }

async function importList(rows: Row[], stopAfter?: number, completeList = true) {
  const csv = ['ma_ho,ho_ten,ngay_sinh,gioi_tinh,quan_he_chu_ho,ma_xa', ...rows.map((r) => `${r.household},${r.name},${r.born},${r.sex},Chủ hộ,${r.commune}`)].join('\n');
  const bytes = Buffer.from(csv, 'utf8');
  const source = openHouseholdSource({ stream: Readable.from([bytes]), size: bytes.length, xlsx: false });
  if (stopAfter === undefined) return importHouseholds(ctx, source, { today: '2026-07-01', completeList });
  // The operator cancels the import once `stopAfter` rows have been read.
  const stop = new AbortController();
  async function* rowsUntilStopped() {
    let n = 0;
    for await (const row of source.rows) {
      yield row;
      if (++n === stopAfter) stop.abort();
    }
  }
  return importHouseholds(ctx, { get header() { return source.header; }, rows: rowsUntilStopped(), progress: () => source.progress() }, { today: '2026-07-01', completeList, batchSize: 1, signal: stop.signal });
}

let episode = 0;
/** An XML 130 episode of a person with neither identifier nor phone: only name, birth date, sex and commune. */
async function xmlEpisode(name: string, born: string, sex: 1 | 2, commune: string) {
  const xml1 = fixture('qd130/XML1.xml')
    .replace(/<MA_LK>[^<]*<\/MA_LK>/, `<MA_LK>BV68001-2026-${String(++episode).padStart(6, '0')}</MA_LK>`)
    .replace(/<MA_BN>[^<]*<\/MA_BN>/, `<MA_BN>PR${episode}</MA_BN>`)
    .replace(/<HO_TEN>[^<]*<\/HO_TEN>/, `<HO_TEN>${name}</HO_TEN>`)
    .replace(/<SO_CCCD>[^<]*<\/SO_CCCD>/, '<SO_CCCD></SO_CCCD>')
    .replace(/<NGAY_SINH>[^<]*<\/NGAY_SINH>/, `<NGAY_SINH>${born.replaceAll('-', '')}0000</NGAY_SINH>`)
    .replace(/<GIOI_TINH>[^<]*<\/GIOI_TINH>/, `<GIOI_TINH>${sex}</GIOI_TINH>`)
    .replace(/<MAXA_CU_TRU>[^<]*<\/MAXA_CU_TRU>/, `<MAXA_CU_TRU>${commune}</MAXA_CU_TRU>`)
    .replace(/<DIEN_THOAI>[^<]*<\/DIEN_THOAI>/, '<DIEN_THOAI></DIEN_THOAI>')
    .replace(/<MA_THE_BHYT>[^<]*<\/MA_THE_BHYT>/, '<MA_THE_BHYT></MA_THE_BHYT>');
  const outcomes: { outcome?: string; patientId?: string }[] = [];
  await ingestXml(ctx, envelope('68001', [hoso([['XML1', xml1]])]), { onReport: (r) => void outcomes.push(r) });
  expect(outcomes).toHaveLength(1);
  return outcomes[0]!;
}

async function patientIdOf(name: string, commune: string): Promise<string> {
  const { rows } = await t.db.pool.query<{ patient_id: string }>(
    `SELECT patient_id FROM mpi_person WHERE facts->>'fullName' = $1 AND facts->>'communeCode' = $2`,
    [name, commune],
  );
  expect(rows).toHaveLength(1);
  return rows[0]!.patient_id;
}

async function match(name: string, birthDate: string, gender: 'male' | 'female', commune: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/fhir/Patient/$match',
    headers: { 'content-type': 'application/fhir+json' },
    payload: JSON.stringify({
      resourceType: 'Parameters',
      parameter: [{ name: 'resource', resource: { resourceType: 'Patient', name: [{ text: name }], birthDate, gender, address: [{ use: 'home', extension: [{ url: Extension.addressCommune, valueCode: commune }] }] } }],
    }),
  });
  expect(res.statusCode).toBe(200);
  return (res.json() as { entry: { resource: { id: string }; search: { extension: { valueCode: string }[] } }[] }).entry.map((e) => ({ id: e.resource.id, grade: e.search.extension[0]!.valueCode }));
}

beforeAll(async () => {
  t = await createTestApp();
  ctx = { db: t.db, actor: { kind: 'system', name: 'test:population-rule' }, province: '68', asOf: '2026-07-01', populationRule: 'auto' };
  // The household lists of Mũi Né and of the former commune 24850; Hàm Thắng's is not imported.
  await importList([
    { household: 'MN1', name: 'Hoàng Thị Quỳnh Như', born: '12/04/1990', sex: 'Nữ', commune: MUI_NE },
    { household: 'MN2', name: 'Đặng Văn Khôi', born: '03/09/1975', sex: 'Nam', commune: MUI_NE },
    { household: 'MN3', name: 'Tôn Nữ Bích Trâm', born: '21/11/1982', sex: 'Nữ', commune: MUI_NE },
    { household: 'MN4', name: 'Quách Minh Triết', born: '07/02/1968', sex: 'Nam', commune: MUI_NE },
    { household: 'MN5', name: 'Lục Thị Ngọc Hân', born: '30/06/1995', sex: 'Nữ', commune: MUI_NE },
  ]);
  await importList([{ household: 'CU1', name: 'Lý Thị Hoa', born: '01/01/1960', sex: 'Nữ', commune: OLD_CODE }]);
}, 120_000);

afterAll(async () => t.close());

describe('the population rule where household lists are imported', () => {
  it('records each commune a complete household list covered, with its rows', async () => {
    const coverage = await listHouseholdCoverage(t.db.pool);
    expect(coverage.map((c) => [c.commune, c.lastRows])).toEqual([[MUI_NE, 5], [OLD_CODE_TODAY, 1]]);
  });

  it('an import cancelled midway covers no commune, even with rows already stored', async () => {
    const report = await importList([
      { household: 'HT1', name: 'Mạc Văn Tài', born: '02/03/1971', sex: 'Nam', commune: HAM_THANG },
      { household: 'HT2', name: 'Mạc Thị Lành', born: '05/06/1973', sex: 'Nữ', commune: HAM_THANG },
      { household: 'HT3', name: 'Mạc Văn Lộc', born: '08/09/1999', sex: 'Nam', commune: HAM_THANG },
    ], 2);
    expect(report.created).toBeGreaterThan(0);
    const coverage = await listHouseholdCoverage(t.db.pool);
    expect(coverage.map((c) => c.commune)).not.toContain(HAM_THANG);
  });

  it('a list not declared complete (a few households) covers no commune: the rule keeps away from it', async () => {
    const report = await importList([{ household: 'HT9', name: 'Mạc Thị Thu', born: '11/11/1980', sex: 'Nữ', commune: HAM_THANG }], undefined, false);
    expect(report.created).toBe(1);
    expect(report.communesCovered).toBe(0);
    expect((await listHouseholdCoverage(t.db.pool)).map((c) => c.commune)).toEqual([MUI_NE, OLD_CODE_TODAY]);
  });

  it('hssk identity coverage lists the covered communes by name, with the rule in force', async () => {
    const url = (t.db.pool as unknown as { options: { connectionString: string } }).options.connectionString;
    const command = identityCommands.find((c) => c.path.join(' ') === 'identity coverage')!;
    const out: string[] = [];
    const code = await command.run([], { config: loadConfig({ DATABASE_URL: url, HSSK_IDENTITY_POPULATION_RULE: 'on' }), out: (l) => out.push(l), err: () => undefined });
    expect(code).toBe(0);
    const lines = out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toEqual({ populationRule: 'on' });
    expect(lines.slice(1).map((l) => [l.commune, l.name, l.lastRows])).toEqual([[MUI_NE, 'Phường Mũi Né', 5], [OLD_CODE_TODAY, expect.any(String), 1]]);
  });

  it('hssk import households covers the communes of a file only with --complete-list', async () => {
    const url = (t.db.pool as unknown as { options: { connectionString: string } }).options.connectionString;
    const command = importHouseholdsCommand;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-population-cli-'));
    try {
      const file = path.join(dir, 'ho.csv');
      fs.writeFileSync(file, `ma_ho,ho_ten,ngay_sinh,gioi_tinh,quan_he_chu_ho,ma_xa\nPT1,Kha Văn Định,04/04/1964,Nam,Chủ hộ,${PHAN_THIET}\n`);
      const run = async (args: string[]) => {
        const out: string[] = [];
        const code = await command.run([file, ...args], { config: loadConfig({ DATABASE_URL: url }), out: (l) => out.push(l), err: () => undefined });
        return { code, out: out.join('\n') };
      };
      const partial = await run([]);
      expect(partial.code).toBe(0);
      expect(partial.out).toContain('Xã/phường đủ danh sách: 0');
      expect((await listHouseholdCoverage(t.db.pool)).map((c) => c.commune)).not.toContain(PHAN_THIET);
      const complete = await run(['--complete-list']);
      expect(complete.code).toBe(0);
      expect(complete.out).toContain('Xã/phường đủ danh sách: 1');
      expect((await listHouseholdCoverage(t.db.pool)).map((c) => c.commune)).toContain(PHAN_THIET);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hssk identity coverage --remove withdraws a commune (audited); an unknown code changes nothing', async () => {
    const url = (t.db.pool as unknown as { options: { connectionString: string } }).options.connectionString;
    const command = identityCommands.find((c) => c.path.join(' ') === 'identity coverage')!;
    const config = loadConfig({ DATABASE_URL: url });
    await expect(command.run(['--remove', `${PHAN_THIET},99999`], { config, out: () => undefined, err: () => undefined })).rejects.toThrow('99999');
    expect((await listHouseholdCoverage(t.db.pool)).map((c) => c.commune)).toContain(PHAN_THIET);
    const out: string[] = [];
    expect(await command.run(['--remove', PHAN_THIET], { config, out: (l) => out.push(l), err: () => undefined })).toBe(0);
    expect(JSON.parse(out[0]!)).toEqual({ removed: [PHAN_THIET] });
    expect((await listHouseholdCoverage(t.db.pool)).map((c) => c.commune)).not.toContain(PHAN_THIET);
    const audit = await t.db.pool.query(`SELECT reason, detail FROM audit_entry WHERE entity_type = 'HouseholdCoverage'`);
    expect(audit.rows).toEqual([{ reason: 'coverage-removed', detail: { communes: PHAN_THIET } }]);
  });

  it('XML: a namesake born the same day, in a commune whose list is not imported, waits for review', async () => {
    const r = await xmlEpisode('HOÀNG THỊ QUỲNH NHƯ', '1990-04-12', 2, HAM_THANG);
    expect(r.outcome).toBe('review');
    expect(r.patientId).not.toBe(await patientIdOf('Hoàng Thị Quỳnh Như', MUI_NE));
  });

  it('XML: the same record in a commune whose list is imported (given by its old code) links to the registered resident who moved', async () => {
    const r = await xmlEpisode('ĐẶNG VĂN KHÔI', '1975-09-03', 1, OLD_CODE);
    expect(r.outcome).not.toBe('review');
    expect(r.patientId).toBe(await patientIdOf('Đặng Văn Khôi', MUI_NE));
  });

  it('FHIR $match: the sole corroborated namesake is certain in a covered commune, probable in another', async () => {
    const registered = await patientIdOf('Tôn Nữ Bích Trâm', MUI_NE);
    expect(await match('Tôn Nữ Bích Trâm', '1982-11-21', 'female', HAM_THANG)).toEqual([{ id: registered, grade: 'probable' }]);
    expect(await match('Tôn Nữ Bích Trâm', '1982-11-21', 'female', OLD_CODE_TODAY)).toEqual([{ id: registered, grade: 'certain' }]);
  });

  it('household import: a newcomer on a covered commune\'s list is registered as a person of their own, the namesake sent to review', async () => {
    const report = await importList([{ household: 'CU2', name: 'Quách Minh Triết', born: '07/02/1968', sex: 'Nam', commune: OLD_CODE_TODAY }]);
    expect(report.review).toBe(1);
    const { rows } = await t.db.pool.query(`SELECT 1 FROM mpi_person WHERE facts->>'fullName' = 'Quách Minh Triết' AND active`);
    expect(rows).toHaveLength(2);
  });

  it('off: the same kind of record waits for review even in a covered commune', async () => {
    const r = await ingestXmlOff('LỤC THỊ NGỌC HÂN', '1995-06-30', 2, OLD_CODE_TODAY);
    expect(r.outcome).toBe('review');
  });
});

async function ingestXmlOff(name: string, born: string, sex: 1 | 2, commune: string) {
  const saved = ctx;
  ctx = { ...ctx, populationRule: 'off' };
  try {
    return await xmlEpisode(name, born, sex, commune);
  } finally {
    ctx = saved;
  }
}
