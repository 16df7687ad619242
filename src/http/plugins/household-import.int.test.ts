// Household files uploaded over HTTP (POST /api/households) and the OAuth2 client administration:
// who may, what a wrong file answers, what a good file creates, the rejected-rows download.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/support/db.ts';
import { createStaffUser } from '../../auth/staff-users.ts';
import { totpCode } from '../../auth/totp.ts';
import { loadConfig } from '../../config/config.ts';
import { createLogger } from '../../logging.ts';
import type { Database } from '../../store/database.ts';
import { buildApp, systemFhirWriter } from '../app.ts';

const PASSWORD = 'Mat-khau-thu-nghiem-2026';
const HEADER = 'ma_ho,ho_ten,ngay_sinh,gioi_tinh,so_cccd,ma_bhxh,so_the_bhyt,quan_he_chu_ho,dan_toc,nghe_nghiep,dia_chi,ma_xa,dien_thoai';
const GOOD = [
  HEADER,
  'HTTP1,Nguyễn Văn Hải,15/03/1985,Nam,068085000321,,,Chủ hộ,Kinh,Nông dân,Thôn 1,24820,0912345111',
  'HTTP1,Trần Thị Lan,20/07/1987,Nữ,,,,Vợ,Kinh,Nội trợ,Thôn 1,24820,',
  'HTTP1,Nguyễn Văn Sai,31/02/2012,Nam,,,,Con,Kinh,Học sinh,Thôn 1,24820,',
  'HTTP2,Lê Thị Khác,02/02/1990,Nữ,,,,Chủ hộ,Kinh,,Phường 1,24823,',
].join('\n');

let db: Database;
let app: FastifyInstance;
const sessions: Record<string, { cookie: string; csrf: string }> = {};

async function signIn(username: string, totpSecret?: string) {
  const r = await app.inject({ method: 'POST', url: '/auth/login', payload: { username, password: PASSWORD, ...(totpSecret ? { totp: totpCode(totpSecret) } : {}) } });
  expect(r.statusCode).toBe(200);
  sessions[username] = { cookie: String(r.headers['set-cookie']).split(';')[0]!, csrf: r.json<{ csrfToken: string }>().csrfToken };
}

function as(username: string | null) {
  const s = username ? sessions[username]! : undefined;
  return s ? { cookie: s.cookie, 'x-csrf-token': s.csrf } : {};
}

async function upload(username: string | null, body: string | Buffer, contentType = 'text/csv', query = '') {
  const r = await app.inject({ method: 'POST', url: `/api/households?filename=ho.csv${query}`, headers: { 'content-type': contentType, ...as(username) }, payload: body });
  return { status: r.statusCode, body: r.json<{ id: string; status: string; message?: string }>() };
}

interface JobView { status: string; completeList: boolean; report?: { rows: number; created: number; rejected: number; outOfScope: number; communesCovered: number }; hasRejected: boolean; error?: string }

const coveredCommunes = async () => (await db.pool.query<{ commune: string }>('SELECT commune FROM household_coverage ORDER BY commune')).rows.map((r) => r.commune);

async function finished(username: string, id: string): Promise<JobView> {
  for (let i = 0; i < 300; i++) {
    const r = await app.inject({ method: 'GET', url: `/api/households/jobs/${id}`, headers: as(username) });
    expect(r.statusCode).toBe(200);
    const job = r.json<JobView>();
    if (job.status === 'done' || job.status === 'failed') return job;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the import job did not finish');
}

beforeAll(async () => {
  db = await createTestDatabase();
  app = await buildApp({ config: loadConfig({ HSSK_BASE_URL: 'http://hssk.test' }), db, logger: createLogger('silent') });
  const fhir = systemFhirWriter(db);
  const admin = await createStaffUser(db.pool, { username: 'admin.so', displayName: 'Lê Quản Trị', role: 'admin', password: PASSWORD }, fhir);
  await createStaffUser(db.pool, { username: 'yte.xa', displayName: 'Phạm Thị Hoa', role: 'commune-worker', communeCode: '24820', facilityCode: '68120', password: PASSWORD }, fhir);
  await createStaffUser(db.pool, { username: 'bs.bv', displayName: 'Đỗ Minh Tâm', role: 'clinician', facilityCode: '68001', password: PASSWORD }, fhir);
  await signIn('admin.so', new URL(admin.totpUri!).searchParams.get('secret')!);
  await signIn('yte.xa');
  await signIn('bs.bv');
}, 120_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
});

const patients = async (family: string) =>
  Number((await db.pool.query(`SELECT count(*) AS n FROM resource WHERE resource_type = 'Patient' AND NOT deleted AND content LIKE $1`, [`%${family}%`])).rows[0].n);

