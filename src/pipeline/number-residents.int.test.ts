// Records written without a resident ID (before every channel numbered its new persons) are
// numbered afterwards: a valid number each from the sequence, searchable, in the patient index,
// audited, the writing facility kept; deleted and merged-away records are left alone; a second
// run changes nothing.
import type { Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentifierSystem } from '../fhir/systems.ts';
import { isValidResidentId } from '../identity/resident-id.ts';
import type { Database } from '../store/database.ts';
import { Repository } from '../store/repository.ts';
import { parseSearch } from '../store/search/parse.ts';
import { createTestDatabase } from '../../test/support/db.ts';
import { ingestRecord } from './ingest.ts';
import { numberUnnumberedResidents } from './number-residents.ts';

const ctx = (db: Database) => ({ db, actor: { kind: 'system' as const, name: 'test' }, province: '68' });
const residentIds = (p: Patient) => (p.identifier ?? []).filter((i) => i.system === IdentifierSystem.residentId).map((i) => i.value);

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.close());

async function current(id: string): Promise<{ patient: Patient; version: number; facility: string | null }> {
  const { rows } = await db.pool.query<{ content: string; version_id: number; source_facility: string | null }>(
    `SELECT content, version_id, source_facility FROM resource WHERE resource_type = 'Patient' AND id = $1`,
    [id],
  );
  return { patient: rows[0]!.content ? (JSON.parse(rows[0]!.content) as Patient) : ({} as Patient), version: rows[0]!.version_id, facility: rows[0]!.source_facility };
}

describe('numbering the records that have no resident ID', () => {
  it('numbers each current record once, and leaves deleted, merged-away and numbered ones alone', async () => {
    const repo = new Repository(db);
    const plain = (await repo.create({ resourceType: 'Patient', name: [{ text: 'Đặng Văn Một' }], birthDate: '1970-01-01', gender: 'male' }, { sourceFacility: 'F1' })).resource.id;
    const withCccd = (await repo.create({
      resourceType: 'Patient',
      name: [{ text: 'Đặng Thị Hai' }],
      birthDate: '1972-02-02',
      gender: 'female',
      identifier: [{ system: IdentifierSystem.cccd, value: '068172000222' }],
    })).resource.id;
    const deleted = (await repo.create({ resourceType: 'Patient', name: [{ text: 'Đặng Văn Ba' }] })).resource.id;
    await repo.delete('Patient', deleted);
    const merged = (await repo.create({
      resourceType: 'Patient',
      active: false,
      name: [{ text: 'Đặng Văn Bốn' }],
      link: [{ type: 'replaced-by', other: { reference: `Patient/${plain}` } }],
    })).resource.id;
    const registered = await ingestRecord(
      ctx(db),
      { key: 'nam', patient: { resourceType: 'Patient', name: [{ text: 'Đặng Thị Năm' }], birthDate: '1975-05-05', gender: 'female' }, patientFullUrl: 'urn:uuid:nam', entries: [], excluded: {}, warnings: [] },
      { channel: 'test' },
    );
    const before = await current(registered.patientId!);

    const report = await numberUnnumberedResidents(ctx(db), { batch: 1 });
    expect(report).toEqual({ numbered: 2, skipped: 0 });

    const numbers: string[] = [];
    for (const id of [plain, withCccd]) {
      const { patient, version } = await current(id);
      expect(version).toBe(2);
      const [value, ...more] = residentIds(patient);
      expect(more).toEqual([]);
      expect(isValidResidentId(value!)).toBe(true);
      numbers.push(value!);
      const { rows } = await db.pool.query('SELECT resident_id FROM mpi_person WHERE patient_id = $1', [id]);
      expect(rows[0]?.resident_id).toBe(value);
      const audit = await db.pool.query(`SELECT 1 FROM audit_entry WHERE patient_id = $1 AND action = 'update' AND reason = 'resident-id'`, [id]);
      expect(audit.rows.length).toBe(1);
      const found = await repo.search(parseSearch('Patient', { identifier: [`${IdentifierSystem.residentId}|${value}`] }));
      expect(found.matches.map((m) => m.id)).toEqual([id]);
    }
    expect(new Set([...numbers, residentIds(before.patient)[0]]).size).toBe(3);
    expect((await current(plain)).facility).toBe('F1');
    expect((await current(withCccd)).patient.identifier?.map((i) => i.system)).toEqual([IdentifierSystem.residentId, IdentifierSystem.cccd]);
    expect((await current(merged)).version).toBe(1);
    expect((await current(deleted)).version).toBe(2);
    expect((await current(registered.patientId!)).version).toBe(before.version);

    expect(await numberUnnumberedResidents(ctx(db))).toEqual({ numbered: 0, skipped: 0 });
  });
});

describe('hssk identity number-residents', () => {
  it('refuses to run on the national hub, which keeps the provinces\' numbers', async () => {
    const { identityCommands } = await import('../cli/commands/identity.ts');
    const { loadConfig } = await import('../config/config.ts');
    const { UsageError } = await import('../cli/command.ts');
    const command = identityCommands.find((c) => c.path.join(' ') === 'identity number-residents')!;
    const lines: string[] = [];
    await expect(command.run([], { config: loadConfig({ HSSK_MODE: 'hub' }), out: (l) => lines.push(l), err: () => undefined })).rejects.toBeInstanceOf(UsageError);
    expect(lines).toEqual([]);
  });
});
