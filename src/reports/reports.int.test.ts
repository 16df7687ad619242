// Every report checked against counts computed independently from the raw resources of a small
// generated province, imported through the real household and XML pipelines.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Condition, Encounter, Group, Patient, Resource } from '@medplum/fhirtypes';
import ExcelJS from 'exceljs';
import Fastify, { type FastifyInstance } from 'fastify';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.ts';
import { createSession, sessionCookieName } from '../auth/sessions.ts';
import { createStaffUser } from '../auth/staff-users.ts';
import { loadConfig } from '../config/config.ts';
import { CodeSystem, Extension } from '../fhir/systems.ts';
import { authServicesFor } from '../http/app.ts';
import { reportRoutes } from '../http/plugins/reports.ts';
import { ingestXmlFile } from '../ingest/channel/xml-channel.ts';
import { importFacilities } from '../ingest/facility/import-facilities.ts';
import { importHouseholds } from '../ingest/household/import-households.ts';
import { openHouseholdSource } from '../ingest/household/read-rows.ts';
import { generateEpisodes } from '../ingest/xml/generator.ts';
import type { PipelineContext } from '../pipeline/types.ts';
import { generateProvince } from '../province/generator.ts';
import { chapterOf } from '../province/icd10.ts';
import { bulkLoad } from '../store/bulk-load.ts';
import type { Database } from '../store/database.ts';
import { diagnosisIds, icd10Code, vietnamMonth } from './extract.ts';
import { refreshReports } from './refresh.ts';
import { oldDistrictOf, provinceCommunes } from './units.ts';

let db: Database;
let app: FastifyInstance;
let dir: string;
const cookies: Record<string, string> = {};
const csrf: Record<string, string> = {};
const ids: Record<string, string> = {};

async function rawResources<T extends Resource>(type: string): Promise<(T & { id: string })[]> {
  const { rows } = await db.pool.query<{ content: string }>(`SELECT content FROM resource WHERE resource_type = $1 AND NOT deleted`, [type]);
  return rows.map((r) => JSON.parse(r.content) as T & { id: string });
}

const communeOfPatient = (p: Patient) => p.address?.[0]?.extension?.find((e) => e.url === Extension.addressCommune)?.valueCode ?? '';

async function get(url: string, who = 'manager') {
  return app.inject({ method: 'GET', url, headers: { cookie: cookies[who]! } });
}

async function login(name: string, kind: 'staff' | 'resident', userId: string) {
  const services = app.services;
  const { token, session } = await createSession(db.pool, services.config, kind, userId);
  cookies[name] = `${sessionCookieName(services.config)}=${token}`;
  csrf[name] = session.csrfToken;
}

