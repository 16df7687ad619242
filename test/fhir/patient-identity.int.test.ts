// FHIR REST Patient writes go through the identity matcher (MISSION B4): a create of someone who
// has a record makes no second one, an uncertain one is created and queued for review, a
// transaction that would duplicate someone fails whole, an update that takes another resident's
// CCCD is queued — and a clinician without consent learns no more than the record's id, and
// only when they sent the person's national identifier and name.
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/auth/actor.ts';
import { Extension, IdentifierSystem } from '../../src/fhir/systems.ts';
import { callerFor } from '../../src/http/fhir-caller.ts';
import { ingestRecord } from '../../src/pipeline/ingest.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

const COMMUNE = '22918';
const ACTORS: Record<string, Actor> = {
  system: { kind: 'client', clientId: 'c-all', scopes: ['system/*.read', 'system/*.write'] },
  doctor: { kind: 'staff', userId: 'u-doc', username: 'bs', role: 'clinician', facilityCode: 'F1' },
  his: { kind: 'client', clientId: 'c-f1', facilityCode: 'F1', scopes: ['system/*.read', 'system/*.write'] },
};

let t: TestApp;
const ids: Record<string, string> = {};

const headers = (actor: string, extra: Record<string, string> = {}) => ({ 'x-test-actor': actor, 'content-type': 'application/fhir+json', ...extra });

interface Person {
  name: string;
  birthDate: string;
  gender: 'male' | 'female';
  cccd?: string;
  phone?: string;
}

const KHAI: Person = { name: 'Trần Văn Khải', birthDate: '1970-02-03', gender: 'male', cccd: '068070000111', phone: '0912000111' };
const MAI: Person = { name: 'Lê Thị Mai', birthDate: '1980-01-01', gender: 'female', cccd: '068180000001', phone: '0912000222' };
/** Registered without any identifier: only demographics can find her. */
const HANG: Person = { name: 'Hoàng Thị Thúy Hằng', birthDate: '1990-04-12', gender: 'female', phone: '0912000333' };
// One resident per scenario, so that the records a scenario creates are no candidates of another.
const LAN: Person = { name: 'Phan Thị Lan', birthDate: '1975-09-30', gender: 'female', cccd: '068175000003', phone: '0912000444' };
const BINH: Person = { name: 'Võ Văn Bình', birthDate: '1962-03-04', gender: 'male', cccd: '068062000444' };
const TUAN: Person = { name: 'Lý Minh Tuấn', birthDate: '1988-08-08', gender: 'male', cccd: '068088000555' };
const QUANG: Person = { name: 'Đỗ Văn Quang', birthDate: '1979-07-07', gender: 'male', cccd: '068079000666', phone: '0912000666' };
const SON: Person = { name: 'Hà Văn Sơn', birthDate: '1983-03-13', gender: 'male', cccd: '068083000777', phone: '0912000777' };
const CUC: Person = { name: 'Nguyễn Thị Cúc', birthDate: '1968-06-16', gender: 'female', cccd: '068168000888', phone: '0912000888' };
/** The registry's address; what callers send says another street of the same commune. */
const REGISTERED_STREET = 'Thôn 2';

function patientOf(p: Person, extra: Partial<Patient> = {}, street = 'Số 5 Hùng Vương'): Patient {
  return {
    resourceType: 'Patient',
    name: [{ text: p.name }],
    birthDate: p.birthDate,
    gender: p.gender,
    ...(p.cccd ? { identifier: [{ system: IdentifierSystem.cccd, value: p.cccd }] } : {}),
    ...(p.phone ? { telecom: [{ system: 'phone', value: p.phone, use: 'mobile' }] } : {}),
    address: [{ text: `${street}, xã ${COMMUNE}`, extension: [{ url: Extension.addressCommune, valueCode: COMMUNE }] }],
    ...extra,
  };
}

/** The resident ID the registry gave each registered person. */
const registeredResidentIds = new Map<Person, string>();

async function register(key: string, p: Person): Promise<string> {
  const result = await ingestRecord(
    { db: t.db, actor: { kind: 'system', name: 'test' }, province: '68' },
    { key, patient: patientOf(p, {}, REGISTERED_STREET), patientFullUrl: `urn:uuid:${key}`, entries: [], excluded: {}, warnings: [] },
    { channel: 'test' },
  );
  const { rows } = await t.db.pool.query<{ resident_id: string }>('SELECT resident_id FROM mpi_person WHERE patient_id = $1', [result.patientId]);
  registeredResidentIds.set(p, rows[0]!.resident_id);
  return result.patientId!;
}

