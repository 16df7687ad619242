// In-app approval of a clinician's request (C4) over HTTP on a real database: approve opens the
// record to that clinician with the same Consent as an OTP; decline, expiry, another resident
// and a second decision do not; a parent decides for a child under their proxy.
import type { Consent } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.ts';
import { canSeePatient } from '../auth/can-see-patient.ts';
import { clearServerSecrets } from '../auth/server-secret.ts';
import { createStaffUser, findStaffUserById, staffActor } from '../auth/staff-users.ts';
import { cookieOf, insertPatient, lastCode, testApp, type RecordingWriter } from '../auth/test-app.ts';
import { IdentifierSystem } from '../fhir/systems.ts';
import { identifierParamKey } from '../pipeline/stored.ts';
import type { Database } from '../store/database.ts';
import { CONSENT_METHOD_EXTENSION } from './consent-resource.ts';

let db: Database;
let app: FastifyInstance;
let fhir: RecordingWriter;
const PASSWORD = 'mat-khau-rat-dai-123';

interface Session {
  cookie: string;
  csrf: string;
}
let doctor: Session;
let doctorId: string;
let mai: Session;
let nam: Session;

async function post(s: Session, url: string, payload: object = {}) {
  return app.inject({ method: 'POST', url, payload, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
}

async function login(url: string, payload: object): Promise<Session> {
  const response = await app.inject({ method: 'POST', url, payload });
  expect(response.statusCode).toBe(200);
  return { cookie: cookieOf(response.headers['set-cookie']), csrf: response.json().csrfToken };
}

async function doctorSees(patientId: string) {
  return canSeePatient(db.pool, staffActor((await findStaffUserById(db.pool, doctorId))!), patientId);
}

async function pending(s: Session): Promise<{ id: string; patientId: string; requesterName: string; requesterRole: string; facilityCode?: string; facilityName?: string }[]> {
  const listed = await app.inject({ method: 'GET', url: '/api/consent/requests', headers: { cookie: s.cookie } });
  expect(listed.statusCode).toBe(200);
  return listed.json().requests;
}

/** The clinician asks for the record; returns the id of the pending request the resident sees. */
async function ask(patientId: string, resident: Session): Promise<string> {
  expect((await post(doctor, '/api/consent/otp/request', { patientId })).statusCode).toBe(200);
  const found = (await pending(resident)).find((r) => r.patientId === patientId);
  expect(found).toBeDefined();
  return found!.id;
}

async function activate(clerk: Session, patientId: string, phone: string): Promise<Session> {
  expect((await post(clerk, '/api/residents/accounts', { patientId })).statusCode).toBe(201);
  const code = await lastCode(db, phone);
  expect((await app.inject({ method: 'POST', url: '/auth/resident/activate', payload: { phone, code, password: PASSWORD } })).statusCode).toBe(200);
  return login('/auth/resident/login', { phone, password: PASSWORD });
}

beforeAll(async () => {
  clearServerSecrets();
  db = await createTestDatabase();
  ({ app, fhir } = await testApp(db, { otpPerPhone: 20 })); // one phone gets a code for each request here
  await insertPatient(db, 'mai', { phone: '0912000011', facility: 'F2' });
  await insertPatient(db, 'be-an', { phone: '0912000011', facility: 'F2' }); // Mai's child: same phone
  await insertPatient(db, 'nam', { phone: '0912000012', cccd: '068190000012', facility: 'F2' });
  // The facility's Organization, as `hssk import facilities` stores it: its name is shown to the resident.
  const org = { resourceType: 'Organization', id: 'org-f1', name: 'Trạm Y tế xã Hoà An', identifier: [{ system: IdentifierSystem.facilityCode, value: 'F1' }] };
  const { rows } = await db.pool.query<{ rid: string }>(
    `INSERT INTO resource (resource_type, id, version_id, last_updated, content) VALUES ('Organization', 'org-f1', 1, now(), $1) RETURNING rid`,
    [JSON.stringify(org)],
  );
  await db.pool.query('INSERT INTO search_token (rid, p, system, code) VALUES ($1, $2, $3, $4)', [rows[0]!.rid, identifierParamKey('Organization'), IdentifierSystem.facilityCode, 'F1']);
  const created = await createStaffUser(db.pool, { username: 'bs.lan', displayName: 'BS. Lan', role: 'clinician', facilityCode: 'F1', practitionerId: 'prac-lan', password: PASSWORD });
  doctorId = created.user.id;
  doctor = await login('/auth/login', { username: 'bs.lan', password: PASSWORD });
  await createStaffUser(db.pool, { username: 'nv.tiepdon', displayName: 'Tiếp đón', role: 'clerk', facilityCode: 'F2', password: PASSWORD });
  const clerk = await login('/auth/login', { username: 'nv.tiepdon', password: PASSWORD });
  mai = await activate(clerk, 'mai', '+84912000011');
  expect((await post(clerk, '/api/residents/proxies', { parentPatientId: 'mai', childPatientId: 'be-an' })).statusCode).toBe(201);
  mai = await login('/auth/resident/login', { phone: '+84912000011', password: PASSWORD }); // the session now carries the proxy
  nam = await activate(clerk, 'nam', '+84912000012');
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe('approving a clinician’s request in the app (C4)', () => {
  it('the resident sees who asks, approves, and the record opens to that clinician with an OTP-equivalent Consent', async () => {
    expect(await doctorSees('nam')).toBe(false);
    const id = await ask('nam', nam);
    const [shown] = await pending(nam);
    expect(shown).toMatchObject({ id, requesterName: 'BS. Lan', requesterRole: 'clinician', facilityCode: 'F1', facilityName: 'Trạm Y tế xã Hoà An' });
    expect(JSON.stringify(shown)).not.toContain(doctorId); // the staff account id stays internal
    expect(await doctorSees('nam')).toBe(false); // asking alone opens nothing

    const approved = await post(nam, `/api/consent/requests/${id}/approve`, { hours: 2 });
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved' });
    expect(await doctorSees('nam')).toBe(true);
    const grants = (await app.inject({ method: 'GET', url: '/api/consent', headers: { cookie: doctor.cookie } })).json().grants;
    const grant = grants.find((g: { patientId: string }) => g.patientId === 'nam');
    expect(grant).toMatchObject({ kind: 'consent', method: 'app', active: true });
    expect(Date.parse(grant.expires) - Date.parse(grant.starts)).toBe(2 * 3_600_000);
    const consent = fhir.resources.get(`Consent/${grant.consentId}`) as Consent;
    expect(consent).toMatchObject({ status: 'active', patient: { reference: 'Patient/nam' }, performer: [{ reference: 'Patient/nam' }] });
    expect(consent.provision?.actor?.[0]?.reference).toEqual({ reference: 'Practitioner/prac-lan' });
    expect(consent.extension).toContainEqual({ url: CONSENT_METHOD_EXTENSION, valueCode: 'app' });
    const audited = await db.pool.query(`SELECT agent_id FROM audit_entry WHERE action = 'consent-grant' AND outcome = '0' AND patient_id = 'nam'`);
    expect(audited.rowCount).toBe(1);

    // One decision per request: approved, it is gone from the list and cannot be decided again.
    expect(await pending(nam)).toEqual([]);
    expect((await post(nam, `/api/consent/requests/${id}/approve`)).statusCode).toBe(409);
    expect((await post(nam, `/api/consent/requests/${id}/decline`)).statusCode).toBe(409);
  });

  it('declining ends the request: the record stays closed and the decline is audited', async () => {
    await db.pool.query(`UPDATE consent_grant SET revoked_at = now() WHERE patient_id = 'nam'`);
    expect(await doctorSees('nam')).toBe(false);
    const id = await ask('nam', nam);
    const declined = await post(nam, `/api/consent/requests/${id}/decline`);
    expect(declined.statusCode).toBe(200);
    expect(declined.json().status).toBe('declined');
    expect(await doctorSees('nam')).toBe(false);
    expect((await post(nam, `/api/consent/requests/${id}/approve`)).statusCode).toBe(409);
    const audited = await db.pool.query(`SELECT 1 FROM audit_entry WHERE action = 'consent-revoke' AND entity_id = $1 AND agent_kind = 'resident'`, [id]);
    expect(audited.rowCount).toBe(1);
  });

  it('another resident neither sees nor decides the request; staff cannot approve', async () => {
    const id = await ask('nam', nam);
    expect((await pending(mai)).map((r) => r.id)).not.toContain(id);
    expect((await post(mai, `/api/consent/requests/${id}/approve`)).statusCode).toBe(404);
    expect((await post(mai, `/api/consent/requests/${id}/decline`)).statusCode).toBe(404);
    expect((await post(doctor, `/api/consent/requests/${id}/approve`)).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/consent/requests', headers: { cookie: doctor.cookie } })).statusCode).toBe(403);
    expect(await doctorSees('nam')).toBe(false);
  });

  it('a request by CCCD (the clinician cannot see the record) is recorded too and can be approved', async () => {
    await db.pool.query(`UPDATE consent_request SET status = 'declined' WHERE patient_id = 'nam' AND status = 'pending'`);
    expect((await post(doctor, '/api/consent/otp/request', { identifier: '068190000012' })).statusCode).toBe(202);
    await expect.poll(async () => (await pending(nam)).length, { timeout: 5_000 }).toBe(1); // recorded after the answer
    const [asked] = await pending(nam);
    expect((await post(nam, `/api/consent/requests/${asked!.id}/approve`, { hours: 1 })).statusCode).toBe(200);
    expect(await doctorSees('nam')).toBe(true);
    await db.pool.query(`UPDATE consent_grant SET revoked_at = now() WHERE patient_id = 'nam'`);
  });

  it('an expired request is not listed and cannot be approved', async () => {
    const id = await ask('nam', nam); // asking again refreshes the one pending request
    await db.pool.query(`UPDATE consent_request SET created_at = now() - interval '2 hours', expires_at = now() - interval '1 minute' WHERE id = $1`, [id]);
    expect(await pending(nam)).toEqual([]);
    expect((await post(nam, `/api/consent/requests/${id}/approve`)).statusCode).toBe(409);
    expect(await doctorSees('nam')).toBe(false);
  });

  it('a parent approves a request for their child under proxy; the parent is recorded as the one who consented', async () => {
    expect(await doctorSees('be-an')).toBe(false);
    const id = await ask('be-an', mai);
    expect((await pending(nam)).map((r) => r.id)).not.toContain(id);
    const approved = await post(mai, `/api/consent/requests/${id}/approve`);
    expect(approved.statusCode).toBe(200);
    expect(await doctorSees('be-an')).toBe(true);
    const grant = (await app.inject({ method: 'GET', url: '/api/consent', headers: { cookie: doctor.cookie } })).json().grants.find((g: { patientId: string }) => g.patientId === 'be-an');
    expect(Date.parse(grant.expires) - Date.parse(grant.starts)).toBe(24 * 3_600_000); // the default
    expect((fhir.resources.get(`Consent/${grant.consentId}`) as Consent).performer).toEqual([{ reference: 'Patient/mai' }]);
  });
});