beforeAll(async () => {
  db = await createTestDatabase();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-reports-'));
  const ctx: PipelineContext = { db, actor: { kind: 'system', name: 'test:reports' }, province: '68', asOf: '2026-07-01' };
  generateProvince({ residents: 500, seed: 'reports', outDir: dir, pairs: 0 });
  await importFacilities(ctx, path.join(dir, 'facilities.csv'));
  await importHouseholds(ctx, openHouseholdSource(path.join(dir, 'households.csv')), { batchSize: 250, today: '2026-07-01' });
  const episodes = await generateEpisodes({ provinceDir: dir, count: 600, format: '130', outDir: path.join(dir, 'xml'), seed: 3, perFile: 300 });
  for (const file of episodes.files) await ingestXmlFile(ctx, file);

  // Hypertension register, blood pressure, and vaccinations for young children, on residents.
  const patients = await rawResources<Patient>('Patient');
  const adults = patients.filter((p) => (p.birthDate ?? '9999') < '1970');
  const children = patients.filter((p) => (p.birthDate ?? '0000') >= '2021');
  const extra: Resource[] = [];
  adults.slice(0, 12).forEach((p, i) => {
    const subject = { reference: `Patient/${p.id}` };
    extra.push({ resourceType: 'Condition', subject, code: { coding: [{ system: CodeSystem.icd10, code: 'I10' }] } } as Condition);
    if (i < 8) extra.push({ resourceType: 'EpisodeOfCare', status: 'active', patient: subject, type: [{ coding: [{ system: 'http://fhir.hssk.vn/CodeSystem/chuong-trinh', code: 'hypertension' }] }] });
    if (i < 10) {
      extra.push({
        resourceType: 'Observation', status: 'final', subject, effectiveDateTime: '2026-05-01T08:00:00+07:00',
        code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] },
        component: [
          { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: i < 6 ? 130 : 150, unit: 'mmHg' } },
          { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: 85, unit: 'mmHg' } },
        ],
      });
    }
  });
  children.forEach((p, i) => {
    for (let dose = 0; dose < (i % 4); dose++) {
      extra.push({
        resourceType: 'Immunization', status: 'completed', patient: { reference: `Patient/${p.id}` },
        vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '198' }] },
        occurrenceDateTime: `2024-0${dose + 1}-15`,
      });
    }
  });
  await bulkLoad(db, extra, { validate: false });

  const config = loadConfig({ HSSK_BASE_URL: 'http://hssk.test', HSSK_DATA_DIR: path.join(dir, 'data') });
  app = Fastify();
  app.decorate('db', db);
  app.decorate('config', config);
  app.decorate('services', authServicesFor(config, db));
  await app.register(reportRoutes, { refreshIntervalMs: 0 });
  await app.ready();

  const manager = await createStaffUser(db.pool, { username: 'ql.tinh', displayName: 'Quản lý', role: 'manager', password: 'Mat-khau-dai-12345' });
  const manager2 = await createStaffUser(db.pool, { username: 'ql.huyen', displayName: 'Quản lý 2', role: 'manager', password: 'Mat-khau-dai-12345' });
  // The commune with the most residents: the incremental-refresh test needs several of them.
  const perCommune = new Map<string, number>();
  for (const p of patients) perCommune.set(communeOfPatient(p), (perCommune.get(communeOfPatient(p)) ?? 0) + 1);
  const commune = [...perCommune.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];
  const worker = await createStaffUser(db.pool, { username: 'tyt.xa', displayName: 'Trạm y tế', role: 'commune-worker', communeCode: commune, password: 'Mat-khau-dai-12345' });
  ids.manager = manager.user.id;
  ids.manager2 = manager2.user.id;
  ids.commune = commune;
  await db.pool.query(`INSERT INTO resident_account (id, patient_id, phone, status) VALUES ('acc-1', $1, '0912000001', 'active')`, [patients[1]!.id]);
  await login('manager', 'staff', manager.user.id);
  await login('manager2', 'staff', manager2.user.id);
  await login('worker', 'staff', worker.user.id);
  await login('resident', 'resident', 'acc-1');
  await refreshReports(db, { province: '68' });
}, 240_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('coverage report', () => {
  it('counts population, records, health data and accounts exactly as the raw resources say, per commune', async () => {
    const patients = (await rawResources<Patient>('Patient')).filter((p) => p.active !== false);
    const groups = await rawResources<Group>('Group');
    const members = new Set(groups.flatMap((g) => (g.member ?? []).map((m) => m.entity.reference!.replace('Patient/', ''))));
    const { rows: withData } = await db.pool.query<{ compartment: string }>(
      `SELECT DISTINCT compartment FROM resource WHERE NOT deleted AND resource_type NOT IN ('Patient', 'Group', 'RelatedPerson', 'Coverage', 'Consent') AND compartment IS NOT NULL`,
    );
    const hasData = new Set(withData.map((r) => r.compartment));
    const expected = new Map<string, { population: number; registered: number; withData: number }>();
    for (const p of patients) {
      const c = communeOfPatient(p);
      const e = expected.get(c) ?? { population: 0, registered: 0, withData: 0 };
      e.registered++;
      if (members.has(p.id)) e.population++;
      if (hasData.has(p.id)) e.withData++;
      expected.set(c, e);
    }
    const res = await get('/api/reports/coverage');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.asOf).toBeTruthy();
    for (const row of body.rows) {
      expect({ unit: row.unit, population: row.population, registered: row.registered, withData: row.withData }).toEqual({ unit: row.unit, ...expected.get(row.unit) });
    }
    expect(body.rows.length).toBe(expected.size);
    expect(body.total.registered).toBe(patients.length);
    expect(body.total.withAccount).toBe(1);
  });

  it('reconciles: the province is the sum of its communes, and of its old districts', async () => {
    const byCommune = (await get('/api/reports/coverage')).json();
    const byDistrict = (await get('/api/reports/coverage?by=district')).json();
    for (const key of ['population', 'registered', 'withData', 'updated12m', 'verified', 'withAccount'] as const) {
      const sum = (rows: Record<string, number>[]) => rows.reduce((s, r) => s + r[key]!, 0);
      expect(sum(byCommune.rows)).toBe(byCommune.total[key]);
      expect(sum(byDistrict.rows)).toBe(byCommune.total[key]);
    }
    const patients = await rawResources<Patient>('Patient');
    const district = byDistrict.rows[0].unit as string;
    const oldCommune = (p: Patient) => p.address?.[0]?.extension?.find((e) => e.url === Extension.addressCommuneOld)?.valueCode;
    const inDistrict = patients.filter((p) => p.active !== false && oldDistrictOf(communeOfPatient(p), oldCommune(p)) === district).length;
    expect(byDistrict.rows[0].registered).toBe(inDistrict);
  });
});

