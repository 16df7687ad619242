import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, fixture, FIXTURES, hoso, tablesOf } from '../../../test/fixtures/xml/build.ts';
import { SYSTEM_CALLER } from '../../../test/support/app.ts';
import { createTestDatabase } from '../../../test/support/db.ts';
import { createClient } from '../../auth/clients.ts';
import { loadConfig } from '../../config/config.ts';
import { buildApp } from '../../http/app.ts';
import { createLogger } from '../../logging.ts';
import type { Database } from '../../store/database.ts';
import { importHouseholds } from '../household/import-households.ts';
import { openHouseholdSource } from '../household/read-rows.ts';
import { facilityArrivals, setSendMode } from './arrivals.ts';
import type { UnitReport } from './report.ts';

let db: Database;
let app: FastifyInstance;
const logLines: string[] = [];
const tokens: Record<string, string> = {};

async function tokenFor(facility: string | undefined): Promise<string> {
  const { clientId, clientSecret } = await createClient(db.pool, { name: `Phần mềm ${facility ?? 'tỉnh'}`, ...(facility ? { facilityCode: facility } : {}), scopes: ['system/*.cruds'] });
  const r = await app.inject({
    method: 'POST',
    url: '/oauth2/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret! }).toString(),
  });
  expect(r.statusCode).toBe(200);
  return r.json<{ access_token: string }>().access_token;
}

interface Answer {
  facility: string;
  summary: { units: number; accepted: number; rejected: number; written: number; deleted: number; excluded: Record<string, number>; fatal?: { code: string } };
  units: UnitReport[];
}

async function post(path: '/api/xml' | '/api/cda', body: string, facility: string | null = '68001') {
  const r = await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/xml', ...(facility === null ? {} : { authorization: `Bearer ${tokens[facility]}` }) }, payload: body });
  return { status: r.statusCode, body: r.json<Answer>() };
}

const full130 = tablesOf('qd130');
const full4210 = tablesOf('qd4210');
const episode130 = envelope('68001', [hoso(full130)]);
const MA_LK = 'BV68001-2025-000777';

beforeAll(async () => {
  db = await createTestDatabase();
  const sink = new Writable({ write: (chunk: Buffer, _e, done) => (logLines.push(chunk.toString('utf8')), done()) });
  app = await buildApp({ config: loadConfig({ HSSK_BASE_URL: 'http://hssk.test' }), db, logger: createLogger('debug', sink), resolveCaller: async () => SYSTEM_CALLER });
  // The province's residents first (household registry), as in production.
  await importHouseholds({ db, actor: { kind: 'system', name: 'test' }, province: '68' }, openHouseholdSource(`${FIXTURES}/province/households.csv`));
  for (const f of ['68001', '68123', '79001', '79002']) tokens[f] = await tokenFor(f);
  tokens['tinh'] = await tokenFor(undefined);
}, 120_000);

afterAll(async () => {
  await app.close();
  await db.close();
});

async function count(sql: string, params: unknown[] = []): Promise<number> {
  return Number((await db.pool.query<{ n: string }>(sql, params)).rows[0]!.n);
}

