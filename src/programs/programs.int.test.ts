// Programme state on a real database: enrolment from each channel, worklists and their scoping,
// reminders at most once and only outside quiet hours, alerts from self-measured readings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '@medplum/fhirtypes';
import { createTestDatabase } from '../../test/support/db.ts';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { createStaffUser } from '../auth/staff-users.ts';
import { createSession, sessionCookieName } from '../auth/sessions.ts';
import { Extension, IdentifierSystem } from '../fhir/systems.ts';
import type { Database } from '../store/database.ts';
import { Repository } from '../store/repository.ts';
import { scanAlerts } from './alerts.ts';
import { importCentreList } from './centres/centre-list.ts';
import { ProgramSystem } from './codes.ts';
import { enrol } from './registers/enrol.ts';
import { programme } from './registers/programmes.ts';
import { dispatchReminders } from './reminders/dispatch.ts';
import { setPreference } from './reminders/preferences.ts';
import { produceReminders } from './reminders/produce.ts';
import { unavailablePushSender } from './reminders/push.ts';
import { refreshAll } from './state/refresh.ts';
import { queryWorklist, worklistDef } from './worklists/worklists.ts';

const A = '22918';
const B = '22924';
const AS_OF = '2025-03-03';

function patient(id: string, commune: string, birthDate: string, gender: 'male' | 'female', phone?: string): Resource {
  return {
    resourceType: 'Patient', id, birthDate, gender, name: [{ text: `Người ${id}` }],
    ...(phone ? { telecom: [{ system: 'phone', value: phone }] } : {}),
    address: [{ extension: [{ url: Extension.addressCommune, valueCode: commune }, { url: Extension.addressProvince, valueCode: '68' }] }],
  } as Resource;
}
const condition = (pid: string, code: string, date: string): Resource => ({
  resourceType: 'Condition', subject: { reference: `Patient/${pid}` }, recordedDate: date,
  code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code }] },
}) as Resource;

async function seed(db: Database) {
  const repo = new Repository(db);
  await repo.update({ resourceType: 'Organization', id: 'tyt-a', name: 'Trạm Y tế Mũi Né', type: [{ coding: [{ system: 'http://fhir.hssk.vn/CodeSystem/loai-co-so', code: 'tram-y-te' }] }],
    address: [{ extension: [{ url: Extension.addressCommune, valueCode: A }] }] } as Resource);
  for (const r of [
    patient('baby-a', A, '2024-12-20', 'male', '0912000001'),
    patient('baby-b', B, '2024-12-20', 'female'),
    patient('htn-a', A, '1960-05-01', 'male', '0912000002'),
    patient('dm-a', A, '1970-05-01', 'female'),
    patient('thin-a', A, '2024-03-01', 'female'),
    patient('short-a', A, '2023-03-01', 'male'),
  ]) await repo.update(r);
  // The hypertension diagnosis arrives like any channel's Condition (XML3, CDA, FHIR API).
  await repo.create(condition('htn-a', 'I10', '2024-10-01'));
  await repo.create({ resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/htn-a' }, period: { start: '2024-10-01' } } as Resource);
  await repo.create(condition('dm-a', 'E11.9', '2025-02-20'));
  await repo.create({ resourceType: 'Observation', status: 'final', subject: { reference: 'Patient/dm-a' }, effectiveDateTime: '2025-02-20',
    code: { coding: [{ system: 'http://loinc.org', code: '4548-4' }] }, valueQuantity: { value: 6.5, unit: '%', code: '%' } } as Resource);
  await repo.create({ resourceType: 'Observation', status: 'final', subject: { reference: 'Patient/thin-a' }, effectiveDateTime: '2025-02-01',
    code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] }, valueQuantity: { value: 5.9, unit: 'kg', code: 'kg' } } as Resource);
  // 23 months, 79 cm lying (below −2 SD length-for-age) and 12.5 kg (above +2 SD weight-for-length).
  await repo.create({ resourceType: 'Observation', status: 'final', subject: { reference: 'Patient/short-a' }, effectiveDateTime: '2025-02-01',
    code: { coding: [{ system: 'http://loinc.org', code: '8306-3' }] }, valueQuantity: { value: 79, unit: 'cm', code: 'cm' } } as Resource);
  await repo.create({ resourceType: 'Observation', status: 'final', subject: { reference: 'Patient/short-a' }, effectiveDateTime: '2025-02-01',
    code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] }, valueQuantity: { value: 12.5, unit: 'kg', code: 'kg' } } as Resource);
}

