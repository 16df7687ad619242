// A portal session kept in memory for the FHIR API's reads (session-cache.ts): what another
// process changes in the database — a consent given or revoked, a grant expiring, an account
// disabled, a logout — takes effect at the very next request, with no session query of its own
// on an unchanged session. Changes are made here in SQL, behind the server's back, as another
// process (or the CLI) would.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestDatabase } from '../../test/support/db.ts';
import { loadConfig } from '../config/config.ts';
import { buildApp } from '../http/app.ts';
import { createLogger } from '../logging.ts';
import type { Database } from '../store/database.ts';
import { createSession } from './sessions.ts';
import { createStaffUser } from './staff-users.ts';
import { cookieOf, insertPatient } from './test-app.ts';

const COMMUNE = '22924';
const PASSWORD = 'mat-khau-rat-dai-123';

let db: Database;
let app: FastifyInstance;
let userId: string;
let cookie: string;
let sessionQueries = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  app = await buildApp({ config: loadConfig({ HSSK_BASE_URL: 'http://hssk.test' }), db, logger: createLogger('silent'), background: false });
  await app.ready();
  const created = await createStaffUser(db.pool, { username: 'yt.xa', displayName: 'Y tế xã', role: 'commune-worker', communeCode: COMMUNE, password: PASSWORD });
  userId = created.user.id;
  for (const id of ['p-in', 'p-out', 'p-gone', 'p-parent', 'p-child']) await insertPatient(db, id);
  await db.pool.query(`UPDATE resource SET communes = $1 WHERE id IN ('p-in', 'p-gone')`, [[COMMUNE]]);
  await db.pool.query(`UPDATE resource SET deleted = true, content = NULL WHERE id = 'p-gone'`);
  // Counts the session's own query (not the check inside the data statements).
  const query = db.pool.query.bind(db.pool) as (...args: unknown[]) => unknown;
  (db.pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text;
    if (text?.includes('FROM user_session s LEFT JOIN staff_user')) sessionQueries++;
    return query(...args);
  };
});
afterAll(async () => {
  await app.close();
  await db.close();
});

beforeEach(async () => {
  await db.pool.query(`UPDATE staff_user SET disabled = false`);
  await db.pool.query(`DELETE FROM consent_grant`);
  const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'yt.xa', password: PASSWORD } });
  expect(login.statusCode).toBe(200);
  cookie = cookieOf(login.headers['set-cookie']);
});

const get = async (url: string) => (await app.inject({ method: 'GET', url, headers: { cookie } })).statusCode;

async function grant(id: string, patient: string, expires: string, starts = "now() - interval '1 hour'"): Promise<void> {
  await db.pool.query(
    `INSERT INTO consent_grant (id, patient_id, grantee_user_id, starts, expires, kind, method) VALUES ($1, $2, $3, ${starts}, ${expires}, 'consent', 'otp')`,
    [id, patient, userId],
  );
}

