// The immunisation link (B10): CSV in and out, the same dose from two sources is one record,
// disagreements are listed for a person to resolve.
import type { Immunization } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentifierSystem } from '../../src/fhir/systems.ts';
import type { Database } from '../../src/store/database.ts';
import { Repository } from '../../src/store/repository.ts';
import { csvOf, doseRowsOf, type DoseRow } from '../../src/sync/immunization/csv.ts';
import { exportDoseRows, linkDoses, pendingConflicts, resolveConflict } from '../../src/sync/immunization/link.ts';
import { createTestDatabase } from '../support/db.ts';

let db: Database;
let childId: string;

async function immunizations(): Promise<Immunization[]> {
  const { rows } = await db.pool.query<{ content: string }>("SELECT content FROM resource WHERE resource_type = 'Immunization' AND NOT deleted ORDER BY id");
  return rows.map((r) => JSON.parse(r.content) as Immunization);
}

const ok = (text: string): DoseRow[] => doseRowsOf(text).flatMap((r) => (r.ok ? [r.row] : []));

beforeAll(async () => {
  db = await createTestDatabase();
  const repo = new Repository(db);
  childId = (await repo.create({
    resourceType: 'Patient',
    identifier: [{ system: IdentifierSystem.cccd, value: '068224000001' }, { system: IdentifierSystem.residentId, value: 'HS68000000017' }],
    birthDate: '2024-01-10',
  })).resource.id;
}, 60_000);
afterAll(async () => db?.close());

describe('the immunisation CSV', () => {
  it('reads quoted fields and names bad rows by line', () => {
    const rows = doseRowsOf('cccd,ma_vac_xin,ten_vac_xin,mui_so,ngay_tiem,co_so,so_lo\n068224000001,BCG,"BCG, phòng lao",1,2024-01-11,68001,L1\n123,BCG,,1,2024-01-11,,\n068224000001,OPV,,x,2024-03-01,,\n');
    expect(rows[0]).toEqual({ ok: true, row: { cccd: '068224000001', vaccineCode: 'BCG', vaccineName: 'BCG, phòng lao', doseNumber: 1, date: '2024-01-11', facility: '68001', lot: 'L1' } });
    expect(rows[1]).toMatchObject({ ok: false, line: 3 });
    expect(rows[2]).toMatchObject({ ok: false, line: 4 });
  });
});

describe('reconciling doses from two sources', () => {
  it('a new dose is created; the same dose again (or a day apart with no disagreement) is not duplicated', async () => {
    const first = await linkDoses(db, ok('cccd,ma_vac_xin,mui_so,ngay_tiem,co_so\n068224000001,BCG,1,2024-01-11,68001\n068224000001,VGB,1,2024-01-10,68001\n'), 'tiem-chung-quoc-gia');
    expect(first).toMatchObject({ created: 2 });
    // The other source knows the resident by resident ID and adds the lot number.
    const second = await linkDoses(db, ok('ma_dinh_danh,ma_vac_xin,mui_so,ngay_tiem,so_lo\nHS68000000017,BCG,1,2024-01-11,LOT-7\nHS68000000017,VGB,,2024-01-10,\n'), 'so-suc-khoe');
    expect(second).toMatchObject({ created: 0, completed: 1, same: 1 });
    const imms = await immunizations();
    expect(imms).toHaveLength(2);
    expect(imms.find((i) => i.vaccineCode?.coding?.[0]?.code === 'BCG')?.lotNumber).toBe('LOT-7');
  });

  it('a dose one day apart, or with another dose number, is a conflict listed for a person, then resolved', async () => {
    const s = await linkDoses(db, ok('cccd,ma_vac_xin,mui_so,ngay_tiem\n068224000001,BCG,1,2024-01-12\n068224000001,BCG,1,2024-01-12\n'), 'tiem-chung-quoc-gia');
    expect(s).toMatchObject({ conflict: 2, created: 0 });
    const conflicts = await pendingConflicts(db.pool);
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]!.reasons.join()).toMatch(/ngày tiêm khác/);
    expect(conflicts[0]!.patientId).toBe(childId);
    expect(await resolveConflict(db, conflicts[0]!.id, 'took-incoming', 'admin')).toBe(true);
    expect(await pendingConflicts(db.pool)).toHaveLength(0);
    const bcg = (await immunizations()).find((i) => i.vaccineCode?.coding?.[0]?.code === 'BCG')!;
    expect(bcg.occurrenceDateTime).toBe('2024-01-12');
    expect(await immunizations()).toHaveLength(2);
  });

  it('an unknown person is reported, not guessed', async () => {
    expect(await linkDoses(db, ok('cccd,ma_vac_xin,ngay_tiem\n068299999999,BCG,2024-01-11\n'), 'x')).toMatchObject({ unknownPerson: 1, created: 0 });
  });

  it('the export CSV holds every dose with the resident identifiers and reads back to the same rows', async () => {
    const rows = await exportDoseRows(db.pool);
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.cccd === '068224000001' && r.residentId === 'HS68000000017')).toBe(true);
    const again = ok(csvOf(rows));
    expect(again).toEqual(rows);
    expect(await linkDoses(db, again, 'round-trip')).toMatchObject({ same: 2, created: 0, conflict: 0 });
  });
});
