// FHIR Bulk Data $export at system, Patient and Group level: asynchronous kick-off, polling,
// NDJSON files, _since, _type, _typeFilter, scopes, audit, and the de-identified variant.
import type { Observation, Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/auth/clients.ts';
import { IdentifierSystem } from '../../src/fhir/systems.ts';
import { Repository } from '../../src/store/repository.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
const tokens: Record<string, string> = {};
const patientIds: string[] = [];
let groupId: string;
let midpoint: string;

async function token(name: string, scopes: string[], facilityCode?: string): Promise<string> {
  const c = await createClient(t.db.pool, { name, scopes, ...(facilityCode ? { facilityCode } : {}) });
  const r = await t.app.inject({
    method: 'POST',
    url: '/oauth2/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret! }).toString(),
  });
  return r.json<{ access_token: string }>().access_token;
}

function observation(patientId: string, value: number): Observation {
  return {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: '2025-03-01T08:00:00+07:00',
    valueQuantity: { value, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
  };
}

async function exportAll(url: string, who = 'research'): Promise<{ manifest: { output: { type: string; url: string; count: number }[] }; resources: Record<string, unknown>[] }> {
  const auth = { authorization: `Bearer ${tokens[who]}` };
  const k = await t.app.inject({ method: 'GET', url, headers: { ...auth, prefer: 'respond-async' } });
  expect(k.statusCode).toBe(202);
  const status = new URL(k.headers['content-location'] as string).pathname;
  for (let i = 0; i < 200; i++) {
    const s = await t.app.inject({ method: 'GET', url: status, headers: auth });
    if (s.statusCode === 202) {
      expect(s.headers['x-progress']).toBeDefined();
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    expect(s.statusCode, s.body).toBe(200);
    const manifest = s.json<{ output: { type: string; url: string; count: number }[] }>();
    const resources: Record<string, unknown>[] = [];
    for (const f of manifest.output) {
      const d = await t.app.inject({ method: 'GET', url: new URL(f.url).pathname, headers: auth });
      expect(d.headers['content-type']).toMatch(/application\/fhir\+ndjson/);
      const lines = d.body.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toHaveLength(f.count);
      resources.push(...lines);
    }
    return { manifest, resources };
  }
  throw new Error('export did not finish');
}

const count = (rs: Record<string, unknown>[], type: string) => rs.filter((r) => r['resourceType'] === type).length;

beforeAll(async () => {
  t = await createTestApp();
  const repo = new Repository(t.db);
  for (let n = 0; n < 6; n++) {
    const p = await repo.create({
      resourceType: 'Patient',
      identifier: [{ system: IdentifierSystem.cccd, value: `0681800${String(n).padStart(5, '0')}` }],
      name: [{ family: 'Phạm', given: [`Cường ${n}`] }],
      birthDate: '1980-07-15',
      address: [{ line: ['12 Trần Phú'], city: 'Đà Lạt', state: 'Lâm Đồng' }],
    } as Patient);
    patientIds.push(p.resource.id);
    await repo.create(observation(p.resource.id, 60 + n * 5));
    if (n === 2) {
      await new Promise((r) => setTimeout(r, 20));
      midpoint = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  groupId = (await repo.create({ resourceType: 'Group', type: 'person', actual: true, member: [{ entity: { reference: `Patient/${patientIds[0]}` } }, { entity: { reference: `Patient/${patientIds[1]}` } }] })).resource.id;
  tokens['research'] = await token('Viện nghiên cứu', ['system/*.read']);
  tokens['patients'] = await token('Chỉ Patient', ['system/Patient.read']);
  tokens['facility'] = await token('Bệnh viện', ['system/*.read'], '68001');
}, 60_000);

afterAll(async () => t?.close());

describe('$export', () => {
  it('a system export gives every resource once, in NDJSON files listed by the manifest', async () => {
    const { resources } = await exportAll('/fhir/$export');
    expect(count(resources, 'Patient')).toBe(6);
    expect(count(resources, 'Observation')).toBe(6);
    expect(count(resources, 'Group')).toBe(1);
    expect(new Set(resources.map((r) => `${String(r['resourceType'])}/${String(r['id'])}`)).size).toBe(resources.length);
  });

  it('_type and _since narrow the export to the types asked for and to what changed after', async () => {
    const { resources } = await exportAll(`/fhir/$export?_type=Observation&_since=${encodeURIComponent(midpoint)}`);
    expect(resources.every((r) => r['resourceType'] === 'Observation')).toBe(true);
    expect(resources).toHaveLength(3);
  });

  it('_typeFilter keeps the resources matching the search', async () => {
    const { resources } = await exportAll(`/fhir/$export?_type=Observation&_typeFilter=${encodeURIComponent('Observation?value-quantity=gt70')}`);
    expect(resources.map((r) => (r['valueQuantity'] as { value: number }).value).sort()).toEqual([75, 80, 85]);
  });

  it('a Patient export has the patients and their compartments; a Group export only its members', async () => {
    const all = await exportAll('/fhir/Patient/$export');
    expect(count(all.resources, 'Patient')).toBe(6);
    expect(count(all.resources, 'Observation')).toBe(6);
    const group = await exportAll(`/fhir/Group/${groupId}/$export`);
    expect(count(group.resources, 'Patient')).toBe(2);
    expect(count(group.resources, 'Observation')).toBe(2);
  });

  it('only clients whose scopes allow the types; no facility clients; asynchronous only', async () => {
    const h = (who: string) => ({ authorization: `Bearer ${tokens[who]}`, prefer: 'respond-async' });
    expect((await t.app.inject({ method: 'GET', url: '/fhir/$export?_type=Observation', headers: h('patients') })).statusCode).toBe(403);
    const onlyPatients = await exportAll('/fhir/$export', 'patients');
    expect(onlyPatients.resources.every((r) => r['resourceType'] === 'Patient')).toBe(true);
    expect((await t.app.inject({ method: 'GET', url: '/fhir/$export', headers: h('facility') })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/fhir/$export', headers: { authorization: `Bearer ${tokens['research']}` } })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/fhir/$export', headers: { prefer: 'respond-async' } })).statusCode).toBe(401);
    const { rows } = await t.db.pool.query<{ outcome: string; n: string }>("SELECT outcome, count(*) AS n FROM audit_entry WHERE action = 'export' GROUP BY outcome");
    expect(rows.find((r) => r.outcome === '0')).toBeDefined();
    expect(rows.find((r) => r.outcome === '4')).toBeDefined();
  });

  it('the de-identified export has no names or identifiers, dates to the month, consistent pseudonyms', async () => {
    const { resources } = await exportAll('/fhir/$export?_deidentify=true&_type=Patient,Observation');
    const text = JSON.stringify(resources);
    expect(text).not.toMatch(/Phạm|Cường|Trần Phú|068180/);
    for (const id of patientIds) expect(text).not.toContain(id);
    const patients = resources.filter((r) => r['resourceType'] === 'Patient');
    expect(patients.every((p) => p['birthDate'] === '1980-07')).toBe(true);
    const ids = new Set(patients.map((p) => `Patient/${String(p['id'])}`));
    const refs = resources.filter((r) => r['resourceType'] === 'Observation').map((o) => (o['subject'] as { reference: string }).reference);
    expect(refs.every((r) => ids.has(r))).toBe(true);
  });
});
