// The FHIR REST interactions of one resource: create, read, vread, update, patch, delete,
// history, versioning with ETag/If-Match, conditional create/update/delete, Prefer and 304.
import type { Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { fhirClient, type FhirClient, type Json } from './fhir-client.ts';

let t: TestApp;
let fhir: FhirClient;
beforeAll(async () => {
  t = await createTestApp();
  fhir = fhirClient(t.app);
});
afterAll(async () => t.close());

const patient = (family: string, extra: Partial<Patient> = {}): Patient => ({
  resourceType: 'Patient',
  name: [{ family, given: ['Văn', 'An'] }],
  gender: 'male',
  ...extra,
});

describe('create, read and vread', () => {
  it('creates a resource with a server id, version 1, Location and ETag, and reads it back', async () => {
    const res = await fhir.request('POST', 'Patient', patient('Trần'));
    expect(res.status).toBe(201);
    const id = res.body.id;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.meta.versionId).toBe('1');
    expect(res.headers.etag).toBe('W/"1"');
    expect(res.headers.location).toBe(`http://hssk.test/fhir/Patient/${id}/_history/1`);
    expect(res.headers['content-type']).toContain('application/fhir+json');
    const read = await fhir.request('GET', `Patient/${id}`);
    expect(read.status).toBe(200);
    expect(read.body.name[0].family).toBe('Trần');
    expect(read.headers.etag).toBe('W/"1"');
    expect(read.headers['last-modified']).toBeDefined();
    const vread = await fhir.request('GET', `Patient/${id}/_history/1`);
    expect(vread.status).toBe(200);
    expect(vread.body).toEqual(read.body);
  });

  it('ignores a client-supplied id on create', async () => {
    const res = await fhir.request('POST', 'Patient', { ...patient('Lê'), id: 'chosen-by-client' });
    expect(res.status).toBe(201);
    expect(res.body.id).not.toBe('chosen-by-client');
    expect((await fhir.request('GET', 'Patient/chosen-by-client')).status).toBe(404);
  });

  it('answers 404 for a resource that never existed and for a version that does not exist', async () => {
    expect((await fhir.request('GET', 'Patient/does-not-exist')).status).toBe(404);
    const p = await fhir.create(patient('Phạm'));
    const res = await fhir.request('GET', `Patient/${p.id}/_history/7`);
    expect(res.status).toBe(404);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });
});

describe('update and versioning', () => {
  it('updates to version 2 and keeps version 1 readable', async () => {
    const p = await fhir.create(patient('Hoàng'));
    const res = await fhir.request('PUT', `Patient/${p.id}`, { ...p, gender: 'female' });
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('W/"2"');
    expect(res.body.meta.versionId).toBe('2');
    expect((await fhir.request('GET', `Patient/${p.id}`)).body.gender).toBe('female');
    expect((await fhir.request('GET', `Patient/${p.id}/_history/1`)).body.gender).toBe('male');
    expect((await fhir.request('GET', `Patient/${p.id}/_history/2`)).body.gender).toBe('female');
  });

  it('update with the current If-Match succeeds; a stale If-Match gets 412 and changes nothing', async () => {
    const p = await fhir.create(patient('Vũ'));
    const ok = await fhir.request('PUT', `Patient/${p.id}`, { ...p, gender: 'female' }, { 'if-match': 'W/"1"' });
    expect(ok.status).toBe(200);
    const stale = await fhir.request('PUT', `Patient/${p.id}`, { ...p, gender: 'other' }, { 'if-match': 'W/"1"' });
    expect(stale.status).toBe(412);
    expect(stale.body.resourceType).toBe('OperationOutcome');
    const current = await fhir.request('GET', `Patient/${p.id}`);
    expect(current.body.gender).toBe('female');
    expect(current.headers.etag).toBe('W/"2"');
  });

  it('update of an id that does not exist creates it with the client id (update-as-create)', async () => {
    const res = await fhir.request('PUT', 'Patient/client-chosen-1', { ...patient('Đặng'), id: 'client-chosen-1' });
    expect(res.status).toBe(201);
    expect(res.body.id).toBe('client-chosen-1');
    expect(res.headers.etag).toBe('W/"1"');
    expect((await fhir.request('GET', 'Patient/client-chosen-1')).status).toBe(200);
  });

  it('If-None-Match with the current version answers 304 Not Modified; an older one gets the resource', async () => {
    const p = await fhir.create(patient('Bùi'));
    const same = await fhir.request('GET', `Patient/${p.id}`, undefined, { 'if-none-match': 'W/"1"' });
    expect(same.status).toBe(304);
    expect(same.raw).toBe('');
    await fhir.request('PUT', `Patient/${p.id}`, { ...p, active: true });
    const changed = await fhir.request('GET', `Patient/${p.id}`, undefined, { 'if-none-match': 'W/"1"' });
    expect(changed.status).toBe(200);
    expect(changed.body.active).toBe(true);
  });
});

