// Every new person the FHIR API creates gets the system resident ID (MISSION A1) — by a plain
// create, a conditional create, an update-as-create, a conditional update that finds nothing,
// and the Patient entries of batch and transaction Bundles — allocated like every other channel
// (never reused, check character). Clients cannot mint one, and updates keep the record's. The
// national hub stores what provinces push, resident IDs as they are.
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/auth/actor.ts';
import { Extension, IdentifierSystem } from '../../src/fhir/systems.ts';
import { callerFor } from '../../src/http/fhir-caller.ts';
import { formatResidentId, isValidResidentId, parseResidentId } from '../../src/identity/resident-id.ts';
import { ingestRecord } from '../../src/pipeline/ingest.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

const ACTORS: Record<string, Actor> = {
  system: { kind: 'client', clientId: 'c-all', scopes: ['system/*.read', 'system/*.write'] },
  doctor: { kind: 'staff', userId: 'u-doc', username: 'bs', role: 'clinician', facilityCode: 'F1' },
};
const COMMUNE = '22918';
const RESIDENT = IdentifierSystem.residentId;

const headers = (actor = 'system', extra: Record<string, string> = {}) => ({ 'x-test-actor': actor, 'content-type': 'application/fhir+json', ...extra });

let serial = 0;
/** A person nobody has registered: a name and birth date of their own. */
function newPerson(extra: Partial<Patient> = {}): Patient {
  serial++;
  return {
    resourceType: 'Patient',
    name: [{ text: `Người Mới Số${serial}`, family: 'Người', given: ['Mới', `Số${serial}`] }],
    birthDate: `19${String(40 + serial).padStart(2, '0')}-0${1 + (serial % 9)}-1${serial % 10}`,
    gender: serial % 2 ? 'male' : 'female',
    ...extra,
  };
}

function residentIdsOf(p: Patient): string[] {
  return (p.identifier ?? []).filter((i) => i.system === RESIDENT).map((i) => i.value!);
}

/** The one resident ID of a Patient as answered and as stored, checked by the project's validator. */
async function expectNumbered(t: TestApp, answered: Patient): Promise<string> {
  const [value, ...more] = residentIdsOf(answered);
  expect(more).toEqual([]);
  expect(value && isValidResidentId(value)).toBe(true);
  expect(parseResidentId(value!)!.province).toBe('68');
  const { rows } = await t.db.pool.query<{ content: string; resident_id: string | null }>(
    `SELECT r.content, p.resident_id FROM resource r LEFT JOIN mpi_person p ON p.patient_id = r.id WHERE r.resource_type = 'Patient' AND r.id = $1`,
    [answered.id],
  );
  expect(residentIdsOf(JSON.parse(rows[0]!.content) as Patient)).toEqual([value]);
  expect(rows[0]!.resident_id).toBe(value);
  // Indexed with the version: searchable by the number at once.
  const found = await t.app.inject({ method: 'GET', url: `/fhir/Patient?identifier=${encodeURIComponent(`${RESIDENT}|${value}`)}`, headers: headers() });
  expect((found.json() as Bundle).entry?.map((e) => e.resource?.id)).toEqual([answered.id]);
  return value!;
}