describe('household upload over HTTP', () => {
  it('refuses callers without a session and roles that may not import', async () => {
    expect((await upload(null, GOOD)).status).toBe(401);
    const clinician = await upload('bs.bv', GOOD);
    expect(clinician.status).toBe(403);
    expect(await patients('Nguyễn Văn Hải')).toBe(0);
  });

  it('refuses a file that is not a household file with the reason, before any job starts', async () => {
    const noColumns = await upload('admin.so', 'ten,tuoi\nAn,30\n');
    expect(noColumns.status).toBe(400);
    expect(noColumns.body.message).toContain('thiếu cột bắt buộc: ma_ho');
    const headerOnly = await upload('admin.so', `${HEADER}\n`);
    expect(headerOnly.status).toBe(400);
    expect(headerOnly.body.message).toContain('không có dòng dữ liệu');
    const brokenExcel = await upload('admin.so', Buffer.from('PK\u0003\u0004 not really a workbook'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(brokenExcel.status).toBe(400);
    expect(brokenExcel.body.message).toContain('Excel');
    const wrongType = await app.inject({ method: 'POST', url: '/api/households', headers: { 'content-type': 'application/json', ...as('admin.so') }, payload: '{}' });
    expect(wrongType.statusCode).toBe(415);
  });

  it("a commune health worker's file creates their commune's residents; other communes' rows and bad rows come back with reasons", async () => {
    const started = await upload('yte.xa', GOOD);
    expect(started.status).toBe(202);
    const job = await finished('yte.xa', started.body.id);
    expect(job.status).toBe('done');
    expect(job.report).toMatchObject({ rows: 3, created: 2, rejected: 2, outOfScope: 1, communesCovered: 0 });
    // Not declared the commune's whole list: identity matching must not assume everyone there is registered.
    expect(job.completeList).toBe(false);
    expect(await coveredCommunes()).toEqual([]);
    expect(JSON.stringify(job)).not.toContain('/tmp');
    expect(await patients('Nguyễn Văn Hải')).toBe(1);
    expect(await patients('Trần Thị Lan')).toBe(1);
    expect(await patients('Lê Thị Khác')).toBe(0);

    const csv = await app.inject({ method: 'GET', url: `/api/households/jobs/${started.body.id}/rejected.csv`, headers: as('yte.xa') });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toBe(`dong,${HEADER},ly_do`);
    expect(lines).toHaveLength(3);
    expect(csv.body).toContain('31/02/2012');
    expect(csv.body).toContain('không tồn tại');
    expect(csv.body).toContain('không thuộc phạm vi của bạn');

    // Someone else's job is not visible to a commune worker; an administrator sees it.
    await createStaffUser(db.pool, { username: 'yte.khac', displayName: 'Hồ Văn Khác', role: 'commune-worker', communeCode: '24823', password: PASSWORD }, systemFhirWriter(db));
    await signIn('yte.khac');
    expect((await app.inject({ method: 'GET', url: `/api/households/jobs/${started.body.id}`, headers: as('yte.khac') })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/api/households/jobs/${started.body.id}`, headers: as('admin.so') })).statusCode).toBe(200);

    const audit = await db.pool.query(`SELECT action, outcome, detail FROM audit_entry WHERE entity_type = 'HouseholdImport' ORDER BY seq`);
    expect(audit.rows.map((r) => r.action)).toEqual(expect.arrayContaining(['import', 'export']));
    expect(JSON.stringify(audit.rows)).not.toContain('Nguyễn');
  });

  it('an administrator imports every commune', async () => {
    const started = await upload('admin.so', GOOD);
    expect(started.status).toBe(202);
    const job = await finished('admin.so', started.body.id);
    expect(job.report).toMatchObject({ rows: 4, rejected: 1, outOfScope: 0 });
    expect(await patients('Lê Thị Khác')).toBe(1);
  });

  it("a list declared complete (complete=1) covers its communes — a commune health worker's only their own", async () => {
    const unclear = await upload('yte.xa', GOOD, 'text/csv', '&complete=yes');
    expect(unclear.status).toBe(400);
    expect(unclear.body.message).toContain('complete');
    const started = await upload('yte.xa', GOOD, 'text/csv', '&complete=1');
    expect(started.status).toBe(202);
    const job = await finished('yte.xa', started.body.id);
    expect(job.completeList).toBe(true);
    expect(job.report).toMatchObject({ rows: 3, outOfScope: 1, communesCovered: 1 });
    expect(await coveredCommunes()).toEqual(['24820']);
    const audit = await db.pool.query(`SELECT detail FROM audit_entry WHERE entity_type = 'HouseholdImport' AND action = 'import' ORDER BY seq DESC LIMIT 1`);
    expect(audit.rows[0].detail).toMatchObject({ completeList: true, communesCovered: 1 });
  });
});

describe('OAuth2 clients administration', () => {
  it('an administrator registers a client (secret shown once), lists it and revokes it; the token endpoint then refuses it', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/admin/clients', headers: as('yte.xa') })).statusCode).toBe(403);
    const bad = await app.inject({ method: 'POST', url: '/api/admin/clients', headers: as('admin.so'), payload: { name: 'Sai', scope: 'patient/*.read' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ message: string }>().message).toContain('system/');

    const created = await app.inject({ method: 'POST', url: '/api/admin/clients', headers: as('admin.so'), payload: { name: 'Phần mềm BV Đa khoa', facilityCode: '68001', scope: 'system/*.write system/Patient.read' } });
    expect(created.statusCode).toBe(201);
    const { clientId, clientSecret } = created.json<{ clientId: string; clientSecret: string }>();
    const list = (await app.inject({ method: 'GET', url: '/api/admin/clients', headers: as('admin.so') })).json<{ clients: { clientId: string; disabled: boolean; scopes: string[] }[] }>();
    expect(list.clients.find((c) => c.clientId === clientId)).toMatchObject({ disabled: false, scopes: ['system/*.write', 'system/Patient.read'] });
    expect(JSON.stringify(list)).not.toContain(clientSecret);

    const token = () =>
      app.inject({
        method: 'POST',
        url: '/oauth2/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString(),
      });
    expect((await token()).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: `/api/admin/clients/${clientId}/revoke`, headers: as('admin.so') })).statusCode).toBe(200);
    expect((await token()).statusCode).toBe(401);
  });
});