describe('disease report', () => {
  it('reconciles: the province disease cells are the sums of the province communes\' cells, nothing more', async () => {
    // Residents of other provinces treated here have commune cells but no share in the
    // province's; residents whose commune is unknown ('') are counted in the province.
    const communes = ['', ...provinceCommunes('68')];
    const keys = 'grain, level, period, care, key';
    const { rows: [diff] } = await db.pool.query<{ missing: number; extra: number; n: number }>(
      `WITH summed AS (SELECT ${keys}, sum(episodes)::int AS episodes, sum(patients)::int AS patients FROM report_disease_cell
                       WHERE commune = ANY($1::text[]) GROUP BY 1, 2, 3, 4, 5),
            kept AS (SELECT ${keys}, episodes, patients FROM report_disease_province_cell)
       SELECT (SELECT count(*) FROM (SELECT * FROM summed EXCEPT SELECT * FROM kept) x)::int AS missing,
              (SELECT count(*) FROM (SELECT * FROM kept EXCEPT SELECT * FROM summed) y)::int AS extra,
              (SELECT count(*) FROM kept)::int AS n`,
      [communes],
    );
    expect(diff).toEqual({ missing: 0, extra: 0, n: expect.any(Number) });
    expect(diff!.n).toBeGreaterThan(100);
  });

  it('counts episodes and distinct patients by ICD-10 chapter of the main diagnosis, as the raw resources say', async () => {
    const encounters = await rawResources<Encounter>('Encounter');
    const conditions = new Map((await rawResources<Condition>('Condition')).map((c) => [c.id, c]));
    const expected = new Map<string, { episodes: number; patients: Set<string> }>();
    let total = 0;
    for (const e of encounters) {
      const start = e.period?.start;
      if (!start || !vietnamMonth(start).startsWith('2025')) continue;
      const main = diagnosisIds(e)[0];
      const code = main ? icd10Code(conditions.get(main)!) : undefined;
      const chapter = code ? chapterOf(code)!.number : '';
      const x = expected.get(chapter) ?? { episodes: 0, patients: new Set() };
      x.episodes++;
      x.patients.add(e.subject!.reference!);
      expected.set(chapter, x);
      total++;
    }
    const body = (await get('/api/reports/diseases?period=2025&level=chapter')).json();
    expect(body.total.episodes).toBe(total);
    expect(body.byKey.length).toBe(expected.size);
    for (const row of body.byKey) {
      const x = expected.get(row.key)!;
      if (x.patients.size < 5) expect(row.patients).toBe('<5');
      else expect([row.episodes, row.patients]).toEqual([x.episodes, x.patients.size]);
    }
    const months = body.byMonth.reduce((s: number, m: { episodes: number | string }) => s + (typeof m.episodes === 'number' ? m.episodes : 0), 0);
    expect(months).toBeLessThanOrEqual(total);
    expect(body.top.length).toBeGreaterThan(0);
  });

  it('the same counts come from the facts when a filter outside the cells is given', async () => {
    const cells = (await get('/api/reports/diseases?period=2025&level=chapter')).json();
    const male = (await get('/api/reports/diseases?period=2025&level=chapter&sex=male')).json();
    const female = (await get('/api/reports/diseases?period=2025&level=chapter&sex=female')).json();
    expect(male.source).toBe('facts');
    expect(male.total.episodes + female.total.episodes).toBe(cells.total.episodes);
    // Sex is the resident's, so men and women add up to everyone in every row of every table
    // (the one-pass GROUPING SETS read of the facts against the cells), where none is suppressed.
    type Row = Record<string, number | string>;
    const COUNTS = ['episodes', 'patients', 'inpatientEpisodes', 'outpatientEpisodes'];
    let compared = 0;
    for (const [table, id] of [['byKey', 'key'], ['byMonth', 'month'], ['byUnit', 'unit']] as const) {
      const rowOf = (body: Record<string, Row[]>, key: string | number) => body[table]!.find((r) => r[id] === key);
      for (const whole of cells[table] as Row[]) {
        const [m, w] = [rowOf(male, whole[id]!), rowOf(female, whole[id]!)];
        if (!m || !w || ![whole, m, w].every((r) => COUNTS.every((c) => typeof r[c] === 'number'))) continue;
        for (const c of COUNTS) expect({ table, key: whole[id], c, n: (m[c] as number) + (w[c] as number) }).toEqual({ table, key: whole[id], c, n: whole[c] });
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(5);
  });

  it('keeps the hypertension register: known, managed, controlled by the last blood pressure', async () => {
    const body = (await get('/api/reports/diseases?period=2025')).json();
    const htn = body.ncd.find((n: { programme: string }) => n.programme === 'hypertension');
    const conditions = (await rawResources<Condition>('Condition')).filter((c) => /^I1[0-5]/.test(icd10Code(c) ?? ''));
    expect(htn.known).toBe(new Set(conditions.map((c) => c.subject.reference)).size);
    expect(htn.managed).toBe(8);
    expect(htn.measured).toBe(10);
    expect(htn.controlled).toBe(6);
  });
});

describe('vaccination report', () => {
  it('counts children of each birth cohort with the first dose and the full schedule', async () => {
    const firstCohort = String(new Date().getFullYear() - 5);
    const children = (await rawResources<Patient>('Patient')).filter((p) => (p.birthDate ?? '0000') >= '2021');
    const dosesOf = new Map(children.map((p, i) => [p.id, i % 4]));
    const body = (await get('/api/reports/vaccination')).json();
    const penta = body.totals.filter((r: { vaccine: string }) => r.vaccine === 'dpt-hepb-hib');
    for (const row of penta) {
      const cohort = children.filter((p) => p.birthDate!.startsWith(String(row.birthYear)) && p.birthDate! >= firstCohort);
      const complete = cohort.filter((p) => dosesOf.get(p.id)! >= 3).length;
      const first = cohort.filter((p) => dosesOf.get(p.id)! >= 1).length;
      expect(row.cohort).toBe(cohort.length);
      expect(row.complete).toBe(complete > 0 && complete < 5 ? '<5' : complete);
      if (!(complete > 0 && complete < 5)) expect(row.firstDose).toBe(first > 0 && first < 5 ? '<5' : first);
    }
    expect(penta.reduce((s: number, r: { cohort: number }) => s + r.cohort, 0)).toBe(children.filter((p) => p.birthDate! >= firstCohort).length);
  });
});

describe('arrivals report', () => {
  it('lists each facility with what it sent and the last arrival', async () => {
    const body = (await get('/api/reports/arrivals')).json();
    const encounters = await rawResources<Encounter>('Encounter');
    const stored = body.facilities.reduce((s: number, f: { storedEpisodes: number }) => s + f.storedEpisodes, 0);
    expect(stored).toBe(encounters.length);
    expect(body.facilities[0].lastArrival).toMatch(/^\d{4}-/);
    // Each facility by code and the name of its Organization, as the imported facility list says.
    const listed = new Map((parse(fs.readFileSync(path.join(dir, 'facilities.csv'), 'utf8'), { columns: true, bom: true }) as Record<string, string>[]).map((r) => [r.ma_cskcb, r.ten]));
    const named = body.facilities.filter((f: { facility: string; name: string }) => f.facility !== '');
    expect(named.length).toBeGreaterThan(0);
    for (const f of named) expect({ facility: f.facility, name: f.name }).toEqual({ facility: f.facility, name: listed.get(f.facility) });
  });
});

describe('access and audit', () => {
  it('a resident is refused every report; a manager is not', async () => {
    for (const r of ['coverage', 'diseases', 'vaccination', 'arrivals']) {
      expect((await get(`/api/reports/${r}`, 'resident')).statusCode).toBe(403);
      expect((await get(`/api/reports/${r}`, 'manager')).statusCode).toBe(200);
    }
    expect((await app.inject({ method: 'GET', url: '/api/reports/coverage' })).statusCode).toBe(401);
  });

  it('a commune health worker sees their own commune only', async () => {
    const own = await get('/api/reports/coverage', 'worker');
    expect(own.statusCode).toBe(200);
    expect(own.json().rows.map((r: { unit: string }) => r.unit)).toEqual([ids.commune]);
    const other = (await get('/api/reports/coverage')).json().rows.find((r: { unit: string }) => r.unit !== ids.commune && r.unit !== '');
    expect((await get(`/api/reports/coverage?unit=${other.unit}`, 'worker')).statusCode).toBe(403);
  });

  it('every run is audited with the report name and no personal data', async () => {
    const { rows } = await db.pool.query(`SELECT action, entity_id, patient_id, detail FROM audit_entry WHERE entity_type = 'Report'`);
    expect(rows.some((r) => r.entity_id === 'coverage' && r.action === 'search')).toBe(true);
    expect(rows.every((r) => r.patient_id === null)).toBe(true);
  });
});

describe('commune boundaries for the map', () => {
  it('are absent (404) until the operator adds the GeoJSON file to the data directory, then served', async () => {
    const missing = await get('/api/reports/boundaries');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toBe('no-boundaries');
    const file = path.join(dir, 'data', 'boundaries', 'communes.geojson');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features: [] }));
    const found = await get('/api/reports/boundaries');
    expect(found.statusCode).toBe(200);
    expect(found.headers['content-type']).toContain('application/geo+json');
    expect(found.json().type).toBe('FeatureCollection');
    expect((await get('/api/reports/boundaries', 'resident')).statusCode).toBe(403);
  });
});