describe('commune programmes on the database', () => {
  let t: TestApp;
  let db: Database;
  beforeAll(async () => {
    t = await createTestApp();
    db = t.db;
    await seed(db);
    await refreshAll(db, { asOf: AS_OF });
  }, 60_000);
  afterAll(async () => t.close());

  it('a newborn gets an ImmunizationRecommendation with due and overdue doses', async () => {
    const row = await new Repository(db).read('ImmunizationRecommendation', 'imr-baby-a');
    const imr = JSON.parse(row.content!);
    const statuses = imr.recommendation.map((r: { description: string; forecastStatus: { coding: { code: string }[] } }) => `${r.description}:${r.forecastStatus.coding[0]!.code}`);
    expect(statuses).toContain('BCG:overdue');
    expect(statuses).toContain('DPT-VGB-Hib mũi 1:due');
    expect(imr.authority.reference).toBe('Organization/tyt-a');
  });

  it('a Condition I10 from any channel enrols on the hypertension register, managed by the commune station', async () => {
    const e = JSON.parse((await new Repository(db).read('EpisodeOfCare', 'eoc-hypertension-htn-a')).content!);
    expect(e.status).toBe('active');
    expect(e.type[0].coding[0]).toMatchObject({ system: ProgramSystem.programme, code: 'hypertension' });
    expect(e.managingOrganization.reference).toBe('Organization/tyt-a');
    const cp = JSON.parse((await new Repository(db).read('CarePlan', 'cp-hypertension-htn-a')).content!);
    expect(cp.activity[0].detail.scheduledPeriod.start).toBe('2024-10-31');
  });

  it('a diabetic with HbA1c 6.5% is controlled; a hypertensive without contact for five months is lost to follow-up', async () => {
    const dm = JSON.parse((await new Repository(db).read('EpisodeOfCare', 'eoc-diabetes-dm-a')).content!);
    expect(dm.extension.find((x: { url: string }) => x.url.endsWith('control-status')).valueCode).toBe('controlled');
    const lost = await queryWorklist(db.pool, worklistDef('lost-to-follow-up')!, { communeCode: A, asOf: AS_OF });
    expect(lost.map((r) => r.patientId)).toEqual(['htn-a']);
  });

  it('manual enrolment puts a resident on a register without a diagnosis', async () => {
    await enrol(db, programme('copd')!, 'dm-a', { source: 'manual' });
    await refreshAll(db, { asOf: AS_OF });
    const e = JSON.parse((await new Repository(db).read('EpisodeOfCare', 'eoc-copd-dm-a')).content!);
    expect(e.status).toBe('active');
  });

  it('a centre list creates or updates residents through the pipeline, enrols them, and drops excluded rows', async () => {
    const csv = [
      'ma_trung_tam,chuong_trinh,ho_ten,ngay_sinh,gioi_tinh,cccd,ma_bhxh,dien_thoai,ma_xa,dia_chi,ma_icd,chan_doan,ngay_chan_doan',
      `68999,tuberculosis,Trần Văn Lao,1980-01-02,nam,,,0912000009,${A},Thôn 1,A15.0,Lao phổi,2025-02-01`,
      `68999,mental-health,Lê Thị Tâm,1975-06-07,nữ,,,,${A},,F20.0,Tâm thần phân liệt,2025-01-15`,
      `68999,hypertension,Người Ẩn,1970-01-01,nam,,,,${A},,B20,Nhiễm HIV,2025-01-01`,
      `68999,khong-co,Sai Chương Trình,1970-01-01,nam,,,,${A},,I10,,`,
    ].join('\n');
    const report = await importCentreList({ db, actor: { kind: 'system', name: 'test' }, province: '68', asOf: AS_OF }, csv);
    expect(report).toMatchObject({ rows: 4, enrolled: 2, created: 2 });
    expect(report.rejected.map((r) => r.line)).toEqual([5]);
    expect(Object.values(report.excluded).reduce((a, b) => a + b, 0)).toBe(1);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM resource WHERE content LIKE '%Người Ẩn%' OR content LIKE '%B20%'`);
    expect(rows[0].n).toBe(0);
    const referrals = await queryWorklist(db.pool, worklistDef('centre-referrals')!, { communeCode: A, asOf: AS_OF });
    expect(referrals.map((r) => r.detail['programme']).sort()).toEqual(['mental-health', 'tuberculosis']);
  });

  it('worklists: vaccinations due this week / overdue, underweight, stunting and overweight, elderly checks', async () => {
    const week = await queryWorklist(db.pool, worklistDef('vaccination-week')!, { communeCode: A, asOf: AS_OF });
    // Due since 20 February and not yet four weeks late: on this week's list.
    expect(week.some((r) => r.patientId === 'baby-a' && r.itemKey === 'dpt-hepb-hib/1')).toBe(true);
    const month = await queryWorklist(db.pool, worklistDef('vaccination-month')!, { communeCode: A, asOf: AS_OF });
    expect(month.filter((r) => r.patientId === 'baby-a').map((r) => r.itemKey)).toEqual(expect.arrayContaining(['dpt-hepb-hib/1', 'opv/1']));
    const overdue = await queryWorklist(db.pool, worklistDef('vaccination-overdue')!, { communeCode: A, asOf: AS_OF });
    expect(overdue.filter((r) => r.patientId === 'baby-a').map((r) => r.itemKey)).toEqual(['bcg/1']);
    const thin = await queryWorklist(db.pool, worklistDef('malnutrition')!, { communeCode: A, asOf: AS_OF });
    expect(thin.map((r) => [r.patientId, r.itemKey, r.status])).toEqual([
      ['short-a', 'height-for-age', 'moderate'],
      ['short-a', 'weight-for-height', 'overweight'],
      ['thin-a', 'weight-for-age', 'severe'],
    ]);
    const elderly = await queryWorklist(db.pool, worklistDef('elderly-checks')!, { communeCode: A, asOf: AS_OF });
    expect(elderly.map((r) => r.patientId)).toContain('htn-a');
  });

  it('a commune worker sees only their commune; an admin may choose a commune; a clinician is refused', async () => {
    const session = async (username: string, role: 'commune-worker' | 'admin' | 'clinician', communeCode?: string) => {
      const { user } = await createStaffUser(db.pool, { username, displayName: username, role, ...(communeCode ? { communeCode } : {}), ...(role === 'clinician' ? { facilityCode: '68001' } : {}), password: 'Mat-khau-rat-dai-2025!' });
      const { token } = await createSession(db.pool, t.app.services.config, 'staff', user.id);
      return { cookie: `${sessionCookieName(t.app.services.config)}=${token}` };
    };
    const worker = await session('cb-xa-a', 'commune-worker', A);
    const own = await t.app.inject({ method: 'GET', url: '/api/worklists/vaccination-overdue?asOf=' + AS_OF, headers: worker });
    expect(own.statusCode).toBe(200);
    const ids = own.json().rows.map((r: { patientId: string }) => r.patientId);
    expect(ids).toContain('baby-a');
    expect(ids).not.toContain('baby-b');
    expect((await t.app.inject({ method: 'GET', url: `/api/worklists/vaccination-overdue?commune=${B}`, headers: worker })).statusCode).toBe(403);
    const admin = await session('qt-tinh', 'admin');
    const other = await t.app.inject({ method: 'GET', url: `/api/worklists/vaccination-overdue?commune=${B}&asOf=${AS_OF}`, headers: admin });
    expect(other.json().rows.map((r: { patientId: string }) => r.patientId)).toEqual(['baby-b']);
    const counts = await t.app.inject({ method: 'GET', url: '/api/worklists', headers: worker });
    expect(counts.json().commune).toBe(A);
    const clinician = await session('bs-benh-vien', 'clinician');
    expect((await t.app.inject({ method: 'GET', url: '/api/worklists/malnutrition', headers: clinician })).statusCode).toBe(403);
  });

  it('reminders are produced once however often the scheduler runs, and wait out quiet hours', async () => {
    await db.pool.query(`UPDATE program_worklist SET due_date = '2025-03-04', status = 'due' WHERE patient_id = 'baby-a' AND item_key = 'opv/1'`);
    await setPreference(db.pool, 'baby-a', { kind: 'vaccination', channel: 'sms', enabled: true, hour: null });
    const night = new Date('2025-03-03T22:30:00+07:00');
    const first = await produceReminders(db.pool, { now: night });
    const second = await produceReminders(db.pool, { now: night });
    expect(first.created).toBeGreaterThan(0);
    expect(second.created).toBe(0);
    const deps = { db: db.pool, sms: t.app.services.sms, push: unavailablePushSender };
    expect(await dispatchReminders({ ...deps, now: night })).toMatchObject({ sent: 0, quiet: true });
    const morning = new Date('2025-03-04T07:05:00+07:00');
    const sent = await dispatchReminders({ ...deps, now: morning });
    expect(sent.sent).toBeGreaterThan(0);
    expect((await dispatchReminders({ ...deps, now: morning })).sent).toBe(0);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM sms_outbox WHERE phone = '+84912000001'`);
    expect(rows[0].n).toBe(sent.sent);
    await setPreference(db.pool, 'htn-a', { kind: 'all', channel: 'none', enabled: false, hour: null });
  });

  it('a self-measured blood pressure of 185/125 from a register member reaches the commune station', async () => {
    await db.pool.query(`INSERT INTO program_job_state (key, value) VALUES ('alerts.last-updated', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [JSON.stringify({ at: new Date(Date.now() - 1000).toISOString() })]);
    const self = (pid: string, sys: number, dia: number) => ({
      resourceType: 'Observation', status: 'final', subject: { reference: `Patient/${pid}` }, performer: [{ reference: `Patient/${pid}` }], effectiveDateTime: '2025-03-03T08:00:00+07:00',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] },
      component: [
        { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: sys, unit: 'mm[Hg]', code: 'mm[Hg]' } },
        { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: dia, unit: 'mm[Hg]', code: 'mm[Hg]' } },
      ],
    }) as Resource;
    const repo = new Repository(db);
    await repo.create(self('htn-a', 185, 125));
    await repo.create(self('baby-a', 185, 125)); // not on a register: no alert
    const result = await scanAlerts(db, new Date(Date.now() + 1000));
    expect(result.flagged).toBe(1);
    const alerts = await queryWorklist(db.pool, worklistDef('alerts')!, { communeCode: A });
    expect(alerts.map((r) => r.patientId)).toEqual(['htn-a']);
    expect((await scanAlerts(db, new Date(Date.now() + 2000))).flagged).toBe(0);

    // Page by page, a run stopping midway: the next run goes on after the last row it read,
    // and laboratory results are never read at all.
    const lab = (i: number) => ({ ...self('htn-a', 120, 80), category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }], effectiveDateTime: `2025-03-0${i}T08:00:00+07:00` }) as Resource;
    for (let i = 1; i <= 4; i++) await repo.create(lab(i));
    for (let i = 0; i < 3; i++) await repo.create(self('htn-a', 190 + i, 125));
    const later = new Date(Date.now() + 3000);
    const first = await scanAlerts(db, later, { page: 2, maxPages: 1 });
    expect(first).toEqual({ scanned: 2, flagged: 2 });
    const second = await scanAlerts(db, later, { page: 2, maxPages: 1 });
    expect(second).toEqual({ scanned: 1, flagged: 1 });
    expect(await scanAlerts(db, later, { page: 2, maxPages: 1 })).toEqual({ scanned: 0, flagged: 0 });
  });

  it('the commune lists answer in well under a second', async () => {
    const started = performance.now();
    for (const code of ['vaccination-week', 'vaccination-month', 'vaccination-overdue', 'ncd-follow-up', 'lost-to-follow-up', 'pregnancies', 'malnutrition', 'elderly-checks']) {
      await queryWorklist(db.pool, worklistDef(code)!, { communeCode: A, asOf: AS_OF });
    }
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('uses its own test database', async () => {
    const other = await createTestDatabase();
    const { rows } = await other.pool.query('SELECT count(*)::int AS n FROM program_worklist');
    expect(rows[0].n).toBe(0);
    await other.close();
    expect(IdentifierSystem.cccd).toBeTruthy();
  });
});
