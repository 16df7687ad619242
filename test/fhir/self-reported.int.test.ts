// Residents' own statements (MISSION C5) through the FHIR API: what a resident writes is marked
// as self-reported by the server, never overwrites what a facility recorded, and lands only in
// their own (or their child's) record. Phone and address go through the add-only $add-contact.
import type { AllergyIntolerance, Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/auth/actor.ts';
import { patientContact } from '../../src/auth/patient-directory.ts';
import { Extension, HSSK_CANONICAL, Tag } from '../../src/fhir/systems.ts';
import { callerFor } from '../../src/http/fhir-caller.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

const ACTORS: Record<string, Actor> = {
  admin: { kind: 'staff', userId: 'u-admin', username: 'admin', role: 'admin' },
  doctor: { kind: 'staff', userId: 'u-doc', username: 'bs', role: 'clinician', facilityCode: 'F1' },
  residentA: { kind: 'resident', userId: 'u-a', patientId: 'sA', proxyPatientIds: [] },
  residentB: { kind: 'resident', userId: 'u-b', patientId: 'sB', proxyPatientIds: [] },
  parentOfA: { kind: 'resident', userId: 'u-p', patientId: 'sParent', proxyPatientIds: ['sA'] },
};
const FACILITY_PHONE = { system: 'phone', value: '0912345678', use: 'mobile' };
const FACILITY_ADDRESS = { use: 'home', text: 'Thôn 1, Phường Phú Thuỷ', extension: [{ url: Extension.addressCommune, valueCode: '22924' }] };

let t: TestApp;
const headers = (actor: string) => ({ 'x-test-actor': actor, 'content-type': 'application/fhir+json' });
const call = async (actor: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
  const res = await t.app.inject({ method, url, headers: headers(actor), ...(payload ? { payload: payload as object } : {}) });
  return { status: res.statusCode, body: res.body ? res.json() : undefined };
};
const allergy = (patient: string, substance: string): AllergyIntolerance => ({
  resourceType: 'AllergyIntolerance',
  clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
  patient: { reference: `Patient/${patient}` },
  code: { text: substance },
  reaction: [{ manifestation: [{ text: 'Nổi mề đay' }], severity: 'moderate' }],
});
const contact = (...parameter: object[]) => ({ resourceType: 'Parameters', parameter });

beforeAll(async () => {
  t = await createTestApp({ resolveCaller: async (req) => callerFor(ACTORS[String(req.headers['x-test-actor'])]!) });
  for (const id of ['sA', 'sB', 'sParent']) {
    const res = await call('admin', 'PUT', `/fhir/Patient/${id}`, {
      resourceType: 'Patient',
      id,
      // Given names far apart: the same phone and address with near names would be one person to the matcher.
      name: [{ family: 'Trần', given: [{ sA: 'Minh', sB: 'Hoa', sParent: 'Dũng' }[id]!] }],
      telecom: [FACILITY_PHONE],
      address: [FACILITY_ADDRESS],
    });
    expect(res.status).toBe(201);
  }
  // The facility's allergy of resident A, written by a clinician of F1.
  const facility = await call('doctor', 'PUT', '/fhir/AllergyIntolerance/facility-allergy', { ...allergy('sA', 'Penicillin'), id: 'facility-allergy' });
  expect(facility.status, JSON.stringify(facility.body)).toBe(201);
}, 120_000);
afterAll(async () => t?.close());

describe('self-reported statements', () => {
  it('stores a resident’s allergy with the resident as its source, whatever the client claimed', async () => {
    const sent = {
      ...allergy('sA', 'Tôm'),
      verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'confirmed' }] },
      recorder: { reference: 'Organization/any' }, meta: { source: 'http://somewhere' } };
    const res = await call('residentA', 'POST', '/fhir/AllergyIntolerance', sent);
    expect(res.status).toBe(201);
    const stored = (await call('admin', 'GET', `/fhir/AllergyIntolerance/${res.body.id}`)).body as AllergyIntolerance;
    expect(stored.recorder).toEqual({ reference: 'Patient/sA' });
    expect(stored.asserter).toEqual({ reference: 'Patient/sA' });
    expect(stored.meta?.tag).toContainEqual(Tag.selfReported);
    expect(stored.meta?.source).toBe(`${HSSK_CANONICAL}/self-reported/Patient/sA`);
    // Only a clinician confirms an allergy: the resident's stays unconfirmed.
    expect(stored.verificationStatus?.coding?.[0]?.code).toBe('unconfirmed');
  });

  it('marks a family-history entry, and a parent’s statement about their child names the parent', async () => {
    const res = await call('parentOfA', 'POST', '/fhir/FamilyMemberHistory', {
      resourceType: 'FamilyMemberHistory',
      status: 'completed',
      patient: { reference: 'Patient/sA' },
      relationship: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'FTH' }], text: 'Bố' },
      condition: [{ code: { text: 'Đái tháo đường' } }],
    });
    expect(res.status).toBe(201);
    expect(res.body.meta.tag).toContainEqual(Tag.selfReported);
    expect(res.body.meta.source).toBe(`${HSSK_CANONICAL}/self-reported/Patient/sParent`);
  });

  it('a resident cannot edit, patch or delete the allergy a facility recorded', async () => {
    const current = (await call('residentA', 'GET', '/fhir/AllergyIntolerance/facility-allergy')).body as AllergyIntolerance;
    const put = await call('residentA', 'PUT', '/fhir/AllergyIntolerance/facility-allergy', { ...current, code: { text: 'Không dị ứng' } });
    expect(put.status).toBe(403);
    expect(put.body.issue[0].details.text).toContain('cơ sở y tế');
    const patch = await t.app.inject({
      method: 'PATCH',
      url: '/fhir/AllergyIntolerance/facility-allergy',
      headers: { ...headers('residentA'), 'content-type': 'application/json-patch+json' },
      payload: JSON.stringify([{ op: 'replace', path: '/code/text', value: 'Không dị ứng' }]),
    });
    expect(patch.statusCode).toBe(403);
    expect((await call('residentA', 'DELETE', '/fhir/AllergyIntolerance/facility-allergy')).status).toBe(403);
    const after = (await call('admin', 'GET', '/fhir/AllergyIntolerance/facility-allergy')).body as AllergyIntolerance;
    expect(after.code?.text).toBe('Penicillin');
    expect(after.meta?.versionId).toBe('1');
  });

  it('a resident may correct their own statement, which stays self-reported', async () => {
    const created = (await call('residentA', 'POST', '/fhir/AllergyIntolerance', allergy('sA', 'Cua'))).body as AllergyIntolerance;
    const { meta: _meta, ...withoutMeta } = created;
    const res = await call('residentA', 'PUT', `/fhir/AllergyIntolerance/${created.id}`, { ...withoutMeta, code: { text: 'Cua biển' } });
    expect(res.status).toBe(200);
    expect(res.body.code.text).toBe('Cua biển');
    expect(res.body.meta.tag).toContainEqual(Tag.selfReported);
  });

  it('another resident can write nothing into someone else’s record', async () => {
    expect((await call('residentB', 'POST', '/fhir/AllergyIntolerance', allergy('sA', 'Lạc'))).status).toBe(403);
    const own = (await call('residentA', 'POST', '/fhir/AllergyIntolerance', allergy('sA', 'Trứng'))).body as AllergyIntolerance;
    expect((await call('residentB', 'PUT', `/fhir/AllergyIntolerance/${own.id}`, { ...own, patient: { reference: 'Patient/sB' } })).status).toBe(403);
    expect((await call('residentB', 'POST', '/fhir/Patient/sA/$add-contact', contact({ name: 'phone', valueString: '0987000111' }))).status).toBe(403);
    const a = (await call('admin', 'GET', '/fhir/Patient/sA')).body as Patient;
    expect(a.telecom?.map((x) => x.value)).not.toContain('0987000111');
  });
});

