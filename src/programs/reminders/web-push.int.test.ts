// Web-push reminders end to end on real components: the HSSK app and PostgreSQL, the `web-push`
// sender, and a real local HTTPS push service (test/support/push-service.ts) that checks the
// VAPID signature and whose "browser" decrypts the aes128gcm message. Quiet hours and once-only
// hold for push as for SMS; a gone subscription is removed; SMS is a fallback only by choice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '@medplum/fhirtypes';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { BrowserSubscription, startPushService, verifyVapid, type LocalPushService } from '../../../test/support/push-service.ts';
import { createStaffUser } from '../../auth/staff-users.ts';
import { createSession, sessionCookieName } from '../../auth/sessions.ts';
import { loadConfig } from '../../config/config.ts';
import { Repository } from '../../store/repository.ts';
import { dispatchReminders } from './dispatch.ts';
import { setPreference } from './preferences.ts';
import { produceReminders } from './produce.ts';
import type { PushSender } from './push.ts';
import { loadVapidKeys } from './vapid-keys.ts';
import { webPushSender } from './web-push-sender.ts';

const MOTHER_PHONE = '+84912000009';
const night = new Date('2025-03-03T22:30:00+07:00');
const morning = new Date('2025-03-04T07:05:00+07:00');

describe('web-push reminders', () => {
  let t: TestApp;
  let service: LocalPushService;
  let push: PushSender;
  let resident: Record<string, string>;
  let publicKey: string;
  const phone = new BrowserSubscription('');
  let device: BrowserSubscription;

  const due = (patientId: string, itemKey: string, title: string) =>
    t.db.pool.query(
      `INSERT INTO program_worklist (patient_id, commune_code, kind, item_key, due_date, status, title) VALUES ($1, '22918', 'vaccination', $2, '2025-03-04', 'due', $3)`,
      [patientId, itemKey, title],
    );
  const subscribe = (sub: BrowserSubscription, headers = resident) =>
    t.app.inject({ method: 'POST', url: '/api/push/subscriptions', headers, payload: { ...sub.toJSON(), device: 'Chrome trên Android' } });
  const deps = () => ({ db: t.db.pool, sms: t.app.services.sms, push });
  const outbox = async () => (await t.db.pool.query<{ message: string }>('SELECT message FROM sms_outbox WHERE phone = $1 ORDER BY id', [MOTHER_PHONE])).rows.map((r) => r.message);
  const reminderOf = async (patientId: string, itemKey: string) =>
    (await t.db.pool.query(`SELECT key, status, delivered_via, last_error FROM reminder WHERE key LIKE $1`, [`vaccination:${patientId}:${itemKey}:%`])).rows[0];
  const deliveries = async (key: string) =>
    (await t.db.pool.query(`SELECT channel, outcome, status_code FROM reminder_delivery WHERE reminder_key = $1 ORDER BY id`, [key])).rows;

  beforeAll(async () => {
    t = await createTestApp({ env: { HSSK_PUSH_SERVICE_HOSTS: 'localhost' } });
    service = await startPushService();
    device = new BrowserSubscription(`${service.origin}/push/thiet-bi-1`);
    const repo = new Repository(t.db);
    await repo.update({ resourceType: 'Patient', id: 'me-lan', birthDate: '1995-04-02', gender: 'female', name: [{ text: 'Trần Thị Lan' }], telecom: [{ system: 'phone', value: '0912000009' }] } as Resource);
    await repo.update({ resourceType: 'Patient', id: 'be-minh', birthDate: '2024-12-20', gender: 'male', name: [{ text: 'Lê Minh' }] } as Resource);
    await t.db.pool.query(`INSERT INTO resident_account (id, patient_id, phone, status) VALUES ('tk-lan', 'me-lan', $1, 'active')`, [MOTHER_PHONE]);
    await t.db.pool.query(`INSERT INTO patient_proxy (parent_patient_id, child_patient_id, source) VALUES ('me-lan', 'be-minh', 'staff')`);
    const { token, session } = await createSession(t.db.pool, t.app.services.config, 'resident', 'tk-lan');
    resident = { cookie: `${sessionCookieName(t.app.services.config)}=${token}`, 'x-csrf-token': session.csrfToken };
    push = webPushSender({ keys: await loadVapidKeys(t.db.pool, t.app.config), agent: service.agent });
  }, 60_000);
  afterAll(async () => {
    await service?.close();
    await t?.close();
  });

  it('the app gets the server’s VAPID public key, generated once and kept in the database', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/push/public-key' })).statusCode).toBe(401);
    const res = await t.app.inject({ method: 'GET', url: '/api/push/public-key', headers: resident });
    expect(res.statusCode).toBe(200);
    publicKey = res.json().publicKey;
    const point = Buffer.from(publicKey, 'base64url');
    expect(point.length).toBe(65);
    expect(point[0]).toBe(4);
    const { rows } = await t.db.pool.query('SELECT public_key FROM push_vapid_key');
    expect(rows).toEqual([{ public_key: publicKey }]);
    expect((await loadVapidKeys(t.db.pool, t.app.config)).publicKey).toBe(publicKey);
    // A configured pair wins over the stored one.
    const configured = loadConfig({ HSSK_VAPID_PUBLIC_KEY: 'B'.padEnd(87, 'A'), HSSK_VAPID_PRIVATE_KEY: 'C'.padEnd(43, 'A'), HSSK_VAPID_SUBJECT: 'mailto:syt@lamdong.gov.vn' });
    expect(await loadVapidKeys(t.db.pool, configured)).toEqual({ publicKey: 'B'.padEnd(87, 'A'), privateKey: 'C'.padEnd(43, 'A'), subject: 'mailto:syt@lamdong.gov.vn' });
    expect(() => loadConfig({ HSSK_VAPID_PUBLIC_KEY: publicKey })).toThrow(/HSSK_VAPID_PRIVATE_KEY/);
  });

  it('a device subscribes for the resident’s own account; endpoints outside the push services, bad keys and staff are refused', async () => {
    const refused = async (payload: Record<string, unknown>) => (await t.app.inject({ method: 'POST', url: '/api/push/subscriptions', headers: resident, payload })).statusCode;
    expect(await refused({ ...device.toJSON(), endpoint: 'https://10.0.0.5/internal' })).toBe(400);
    expect(await refused({ ...device.toJSON(), endpoint: `http://localhost:1/push` })).toBe(400);
    expect(await refused({ ...device.toJSON(), keys: { p256dh: 'AAAA', auth: device.auth.toString('base64url') } })).toBe(400);
    const { user } = await createStaffUser(t.db.pool, { username: 'cb-xa', displayName: 'cb-xa', role: 'commune-worker', communeCode: '22918', password: 'Mat-khau-rat-dai-2025!' });
    const { token, session } = await createSession(t.db.pool, t.app.services.config, 'staff', user.id);
    expect((await subscribe(device, { cookie: `${sessionCookieName(t.app.services.config)}=${token}`, 'x-csrf-token': session.csrfToken })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/api/push/subscriptions', payload: device.toJSON() })).statusCode).toBe(401);

    const res = await subscribe(device);
    expect(res.statusCode).toBe(201);
    expect(res.json().devices).toMatchObject([{ device: 'Chrome trên Android' }]);
    expect(JSON.stringify(res.json())).not.toContain(device.endpoint);
    const { rows } = await t.db.pool.query('SELECT patient_id, account_id, p256dh FROM push_subscription');
    expect(rows).toEqual([{ patient_id: 'me-lan', account_id: 'tk-lan', p256dh: device.p256dh.toString('base64url') }]);
    const check = await t.app.inject({ method: 'GET', url: `/api/push/subscriptions?endpoint=${encodeURIComponent(device.endpoint)}`, headers: resident });
    expect(check.json().subscribed).toBe(true);
  });

  it('a child’s vaccination reminder reaches the parent’s device encrypted and VAPID-signed, never in quiet hours, and only once', async () => {
    await setPreference(t.db.pool, 'me-lan', { kind: 'all', channel: 'push', enabled: true, hour: null });
    await due('be-minh', 'opv/1', 'OPV mũi 1');
    expect((await produceReminders(t.db.pool, { now: night })).created).toBe(1);
    expect((await produceReminders(t.db.pool, { now: night })).created).toBe(0);
    expect(await dispatchReminders({ ...deps(), now: night })).toMatchObject({ sent: 0, quiet: true });
    expect(service.received).toHaveLength(0);

    // Two schedulers at once: the claim lets only one of them send.
    const results = await Promise.all([dispatchReminders({ ...deps(), now: morning }), dispatchReminders({ ...deps(), now: morning })]);
    expect(results.map((r) => r.sent).sort()).toEqual([0, 1]);
    expect(service.received).toHaveLength(1);
    const [msg] = service.received;
    expect(msg!.path).toBe('/push/thiet-bi-1');
    expect(msg!.headers['content-encoding']).toBe('aes128gcm');
    expect(Number(msg!.headers.ttl)).toBe(86_400);
    const vapid = verifyVapid(msg!.headers.authorization as string);
    expect(vapid.publicKey).toBe(publicKey);
    expect(vapid.claims.aud).toBe(service.origin);
    expect(vapid.claims.sub).toBe('mailto:hssk@localhost');
    expect(vapid.claims.exp * 1000).toBeGreaterThan(Date.now());
    expect(vapid.claims.exp * 1000).toBeLessThanOrEqual(Date.now() + 24 * 3_600_000);
    const notification = JSON.parse(device.decrypt(msg!.body));
    expect(notification).toEqual({ title: 'Nhắc lịch tiêm chủng', body: 'Đến lịch tiêm OPV mũi 1 ngày 04/03/2025. Vui lòng đến trạm y tế xã/phường.', url: '/app/?tab=remind', tag: 'vaccination' });
    // Someone else's key cannot read it.
    expect(() => phone.decrypt(msg!.body)).toThrow();

    const reminder = await reminderOf('be-minh', 'opv/1');
    expect(reminder).toMatchObject({ status: 'sent', delivered_via: 'push' });
    expect(await deliveries(reminder.key)).toEqual([{ channel: 'push', outcome: 'sent', status_code: null }]);
    expect((await dispatchReminders({ ...deps(), now: morning })).sent).toBe(0);
    expect((await produceReminders(t.db.pool, { now: morning })).created).toBe(0);
    expect(service.received).toHaveLength(1);
    expect(await outbox()).toEqual([]);
  });

  it('a subscription the push service calls gone (410) is removed; SMS goes instead only when the resident chose it as fallback', async () => {
    const removed = await t.app.inject({ method: 'DELETE', url: '/api/push/subscriptions', headers: resident, payload: { endpoint: device.endpoint } });
    expect(removed.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/push/subscriptions', headers: resident, payload: { endpoint: device.endpoint } })).statusCode).toBe(404);

    const expired = new BrowserSubscription(`${service.origin}/push/het-han-1`);
    service.answers.set('/push/het-han-1', 410);
    expect((await subscribe(expired)).statusCode).toBe(201);
    await due('me-lan', 'vat/1', 'Uốn ván mũi 1');
    await produceReminders(t.db.pool, { now: morning });
    expect(await dispatchReminders({ ...deps(), now: morning })).toMatchObject({ sent: 0, failed: 1 });
    const noFallback = await reminderOf('me-lan', 'vat/1');
    expect(noFallback).toMatchObject({ status: 'failed', delivered_via: null });
    expect(await deliveries(noFallback.key)).toEqual([{ channel: 'push', outcome: 'gone', status_code: 410 }]);
    expect((await t.db.pool.query('SELECT count(*)::int AS n FROM push_subscription')).rows[0].n).toBe(0);
    expect(await outbox()).toEqual([]);

    const expiredToo = new BrowserSubscription(`${service.origin}/push/het-han-2`);
    service.answers.set('/push/het-han-2', 410);
    expect((await subscribe(expiredToo)).statusCode).toBe(201);
    await setPreference(t.db.pool, 'me-lan', { kind: 'all', channel: 'push', enabled: true, hour: null, smsFallback: true });
    await due('me-lan', 'vat/2', 'Uốn ván mũi 2');
    await produceReminders(t.db.pool, { now: morning });
    expect(await dispatchReminders({ ...deps(), now: morning })).toMatchObject({ sent: 1, failed: 0 });
    const fallback = await reminderOf('me-lan', 'vat/2');
    expect(fallback).toMatchObject({ status: 'sent', delivered_via: 'sms' });
    expect(await deliveries(fallback.key)).toEqual([
      { channel: 'push', outcome: 'gone', status_code: 410 },
      { channel: 'sms', outcome: 'sent', status_code: null },
    ]);
    expect(await outbox()).toEqual(['HSSK: Đến lịch tiêm Uốn ván mũi 2 ngày 04/03/2025. Vui lòng đến trạm y tế xã/phường.']);
  });

  it('“both” sends the reminder by web push and by SMS', async () => {
    const second = new BrowserSubscription(`${service.origin}/push/thiet-bi-2`);
    expect((await subscribe(second)).statusCode).toBe(201);
    await setPreference(t.db.pool, 'me-lan', { kind: 'vaccination', channel: 'both', enabled: true, hour: null });
    await due('me-lan', 'vat/3', 'Uốn ván mũi 3');
    const before = service.received.length;
    await produceReminders(t.db.pool, { now: morning });
    expect(await dispatchReminders({ ...deps(), now: morning })).toMatchObject({ sent: 1 });
    expect(await reminderOf('me-lan', 'vat/3')).toMatchObject({ status: 'sent', delivered_via: 'push,sms' });
    expect(JSON.parse(second.decrypt(service.received[before]!.body)).body).toContain('Uốn ván mũi 3');
    expect((await outbox()).at(-1)).toContain('Uốn ván mũi 3');
  });

  it('a push service that is busy (503) gets the reminder again 15 minutes later, still once', async () => {
    await t.app.inject({ method: 'DELETE', url: '/api/push/subscriptions', headers: resident, payload: { endpoint: `${service.origin}/push/thiet-bi-2` } });
    const busy = new BrowserSubscription(`${service.origin}/push/ban-ron`);
    service.answers.set('/push/ban-ron', 503);
    expect((await subscribe(busy)).statusCode).toBe(201);
    await setPreference(t.db.pool, 'me-lan', { kind: 'vaccination', channel: 'push', enabled: true, hour: null, smsFallback: false });
    await due('me-lan', 'vat/4', 'Uốn ván mũi 4');
    await produceReminders(t.db.pool, { now: morning });
    const sms = (await outbox()).length;
    expect(await dispatchReminders({ ...deps(), now: morning })).toMatchObject({ sent: 0, failed: 1 });
    const key = (await reminderOf('me-lan', 'vat/4')).key;
    const waiting = (await t.db.pool.query('SELECT status, attempts, not_before FROM reminder WHERE key = $1', [key])).rows[0];
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1 });
    expect(waiting.not_before.getTime()).toBe(morning.getTime() + 15 * 60_000);
    expect((await dispatchReminders({ ...deps(), now: new Date(morning.getTime() + 5 * 60_000) })).sent).toBe(0);

    service.answers.delete('/push/ban-ron');
    const later = new Date(morning.getTime() + 16 * 60_000);
    expect(await dispatchReminders({ ...deps(), now: later })).toMatchObject({ sent: 1, failed: 0 });
    expect(await dispatchReminders({ ...deps(), now: later })).toMatchObject({ sent: 0, failed: 0 });
    expect(await reminderOf('me-lan', 'vat/4')).toMatchObject({ status: 'sent', delivered_via: 'push' });
    expect(await deliveries(key)).toEqual([
      { channel: 'push', outcome: 'failed', status_code: 503 },
      { channel: 'push', outcome: 'sent', status_code: null },
    ]);
    expect(service.received.filter((m) => m.path === '/push/ban-ron')).toHaveLength(2);
    expect((await outbox()).length).toBe(sms);
  });
});
