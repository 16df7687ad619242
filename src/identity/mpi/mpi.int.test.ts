import type { Observation, Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/support/db.ts';
import { Extension, IdentifierSystem } from '../../fhir/systems.ts';
import type { AdaptedRecord } from '../../ingest/adapted-record.ts';
import { ingestRecord } from '../../pipeline/ingest.ts';
import type { PipelineContext } from '../../pipeline/types.ts';
import type { Database } from '../../store/database.ts';
import { patientMatch } from './match-operation.ts';
import { mergePatients, unmergePatients } from './merge.ts';
import { decideReview, listReviews } from './review-queue.ts';

let db: Database;
let ctx: PipelineContext;
let seq = 0;

function person(name: string, birthDate: string, gender: 'male' | 'female', opts: { cccd?: string; commune?: string; phone?: string } = {}): Patient {
  return {
    resourceType: 'Patient',
    name: [{ use: 'official', text: name }],
    birthDate,
    gender,
    ...(opts.cccd ? { identifier: [{ system: IdentifierSystem.cccd, value: opts.cccd }] } : {}),
    ...(opts.phone ? { telecom: [{ system: 'phone', value: opts.phone }] } : {}),
    address: [{ use: 'home', extension: [{ url: Extension.addressCommune, valueCode: opts.commune ?? '24820' }] }],
  };
}

function record(patient: Patient, entries: AdaptedRecord['entries'] = []): AdaptedRecord {
  return { key: `test/${++seq}`, patient, patientFullUrl: 'urn:uuid:p', entries, excluded: {}, warnings: [] };
}

function observation(value: string, note = 'Huyết áp'): AdaptedRecord['entries'][number] {
  const obs: Observation = {
    resourceType: 'Observation',
    identifier: [{ system: 'http://fhir.hssk.vn/sid/test-obs', value }],
    status: 'final',
    code: { text: note },
    subject: { reference: 'urn:uuid:p' },
    valueString: '120/80',
  };
  return { fullUrl: `urn:uuid:o-${value}`, resource: obs };
}

const content = async (type: string, id: string) => {
  const { rows } = await db.pool.query('SELECT content FROM resource WHERE resource_type = $1 AND id = $2', [type, id]);
  const { meta: _m, ...rest } = JSON.parse(rows[0].content);
  return rest;
};

/** A person's keys in mpi_block and on its row (block_keys, by which they are removed): the same, both ways. */
const blockKeys = async (patientId: string) => {
  const { rows } = await db.pool.query<{ stored: string[]; held: string[] }>(
    `SELECT ARRAY(SELECT k.key::text FROM unnest(p.block_keys) AS k(key) ORDER BY k.key) AS stored,
            ARRAY(SELECT b.key::text FROM mpi_block b WHERE b.patient_id = p.patient_id ORDER BY b.key) AS held
       FROM mpi_person p WHERE p.patient_id = $1`,
    [patientId],
  );
  expect(rows[0]!.held).toEqual(rows[0]!.stored);
  return rows[0]!.held;
};

beforeAll(async () => {
  db = await createTestDatabase();
  ctx = { db, actor: { kind: 'system', name: 'test' }, province: '68', asOf: '2026-07-01' };
});
afterAll(async () => db.close());

describe('one person, one record', () => {
  it('the same CCCD links to the existing resident and adds what is new', async () => {
    const a = await ingestRecord(ctx, record(person('Nguyễn Văn An', '1985-03-15', 'male', { cccd: '068085000123' })), { channel: 'test' });
    expect(a.outcome).toBe('created');
    const b = await ingestRecord(ctx, record(person('Nguyen Van An', '1985-03-15', 'male', { cccd: '068085000123', phone: '0912345678' })), { channel: 'test' });
    expect(b.outcome).toBe('updated');
    expect(b.patientId).toBe(a.patientId);
    const stored = await content('Patient', a.patientId!);
    expect(stored.name[0].text).toBe('Nguyễn Văn An');
    expect(stored.telecom[0].value).toBe('0912345678');
  });

  it('a typo in the given name with the same birth date, sex, commune and phone links or goes to review, never silently duplicates', async () => {
    const a = await ingestRecord(ctx, record(person('Trần Thị Hoa', '1990-06-02', 'female', { phone: '0987654321' })), { channel: 'test' });
    const b = await ingestRecord(ctx, record(person('Trần Thị Hao', '1990-06-02', 'female', { phone: '0987654321' })), { channel: 'test' });
    expect(['updated', 'matched', 'review']).toContain(b.outcome);
    if (b.outcome === 'review') expect(b.reviewCandidates).toContain(a.patientId);
    else expect(b.patientId).toBe(a.patientId);
  });

  it('twins (same family name, birth date, commune; different given names) stay two records', async () => {
    const a = await ingestRecord(ctx, record(person('Lê Văn Minh', '2012-09-09', 'male')), { channel: 'test' });
    const b = await ingestRecord(ctx, record(person('Lê Văn Phúc', '2012-09-09', 'male')), { channel: 'test' });
    expect(b.outcome).toBe('created');
    expect(b.patientId).not.toBe(a.patientId);
  });

  it('an uncertain match creates the record and a review item; "keep separate" closes it', async () => {
    const a = await ingestRecord(ctx, record(person('Phạm Văn Tùng', '1960', 'male')), { channel: 'test' });
    const b = await ingestRecord(ctx, record(person('Phạm Văn Tùng', '1960', 'male')), { channel: 'test' });
    expect(b.outcome).toBe('review');
    expect(b.patientId).not.toBe(a.patientId);
    const items = await listReviews(db.pool, { withRecords: true });
    const item = items.find((i) => i.patientId === b.patientId)!;
    expect(item.candidateId).toBe(a.patientId);
    expect(item.candidate?.name?.[0]?.text).toBe('Phạm Văn Tùng');
    await decideReview(db, item.id, 'separate', { kind: 'system', name: 'reviewer' });
    expect((await listReviews(db.pool)).some((i) => i.id === item.id)).toBe(false);
  });

  it('a review decided "same person" merges, and unmerge restores every resource exactly', async () => {
    const a = await ingestRecord(ctx, record(person('Đỗ Thị Lan', '1975', 'female'), [observation('lan-1')]), { channel: 'test' });
    const b = await ingestRecord(ctx, record(person('Đỗ Thị Lan', '1975', 'female', { phone: '0933333333' }), [observation('lan-2')]), { channel: 'test' });
    expect(b.outcome).toBe('review');
    const obsB = b.resourceIds.find((r) => r.startsWith('Observation/'))!.split('/')[1]!;
    const before = { a: await content('Patient', a.patientId!), b: await content('Patient', b.patientId!), obs: await content('Observation', obsB) };
    const keysBefore = { a: await blockKeys(a.patientId!), b: await blockKeys(b.patientId!) };
    const item = (await listReviews(db.pool)).find((i) => i.patientId === b.patientId)!;
    const decided = await decideReview(db, item.id, 'link', { kind: 'system', name: 'reviewer' });
    expect(decided.status).toBe('linked');
    const merged = { a: await content('Patient', a.patientId!), b: await content('Patient', b.patientId!), obs: await content('Observation', obsB) };
    expect(merged.obs.subject.reference).toBe(`Patient/${a.patientId}`);
    expect(merged.b.active).toBe(false);
    expect(merged.b.link[0]).toEqual({ other: { reference: `Patient/${a.patientId}` }, type: 'replaced-by' });
    expect(merged.a.link[0].type).toBe('replaces');
    // The source's keys lead to the survivor too.
    expect(await blockKeys(a.patientId!)).toEqual(expect.arrayContaining([...keysBefore.a, ...keysBefore.b]));
    // Every identifier of the source is kept on the survivor (its resident ID as an old one).
    const residentB = before.b.identifier.find((i: { system: string }) => i.system === IdentifierSystem.residentId).value;
    expect(merged.a.identifier.some((i: { value: string; use?: string }) => i.value === residentB && i.use === 'old')).toBe(true);
    // A later record of the merged person lands on the survivor.
    const c = await ingestRecord(ctx, record(person('Đỗ Thị Lan', '1975', 'female', { phone: '0933333333' })), { channel: 'test' });
    expect(c.patientId).toBe(a.patientId);

    await unmergePatients(db, decided.linkId!, { kind: 'system', name: 'reviewer' });
    const restored = { a: await content('Patient', a.patientId!), b: await content('Patient', b.patientId!), obs: await content('Observation', obsB) };
    expect(restored).toEqual(before);
    expect({ a: await blockKeys(a.patientId!), b: await blockKeys(b.patientId!) }).toEqual(keysBefore);
  });

  it('a merge refuses a record merged already', async () => {
    const a = await ingestRecord(ctx, record(person('Hồ Văn Sơn', '1950', 'male')), { channel: 'test' });
    const b = await ingestRecord(ctx, record(person('Vũ Văn Hải', '1951', 'male')), { channel: 'test' });
    const c = await ingestRecord(ctx, record(person('Vũ Văn Hà', '1952', 'male')), { channel: 'test' });
    await mergePatients(db, b.patientId!, a.patientId!, { kind: 'system', name: 'reviewer' });
    await expect(mergePatients(db, b.patientId!, c.patientId!, { kind: 'system', name: 'reviewer' })).rejects.toThrow(/đã được gộp/);
  });

  it('a re-sent record with the same identifiers updates, never duplicates, and what it no longer has is deleted', async () => {
    const first = record(person('Bùi Văn Nam', '1982-01-20', 'male', { cccd: '068082000456' }), [observation('ep-1/1'), observation('ep-1/2')]);
    first.replaces = { system: 'http://fhir.hssk.vn/sid/test-obs', valuePrefix: 'ep-1' };
    const r1 = await ingestRecord(ctx, first, { channel: "test" });
    expect(r1.written).toBe(3);
    const again = await ingestRecord(ctx, { ...first, key: 'again' }, { channel: 'test' });
    expect(again.written).toBe(0);
    // A phone number added later adds its key, and the person's other keys stay.
    const keysBefore = await blockKeys(r1.patientId!);
    const withPhone = record(person('Bùi Văn Nam', '1982-01-20', 'male', { cccd: '068082000456', phone: '0944444444' }));
    expect((await ingestRecord(ctx, withPhone, { channel: 'test' })).patientId).toBe(r1.patientId);
    const keysAfter = await blockKeys(r1.patientId!);
    expect(keysAfter).toEqual(expect.arrayContaining(keysBefore));
    expect(keysAfter.length).toBe(keysBefore.length + 1);
    const second = { ...record(first.patient, [observation('ep-1/1', 'Huyết áp lần 2')]), replaces: first.replaces };
    const r2 = await ingestRecord(ctx, second, { channel: 'test' });
    expect(r2.deleted).toBe(1);
    expect(r2.resourceIds[1]).toBe(r1.resourceIds[1]);
  });

  it('B8: an excluded entry is dropped and counted, never stored', async () => {
    const r = await ingestRecord(ctx, record(person('Ngô Văn Tư', '1979-05-05', 'male'), [observation('b8-1', 'Xét nghiệm HIV dương tính')]), { channel: 'test' });
    expect(r.excluded['hiv']).toBe(1);
    expect(r.resourceIds.some((id) => id.startsWith('Observation/'))).toBe(false);
  });

  it('a record failing validation is rejected with the field named', async () => {
    const bad = person('Mai Văn Sáu', '1980-13-40', 'male');
    const r = await ingestRecord(ctx, record(bad), { channel: 'test' });
    expect(r.outcome).toBe('rejected');
    expect(r.reasons?.[0]?.field).toMatch(/Patient/);
  });

  it('Patient/$match returns scored candidates with the match grade', async () => {
    const bundle = await patientMatch(db.pool, { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: person('Nguyễn Văn An', '1985-03-15', 'male', { cccd: '068085000123' }) }] }, 'http://x/fhir');
    expect(bundle.entry?.[0]?.search?.extension?.[0]?.valueCode).toBe('certain');
    expect(bundle.entry?.[0]?.search?.score).toBeGreaterThan(0.9);
    await expect(patientMatch(db.pool, { resourceType: 'Patient' }, 'http://x/fhir')).rejects.toThrow();
  });
});