describe('a portal session served from memory, checked inside every data statement', () => {
  it('reads with no session query of its own once the session is known, under the same rule', async () => {
    expect(await get('/fhir/Patient/p-in')).toBe(200);
    const before = sessionQueries;
    expect(await get('/fhir/Patient/p-in')).toBe(200);
    expect(await get('/fhir/Patient/p-out')).toBe(404);
    expect(await get('/fhir/Patient?_count=10')).toBe(200);
    expect(await get('/fhir/Patient/p-in/$everything')).toBe(200);
    expect(sessionQueries).toBe(before);
    const page = await app.inject({ method: 'GET', url: '/fhir/Patient?_count=10', headers: { cookie } });
    expect(page.json().entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual(['p-in']);
  });

  it('a consent given elsewhere opens the record at the next request, a revocation closes it at the next one', async () => {
    expect(await get('/fhir/Patient/p-out')).toBe(404);
    await grant('g1', 'p-out', "now() + interval '1 day'");
    const before = sessionQueries;
    expect(await get('/fhir/Patient/p-out')).toBe(200);
    expect(sessionQueries).toBe(before + 1);
    expect(await get('/fhir/Patient/p-out')).toBe(200);
    await db.pool.query(`UPDATE consent_grant SET revoked_at = now() WHERE id = 'g1'`);
    expect(await get('/fhir/Patient/p-out')).toBe(404);
    const search = await app.inject({ method: 'GET', url: '/fhir/Patient?_count=10', headers: { cookie } });
    expect(search.json().entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual(['p-in']);
  });

  it('a grant that expires (or starts) by time alone changes what the cached session sees, with nothing written', async () => {
    await grant('g2', 'p-out', "now() + interval '1.5 seconds'");
    expect(await get('/fhir/Patient/p-out')).toBe(200);
    expect(await get('/fhir/Patient/p-out')).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect(await get('/fhir/Patient/p-out')).toBe(404);
    await grant('g3', 'p-out', "now() + interval '1 day'", "now() + interval '1 second'");
    expect(await get('/fhir/Patient/p-out')).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await get('/fhir/Patient/p-out')).toBe(200);
  });

  it('an account disabled elsewhere is refused at the next request', async () => {
    expect(await get('/fhir/Patient/p-in')).toBe(200);
    await db.pool.query(`UPDATE staff_user SET disabled = true WHERE id = $1`, [userId]);
    expect(await get('/fhir/Patient/p-in')).toBe(401);
  });

  it('a session ended elsewhere learns nothing more: not a record, not that one is missing or deleted, not an empty page', async () => {
    expect(await get('/fhir/Patient/p-in')).toBe(200);
    await db.pool.query(`UPDATE user_session SET revoked_at = now() WHERE user_id = $1`, [userId]);
    for (const url of ['/fhir/Patient/p-in', '/fhir/Patient/no-such-id', '/fhir/Patient/p-gone', '/fhir/Patient?name=khong-co-ai', '/fhir/Patient?name=nguyen&_total=accurate', '/fhir/Patient/p-in/_history', '/fhir/Patient/p-in/$everything']) {
      expect(await get(url), url).toBe(401);
    }
  });

  it('a session whose idle time ran out is refused even while cached', async () => {
    expect(await get('/fhir/Patient/p-in')).toBe(200);
    // Two idle hours pass: for the database (the session row) and for this process (its clock).
    await db.pool.query(`UPDATE user_session SET last_seen_at = now() - interval '2 hours' WHERE user_id = $1`, [userId]);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 2 * 3_600_000);
      expect(await get('/fhir/Patient/p-in')).toBe(401);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a read that finds nothing tells a missing record from a session ended meanwhile', async () => {
    expect(await get('/fhir/Patient/no-such-id')).toBe(404);
    expect(await get('/fhir/Patient/p-out')).toBe(404);
    const before = sessionQueries;
    await db.pool.query(`UPDATE user_session SET generation = generation + 1 WHERE user_id = $1`, [userId]);
    // The session changed (as a grant given elsewhere would change it): read afresh, then answered.
    expect(await get('/fhir/Patient/no-such-id')).toBe(404);
    expect(sessionQueries).toBe(before + 1);
    expect(await get('/fhir/Patient/p-in')).toBe(200);
    expect(sessionQueries).toBe(before + 1);
  });

  it('logout in this process forgets the session at once', async () => {
    const session = await app.inject({ method: 'GET', url: '/auth/session', headers: { cookie } });
    expect(await get('/fhir/Patient/p-in')).toBe(200);
    const out = await app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie, 'x-csrf-token': session.json().csrfToken } });
    expect(out.statusCode).toBe(204);
    expect(await get('/fhir/Patient/p-in')).toBe(401);
  });

  it('a resident: a child added or removed elsewhere, or the account disabled, applies at the next request', async () => {
    await db.pool.query(`INSERT INTO resident_account (id, patient_id, phone, status) VALUES ('ra-1', 'p-parent', '0912000009', 'active')`);
    const { token } = await createSession(db.pool, app.services.config, 'resident', 'ra-1');
    const resident = async (url: string) => (await app.inject({ method: 'GET', url, headers: { cookie: `hssk_session=${token}` } })).statusCode;
    expect(await resident('/fhir/Patient/p-parent')).toBe(200);
    expect(await resident('/fhir/Patient/p-child')).toBe(404);
    await db.pool.query(`INSERT INTO patient_proxy (parent_patient_id, child_patient_id, source) VALUES ('p-parent', 'p-child', 'staff')`);
    expect(await resident('/fhir/Patient/p-child')).toBe(200);
    await db.pool.query(`UPDATE patient_proxy SET revoked_at = now() WHERE child_patient_id = 'p-child'`);
    expect(await resident('/fhir/Patient/p-child')).toBe(404);
    await db.pool.query(`UPDATE resident_account SET status = 'disabled' WHERE id = 'ra-1'`);
    expect(await resident('/fhir/Patient/p-parent')).toBe(401);
  });
});