async function patientCount(): Promise<number> {
  const { rows } = await t.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM resource WHERE resource_type = 'Patient' AND NOT deleted`);
  return rows[0]!.n;
}

async function pendingPairs(patientId: string): Promise<{ candidate_id: string; reasons: string[] }[]> {
  const { rows } = await t.db.pool.query<{ candidate_id: string; reasons: string[] }>(
    `SELECT candidate_id, reasons FROM identity_review WHERE status = 'pending' AND patient_id = $1`,
    [patientId],
  );
  return rows;
}

const post = (actor: string, body: unknown, extra: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/fhir/Patient', headers: headers(actor, extra), payload: JSON.stringify(body) });
const transaction = (actor: string, entry: unknown[], type: 'transaction' | 'batch' = 'transaction') =>
  t.app.inject({ method: 'POST', url: '/fhir', headers: headers(actor), payload: JSON.stringify({ resourceType: 'Bundle', type, entry }) });

/** Nothing the caller did not send about the resident: no birth date, phone, address or other identifier. */
function expectNothingOf(p: Person, body: string): void {
  expect(body).not.toContain(p.birthDate);
  if (p.phone) expect(body).not.toContain(p.phone);
  expect(body).not.toContain(REGISTERED_STREET);
  // A record created for the caller has a resident ID of its own, never the registered one's.
  expect(body).not.toContain(registeredResidentIds.get(p)!);
}

beforeAll(async () => {
  t = await createTestApp({ resolveCaller: async (req) => callerFor(ACTORS[String(req.headers['x-test-actor'])]!) });
  ids.khai = await register('khai', KHAI);
  ids.mai = await register('mai', MAI);
  ids.hang = await register('hang', HANG);
  for (const [key, p] of Object.entries({ lan: LAN, binh: BINH, tuan: TUAN, quang: QUANG, son: SON, cuc: CUC })) ids[key] = await register(key, p);
  // The doctor holds a consent for Mai only.
  await t.db.pool.query(
    `INSERT INTO consent_grant (id, patient_id, grantee_user_id, starts, expires, kind, method)
     VALUES ('g-mai', $1, 'u-doc', now() - interval '1 hour', now() + interval '1 day', 'consent', 'otp')`,
    [ids.mai],
  );
});
afterAll(async () => t.close());

describe('POST /fhir/Patient', () => {
  it('links a caller who may read the record to it: 200 with the existing Patient, nothing created', async () => {
    const before = await patientCount();
    const res = await post('system', patientOf(KHAI));
    expect(res.statusCode).toBe(200);
    expect(res.json().id).toBe(ids.khai);
    expect(res.headers['content-location']).toMatch(new RegExp(`/Patient/${ids.khai}/_history/1$`));
    expect(await patientCount()).toBe(before);

    // A consented clinician reads it too; minimal asks for nothing but the headers.
    const consented = await post('doctor', patientOf(MAI));
    expect(consented.statusCode).toBe(200);
    expect(consented.json().id).toBe(ids.mai);
    const minimal = await post('system', patientOf(KHAI), { prefer: 'return=minimal' });
    expect(minimal.statusCode).toBe(200);
    expect(minimal.body).toBe('');
  });

  it('a clinician without consent who sends the CCCD and name gets the id only, never the content', async () => {
    const before = await patientCount();
    const res = await post('doctor', { ...patientOf({ ...KHAI, phone: undefined }), address: undefined });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-location']).toMatch(new RegExp(`/Patient/${ids.khai}$`));
    expect(res.json().resourceType).toBe('OperationOutcome');
    expect(res.json().issue[0].code).toBe('duplicate');
    expectNothingOf(KHAI, res.body);
    expect(await patientCount()).toBe(before);
    // The id opens nothing: the record stays behind the consent rule.
    expect((await t.app.inject({ method: 'GET', url: `/fhir/Patient/${ids.khai}`, headers: headers('doctor') })).statusCode).toBe(404);
    // The match is in the resident's access trail.
    const { rows } = await t.db.pool.query(`SELECT 1 FROM audit_entry WHERE patient_id = $1 AND agent_id = 'u-doc' AND query = 'identity-match'`, [ids.khai]);
    expect(rows.length).toBe(1);
  });

  it('a match on demographics alone is not told to a caller who may not read it: created and queued for review', async () => {
    // A caller who may read her record is linked to it.
    const system = await post('system', patientOf({ ...HANG, phone: undefined }));
    expect(system.statusCode).toBe(200);
    expect(system.json().id).toBe(ids.hang);

    const res = await post('doctor', patientOf({ ...HANG, phone: undefined }));
    expect(res.statusCode).toBe(201);
    const created = res.json() as Patient;
    expect(created.id).not.toBe(ids.hang);
    expectNothingOf(HANG, JSON.stringify({ ...created, birthDate: undefined }));
    const pairs = await pendingPairs(created.id!);
    expect(pairs.map((p) => p.candidate_id)).toEqual([ids.hang]);
    expect(pairs[0]!.reasons.join(' ')).toContain('không có quyền xem');
  });

  it('an uncertain match is created and queued; a new person is created alone', async () => {
    // Bình's CCCD with another given name and only a year: a relative's number, for a person to decide.
    const res = await post('system', patientOf({ ...BINH, name: 'Võ Văn Lộc', birthDate: '1962' }));
    expect(res.statusCode).toBe(201);
    expect((await pendingPairs(res.json().id)).map((p) => p.candidate_id)).toEqual([ids.binh]);

    const fresh = await post('system', patientOf({ name: 'Đặng Quốc Vinh', birthDate: '2001-07-09', gender: 'male', cccd: '068201000909' }));
    expect(fresh.statusCode).toBe(201);
    expect(await pendingPairs(fresh.json().id)).toEqual([]);
    // Its MPI row is written with it: the same person again is linked.
    const again = await post('system', patientOf({ name: 'Đặng Quốc Vinh', birthDate: '2001-07-09', gender: 'male', cccd: '068201000909' }));
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(fresh.json().id);
  });

  it('concurrent creates of one new person (one group commit) make one record', async () => {
    const before = await patientCount();
    const same = patientOf({ name: 'Châu Ngọc Diệp', birthDate: '1993-11-21', gender: 'female', cccd: '068193001121' });
    const answers = await Promise.all(Array.from({ length: 6 }, () => post('system', same)));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.json().id)).size).toBe(1);
    expect(await patientCount()).toBe(before + 1);
  });

  it('If-None-Exist finds only what the caller may read; otherwise the matcher decides, without the content', async () => {
    const condition = `identifier=${IdentifierSystem.cccd}|${LAN.cccd}`;
    const system = await post('system', patientOf(LAN), { 'if-none-exist': condition });
    expect(system.statusCode).toBe(200);
    expect(system.json().id).toBe(ids.lan);

    // Before, the condition answered the resident's stored Patient to anyone who asked.
    const doctor = await post('doctor', { resourceType: 'Patient', name: [{ text: LAN.name }], gender: 'female', identifier: [{ system: IdentifierSystem.cccd, value: LAN.cccd }] }, { 'if-none-exist': condition });
    expect(doctor.statusCode).toBe(200);
    expect(doctor.json().resourceType).toBe('OperationOutcome');
    expectNothingOf(LAN, doctor.body);

    // A bare number with a name that is not his: nothing told, a new record and a review pair.
    const probe = await post('doctor', { resourceType: 'Patient', name: [{ text: 'Ngô Thị Bé' }], gender: 'female', identifier: [{ system: IdentifierSystem.cccd, value: LAN.cccd }] }, { 'if-none-exist': condition });
    expect(probe.statusCode).toBe(201);
    expect(probe.json().name[0].text).toBe('Ngô Thị Bé');
    expect((await pendingPairs(probe.json().id)).map((p) => p.candidate_id)).toEqual([ids.lan]);
  });
});

describe('PUT /fhir/Patient (update-as-create) and identifier changes', () => {
  it('refuses to create, with the client\'s id, a record for someone who has one', async () => {
    const before = await patientCount();
    const res = await t.app.inject({ method: 'PUT', url: '/fhir/Patient/his-khai', headers: headers('system'), payload: JSON.stringify({ ...patientOf(KHAI), id: 'his-khai' }) });
    expect(res.statusCode).toBe(409);
    expect(res.json().issue[0].code).toBe('duplicate');
    expect(res.json().issue[0].details.text).toContain(`Patient/${ids.khai}`);
    expect(await patientCount()).toBe(before);
    const conditional = await t.app.inject({
      method: 'PUT',
      url: `/fhir/Patient?identifier=${encodeURIComponent('http://his.f1/mrn|K-1')}`,
      headers: headers('his'),
      payload: JSON.stringify(patientOf(KHAI, { identifier: [{ system: 'http://his.f1/mrn', value: 'K-1' }, { system: IdentifierSystem.cccd, value: KHAI.cccd! }] })),
    });
    expect(conditional.statusCode).toBe(409);
    expect(await patientCount()).toBe(before);
  });

  it('an update that takes another resident\'s CCCD is written and queued for review, nothing said to the caller', async () => {
    const created = await post('his', patientOf({ name: 'Bùi Văn Tư', birthDate: '1985-05-05', gender: 'male' }));
    expect(created.statusCode).toBe(201);
    const mine = created.json() as Patient;
    const res = await t.app.inject({
      method: 'PUT',
      url: `/fhir/Patient/${mine.id}`,
      headers: headers('his'),
      payload: JSON.stringify({ ...mine, identifier: [{ system: IdentifierSystem.cccd, value: QUANG.cccd }] }),
    });
    expect(res.statusCode).toBe(200);
    expectNothingOf(QUANG, res.body);
    expect((await pendingPairs(mine.id!)).map((p) => p.candidate_id)).toEqual([ids.quang]);
    // A PATCH likewise.
    const other = (await post('his', patientOf({ name: 'Bùi Văn Năm', birthDate: '1986-06-06', gender: 'male' }))).json() as Patient;
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/fhir/Patient/${other.id}`,
      headers: { ...headers('his'), 'content-type': 'application/json-patch+json' },
      payload: JSON.stringify([{ op: 'add', path: '/identifier', value: [{ system: IdentifierSystem.cccd, value: SON.cccd }] }]),
    });
    expect(patched.statusCode).toBe(200);
    expectNothingOf(SON, patched.body);
    expect((await pendingPairs(other.id!)).map((p) => p.candidate_id)).toEqual([ids.son]);
  });
});