async function patientCount(t: TestApp): Promise<number> {
  const { rows } = await t.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM resource WHERE resource_type = 'Patient'`);
  return rows[0]!.n;
}

async function storedPatient(t: TestApp, id: string): Promise<Patient> {
  const { rows } = await t.db.pool.query<{ content: string }>(`SELECT content FROM resource WHERE resource_type = 'Patient' AND id = $1`, [id]);
  return JSON.parse(rows[0]!.content) as Patient;
}

describe('a province', () => {
  let t: TestApp;
  const issued: string[] = [];
  const post = (body: unknown, actor = 'system', extra: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/fhir/Patient', headers: headers(actor, extra), payload: JSON.stringify(body) });
  const bundle = (type: 'batch' | 'transaction', entry: unknown[]) =>
    t.app.inject({ method: 'POST', url: '/fhir', headers: headers(), payload: JSON.stringify({ resourceType: 'Bundle', type, entry }) });

  beforeAll(async () => {
    t = await createTestApp({ resolveCaller: async (req) => callerFor(ACTORS[String(req.headers['x-test-actor'])]!) });
  });
  afterAll(async () => {
    // Never reused: every number handed out in this file is a different one.
    expect(new Set(issued).size).toBe(issued.length);
    await t.close();
  });

  describe('every way the API creates a new person gives it a resident ID', () => {
    it('POST /fhir/Patient, twelve at once through the group commit: each its own valid number, answered and stored', async () => {
      const results = await Promise.all(Array.from({ length: 12 }, () => post(newPerson())));
      expect(results.map((r) => r.statusCode)).toEqual(results.map(() => 201));
      for (const r of results) issued.push(await expectNumbered(t, r.json() as Patient));
    });

    it('the answer without the body (Prefer: return=minimal) still numbers the record', async () => {
      const res = await post(newPerson(), 'system', { prefer: 'return=minimal' });
      expect(res.statusCode).toBe(201);
      const id = /Patient\/([^/]+)/.exec(String(res.headers.location))![1]!;
      issued.push(await expectNumbered(t, await storedPatient(t, id)));
    });

    it('a conditional create (If-None-Exist) that finds nothing', async () => {
      const res = await post(newPerson({ identifier: [{ system: IdentifierSystem.cccd, value: '068080001111' }] }), 'system', {
        'if-none-exist': `identifier=${IdentifierSystem.cccd}|068080001111`,
      });
      expect(res.statusCode).toBe(201);
      issued.push(await expectNumbered(t, res.json() as Patient));
    });

    it('an update-as-create (PUT with a new id) and a conditional update that finds nothing', async () => {
      const put = await t.app.inject({ method: 'PUT', url: '/fhir/Patient/api-ma-moi-1', headers: headers(), payload: JSON.stringify({ ...newPerson(), id: 'api-ma-moi-1' }) });
      expect(put.statusCode).toBe(201);
      issued.push(await expectNumbered(t, put.json() as Patient));
      const conditional = await t.app.inject({
        method: 'PUT',
        url: `/fhir/Patient?identifier=${encodeURIComponent(`${IdentifierSystem.cccd}|068081002222`)}`,
        headers: headers(),
        payload: JSON.stringify(newPerson({ identifier: [{ system: IdentifierSystem.cccd, value: '068081002222' }] })),
      });
      expect(conditional.statusCode).toBe(201);
      issued.push(await expectNumbered(t, conditional.json() as Patient));
    });

    it('a transaction: its new Patients (POST, and a conditional PUT that creates) are numbered, its Observation points at one', async () => {
      const res = await bundle('transaction', [
        { fullUrl: 'urn:uuid:0b1f5a52-0000-4000-8000-000000000001', resource: newPerson(), request: { method: 'POST', url: 'Patient' } },
        { fullUrl: 'urn:uuid:0b1f5a52-0000-4000-8000-000000000002', resource: newPerson(), request: { method: 'POST', url: 'Patient' } },
        {
          resource: newPerson({ identifier: [{ system: IdentifierSystem.cccd, value: '068082003333' }] }),
          request: { method: 'PUT', url: `Patient?identifier=${IdentifierSystem.cccd}|068082003333` },
        },
        {
          resource: { resourceType: 'Observation', status: 'final', code: { text: 'Cân nặng' }, subject: { reference: 'urn:uuid:0b1f5a52-0000-4000-8000-000000000001' }, valueQuantity: { value: 60, unit: 'kg' } },
          request: { method: 'POST', url: 'Observation' },
        },
      ]);
      expect(res.statusCode).toBe(200);
      const entries = (res.json() as Bundle).entry!;
      expect(entries.map((e) => e.response?.status)).toEqual(['201 Created', '201 Created', '201 Created', '201 Created']);
      for (const e of entries.slice(0, 3)) issued.push(await expectNumbered(t, e.resource as Patient));
    });

    it('a batch: each Patient entry in its own transaction', async () => {
      const res = await bundle('batch', [
        { resource: newPerson(), request: { method: 'POST', url: 'Patient' } },
        { resource: newPerson(), request: { method: 'POST', url: 'Patient' } },
      ]);
      const entries = (res.json() as Bundle).entry!;
      expect(entries.map((e) => e.response?.status)).toEqual(['201 Created', '201 Created']);
      for (const e of entries) issued.push(await expectNumbered(t, e.resource as Patient));
    });

    it('an uncertain match (created, queued for review) is a new record with a number of its own', async () => {
      const hang: Patient = {
        resourceType: 'Patient',
        name: [{ text: 'Hoàng Thị Thúy Hằng' }],
        birthDate: '1990-04-12',
        gender: 'female',
        address: [{ text: `Thôn 2, xã ${COMMUNE}`, extension: [{ url: Extension.addressCommune, valueCode: COMMUNE }] }],
      };
      const registered = await ingestRecord(
        { db: t.db, actor: { kind: 'system', name: 'test' }, province: '68' },
        { key: 'hang', patient: { ...hang, telecom: [{ system: 'phone', value: '0912000333' }] }, patientFullUrl: 'urn:uuid:hang', entries: [], excluded: {}, warnings: [] },
        { channel: 'test' },
      );
      const registeredId = residentIdsOf(await storedPatient(t, registered.patientId!))[0]!;
      issued.push(registeredId);
      // The clinician may not read her record: the certain match is held for review, not told.
      const res = await post({ ...hang, address: [{ ...hang.address![0]!, text: `Số 5 Hùng Vương, xã ${COMMUNE}` }] }, 'doctor');
      expect(res.statusCode).toBe(201);
      const created = res.json() as Patient;
      const { rows } = await t.db.pool.query(`SELECT 1 FROM identity_review WHERE status = 'pending' AND patient_id = $1 AND candidate_id = $2`, [created.id, registered.patientId]);
      expect(rows.length).toBe(1);
      const number = await expectNumbered(t, created);
      expect(number).not.toBe(registeredId);
      issued.push(number);
    });
  });

  describe('clients cannot mint resident IDs', () => {
    const minted = () => ({ system: RESIDENT, value: formatResidentId('68', 999_000_001) });

    it('a create carrying one is refused with an OperationOutcome naming the identifier; nothing is written', async () => {
      const before = await patientCount(t);
      const res = await post(newPerson({ identifier: [{ system: IdentifierSystem.cccd, value: '068083004444' }, minted()] }));
      expect(res.statusCode).toBe(422);
      const issue = res.json().issue[0];
      expect(issue.code).toBe('business-rule');
      expect(issue.expression).toEqual(['Patient.identifier[1]']);
      expect(issue.details.text).toContain('do hệ thống cấp');
      // Also by a conditional create and an update-as-create.
      const conditional = await post(newPerson({ identifier: [minted()] }), 'system', { 'if-none-exist': `identifier=${IdentifierSystem.cccd}|068083004445` });
      expect(conditional.statusCode).toBe(422);
      const put = await t.app.inject({ method: 'PUT', url: '/fhir/Patient/api-tu-dat', headers: headers(), payload: JSON.stringify({ ...newPerson({ identifier: [minted()] }), id: 'api-tu-dat' }) });
      expect(put.statusCode).toBe(422);
      expect(await patientCount(t)).toBe(before);
    });

    it('a transaction with one is rolled back whole; in a batch only that entry fails', async () => {
      const before = await patientCount(t);
      const tx = await bundle('transaction', [
        { resource: newPerson(), request: { method: 'POST', url: 'Patient' } },
        { resource: newPerson({ identifier: [minted()] }), request: { method: 'POST', url: 'Patient' } },
      ]);
      expect(tx.statusCode).toBe(422);
      expect(tx.json().issue[0].expression).toContain('Bundle.entry[1].resource.identifier[0]');
      expect(await patientCount(t)).toBe(before);
      const batch = await bundle('batch', [
        { resource: newPerson({ identifier: [minted()] }), request: { method: 'POST', url: 'Patient' } },
        { resource: newPerson(), request: { method: 'POST', url: 'Patient' } },
      ]);
      const entries = (batch.json() as Bundle).entry!;
      expect(entries.map((e) => e.response?.status)).toEqual(['422', '201 Created']);
      issued.push(await expectNumbered(t, entries[1]!.resource as Patient));
    });
  });

  describe('updates neither drop nor change a resident ID', () => {
    let patient: Patient;
    let number: string;
    beforeAll(async () => {
      patient = (await post(newPerson({ identifier: [{ system: IdentifierSystem.cccd, value: '068084005555' }] }))).json() as Patient;
      number = residentIdsOf(patient)[0]!;
      issued.push(number);
    });

    it('a PUT that leaves it out keeps it (the client need not store HSSK\'s number)', async () => {
      const res = await t.app.inject({
        method: 'PUT',
        url: `/fhir/Patient/${patient.id}`,
        headers: headers(),
        payload: JSON.stringify({ ...patient, meta: undefined, identifier: [{ system: IdentifierSystem.cccd, value: '068084005555' }], gender: 'other' }),
      });
      expect(res.statusCode).toBe(200);
      expect(residentIdsOf(res.json() as Patient)).toEqual([number]);
      const stored = await storedPatient(t, patient.id!);
      expect(stored.gender).toBe('other');
      expect(residentIdsOf(stored)).toEqual([number]);
      // A read-modify-write that sends it back unchanged is written as sent.
      const again = await t.app.inject({ method: 'PUT', url: `/fhir/Patient/${patient.id}`, headers: headers(), payload: JSON.stringify({ ...stored, gender: 'male' }) });
      expect(again.statusCode).toBe(200);
      expect((again.json() as Patient).identifier).toEqual(stored.identifier);
    });

    it('a PUT or conditional PUT that changes it, or adds another, is refused; the record keeps its number', async () => {
      const other = formatResidentId('68', 999_000_002);
      const changed = await t.app.inject({
        method: 'PUT',
        url: `/fhir/Patient/${patient.id}`,
        headers: headers(),
        payload: JSON.stringify({ ...patient, meta: undefined, identifier: [{ system: RESIDENT, value: other }] }),
      });
      expect(changed.statusCode).toBe(422);
      expect(changed.json().issue[0].code).toBe('business-rule');
      expect(changed.json().issue[0].details.text).toContain(other);
      const added = await t.app.inject({
        method: 'PUT',
        url: `/fhir/Patient?identifier=${encodeURIComponent(`${IdentifierSystem.cccd}|068084005555`)}`,
        headers: headers(),
        payload: JSON.stringify({ ...patient, id: undefined, meta: undefined, identifier: [...patient.identifier!, { system: RESIDENT, value: other }] }),
      });
      expect(added.statusCode).toBe(422);
      expect(residentIdsOf(await storedPatient(t, patient.id!))).toEqual([number]);
    });

    it('a PATCH that removes the identifiers keeps it; one that rewrites its value is refused', async () => {
      const patch = (ops: unknown) =>
        t.app.inject({ method: 'PATCH', url: `/fhir/Patient/${patient.id}`, headers: { ...headers(), 'content-type': 'application/json-patch+json' }, payload: JSON.stringify(ops) });
      const removed = await patch([{ op: 'remove', path: '/identifier' }]);
      expect(removed.statusCode).toBe(200);
      expect((removed.json() as Patient).identifier).toEqual([{ use: 'official', system: RESIDENT, value: number }]);
      const rewritten = await patch([{ op: 'replace', path: '/identifier/0/value', value: formatResidentId('68', 999_000_003) }]);
      expect(rewritten.statusCode).toBe(422);
      expect(residentIdsOf(await storedPatient(t, patient.id!))).toEqual([number]);
    });

    it('a PUT whose identifier element is malformed is refused by validation, not repaired', async () => {
      const res = await t.app.inject({ method: 'PUT', url: `/fhir/Patient/${patient.id}`, headers: headers(), payload: JSON.stringify({ ...patient, meta: undefined, identifier: 'HS68' }) });
      expect(res.statusCode).toBe(400);
      expect(residentIdsOf(await storedPatient(t, patient.id!))).toEqual([number]);
    });

    it('a deleted Patient written again (update-as-create of its id) takes back its own number, and no other', async () => {
      const gone = (await post(newPerson())).json() as Patient;
      const own = residentIdsOf(gone)[0]!;
      issued.push(own);
      expect((await t.app.inject({ method: 'DELETE', url: `/fhir/Patient/${gone.id}`, headers: headers() })).statusCode).toBe(200);
      const foreign = await t.app.inject({
        method: 'PUT',
        url: `/fhir/Patient/${gone.id}`,
        headers: headers(),
        payload: JSON.stringify({ ...gone, meta: undefined, identifier: [{ system: RESIDENT, value: formatResidentId('68', 999_000_004) }] }),
      });
      expect(foreign.statusCode).toBe(422);
      const back = await t.app.inject({ method: 'PUT', url: `/fhir/Patient/${gone.id}`, headers: headers(), payload: JSON.stringify({ ...gone, meta: undefined, identifier: undefined }) });
      expect([200, 201]).toContain(back.statusCode);
      expect(residentIdsOf(back.json() as Patient)).toEqual([own]);
    });

    it('eight update-as-creates of one new id at once: one creates and numbers it, the others update it and keep that number', async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          t.app.inject({ method: 'PUT', url: '/fhir/Patient/api-dua-1', headers: headers(), payload: JSON.stringify({ ...newPerson(), name: [{ text: 'Cùng Một Người' }], birthDate: '1977-07-07', id: 'api-dua-1', gender: i % 2 ? 'male' : 'female' }) }),
        ),
      );
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
      const number = await expectNumbered(t, await storedPatient(t, 'api-dua-1'));
      for (const r of results) expect(residentIdsOf(r.json() as Patient)).toEqual([number]);
      issued.push(number);
    });
  });
});

describe('the national hub (HSSK_MODE=hub)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { HSSK_MODE: 'hub' } });
  });
  afterAll(async () => t.close());

  it('stores a province\'s Patient with its resident ID as sent, numbers nothing itself and lets a later push change it', async () => {
    const fromProvince = formatResidentId('68', 4321);
    const res = await t.app.inject({ method: 'POST', url: '/fhir/Patient', headers: headers(), payload: JSON.stringify(newPerson({ identifier: [{ system: RESIDENT, value: fromProvince }] })) });
    expect(res.statusCode).toBe(201);
    const stored = res.json() as Patient;
    expect(residentIdsOf(stored)).toEqual([fromProvince]);
    const plain = await t.app.inject({ method: 'POST', url: '/fhir/Patient', headers: headers(), payload: JSON.stringify(newPerson()) });
    expect(plain.statusCode).toBe(201);
    expect(residentIdsOf(plain.json() as Patient)).toEqual([]);
    const merged = formatResidentId('68', 4322);
    const updated = await t.app.inject({
      method: 'PUT',
      url: `/fhir/Patient/${stored.id}`,
      headers: headers(),
      payload: JSON.stringify({ ...stored, identifier: [{ system: RESIDENT, value: merged }] }),
    });
    expect(updated.statusCode).toBe(200);
    expect(residentIdsOf(updated.json() as Patient)).toEqual([merged]);
  });
});
