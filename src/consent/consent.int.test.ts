import type { Consent } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.ts';
import { authenticateRequest } from '../auth/authenticate.ts';
import { canSeePatient } from '../auth/can-see-patient.ts';
import { clearServerSecrets } from '../auth/server-secret.ts';
import type { AuthServices } from '../auth/services.ts';
import { createStaffUser, findStaffUserById, staffActor } from '../auth/staff-users.ts';
import { cookieOf, insertPatient, lastCode, testApp, type RecordingWriter } from '../auth/test-app.ts';
import type { Database } from '../store/database.ts';
import { IdentifierSystem } from '../fhir/systems.ts';
import { formatResidentId } from '../identity/resident-id.ts';

let db: Database;
let app: FastifyInstance;
let services: AuthServices;
let fhir: RecordingWriter;
const PASSWORD = 'mat-khau-rat-dai-123';
const PHONE_MAI = '+84912000001';
const PHONE_NAM = '+84912000002';
const PHONE_HOA = '+84912000003';

interface Session {
  cookie: string;
  csrf: string;
}
let doctor: Session;
let doctorId: string;
let mai: Session;

async function post(s: Session, url: string, payload: object = {}) {
  return app.inject({ method: 'POST', url, payload, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
}

async function sessionFrom(response: { statusCode: number; headers: Record<string, unknown>; json: () => { csrfToken: string } }): Promise<Session> {
  expect(response.statusCode).toBe(200);
  return { cookie: cookieOf(response.headers['set-cookie'] as string), csrf: response.json().csrfToken };
}

/**
 * Whether the doctor may read the record — asked both ways the rule is built: with the grants
 * read in SQL (an actor built from the account), and with the grants read with the doctor's
 * portal session at the start of a request; the two must always agree.
 */
async function doctorSees(patientId: string) {
  const inSql = await canSeePatient(db.pool, staffActor((await findStaffUserById(db.pool, doctorId))!), patientId);
  const actor = await authenticateRequest({ headers: { cookie: doctor.cookie }, method: 'GET' }, services);
  expect(actor?.kind === 'staff' && actor.grantedPatientIds).toBeInstanceOf(Array);
  const withSession = await canSeePatient(db.pool, actor!, patientId);
  expect(withSession, `${patientId}: grants read with the session`).toBe(inSql);
  return inSql;
}

beforeAll(async () => {
  clearServerSecrets();
  db = await createTestDatabase();
  ({ app, services, fhir } = await testApp(db));
  await insertPatient(db, 'mai', { phone: '0912 000 001', cccd: '068190000001', facility: 'F2' });
  await insertPatient(db, 'be-an', { phone: '0912000001', facility: 'F2' }); // Mai's child: same phone
  await insertPatient(db, 'nam', { phone: '0912000002', cccd: '068190000002', facility: 'F2' });
  await insertPatient(db, 'khong-so', { facility: 'F1' });
  await insertPatient(db, 'hoa', {
    phone: '0912000003',
    facility: 'F2',
    identifiers: [
      { system: IdentifierSystem.residentId, value: formatResidentId('68', 12) },
      { system: IdentifierSystem.bhytCard, value: 'GD4680123456789' },
      { system: IdentifierSystem.bhxh, value: '0123456789' },
    ],
  });
  await insertPatient(db, 'khong-so-cccd', { cccd: '068190000009', facility: 'F2' });
  const created = await createStaffUser(db.pool, { username: 'bs.tuan', displayName: 'BS. Tuấn', role: 'clinician', facilityCode: 'F1', practitionerId: 'prac-tuan', password: PASSWORD });
  doctorId = created.user.id;
  doctor = await sessionFrom(await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'bs.tuan', password: PASSWORD } }));
  await createStaffUser(db.pool, { username: 'nv.tiepdon', displayName: 'Tiếp đón', role: 'clerk', facilityCode: 'F2', password: PASSWORD });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe('resident accounts (C1)', () => {
  it('staff issue an account at the facility; the code goes to the phone on the record; the resident sets a password and signs in', async () => {
    const clerk = await sessionFrom(await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'nv.tiepdon', password: PASSWORD } }));
    const issued = await post(clerk, '/api/residents/accounts', { patientId: 'mai' });
    expect(issued.statusCode).toBe(201);
    expect(issued.json().phone).toBe('*******001');
    const code = await lastCode(db, PHONE_MAI);
    expect(code).toMatch(/^\d{6}$/);
    const activated = await app.inject({ method: 'POST', url: '/auth/resident/activate', payload: { phone: '0912000001', code, password: PASSWORD } });
    expect(activated.statusCode).toBe(200);
    mai = await sessionFrom(await app.inject({ method: 'POST', url: '/auth/resident/login', payload: { phone: '+84 912 000 001', password: PASSWORD } }));
    // The child shares the phone: a second account is refused, a proxy link is the way.
    expect((await post(clerk, '/api/residents/accounts', { patientId: 'be-an' })).json().error).toBe('phone-in-use');
    expect((await post(clerk, '/api/residents/proxies', { parentPatientId: 'mai', childPatientId: 'be-an' })).statusCode).toBe(201);
    const me = await app.inject({ method: 'GET', url: '/auth/session', headers: { cookie: mai.cookie } });
    expect(me.json().actor).toMatchObject({ kind: 'resident', patientId: 'mai', actsFor: ['be-an'] });
  });

  it('a resident may ask with CCCD + phone: the code goes only to the phone on the record, and the answer never tells', async () => {
    const before = (await db.pool.query<{ max: number }>('SELECT coalesce(max(id), 0)::int AS max FROM sms_outbox')).rows[0]!.max;
    const wrongPhone = await app.inject({ method: 'POST', url: '/auth/resident/request-account', payload: { cccd: '068190000002', phone: '0987654321' } });
    const unknownCccd = await app.inject({ method: 'POST', url: '/auth/resident/request-account', payload: { cccd: '068199999999', phone: '0912000002' } });
    const right = await app.inject({ method: 'POST', url: '/auth/resident/request-account', payload: { cccd: '068190000002', phone: '0912000002' } });
    expect([wrongPhone.statusCode, unknownCccd.statusCode, right.statusCode]).toEqual([202, 202, 202]);
    expect(new Set([wrongPhone.body, unknownCccd.body, right.body]).size).toBe(1);
    await new Promise((r) => setTimeout(r, 300)); // the code is sent after the answer
    const after = await db.pool.query<{ phone: string }>('SELECT phone FROM sms_outbox WHERE id > $1', [before]);
    expect(after.rows.map((r) => r.phone)).toEqual([PHONE_NAM]);
  });

  it('a resident signs in with a code sent by SMS', async () => {
    const code = await lastCode(db, PHONE_NAM);
    await app.inject({ method: 'POST', url: '/auth/resident/activate', payload: { phone: PHONE_NAM, code, password: PASSWORD } });
    expect((await app.inject({ method: 'POST', url: '/auth/resident/login-code', payload: { phone: PHONE_NAM } })).statusCode).toBe(202);
    await new Promise((r) => setTimeout(r, 300));
    const login = await app.inject({ method: 'POST', url: '/auth/resident/login-code/verify', payload: { phone: PHONE_NAM, code: await lastCode(db, PHONE_NAM) } });
    expect(login.statusCode).toBe(200);
  });
});