describe('POST /api/xml: a QĐ 130 episode with every table', () => {
  let first: Answer;
  beforeAll(async () => {
    const r = await post('/api/xml', episode130);
    expect(r.status).toBe(200);
    first = r.body;
  });

  it('is accepted and every resource it names is readable through the FHIR API', async () => {
    const unit = first.units[0]!;
    expect(unit).toMatchObject({ key: `xml/68001/${MA_LK}`, status: 'accepted', facility: '68001' });
    const types = new Set(unit.resourceIds!.map((id) => id.split('/')[0]));
    for (const t of ['Patient', 'Encounter', 'Condition', 'Coverage', 'MedicationRequest', 'MedicationDispense', 'Procedure', 'Observation', 'DiagnosticReport', 'Composition', 'Appointment', 'RelatedPerson']) {
      expect(types, t).toContain(t);
    }
    for (const id of unit.resourceIds!) {
      const r = await app.inject({ method: 'GET', url: `/fhir/${id}` });
      expect(r.statusCode, id).toBe(200);
    }
    const enc = await app.inject({ method: 'GET', url: `/fhir/Encounter?identifier=${encodeURIComponent(MA_LK)}` });
    expect(enc.json<{ total?: number; entry?: unknown[] }>().entry).toHaveLength(1);
  });

  it('links the episode to the resident registered with the same CCCD (household import first)', async () => {
    const { rows } = await db.pool.query<{ id: string }>(
      `SELECT r.id FROM resource r JOIN search_token t ON t.rid = r.rid WHERE r.resource_type = 'Patient' AND t.code = '068188002345' AND NOT r.deleted`,
    );
    expect(rows).toHaveLength(1);
    expect(first.units[0]!.patientId).toBe(rows[0]!.id);
    expect(['updated', 'matched']).toContain(first.units[0]!.outcome);
  });

  it('leaves out HIV content (XML6, XML15 fields, Z21/B20, the antiretroviral, the HIV test): counted, nowhere in the database or the logs', async () => {
    expect(first.summary.excluded['hiv']).toBeGreaterThan(0);
    // The search below does find words: the kept diagnosis is there.
    expect(await count(`SELECT count(*) AS n FROM resource WHERE content ~* '\\mthai\\M'`)).toBeGreaterThan(0);
    for (const table of ['resource', 'resource_history']) {
      expect(await count(`SELECT count(*) AS n FROM ${table} WHERE content ~* '\\m(hiv|z21|b20(\\.\\d)?|b24|dolutegravir|tenofovir|ngaykd_hiv|arv)\\M'`), table).toBe(0);
    }
    expect(await count(`SELECT count(*) AS n FROM search_string WHERE value ~* 'hiv|dolutegravir'`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM search_token WHERE code ~* '^(Z21|B20|B20.9)$'`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM audit_entry WHERE detail::text ~* 'hiv|dolutegravir'`)).toBe(0);
    const logs = logLines.join('');
    expect(logs).not.toMatch(/hiv|dolutegravir|TRẦN THỊ MAI|068188002345/i);
  });

  // Every stored version: replaced ones in resource_history, current ones in resource.
  const VERSIONS = 'SELECT (SELECT count(*) FROM resource_history) + (SELECT count(*) FROM resource WHERE method IS NOT NULL) AS n';

  it('sent twice changes nothing: no new version of anything', async () => {
    const versions = await count(VERSIONS);
    const again = await post('/api/xml', episode130);
    expect(again.status).toBe(200);
    expect(again.body.units[0]).toMatchObject({ status: 'accepted', written: 0, deleted: 0 });
    expect(again.body.units[0]!.resourceIds!.sort()).toEqual([...first.units[0]!.resourceIds!].sort());
    expect(await count(VERSIONS)).toBe(versions);
  });

  it('re-sent with one medicine fewer: that MedicationRequest leaves the current record and stays in history', async () => {
    const xml2 = full130.find(([t]) => t === 'XML2')![1];
    const lines = xml2.match(/<CHI_TIET_THUOC>[\s\S]*?<\/CHI_TIET_THUOC>/g)!;
    const fewer = full130.map(([t, x]) => [t, t === 'XML2' ? x.replace(lines[0]!, '') : x] as const);
    const before = first.units[0]!.resourceIds!.filter((id) => id.startsWith('MedicationRequest/'));
    const r = await post('/api/xml', envelope('68001', [hoso(fewer)]));
    expect(r.body.units[0]).toMatchObject({ status: 'accepted' });
    expect(r.body.units[0]!.deleted).toBeGreaterThanOrEqual(1);
    const after = r.body.units[0]!.resourceIds!.filter((id) => id.startsWith('MedicationRequest/'));
    const gone = before.filter((id) => !after.includes(id));
    expect(gone).toHaveLength(1);
    expect((await app.inject({ method: 'GET', url: `/fhir/${gone[0]}` })).statusCode).toBe(410);
    const history = await app.inject({ method: 'GET', url: `/fhir/${gone[0]}/_history` });
    expect(history.json<{ entry: unknown[] }>().entry.length).toBe(2);
    // Sending the full episode again brings it back.
    expect((await post('/api/xml', episode130)).body.units[0]!.status).toBe('accepted');
  });

  it('counts what arrived, per facility and day, for the B5 view', async () => {
    const [row] = await facilityArrivals(db.pool, { facility: '68001' });
    expect(row).toMatchObject({ facility: '68001', sendMode: 'episode', late: false });
    expect(row!.received).toBeGreaterThanOrEqual(4);
    const r = await app.inject({ method: 'GET', url: '/api/ingest/arrivals', headers: { authorization: `Bearer ${tokens['68001']}` } });
    expect(r.statusCode).toBe(200);
    expect(r.json<{ facilities: { facility: string }[] }>().facilities.map((f) => f.facility)).toEqual(['68001']);
  });
});