describe('downloads', () => {
  it('CSV has a BOM and Vietnamese headers', async () => {
    const res = await get('/api/reports/coverage?format=csv');
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.body.startsWith('\uFEFFMã đơn vị,Tên đơn vị,Dân số')).toBe(true);
    const { rows } = await db.pool.query(`SELECT action FROM audit_entry WHERE entity_type = 'Report' AND action = 'export'`);
    expect(rows.length).toBeGreaterThan(0);
  });

  it('Excel opens, with the report title and Vietnamese headers', async () => {
    const res = await get('/api/reports/diseases?period=2025&format=xlsx');
    expect(res.statusCode).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('Theo bệnh')!;
    expect(sheet.getRow(1).getCell(1).value).toBe('Tình hình bệnh tật');
    expect(sheet.getRow(4).values).toContain('Số lượt khám chữa bệnh');
    expect(sheet.rowCount).toBeGreaterThan(5);
  });
});

describe('custom reports', () => {
  let id: string;
  it('a manager saves a report, shares it, and it returns aggregates with small cells suppressed', async () => {
    const res = await app.inject({
      method: 'POST', url: '/api/reports/custom', headers: { cookie: cookies.manager!, 'x-csrf-token': csrf.manager! },
      payload: { name: 'Lượt khám theo xã và giới', spec: { subject: 'episodes', dimensions: ['commune', 'sex'], measures: ['episodes', 'patients'], filters: { period: '2025' } }, sharedWith: [ids.manager2] },
    });
    expect(res.statusCode).toBe(201);
    id = res.json().id;
    const run = await get(`/api/reports/custom/${id}`, 'manager2');
    expect(run.statusCode).toBe(200);
    const rows = run.json().rows as { patients: number | string; episodes: number | string }[];
    expect(rows.some((r) => r.patients === '<5' && r.episodes === '<5')).toBe(true);
    expect(rows.every((r) => r.patients === '<5' || (r.patients as number) >= 5)).toBe(true);
    expect(JSON.stringify(run.json())).not.toMatch(/Patient\//);
  });

  it('residents counted by group reconcile with the coverage report', async () => {
    const res = await app.inject({
      method: 'POST', url: '/api/reports/custom', headers: { cookie: cookies.manager!, 'x-csrf-token': csrf.manager! },
      payload: { name: 'Dân số theo huyện cũ', spec: { subject: 'residents', dimensions: ['district'], measures: ['registered', 'coverageRate'], filters: {} } },
    });
    const run = (await get(`/api/reports/custom/${res.json().id}`)).json();
    const coverage = (await get('/api/reports/coverage')).json();
    const rows = run.rows as { registered: number | string }[];
    const shown = rows.reduce((s, r) => s + (typeof r.registered === 'number' ? r.registered : 0), 0);
    const hidden = rows.filter((r) => r.registered === '<5').length;
    expect(coverage.total.registered - shown).toBeGreaterThanOrEqual(hidden);
    expect(coverage.total.registered - shown).toBeLessThanOrEqual(hidden * 4);
  });

  it('a report is shared by user name, and an unknown user name is refused by name', async () => {
    const share = (usernames: string[]) =>
      app.inject({ method: 'POST', url: `/api/reports/custom/${id}/share`, headers: { cookie: cookies.manager!, 'x-csrf-token': csrf.manager! }, payload: { usernames } });
    const ok = await share(['QL.HUYEN']);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().sharedWith).toContain(ids.manager2);
    const unknown = await share(['ql.huyen', 'khong.ai']);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toContain('khong.ai');
  });

  it('a commune worker may not compose reports, and an unshared report is not found', async () => {
    const res = await app.inject({
      method: 'POST', url: '/api/reports/custom', headers: { cookie: cookies.worker!, 'x-csrf-token': csrf.worker! },
      payload: { name: 'x', spec: { subject: 'episodes', dimensions: [], measures: ['episodes'], filters: {} } },
    });
    expect(res.statusCode).toBe(403);
    expect((await get(`/api/reports/custom/${id}`, 'worker')).statusCode).toBe(404);
    expect((await get(`/api/reports/custom/${id}`, 'resident')).statusCode).toBe(403);
  });
});