describe('Prefer: return', () => {
  it('return=minimal answers with no body but with Location and ETag', async () => {
    const res = await fhir.request('POST', 'Patient', patient('Đỗ'), { prefer: 'return=minimal' });
    expect(res.status).toBe(201);
    expect(res.raw).toBe('');
    expect(res.headers.location).toMatch(/\/fhir\/Patient\/[^/]+\/_history\/1$/);
    expect(res.headers.etag).toBe('W/"1"');
  });

  it('return=representation answers with the stored resource', async () => {
    const res = await fhir.request('POST', 'Patient', patient('Hồ'), { prefer: 'return=representation' });
    expect(res.status).toBe(201);
    expect(res.body.resourceType).toBe('Patient');
    expect(res.body.meta.versionId).toBe('1');
  });

  it('return=OperationOutcome answers with an OperationOutcome, on create and on update', async () => {
    const res = await fhir.request('POST', 'Patient', patient('Ngô'), { prefer: 'return=OperationOutcome' });
    expect(res.status).toBe(201);
    expect(res.body.resourceType).toBe('OperationOutcome');
    const id = String(res.headers.location).split('/').at(-3);
    const upd = await fhir.request('PUT', `Patient/${id}`, { ...patient('Ngô'), id, active: false }, { prefer: 'return=OperationOutcome' });
    expect(upd.status).toBe(200);
    expect(upd.body.resourceType).toBe('OperationOutcome');
  });
});

describe('JSON Patch', () => {
  const patchHeaders = { 'content-type': 'application/json-patch+json' };

  it('applies a JSON Patch as a new version', async () => {
    const p = await fhir.create(patient('Dương'));
    const res = await fhir.request('PATCH', `Patient/${p.id}`, [{ op: 'replace', path: '/gender', value: 'female' }, { op: 'add', path: '/active', value: true }], patchHeaders);
    expect(res.status).toBe(200);
    expect(res.body.gender).toBe('female');
    expect(res.body.active).toBe(true);
    expect(res.headers.etag).toBe('W/"2"');
    expect((await fhir.request('GET', `Patient/${p.id}/_history/1`)).body.gender).toBe('male');
  });

  it('a failing test operation is refused (412) and nothing changes', async () => {
    const p = await fhir.create(patient('Lý'));
    const res = await fhir.request('PATCH', `Patient/${p.id}`, [{ op: 'test', path: '/gender', value: 'female' }, { op: 'replace', path: '/gender', value: 'other' }], patchHeaders);
    expect([412, 422]).toContain(res.status);
    expect(res.body.resourceType).toBe('OperationOutcome');
    const current = await fhir.request('GET', `Patient/${p.id}`);
    expect(current.body.gender).toBe('male');
    expect(current.headers.etag).toBe('W/"1"');
  });

  it('a patch that removes a missing element is unprocessable (422)', async () => {
    const p = await fhir.create(patient('Mai'));
    const res = await fhir.request('PATCH', `Patient/${p.id}`, [{ op: 'remove', path: '/birthDate' }], patchHeaders);
    expect(res.status).toBe(422);
  });

  it('a patch making the resource invalid is refused and nothing changes', async () => {
    const p = await fhir.create(patient('Cao'));
    const res = await fhir.request('PATCH', `Patient/${p.id}`, [{ op: 'replace', path: '/gender', value: 'bogus' }], patchHeaders);
    expect(res.status).toBe(400);
    expect(res.body.issue[0].expression).toEqual(['Patient.gender']);
    expect((await fhir.request('GET', `Patient/${p.id}`)).body.gender).toBe('male');
  });

  it('a patch with a stale If-Match gets 412', async () => {
    const p = await fhir.create(patient('Tạ'));
    await fhir.request('PUT', `Patient/${p.id}`, { ...p, active: true });
    const res = await fhir.request('PATCH', `Patient/${p.id}`, [{ op: 'add', path: '/active', value: false }], { ...patchHeaders, 'if-match': 'W/"1"' });
    expect(res.status).toBe(412);
  });
});