describe('POST /api/xml: the same episode as QĐ 4210', () => {
  it('maps the five 4210 tables into the record', async () => {
    const r = await post('/api/xml', envelope('68123', [hoso(full4210)]), '68123');
    expect(r.status).toBe(200);
    const unit = r.body.units[0]!;
    expect(unit.status).toBe('accepted');
    const types = new Set(unit.resourceIds!.map((id) => id.split('/')[0]));
    for (const t of ['Patient', 'Encounter', 'Condition', 'MedicationRequest', 'Procedure', 'Observation', 'Composition']) expect(types, t).toContain(t);
  });
});

describe('POST /api/xml: bad input, one episode at a time', () => {
  const xml1 = fixture('qd130/XML1.xml');
  const one = (x1: string, id: string, extra: [string, string][] = []) => hoso([['XML1', x1.replaceAll(MA_LK, id)], ...extra]);

  it('rejects each bad episode with field-level reasons and accepts the good ones of the same file', async () => {
    const badBase64 = `<HOSO><FILEHOSO><LOAIHOSO>XML1</LOAIHOSO><NOIDUNGFILE>@@@@not base64@@@@</NOIDUNGFILE></FILEHOSO></HOSO>`;
    const r = await post(
      '/api/xml',
      envelope('68001', [
        one(xml1, 'OK-1'),
        badBase64,
        one(xml1.replace(`<MA_LK>${MA_LK}</MA_LK>`, ''), 'X'),
        one(xml1.replace('<NGAY_VAO>202506100630', '<NGAY_VAO>202502300630'), 'BAD-DATE'),
        one(xml1.replace('<MA_BENH_CHINH>O800', '<MA_BENH_CHINH>XYZ'), 'BAD-ICD'),
        one(xml1.replace('<MA_BENH_CHINH>O800', '<MA_BENH_CHINH>U99.9'), 'UNKNOWN-ICD'),
        one(xml1, 'OK-2'),
      ]),
    );
    expect(r.status).toBe(200);
    const [ok1, base64, noMaLk, date, icd, unknownIcd, ok2] = r.body.units;
    expect(ok1!.status).toBe('accepted');
    expect(ok2!.status).toBe('accepted');
    expect(base64!.reasons![0]).toMatchObject({ field: 'XML1.NOIDUNGFILE', message: expect.stringContaining('base64') });
    expect(noMaLk!.reasons![0]).toMatchObject({ field: 'XML1.MA_LK' });
    expect(date!.reasons![0]).toMatchObject({ field: 'XML1.NGAY_VAO', message: expect.stringContaining('không tồn tại') });
    expect(icd!.reasons![0]).toMatchObject({ field: 'XML1.MA_BENH_CHINH' });
    // A well-formed code missing from QĐ 4469 is kept, with a warning.
    expect(unknownIcd!.status).toBe('accepted');
    expect(unknownIcd!.warnings.join(' ')).toContain('U99.9');
    expect(r.body.summary).toMatchObject({ units: 7, accepted: 3, rejected: 4 });
  });

  it("refuses another facility's episodes (403) and says why per episode", async () => {
    const r = await post('/api/xml', envelope('68001', [one(xml1, 'OTHER-1')]), '79001');
    expect(r.status).toBe(403);
    expect(r.body.units[0]!.reasons![0]!.field).toBe('MACSKCB');
    expect(await count(`SELECT count(*) AS n FROM search_token WHERE code = 'OTHER-1'`)).toBe(0);
  });

  it('refuses a DOCTYPE (XXE) and a file that is not an envelope (400), reads a truncated file up to the cut', async () => {
    const xxe = await post('/api/xml', fixture('xxe-envelope.xml').replaceAll('79001', '68001'));
    expect(xxe.status).toBe(400);
    expect(xxe.body.summary.fatal!.code).toBe('forbidden-dtd');
    const notEnvelope = await post('/api/xml', '<TONG_HOP><MA_LK>1</MA_LK></TONG_HOP>');
    expect(notEnvelope.status).toBe(400);
    const full = envelope('68001', [one(xml1, 'CUT-1'), one(xml1, 'CUT-2')]);
    const truncated = await post('/api/xml', full.slice(0, full.lastIndexOf('<HOSO>') + 40));
    expect(truncated.status).toBe(200);
    expect(truncated.body.summary.fatal!.code).toBe('truncated');
    expect(truncated.body.units.map((u) => u.status)).toEqual(['accepted']);
  });

  it('wants a facility caller: no credentials 401, a provincial client without a facility 403', async () => {
    expect((await post('/api/xml', episode130, null)).status).toBe(401);
    expect((await post('/api/xml', episode130, 'tinh')).status).toBe(403);
  });
});

