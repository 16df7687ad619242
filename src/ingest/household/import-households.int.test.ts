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
const versions = () => count('SELECT count(*) AS n FROM resource_history');

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