describe('delete and history', () => {
  it('after delete: read is 410 Gone, history and earlier versions stay readable, search no longer finds it', async () => {
    const p = await fhir.create(patient('Trịnh', { identifier: [{ system: 'urn:test:del', value: 'd1' }] }));
    await fhir.request('PUT', `Patient/${p.id}`, { ...p, active: true });
    const del = await fhir.request('DELETE', `Patient/${p.id}`);
    expect([200, 204]).toContain(del.status);
    const read = await fhir.request('GET', `Patient/${p.id}`);
    expect(read.status).toBe(410);
    expect(read.body.resourceType).toBe('OperationOutcome');
    const history = await fhir.request('GET', `Patient/${p.id}/_history`);
    expect(history.status).toBe(200);
    expect(history.body.type).toBe('history');
    const entries = history.body.entry;
    expect(entries).toHaveLength(3);
    // Newest first: the deletion, the update, the create.
    expect(entries.map((e: Json) => e.request.method)).toEqual(['DELETE', 'PUT', 'POST']);
    expect(entries[0].resource).toBeUndefined();
    expect(entries[1].resource.active).toBe(true);
    expect((await fhir.request('GET', `Patient/${p.id}/_history/2`)).body.active).toBe(true);
    expect((await fhir.request('GET', `Patient/${p.id}/_history/3`)).status).toBe(410);
    expect(await fhir.ids('Patient?identifier=urn:test:del|d1')).toEqual([]);
  });

  it('a deleted resource can be re-created by update, as a new version', async () => {
    const p = await fhir.create(patient('Lạc'));
    await fhir.request('DELETE', `Patient/${p.id}`);
    const res = await fhir.request('PUT', `Patient/${p.id}`, { ...p });
    expect([200, 201]).toContain(res.status);
    expect(res.headers.etag).toBe('W/"3"');
    expect((await fhir.request('GET', `Patient/${p.id}`)).status).toBe(200);
  });

  it('deleting twice is harmless; deleting what never existed is 404', async () => {
    const p = await fhir.create(patient('Kim'));
    expect([200, 204]).toContain((await fhir.request('DELETE', `Patient/${p.id}`)).status);
    expect([200, 204]).toContain((await fhir.request('DELETE', `Patient/${p.id}`)).status);
    expect((await fhir.request('DELETE', 'Patient/never-was')).status).toBe(404);
  });

  it('type and system history list the versions of many resources, newest first, with paging', async () => {
    const a = await fhir.create({ resourceType: 'Organization', name: 'Bệnh viện A' });
    const b = await fhir.create({ resourceType: 'Organization', name: 'Bệnh viện B' });
    await fhir.request('PUT', `Organization/${a.id}`, { ...a, active: true });
    await fhir.request('DELETE', `Organization/${b.id}`);
    const type = await fhir.request('GET', 'Organization/_history');
    expect(type.status).toBe(200);
    const keys = type.body.entry.map((e: Json) => `${e.fullUrl.split('/').at(-1)}@${e.response.etag}`);
    expect(keys).toEqual([`${b.id}@W/"2"`, `${a.id}@W/"2"`, `${b.id}@W/"1"`, `${a.id}@W/"1"`]);

    const system = await fhir.request('GET', '_history?_count=2');
    expect(system.status).toBe(200);
    expect(system.body.entry).toHaveLength(2);
    expect(system.body.entry.map((e: Json) => e.response.etag)).toEqual(['W/"2"', 'W/"2"']);
    const next = system.body.link.find((l: Json) => l.relation === 'next').url as string;
    const page2 = await fhir.request('GET', next.replace('http://hssk.test', ''));
    expect(page2.status).toBe(200);
    // The second page continues exactly where the first ended: b's and a's first versions.
    expect(page2.body.entry.map((e: Json) => `${e.fullUrl.split('/').at(-1)}@${e.response.etag}`)).toEqual([`${b.id}@W/"1"`, `${a.id}@W/"1"`]);

    const since = await fhir.request('GET', `Organization/_history?_since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
    expect(since.body.entry).toEqual([]);
  });
});

describe('conditional create, update and delete', () => {
  const sys = 'urn:test:cond';

  it('If-None-Exist: no match creates (201), one match returns the existing one (200), two matches is 412', async () => {
    const body = patient('Quách', { identifier: [{ system: sys, value: 'c1' }] });
    const first = await fhir.request('POST', 'Patient', body, { 'if-none-exist': `identifier=${sys}|c1` });
    expect(first.status).toBe(201);
    const second = await fhir.request('POST', 'Patient', body, { 'if-none-exist': `identifier=${sys}|c1` });
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    expect(await fhir.ids(`Patient?identifier=${sys}|c1`)).toEqual([first.body.id]);

    await fhir.create(patient('Quách', { identifier: [{ system: sys, value: 'c2' }] }));
    await fhir.create(patient('Quách', { identifier: [{ system: sys, value: 'c2' }] }));
    const third = await fhir.request('POST', 'Patient', patient('Quách', { identifier: [{ system: sys, value: 'c2' }] }), { 'if-none-exist': `identifier=${sys}|c2` });
    expect(third.status).toBe(412);
    expect((await fhir.ids(`Patient?identifier=${sys}|c2`)).length).toBe(2);
  });

  it('conditional update: no match creates, one match updates it, two matches is 412', async () => {
    const url = `Patient?identifier=${sys}|u1`;
    const created = await fhir.request('PUT', url, patient('Lục', { identifier: [{ system: sys, value: 'u1' }] }));
    expect(created.status).toBe(201);
    const updated = await fhir.request('PUT', url, patient('Lục', { identifier: [{ system: sys, value: 'u1' }], active: true }));
    expect(updated.status).toBe(200);
    expect(updated.body.id).toBe(created.body.id);
    expect(updated.headers.etag).toBe('W/"2"');

    await fhir.create(patient('Lục', { identifier: [{ system: sys, value: 'u2' }] }));
    await fhir.create(patient('Lục', { identifier: [{ system: sys, value: 'u2' }] }));
    const many = await fhir.request('PUT', `Patient?identifier=${sys}|u2`, patient('Lục', { identifier: [{ system: sys, value: 'u2' }] }));
    expect(many.status).toBe(412);
  });

  it('conditional delete: one match is deleted, no match is harmless, two matches is 412 and nothing is deleted', async () => {
    const p = await fhir.create(patient('Mạc', { identifier: [{ system: sys, value: 'd1' }] }));
    const del = await fhir.request('DELETE', `Patient?identifier=${sys}|d1`);
    expect([200, 204]).toContain(del.status);
    expect((await fhir.request('GET', `Patient/${p.id}`)).status).toBe(410);
    expect([200, 204, 404]).toContain((await fhir.request('DELETE', `Patient?identifier=${sys}|nothing`)).status);
    await fhir.create(patient('Mạc', { identifier: [{ system: sys, value: 'd2' }] }));
    await fhir.create(patient('Mạc', { identifier: [{ system: sys, value: 'd2' }] }));
    expect((await fhir.request('DELETE', `Patient?identifier=${sys}|d2`)).status).toBe(412);
    expect((await fhir.ids(`Patient?identifier=${sys}|d2`)).length).toBe(2);
  });
});

describe('routing', () => {
  it('an unsupported resource type is 404 with an OperationOutcome', async () => {
    for (const [method, url] of [['GET', 'MolecularSequence'], ['GET', 'MolecularSequence/1'], ['POST', 'MolecularSequence']] as const) {
      const res = await fhir.request(method, url, method === 'POST' ? { resourceType: 'MolecularSequence', coordinateSystem: 0 } : undefined);
      expect(res.status).toBe(404);
      expect(res.body.resourceType).toBe('OperationOutcome');
    }
  });

  it('a method the endpoint does not support is 405', async () => {
    const p = await fhir.create(patient('Ông'));
    expect((await fhir.request('POST', `Patient/${p.id}`, patient('Ông'))).status).toBe(405);
  });
});
