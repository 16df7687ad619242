import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/support/db.ts';
import { generateProvince } from '../../province/generator.ts';
import type { Database } from '../../store/database.ts';
import type { PipelineContext } from '../../pipeline/types.ts';
import { importHouseholds } from './import-households.ts';
import { openHouseholdSource } from './read-rows.ts';

const HEADER = 'ma_ho,ho_ten,ngay_sinh,gioi_tinh,so_cccd,ma_bhxh,so_the_bhyt,quan_he_chu_ho,dan_toc,nghe_nghiep,dia_chi,ma_xa,dien_thoai';

let db: Database;
let dir: string;
let ctx: PipelineContext;

function write(name: string, lines: string[], bom = false): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, (bom ? '\uFEFF' : '') + lines.join('\n') + '\n');
  return file;
}

const count = async (sql: string) => Number((await db.pool.query(sql)).rows[0].n);
// Every stored version: replaced ones in resource_history, current ones in resource.
const versions = () => count('SELECT (SELECT count(*) FROM resource_history) + (SELECT count(*) FROM resource WHERE method IS NOT NULL) AS n');

beforeAll(async () => {
  db = await createTestDatabase();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-hh-'));
  ctx = { db, actor: { kind: 'system', name: 'test:import' }, province: '68', asOf: '2026-07-01' };
});
afterAll(async () => {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('household import', () => {
  it('rejects bad rows with a precise reason and keeps the good ones', async () => {
    const file = write('bad.csv', [
      HEADER,
      'HO1,Nguyễn Văn An,15/03/1985,Nam,068085000123,,,Chủ hộ,Kinh,Nông dân,Thôn 1,24820,0912345678',
      'HO1,Trần Thị Bình,31/02/1987,Nữ,,,,Vợ,Kinh,Nội trợ,Thôn 1,24820,',
      'HO1,Nguyễn Văn Cường,01/01/2010,Nam,068110000999,,,Con,Kinh,Học sinh,Thôn 1,24820,',
      'HO2,Lê Văn Dũng,1970,Nam,12345,,,Chủ hộ,Kinh,,Thôn 2,99999,',
      'HO3,Phạm Thị Em,02/02/1990,Nữ,,,XX9680123456789,Chủ hộ,Kinh,,Thôn 3,24820,',
    ], true);
    const rejectedFile = path.join(dir, 'bad-rejected.csv');
    const report = await importHouseholds(ctx, openHouseholdSource(file), { rejectedFile, today: '2026-07-01' });
    expect(report.rows).toBe(5);
    expect(report.created).toBe(1);
    expect(report.rejected).toBe(4);
    const rejected = fs.readFileSync(rejectedFile, 'utf8');
    expect(rejected).toContain('không tồn tại'); // 31/02
    expect(rejected).toContain('năm sinh'); // CCCD year 2010 vs 1910/2010 century digit
    expect(rejected).toContain('99999'); // unknown commune
    expect(rejected).toContain('so_the_bhyt');
  });

  it('a generated province imports end to end, and importing it again writes nothing', async () => {
    const out = path.join(dir, 'province');
    generateProvince({ residents: 400, seed: 'hh-test', outDir: out, pairs: 0 });
    const file = path.join(out, 'households.csv');
    const patientsBefore = await count(`SELECT count(*) AS n FROM resource WHERE resource_type = 'Patient'`);
    const first = await importHouseholds(ctx, openHouseholdSource(file), { batchSize: 100, today: '2026-07-01' });
    expect(first.rows).toBe(400);
    expect(first.rejected).toBe(0);
    expect(first.created + first.review).toBe(400);
    const patients = await count(`SELECT count(*) AS n FROM resource WHERE resource_type = 'Patient'`);
    expect(patients).toBe(400 + patientsBefore);
    const groups = await count(`SELECT count(*) AS n FROM resource WHERE resource_type = 'Group'`);
    expect(groups).toBe(first.households + 1);
    const before = await versions();
    const again = await importHouseholds(ctx, openHouseholdSource(file), { batchSize: 100, today: '2026-07-01' });
    expect(again.matched).toBe(400);
    expect(again.written).toBe(0);
    expect(await versions()).toBe(before);
    // Every new resident has a resident ID and resident groups.
    const { rows } = await db.pool.query(`SELECT content FROM resource WHERE resource_type = 'Patient' LIMIT 5`);
    for (const r of rows) {
      const p = JSON.parse(r.content);
      expect(p.identifier[0].value).toMatch(/^HS68\d{9}[0-9X]$/);
      expect(p.extension.some((e: { url: string }) => e.url.endsWith('resident-group'))).toBe(true);
    }
  });
});

describe('one household, two members written alike', () => {
  it('two members with one name and birth date but different CCCDs are two records, the second held for review', async () => {
    // Seen in the generated 1,000,000-resident province: the household member code (household,
    // name, birth date) had linked the second member to the first despite their CCCDs.
    const file = write('alike.csv', [
      HEADER,
      'HOALIKE,Nguyễn Văn Song,05/05/2015,Nam,068215111111,,,Con,Kinh,Học sinh,Thôn 5,24820,',
      'HOALIKE,Nguyễn Văn Song,05/05/2015,Nam,068215222222,,,Con,Kinh,Học sinh,Thôn 5,24820,',
    ]);
    const first = await importHouseholds(ctx, openHouseholdSource(file), { today: '2026-07-01' });
    expect(first.created).toBe(1);
    expect(first.review).toBe(1);
    expect(first.updated + first.matched).toBe(0);
    const cccds = await db.pool.query<{ v: string }>(
      `SELECT i->>'value' AS v FROM resource r, jsonb_array_elements(r.content::jsonb->'identifier') i
        WHERE r.resource_type = 'Patient' AND i->>'value' IN ('068215111111', '068215222222')`,
    );
    expect(cccds.rows.map((r) => r.v).sort()).toEqual(['068215111111', '068215222222']);
    const again = await importHouseholds(ctx, openHouseholdSource(file), { today: '2026-07-01' });
    expect(again.matched).toBe(2);
    expect(again.written).toBe(0);
  });
});

describe('addresses with old commune codes, facilities, population verification', () => {
  it('an old (pre-2025) commune code resolves to today\'s commune and is kept as the old code', async () => {
    const { rows } = await db.pool.query(
      `SELECT content FROM resource WHERE resource_type = 'Patient' AND content LIKE '%address-commune-old%' LIMIT 1`,
    );
    const patient = JSON.parse(rows[0].content);
    const ext = patient.address[0].extension;
    const current = ext.find((e: { url: string }) => e.url.endsWith('/address-commune')).valueCode;
    const old = ext.find((e: { url: string }) => e.url.endsWith('/address-commune-old')).valueCode;
    expect(current).toMatch(/^\d{5}$/);
    expect(old).toMatch(/^\d{5}$/);
  });

  it('facilities import as Organization + Location, idempotently by facility code', async () => {
    const { importFacilities } = await import('../facility/import-facilities.ts');
    const file = path.join(dir, 'province', 'facilities.csv');
    const first = await importFacilities(ctx, file);
    expect(first.rejected).toEqual([]);
    expect(first.written).toBe(first.rows * 2);
    const again = await importFacilities(ctx, file);
    expect(again.written).toBe(0);
  });

  it('a population verification file marks the record "đã xác thực ngày …"', async () => {
    const { fileAdapter } = await import('../../identity/mpi/population/file-adapter.ts');
    const { verifyPopulation, verificationLabel } = await import('../../identity/mpi/population/verify-population.ts');
    const file = write('verify.csv', ['so_cccd,ho_ten,ngay_sinh,gioi_tinh,ket_qua,ngay_xac_thuc', '068085000123,Nguyễn Văn An,15/03/1985,Nam,Khớp,05/03/2026']);
    const report = await verifyPopulation(db, fileAdapter(file), { kind: 'system', name: 'test' });
    expect(report.verified).toBe(1);
    const { rows } = await db.pool.query(`SELECT content FROM resource WHERE resource_type = 'Patient' AND content LIKE '%068085000123%'`);
    expect(verificationLabel(JSON.parse(rows[0].content))).toBe('đã xác thực ngày 05/03/2026');
  });
});

describe('an updated file', () => {
  it('updates the records whose rows changed and only those', async () => {
    const rows = [
      HEADER,
      'HO9,Võ Văn Bảy,07/07/1977,Nam,068077000777,,,Chủ hộ,Kinh,Nông dân,Thôn 9,24820,0911111111',
      'HO9,Võ Thị Tám,08/08/2008,Nữ,,,,Con,Kinh,Học sinh,Thôn 9,24820,',
    ];
    const first = await importHouseholds(ctx, openHouseholdSource(write('v1.csv', rows)), { today: '2026-07-01' });
    expect(first.created).toBe(2);
    rows[1] = rows[1]!.replace('0911111111', '0922222222');
    const second = await importHouseholds(ctx, openHouseholdSource(write('v2.csv', rows)), { today: '2026-07-01' });
    expect(second.updated).toBe(1);
    expect(second.matched).toBe(1);
    const { rows: stored } = await db.pool.query(`SELECT content FROM resource WHERE resource_type = 'Patient' AND content LIKE '%068077000777%'`);
    expect(JSON.parse(stored[0].content).telecom.map((t: { value: string }) => t.value)).toContain('0922222222');
  });
});