describe('transaction and batch Bundles', () => {
  const observation = (subject: string) => ({
    resource: { resourceType: 'Observation', status: 'final', code: { text: 'Mạch' }, subject: { reference: subject }, valueQuantity: { value: 80, unit: '/min' } },
    request: { method: 'POST', url: 'Observation' },
  });

  it('a Patient entry of someone registered resolves to their record, and the entries referencing it follow', async () => {
    const before = await patientCount();
    const res = await transaction('his', [
      { fullUrl: 'urn:uuid:11111111-1111-4111-8111-111111111111', resource: patientOf(KHAI), request: { method: 'POST', url: 'Patient' } },
      observation('urn:uuid:11111111-1111-4111-8111-111111111111'),
    ]);
    expect(res.statusCode).toBe(200);
    const bundle = res.json() as Bundle;
    expect(bundle.entry![0]!.response!.status).toBe('200 OK');
    expect(bundle.entry![0]!.response!.location).toMatch(new RegExp(`/Patient/${ids.khai}$`));
    expect(bundle.entry![0]!.resource).toBeUndefined();
    expect(bundle.entry![0]!.response!.outcome?.issue?.[0]?.code).toBe('duplicate');
    expectNothingOf(KHAI, res.body);
    expect((bundle.entry![1]!.resource as { subject: { reference: string } }).subject.reference).toBe(`Patient/${ids.khai}`);
    expect(await patientCount()).toBe(before);
  });

  it('an uncertain Patient entry is created and queued; two entries that are one person fail the whole transaction', async () => {
    const res = await transaction('system', [
      { fullUrl: 'urn:uuid:22222222-2222-4222-8222-222222222222', resource: patientOf({ ...TUAN, name: 'Lý Minh Lâm', birthDate: '1988' }), request: { method: 'POST', url: 'Patient' } },
      observation('urn:uuid:22222222-2222-4222-8222-222222222222'),
    ]);
    expect(res.statusCode).toBe(200);
    const created = (res.json() as Bundle).entry![0]!;
    expect(created.response!.status).toBe('201 Created');
    expect((await pendingPairs((created.resource as Patient).id!)).map((p) => p.candidate_id)).toEqual([ids.tuan]);

    const before = await patientCount();
    const twice = patientOf({ name: 'Mạc Thị Xuân', birthDate: '1999-09-09', gender: 'female', cccd: '068199000999' });
    const dup = await transaction('system', [
      { fullUrl: 'urn:uuid:33333333-3333-4333-8333-333333333333', resource: twice, request: { method: 'POST', url: 'Patient' } },
      { resource: twice, request: { method: 'POST', url: 'Patient' } },
      observation('urn:uuid:33333333-3333-4333-8333-333333333333'),
    ]);
    expect(dup.statusCode).toBe(409);
    expect(dup.json().issue[0].code).toBe('duplicate');
    expect(await patientCount()).toBe(before);
  });

  it('a conditional create entry finds only what the caller may read, then the matcher decides', async () => {
    const ifNoneExist = `Patient?identifier=${encodeURIComponent(`${IdentifierSystem.cccd}|${CUC.cccd}`)}`;
    const entry = (urn: string) => ({ fullUrl: urn, resource: patientOf(CUC), request: { method: 'POST', url: 'Patient', ifNoneExist } });
    const system = await transaction('system', [entry('urn:uuid:55555555-5555-4555-8555-555555555555'), observation('urn:uuid:55555555-5555-4555-8555-555555555555')]);
    expect(system.statusCode).toBe(200);
    const found = (system.json() as Bundle).entry!;
    expect((found[0]!.resource as Patient).id).toBe(ids.cuc);
    expect((found[1]!.resource as { subject: { reference: string } }).subject.reference).toBe(`Patient/${ids.cuc}`);

    const before = await patientCount();
    const doctor = await transaction('doctor', [entry('urn:uuid:66666666-6666-4666-8666-666666666666'), observation('urn:uuid:66666666-6666-4666-8666-666666666666')]);
    expect(doctor.statusCode).toBe(200);
    const matched = (doctor.json() as Bundle).entry!;
    expect(matched[0]!.resource).toBeUndefined();
    expect(matched[0]!.response!.location).toMatch(new RegExp(`/Patient/${ids.cuc}$`));
    expectNothingOf(CUC, doctor.body);
    expect(await patientCount()).toBe(before);
  });

  it('a refused entry (update-as-create of a registered person) rolls the transaction back', async () => {
    const { rows: obsBefore } = await t.db.pool.query(`SELECT count(*)::int AS n FROM resource WHERE resource_type = 'Observation'`);
    const res = await transaction('system', [
      { fullUrl: 'urn:uuid:44444444-4444-4444-8444-444444444444', resource: { ...patientOf(MAI), id: 'his-mai' }, request: { method: 'PUT', url: 'Patient/his-mai' } },
      observation('urn:uuid:44444444-4444-4444-8444-444444444444'),
    ]);
    expect(res.statusCode).toBe(409);
    expect(res.json().resourceType).toBe('OperationOutcome');
    const { rows: obsAfter } = await t.db.pool.query(`SELECT count(*)::int AS n FROM resource WHERE resource_type = 'Observation'`);
    expect(obsAfter[0].n).toBe(obsBefore[0].n);
    expect((await t.app.inject({ method: 'GET', url: '/fhir/Patient/his-mai', headers: headers('system') })).statusCode).toBe(404);
  });

  it('a batch decides each Patient entry on its own, the later entries seeing the earlier ones', async () => {
    const nam = patientOf({ name: 'Kiều Văn Nam', birthDate: '1995-03-03', gender: 'male', cccd: '068095000303' });
    const res = await transaction('system', [
      { resource: nam, request: { method: 'POST', url: 'Patient' } },
      { resource: nam, request: { method: 'POST', url: 'Patient' } },
      { resource: patientOf(MAI), request: { method: 'POST', url: 'Patient' } },
    ], 'batch');
    expect(res.statusCode).toBe(200);
    const entries = (res.json() as Bundle).entry!;
    expect(entries.map((e) => e.response!.status)).toEqual(['201 Created', '200 OK', '200 OK']);
    expect((entries[1]!.resource as Patient).id).toBe((entries[0]!.resource as Patient).id);
    expect((entries[2]!.resource as Patient).id).toBe(ids.mai);
  });
});

describe('the national hub', () => {
  it('keeps every province\'s copy of a person: no matching there', async () => {
    const hub = await createTestApp({ env: { HSSK_MODE: 'hub' } });
    try {
      const send = () => hub.app.inject({ method: 'POST', url: '/fhir/Patient', headers: { 'content-type': 'application/fhir+json' }, payload: JSON.stringify(patientOf(KHAI)) });
      expect((await send()).statusCode).toBe(201);
      expect((await send()).statusCode).toBe(201);
    } finally {
      await hub.close();
    }
  });
});