describe('POST /api/cda', () => {
  it('stores a C-CDA document of the caller and answers with its resources', async () => {
    const r = await post('/api/cda', fixture('../cda/ccd-full.xml'), '79001');
    expect(r.status).toBe(200);
    expect(r.body.units[0]).toMatchObject({ status: 'accepted', facility: '79001' });
    for (const id of r.body.units[0]!.resourceIds!) expect((await app.inject({ method: 'GET', url: `/fhir/${id}` })).statusCode, id).toBe(200);
    const again = await post('/api/cda', fixture('../cda/ccd-full.xml'), '79001');
    expect(again.body.units[0]!.written).toBe(0);
  });

  it('drops the excluded content of a document and keeps nothing of it', async () => {
    const r = await post('/api/cda', fixture('../cda/ccd-hiv-excluded.xml'), '79002');
    expect(r.body.units[0]!.status).toBe('accepted');
    expect(Object.values(r.body.summary.excluded).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    for (const table of ['resource', 'resource_history']) {
      expect(await count(`SELECT count(*) AS n FROM ${table} WHERE content ~* '\\m(hiv|efavirenz|dolutegravir|methadone?|b20|z21)\\M'`), table).toBe(0);
    }
  });

  it("refuses another facility's document, malformed XML and XXE", async () => {
    expect((await post('/api/cda', fixture('../cda/ccd-full.xml'), '68001')).status).toBe(403);
    const malformed = await post('/api/cda', fixture('../cda/malformed.xml'), '79001');
    expect(malformed.body.units[0]!.status).toBe('rejected');
    const xxe = await post('/api/cda', fixture('../cda/xxe.xml'), '79001');
    expect(xxe.body.units[0]!.status).toBe('rejected');
    expect(xxe.body.units[0]!.reasons![0]!.message).toMatch(/DOCTYPE|ENTITY/);
  });
});

describe('send mode (B5)', () => {
  it('is per episode by default, set by an administrator only, and shown in the arrivals view', async () => {
    const put = await app.inject({ method: 'PUT', url: '/api/ingest/facilities/68001/send-mode', headers: { authorization: `Bearer ${tokens['68001']}` }, payload: { sendMode: 'daily' } });
    expect(put.statusCode).toBe(403);
    await setSendMode(db.pool, '68001', 'daily', 'test');
    const get = await app.inject({ method: 'GET', url: '/api/ingest/facilities/68001/send-mode', headers: { authorization: `Bearer ${tokens['68001']}` } });
    expect(get.json()).toMatchObject({ sendMode: 'daily' });
    const [row] = await facilityArrivals(db.pool, { facility: '68001', now: new Date(Date.now() + 48 * 3600_000) });
    expect(row).toMatchObject({ sendMode: 'daily', late: true });
  });
});