describe('consent (C4)', () => {
  it('a clinician gets access by OTP: the resident reads out the code, a Consent is created, the record opens to that clinician', async () => {
    expect(await doctorSees('nam')).toBe(false);
    const asked = await post(doctor, '/api/consent/otp/request', { patientId: 'nam' });
    expect(asked.json()).toEqual({ phone: '*******002' });
    const granted = await post(doctor, '/api/consent/otp/verify', { patientId: 'nam', code: await lastCode(db, PHONE_NAM) });
    expect(granted.statusCode).toBe(200);
    expect(granted.json()).toMatchObject({ kind: 'consent', method: 'otp', active: true, patientId: 'nam' });
    const consent = fhir.resources.get(`Consent/${granted.json().consentId}`) as Consent;
    expect(consent).toMatchObject({
      status: 'active',
      patient: { reference: 'Patient/nam' },
      performer: [{ reference: 'Patient/nam' }],
      scope: { coding: [{ code: 'patient-privacy' }] },
      category: [{ coding: [{ code: 'INFA' }] }],
      provision: { type: 'permit', actor: [{ reference: { reference: 'Practitioner/prac-tuan' } }] },
    });
    const period = consent.provision!.period!;
    expect(Date.parse(period.end!) - Date.parse(period.start!)).toBe(24 * 3_600_000);
    expect(await doctorSees('nam')).toBe(true);
  });

  it('stops OTP guessing after five wrong codes, even before the right one', async () => {
    await post(doctor, '/api/consent/otp/request', { patientId: 'mai' });
    const right = (await lastCode(db, PHONE_MAI))!;
    const wrong = right === '000000' ? '111111' : '000000';
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) answers.push((await post(doctor, '/api/consent/otp/verify', { patientId: 'mai', code: wrong })).json().error);
    expect(answers.slice(0, 4)).toEqual(['invalid-otp', 'invalid-otp', 'invalid-otp', 'invalid-otp']);
    expect(answers[4]).toBe('otp-attempts-exceeded');
    expect((await post(doctor, '/api/consent/otp/verify', { patientId: 'mai', code: right })).statusCode).toBe(400);
    expect(await doctorSees('mai')).toBe(false);
  });

  it('limits how many codes one phone receives', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await post(doctor, '/api/consent/otp/request', { patientId: 'mai' })).statusCode);
    expect(statuses).toContain(429);
    expect((await post(doctor, '/api/consent/otp/request', { patientId: 'khong-so' })).json().error).toBe('no-phone');
  });

  it('a clinician who cannot see the record asks by CCCD, resident ID or BHYT card; the answer never says whether the person exists', async () => {
    const outbox = async () => (await db.pool.query<{ phone: string }>('SELECT phone FROM sms_outbox WHERE id > $1 ORDER BY id', [before])).rows.map((r) => r.phone);
    const before = (await db.pool.query<{ max: number }>('SELECT coalesce(max(id), 0)::int AS max FROM sms_outbox')).rows[0]!.max;
    const asks = [
      await post(doctor, '/api/consent/otp/request', { identifier: '068190000002' }), // Nam by CCCD
      await post(doctor, '/api/consent/otp/request', { identifier: '068199999999' }), // nobody
      await post(doctor, '/api/consent/otp/request', { identifier: '068190000009' }), // a record without a phone
      await post(doctor, '/api/consent/otp/request', { identifier: formatResidentId('68', 12).toLowerCase() }), // Hoa by resident ID
    ];
    expect(asks.map((a) => a.statusCode)).toEqual([202, 202, 202, 202]);
    expect(new Set(asks.map((a) => a.body)).size).toBe(1);
    expect(asks[0]!.body).not.toMatch(/\d{3}/); // no digits of a phone
    await new Promise((r) => setTimeout(r, 300)); // the code is sent after the answer
    expect(await outbox()).toEqual([PHONE_NAM, PHONE_HOA]);

    // A wrong key fails exactly like a wrong code; the right code with the key opens the record.
    expect((await post(doctor, '/api/consent/otp/verify', { identifier: '068199999999', code: '123456' })).json().error).toBe('invalid-otp');
    const granted = await post(doctor, '/api/consent/otp/verify', { identifier: formatResidentId('68', 12), code: await lastCode(db, PHONE_HOA) });
    expect(granted.json()).toMatchObject({ kind: 'consent', method: 'otp', active: true, patientId: 'hoa' });
    expect(await doctorSees('hoa')).toBe(true);
  });

  it('a BHYT card finds the record by the card or, for a newer card, by the BHXH number inside it', async () => {
    await db.pool.query("DELETE FROM rate_counter WHERE key LIKE 'otp-phone:%'");
    const before = (await db.pool.query<{ max: number }>('SELECT coalesce(max(id), 0)::int AS max FROM sms_outbox')).rows[0]!.max;
    expect((await post(doctor, '/api/consent/otp/request', { identifier: 'gd4 68 0123456789' })).statusCode).toBe(202);
    expect((await post(doctor, '/api/consent/otp/request', { identifier: 'HT3680123456789' })).statusCode).toBe(202);
    await new Promise((r) => setTimeout(r, 300));
    const { rows } = await db.pool.query<{ phone: string }>('SELECT phone FROM sms_outbox WHERE id > $1', [before]);
    expect(rows.map((r) => r.phone)).toEqual([PHONE_HOA, PHONE_HOA]);
  });

  it('refuses a key of no accepted form, and a request naming both a record and a key', async () => {
    const bad = await post(doctor, '/api/consent/otp/request', { identifier: 'HS680000000000' }); // wrong check character
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('CCCD');
    expect((await post(doctor, '/api/consent/otp/request', { identifier: '068190000002', patientId: 'nam' })).statusCode).toBe(400);
    expect((await post(doctor, '/api/consent/otp/request', {})).statusCode).toBe(400);
  });

  it('limits how many keys one staff member may ask about, from any address', async () => {
    await db.pool.query('DELETE FROM rate_counter');
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await post(doctor, '/api/consent/otp/request', { identifier: `0681990000${String(i).padStart(2, '0')}` })).statusCode);
    expect(new Set(statuses)).toEqual(new Set([202]));
    const fromElsewhere = await app.inject({
      method: 'POST',
      url: '/api/consent/otp/request',
      payload: { identifier: '068199000099' },
      remoteAddress: '10.0.0.9',
      headers: { cookie: doctor.cookie, 'x-csrf-token': doctor.csrf },
    });
    expect(fromElsewhere.statusCode).toBe(429);
  });

  it("a resident's share code opens their child's record to the clinician once; revocation closes it on the next request", async () => {
    const made = await post(mai, '/api/consent/share-codes', { patientId: 'be-an', minutes: 5 });
    expect(made.statusCode).toBe(200);
    expect(made.json().code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect((await post(mai, '/api/consent/share-codes', { patientId: 'nam' })).statusCode).toBe(403);
    const redeemed = await post(doctor, '/api/consent/share-codes/redeem', { code: made.json().code.toLowerCase() });
    expect(redeemed.json()).toMatchObject({ patientId: 'be-an', method: 'share-code', active: true });
    expect((await post(doctor, '/api/consent/share-codes/redeem', { code: made.json().code })).json().error).toBe('invalid-share-code');
    const consent = fhir.resources.get(`Consent/${redeemed.json().consentId}`) as Consent;
    expect(consent.performer).toEqual([{ reference: 'Patient/mai' }]);
    expect(await doctorSees('be-an')).toBe(true);

    const listed = await app.inject({ method: 'GET', url: '/api/consent', headers: { cookie: mai.cookie } });
    const grant = listed.json().grants.find((g: { patientId: string }) => g.patientId === 'be-an');
    expect(grant).toMatchObject({ facilityCode: 'F1', active: true });
    expect(grant.granteeUserId).toBeUndefined();
    const revoked = await post(mai, `/api/consent/${grant.id}/revoke`);
    expect(revoked.json()).toMatchObject({ active: false });
    expect(await doctorSees('be-an')).toBe(false);
    expect((fhir.resources.get(`Consent/${redeemed.json().consentId}`) as Consent).status).toBe('inactive');
    // Nobody else revokes it.
    expect((await post(doctor, `/api/consent/${grant.id}/revoke`)).statusCode).toBe(404);
  });

  it('an expired consent no longer opens the record', async () => {
    expect(await doctorSees('nam')).toBe(true);
    await db.pool.query("UPDATE consent_grant SET starts = now() - interval '2 days', expires = now() - interval '1 second' WHERE patient_id = 'nam'");
    expect(await doctorSees('nam')).toBe(false);
  });

  it('break-glass needs a reason, lasts at most 4 hours, is audited, and is shown to the resident and administrators', async () => {
    expect((await post(doctor, '/api/consent/break-glass', { patientId: 'mai', reason: '' })).statusCode).toBe(400);
    expect((await post(doctor, '/api/consent/break-glass', { patientId: 'mai', reason: 'Cấp cứu ngừng tuần hoàn', hours: 12 })).statusCode).toBe(400);
    const glass = await post(doctor, '/api/consent/break-glass', { patientId: 'mai', reason: 'Cấp cứu ngừng tuần hoàn, bệnh nhân bất tỉnh' });
    expect(glass.json()).toMatchObject({ kind: 'break-glass', active: true, reason: 'Cấp cứu ngừng tuần hoàn, bệnh nhân bất tỉnh' });
    expect(Date.parse(glass.json().expires) - Date.parse(glass.json().starts)).toBe(4 * 3_600_000);
    expect(await doctorSees('mai')).toBe(true);
    const seen = (await app.inject({ method: 'GET', url: '/api/consent', headers: { cookie: mai.cookie } })).json().grants;
    expect(seen.some((g: { kind: string }) => g.kind === 'break-glass')).toBe(true);
    const { rows } = await db.pool.query("SELECT reason FROM audit_entry WHERE action = 'break-glass' AND patient_id = 'mai'");
    expect(rows).toHaveLength(1);
    const sms = await db.pool.query<{ message: string }>('SELECT message FROM sms_outbox WHERE phone = $1 ORDER BY id DESC LIMIT 1', [PHONE_MAI]);
    expect(sms.rows[0]!.message).toContain('khan cap');
    const clerk = await sessionFrom(await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'nv.tiepdon', password: PASSWORD } }));
    expect((await post(clerk, '/api/consent/break-glass', { patientId: 'mai', reason: 'Không phải bác sĩ mà thử' })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/consent/break-glass', headers: { cookie: clerk.cookie } })).statusCode).toBe(403);
    const admin = await services.db.pool.query("SELECT count(*)::int AS n FROM consent_grant WHERE kind = 'break-glass'");
    expect(admin.rows[0].n).toBe(1);
  });

  it('refuses consent routes without a session, in Vietnamese', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/consent/otp/request', payload: { patientId: 'nam' } });
    expect(r.statusCode).toBe(401);
    expect(r.json().message).toBe('Cần đăng nhập để thực hiện thao tác này.');
  });
});