describe('incremental refresh', () => {
  it('new episodes reach the report after a refresh that touches only their cells', async () => {
    const before = (await get('/api/reports/diseases?period=2026&level=code')).json();
    const residents = (await rawResources<Patient>('Patient')).filter((p) => communeOfPatient(p) === ids.commune);
    const conditions: Resource[] = [];
    const encounters: Resource[] = [];
    for (let i = 0; i < 6; i++) {
      const patient = residents[i]!;
      const cid = `rpt-c-${i}`;
      conditions.push({ resourceType: 'Condition', id: cid, subject: { reference: `Patient/${patient.id}` }, code: { coding: [{ system: CodeSystem.icd10, code: 'J06.9' }] } } as Condition);
      encounters.push({
        resourceType: 'Encounter', id: `rpt-e-${i}`, status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
        subject: { reference: `Patient/${patient.id}` }, period: { start: '2026-02-03T08:00:00+07:00' }, diagnosis: [{ condition: { reference: `Condition/${cid}` }, rank: 1 }],
      } as Encounter);
    }
    await bulkLoad(db, [...conditions, ...encounters], { validate: false, sourceFacility: '68999' });
    const pending = (await get('/api/reports/diseases?period=2026')).json().pendingChanges;
    expect(pending).toBeGreaterThan(0);
    const result = await refreshReports(db, { province: '68' });
    expect(result.episodes).toBe(6);
    // Only the six residents' contributions are recomputed: the cells of J06.9 in 2026-02 and
    // 2026 (both grains, outpatient and all care, four levels) and the commune totals they change.
    expect(result.cells.residents).toBe(6);
    expect(result.cells.changed.report_disease_cell).toBeGreaterThan(0);
    expect(result.cells.changed.report_disease_cell).toBeLessThanOrEqual(16 * 2);
    const after = (await get('/api/reports/diseases?period=2026&level=code')).json();
    expect(after.total.episodes).toBe((typeof before.total.episodes === 'number' ? before.total.episodes : 0) + 6);
    const row = after.byKey.find((r: { key: string }) => r.key === 'J06.9');
    expect([row.episodes, row.patients]).toEqual([6, 6]);
    const arrivals = (await get('/api/reports/arrivals?facility=68999')).json();
    expect(arrivals.facilities[0].storedEpisodes).toBe(6);
  });
});