describe('Patient/$add-contact', () => {
  it('adds the resident’s phone and keeps the facility’s phone and address exactly as they were', async () => {
    const res = await call('residentA', 'POST', '/fhir/Patient/sA/$add-contact', contact({ name: 'phone', valueString: '+84 987 654 321' }));
    expect(res.status).toBe(200);
    const p = (await call('admin', 'GET', '/fhir/Patient/sA')).body as Patient;
    expect(p.telecom?.[0]).toEqual(FACILITY_PHONE);
    expect(p.address).toEqual([FACILITY_ADDRESS]);
    const added = p.telecom?.[1];
    expect(added?.value).toBe('0987654321');
    expect(added?.extension).toEqual([{ url: Extension.selfReported, valueReference: { reference: 'Patient/sA' } }]);
    expect(added?.period?.start).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // One-time codes still go only to the number the facility recorded.
    expect(patientContact(p as Patient & { id: string }).phones).toEqual(['+84912345678']);
  });

  it('adds an address in the chosen commune without changing the commune the record belongs to', async () => {
    const res = await call('parentOfA', 'POST', '/fhir/Patient/sA/$add-contact', contact({ name: 'line', valueString: 'Số 5 đường Lê Lợi' }, { name: 'commune', valueCode: '22933' }));
    expect(res.status).toBe(200);
    const p = res.body as Patient;
    expect(p.address?.[0]).toEqual(FACILITY_ADDRESS);
    expect(p.address?.[1]?.text).toBe('Số 5 đường Lê Lợi, Phường Hàm Thắng, Tỉnh Lâm Đồng');
    expect(p.address?.[1]?.extension).toContainEqual({ url: Extension.selfReported, valueReference: { reference: 'Patient/sParent' } });
    const byCommune = await call('admin', 'GET', '/fhir/Patient?address-commune=22933');
    expect(byCommune.body.total ?? byCommune.body.entry?.length ?? 0).toBe(0);
  });

  it('does not add a phone already on the record, and refuses wrong input in plain Vietnamese', async () => {
    const before = (await call('admin', 'GET', '/fhir/Patient/sA')).body as Patient;
    const again = await call('residentA', 'POST', '/fhir/Patient/sA/$add-contact', contact({ name: 'phone', valueString: '0912 345 678' }));
    expect(again.status).toBe(200);
    expect(again.body.meta.versionId).toBe(before.meta?.versionId);
    const bad = await call('residentA', 'POST', '/fhir/Patient/sA/$add-contact', contact({ name: 'phone', valueString: '12345' }));
    expect(bad.status).toBe(400);
    expect(bad.body.issue[0].details.text).toContain('Số điện thoại');
    const noCommune = await call('residentA', 'POST', '/fhir/Patient/sA/$add-contact', contact({ name: 'line', valueString: 'Thôn 2' }));
    expect(noCommune.status).toBe(400);
    expect((await call('residentA', 'POST', '/fhir/Patient/sA/$add-contact', contact({ name: 'commune', valueCode: '99999' }))).status).toBe(400);
  });

  it('is audited like every other write', async () => {
    const { rows } = await t.db.pool.query(
      `SELECT action, agent_id FROM audit_entry WHERE entity_type = 'Patient' AND entity_id = 'sA' AND action = 'update' ORDER BY seq`,
    );
    expect(rows.map((r) => r.agent_id)).toEqual(expect.arrayContaining(['u-a', 'u-p']));
  });

  it('a resident’s plain update of their Patient cannot drop the facility’s entries: it is refused', async () => {
    const p = (await call('residentA', 'GET', '/fhir/Patient/sA')).body as Patient;
    const res = await call('residentA', 'PUT', '/fhir/Patient/sA', { ...p, telecom: [{ system: 'phone', value: '0900000000' }], address: [] });
    expect(res.status).toBe(403);
    expect(res.body.issue[0].details.text).toContain('$add-contact');
    expect((await call('residentA', 'POST', '/fhir/Patient', { resourceType: 'Patient', id: 'sA' })).status).toBe(403);
    const after = (await call('admin', 'GET', '/fhir/Patient/sA')).body as Patient;
    expect(after.telecom?.[0]).toEqual(FACILITY_PHONE);
  });

  it('is advertised in the CapabilityStatement', async () => {
    const cs = (await t.app.inject({ method: 'GET', url: '/fhir/metadata' })).json();
    const patient = cs.rest[0].resource.find((r: { type: string }) => r.type === 'Patient');
    expect(patient.operation).toContainEqual({ name: 'add-contact', definition: 'http://fhir.hssk.vn/OperationDefinition/Patient-add-contact' });
  });

  it('is for residents: staff record contact details with a plain update', async () => {
    expect((await call('doctor', 'POST', '/fhir/Patient/sA/$add-contact', contact({ name: 'phone', valueString: '0987000222' }))).status).toBe(403);
  });
});

describe('administrative units for the address picker', () => {
  it('lists the deployment province’s communes by name, and 404 for an unknown province', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/admin-units/communes' });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { province: string; communes: { code: string; name: string }[] };
    expect(body.province).toBe('68');
    expect(body.communes).toContainEqual({ code: '22933', name: 'Phường Hàm Thắng' });
    expect(body.communes.length).toBeGreaterThan(100);
    expect((await t.app.inject({ method: 'GET', url: '/api/admin-units/communes?province=99' })).statusCode).toBe(404);
    const provinces = (await t.app.inject({ method: 'GET', url: '/api/admin-units/provinces' })).json() as { provinces: { code: string }[] };
    expect(provinces.provinces.length).toBe(34);
  });
});
