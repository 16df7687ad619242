// Issue 4 gaps: an XML9 newborn becomes a resident like any other (MPI entry, resident ID, linked
// to the mother), and XML3 supplies and beds are stored as ChargeItems with their costs.
import type { ChargeItem, Patient, RelatedPerson } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, hoso, tablesOf } from '../../../test/fixtures/xml/build.ts';
import { createTestDatabase } from '../../../test/support/db.ts';
import { IdentifierSystem } from '../../fhir/systems.ts';
import { isValidResidentId, parseResidentId } from '../../identity/resident-id.ts';
import type { PipelineContext } from '../../pipeline/types.ts';
import type { Database } from '../../store/database.ts';
import type { ImportSummary, UnitReport } from './report.ts';
import { ingestXml } from './xml-channel.ts';

let db: Database;
let ctx: PipelineContext;
const file = envelope('68001', [hoso(tablesOf('qd130'))]);

beforeAll(async () => {
  db = await createTestDatabase();
  ctx = { db, actor: { kind: 'system', name: 'test:xml9' }, province: '68' };
}, 120_000);

afterAll(async () => {
  await db.close();
});

async function ingest(): Promise<{ summary: ImportSummary; units: UnitReport[] }> {
  const units: UnitReport[] = [];
  const summary = await ingestXml(ctx, file, { onReport: (r) => void units.push(r) });
  return { summary, units };
}

async function current<T>(type: string, ids: string[]): Promise<T[]> {
  const { rows } = await db.pool.query<{ content: string }>('SELECT content FROM resource WHERE resource_type = $1 AND id = ANY($2) AND NOT deleted ORDER BY id', [type, ids]);
  return rows.map((r) => JSON.parse(r.content) as T);
}

const idsOf = (resourceIds: string[], type: string) => resourceIds.filter((r) => r.startsWith(`${type}/`)).map((r) => r.slice(type.length + 1));

describe('XML9 newborns and XML3 ChargeItems', () => {
  let resourceIds: string[];
  let motherId: string;

  beforeAll(async () => {
    const { summary, units } = await ingest();
    expect(summary.accepted).toBe(1);
    expect(units[0]!.warnings.join()).not.toMatch(/chưa được kho/);
    resourceIds = units[0]!.resourceIds!;
    motherId = units[0]!.patientId!;
  });

  it('gives each newborn of the birth certificate its own resident record: resident ID, MPI entry, audit entry', async () => {
    const newbornIds = idsOf(resourceIds, 'Patient').filter((id) => id !== motherId);
    expect(newbornIds).toHaveLength(2); // twins
    const newborns = await current<Patient>('Patient', newbornIds);
    const residentIds = newborns.map((p) => p.identifier?.find((i) => i.system === IdentifierSystem.residentId)?.value);
    for (const rid of residentIds) expect(rid && isValidResidentId(rid) && parseResidentId(rid)?.province).toBe('68');
    expect(new Set(residentIds).size).toBe(2);
    const names = newborns.map((p) => p.name?.[0]?.text ?? [p.name?.[0]?.family, ...(p.name?.[0]?.given ?? [])].join(' '));
    expect(names.join('|')).toContain('Lê Gia An');
    const mpi = await db.pool.query<{ patient_id: string; resident_id: string }>('SELECT patient_id, resident_id FROM mpi_person WHERE patient_id = ANY($1)', [newbornIds]);
    expect(mpi.rows.map((r) => r.resident_id).sort()).toEqual([...residentIds].sort());
    const audit = await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM audit_entry WHERE patient_id = ANY($1) AND action = 'create'`, [newbornIds]);
    expect(Number(audit.rows[0]!.n)).toBe(2);
  });

  it('links each newborn to the mother: a RelatedPerson of the newborn carrying her CCCD, and a contact', async () => {
    const related = await current<RelatedPerson>('RelatedPerson', idsOf(resourceIds, 'RelatedPerson'));
    const newbornIds = idsOf(resourceIds, 'Patient').filter((id) => id !== motherId);
    const ofNewborns = related.filter((r) => newbornIds.includes(r.patient.reference!.split('/')[1]!));
    expect(ofNewborns).toHaveLength(2);
    for (const r of ofNewborns) expect(r.identifier?.some((i) => i.system === IdentifierSystem.cccd && i.value === '068188002345')).toBe(true);
    const [mother] = await current<Patient>('Patient', [motherId]);
    expect(mother!.identifier?.some((i) => i.value === '068188002345')).toBe(true);
  });

  it('keeps supplies and beds as ChargeItems in the mother\'s compartment, costs included, without the old warning', async () => {
    const ids = idsOf(resourceIds, 'ChargeItem');
    expect(ids).toHaveLength(2);
    const items = await current<ChargeItem>('ChargeItem', ids);
    expect(items.map((c) => c.code.text).sort()).toEqual(['Giường Phụ sản loại 1', 'Găng tay phẫu thuật'].sort());
    for (const c of items) {
      expect(c.subject.reference).toBe(`Patient/${motherId}`);
      expect(c.extension?.[0]?.extension?.some((e) => e.url === 'DON_GIA_BV' && typeof e.valueDecimal === 'number')).toBe(true);
    }
    const rows = await db.pool.query<{ compartment: string }>(`SELECT compartment FROM resource WHERE resource_type = 'ChargeItem' AND id = ANY($1)`, [ids]);
    expect(rows.rows.map((r) => r.compartment)).toEqual([motherId, motherId]);
    const byCode = await db.pool.query<{ n: string }>(
      `SELECT count(DISTINCT t.rid) AS n FROM search_token t JOIN resource r ON r.rid = t.rid WHERE r.resource_type = 'ChargeItem' AND r.id = ANY($1)`,
      [ids],
    );
    expect(Number(byCode.rows[0]!.n)).toBe(2);
  });

  it('a re-sent file changes nothing: same newborns, same resident IDs, no new version, no new MPI person', async () => {
    const before = await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM mpi_person`);
    const again = await ingest();
    expect(again.summary.accepted).toBe(1);
    expect(again.summary.written).toBe(0);
    expect(again.units[0]!.resourceIds!.slice().sort()).toEqual(resourceIds.slice().sort());
    const after = await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM mpi_person`);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });
});
