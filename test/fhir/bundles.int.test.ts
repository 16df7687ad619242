// batch and transaction Bundles (R4 §3.1.0.11): atomic transactions, urn:uuid references
// between entries, conditional entries, and per-entry results of a batch.
import type { Bundle, BundleEntry, Observation, Resource } from '@medplum/fhirtypes';
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

const SYS = 'urn:test:bundle';
const bundle = (type: 'batch' | 'transaction', entry: BundleEntry[]): Bundle => ({ resourceType: 'Bundle', type, entry });
const observation = (subject: string, code: string): Observation => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code }] },
  subject: { reference: subject },
});

describe('transaction', () => {
  it('creates a Patient and an Observation referencing it through urn:uuid, in one transaction', async () => {
    const res = await fhir.request('POST', '/fhir', bundle('transaction', [
      { fullUrl: 'urn:uuid:4b8f3a0e-0000-4000-8000-000000000001', resource: observation('urn:uuid:4b8f3a0e-0000-4000-8000-000000000002', '8867-4'), request: { method: 'POST', url: 'Observation' } },
      {
        fullUrl: 'urn:uuid:4b8f3a0e-0000-4000-8000-000000000002',
        resource: { resourceType: 'Patient', identifier: [{ system: SYS, value: 't1' }], name: [{ family: 'Nguyễn', given: ['Thị', 'Hoa'] }] },
        request: { method: 'POST', url: 'Patient' },
      },
    ]));
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('transaction-response');
    expect(res.body.entry.map((e: Json) => e.response.status)).toEqual(['201 Created', '201 Created']);
    const [patientId] = await fhir.ids(`Patient?identifier=${SYS}|t1`);
    expect(patientId).toBeDefined();
    // Response entries are in the order of the request entries.
    expect(res.body.entry[1].response.location).toContain(`Patient/${patientId}/_history/1`);
    const obs = await fhir.search(`Observation?subject=Patient/${patientId}`);
    expect(obs.entry).toHaveLength(1);
    expect((obs.entry![0]!.resource as Json).subject.reference).toBe(`Patient/${patientId}`);
    // The chained search goes through the resolved reference too.
    expect(await fhir.ids(`Observation?patient.identifier=${SYS}|t1`)).toEqual([obs.entry![0]!.resource!.id]);
  });

  it('is atomic: one invalid entry and nothing at all is written', async () => {
    const res = await fhir.request('POST', '/fhir', bundle('transaction', [
      { fullUrl: 'urn:uuid:4b8f3a0e-0000-4000-8000-000000000010', resource: { resourceType: 'Patient', identifier: [{ system: SYS, value: 'atomic' }] }, request: { method: 'POST', url: 'Patient' } },
      { resource: observation('urn:uuid:4b8f3a0e-0000-4000-8000-000000000010', 'atomic-1'), request: { method: 'POST', url: 'Observation' } },
      { resource: { resourceType: 'Observation', code: { text: 'no status' } } as Resource, request: { method: 'POST', url: 'Observation' } },
    ]));
    expect(res.status).toBe(400);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(JSON.stringify(res.body)).toContain('Bundle.entry[2]');
    expect(await fhir.ids(`Patient?identifier=${SYS}|atomic`)).toEqual([]);
    expect(await fhir.ids('Observation?code=http://loinc.org|atomic-1')).toEqual([]);
  });

  it('a urn:uuid reference that names no entry of the Bundle fails the transaction with 400', async () => {
    const res = await fhir.request('POST', '/fhir', bundle('transaction', [
      { resource: { resourceType: 'Patient', identifier: [{ system: SYS, value: 'dangling' }] }, request: { method: 'POST', url: 'Patient' } },
      { resource: observation('urn:uuid:4b8f3a0e-0000-4000-8000-0000000000ff', 'dangling-1'), request: { method: 'POST', url: 'Observation' } },
    ]));
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('urn:uuid:4b8f3a0e-0000-4000-8000-0000000000ff');
    expect(await fhir.ids(`Patient?identifier=${SYS}|dangling`)).toEqual([]);
  });

  it('is atomic across updates and deletes too: a failing entry undoes an update and a delete', async () => {
    const p = await fhir.create({ resourceType: 'Patient', identifier: [{ system: SYS, value: 'keep' }], active: false });
    const o = await fhir.create(observation(`Patient/${p.id}`, 'keep-1'));
    const res = await fhir.request('POST', '/fhir', bundle('transaction', [
      { resource: { ...p, active: true }, request: { method: 'PUT', url: `Patient/${p.id}` } },
      { request: { method: 'DELETE', url: `Observation/${o.id}` } },
      { resource: { resourceType: 'Patient', gender: 'bogus' } as Json, request: { method: 'POST', url: 'Patient' } },
    ]));
    expect(res.status).toBe(400);
    const read = await fhir.request('GET', `Patient/${p.id}`);
    expect(read.body.active).toBe(false);
    expect(read.headers.etag).toBe('W/"1"');
    expect((await fhir.request('GET', `Observation/${o.id}`)).status).toBe(200);
  });

  it('a stale If-Match on one entry rolls back the whole transaction with 412', async () => {
    const p = await fhir.create({ resourceType: 'Patient', identifier: [{ system: SYS, value: 'stale' }] });
    await fhir.request('PUT', `Patient/${p.id}`, { ...p, active: true });
    const res = await fhir.request('POST', '/fhir', bundle('transaction', [
      { resource: { resourceType: 'Patient', identifier: [{ system: SYS, value: 'stale-new' }] }, request: { method: 'POST', url: 'Patient' } },
      { resource: { ...p, active: false }, request: { method: 'PUT', url: `Patient/${p.id}`, ifMatch: 'W/"1"' } },
    ]));
    expect(res.status).toBe(412);
    expect(await fhir.ids(`Patient?identifier=${SYS}|stale-new`)).toEqual([]);
  });

  it('conditional create entries (ifNoneExist) reuse the existing resource, and references to it resolve', async () => {
    const existing = await fhir.create({ resourceType: 'Patient', identifier: [{ system: SYS, value: 'cond' }] });
    const res = await fhir.request('POST', '/fhir', bundle('transaction', [
      {
        fullUrl: 'urn:uuid:4b8f3a0e-0000-4000-8000-000000000020',
        resource: { resourceType: 'Patient', identifier: [{ system: SYS, value: 'cond' }] },
        request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${SYS}|cond` },
      },
      {
        fullUrl: 'urn:uuid:4b8f3a0e-0000-4000-8000-000000000021',
        resource: { resourceType: 'Patient', identifier: [{ system: SYS, value: 'cond-new' }] },
        request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${SYS}|cond-new` },
      },
      { resource: observation('urn:uuid:4b8f3a0e-0000-4000-8000-000000000020', 'cond-1'), request: { method: 'POST', url: 'Observation' } },
      { resource: observation('urn:uuid:4b8f3a0e-0000-4000-8000-000000000021', 'cond-2'), request: { method: 'POST', url: 'Observation' } },
    ]));
    expect(res.status).toBe(200);
    expect(res.body.entry.map((e: Json) => e.response.status)).toEqual(['200 OK', '201 Created', '201 Created', '201 Created']);
    expect(await fhir.ids(`Patient?identifier=${SYS}|cond`)).toEqual([existing.id]);
    const [newId] = await fhir.ids(`Patient?identifier=${SYS}|cond-new`);
    expect(await fhir.ids(`Observation?subject=Patient/${existing.id}`)).toHaveLength(1);
    expect(await fhir.ids(`Observation?subject=Patient/${newId}`)).toHaveLength(1);
  });

  it('a conditional create entry matching several resources fails the transaction with 412', async () => {
    await fhir.create({ resourceType: 'Patient', identifier: [{ system: SYS, value: 'twice' }] });
    await fhir.create({ resourceType: 'Patient', identifier: [{ system: SYS, value: 'twice' }] });
    const res = await fhir.request('POST', '/fhir', bundle('transaction', [
      {
        fullUrl: 'urn:uuid:4b8f3a0e-0000-4000-8000-000000000030',
        resource: { resourceType: 'Patient', identifier: [{ system: SYS, value: 'twice' }] },
        request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${SYS}|twice` },
      },
    ]));
    expect(res.status).toBe(412);
    expect(await fhir.ids(`Patient?identifier=${SYS}|twice`)).toHaveLength(2);
  });

  it('conditional update entries create when nothing matches and update the single match', async () => {
    const existing = await fhir.create({ resourceType: 'Patient', identifier: [{ system: SYS, value: 'cu-1' }], active: false });
    const res = await fhir.request('POST', '/fhir', bundle('transaction', [
      {
        fullUrl: 'urn:uuid:4b8f3a0e-0000-4000-8000-000000000040',
        resource: { resourceType: 'Patient', identifier: [{ system: SYS, value: 'cu-1' }], active: true },
        request: { method: 'PUT', url: `Patient?identifier=${SYS}|cu-1` },
      },
      {
        fullUrl: 'urn:uuid:4b8f3a0e-0000-4000-8000-000000000041',
        resource: { resourceType: 'Patient', identifier: [{ system: SYS, value: 'cu-2' }], active: true },
        request: { method: 'PUT', url: `Patient?identifier=${SYS}|cu-2` },
      },
      { resource: observation('urn:uuid:4b8f3a0e-0000-4000-8000-000000000041', 'cu-obs'), request: { method: 'POST', url: 'Observation' } },
    ]));
    expect(res.status).toBe(200);
    expect(res.body.entry.map((e: Json) => e.response.status)).toEqual(['200 OK', '201 Created', '201 Created']);
    const read = await fhir.request('GET', `Patient/${existing.id}`);
    expect(read.body.active).toBe(true);
    expect(read.headers.etag).toBe('W/"2"');
    const [created] = await fhir.ids(`Patient?identifier=${SYS}|cu-2`);
    expect(await fhir.ids(`Observation?code=http://loinc.org|cu-obs&subject=Patient/${created}`)).toHaveLength(1);
  });

  it('applies a JSON Patch entry carried as a Binary, with If-Match', async () => {
    const p = await fhir.create({ resourceType: 'Patient', identifier: [{ system: SYS, value: 'patch' }], active: false });
    const patch = (ops: unknown) => ({ resourceType: 'Binary', contentType: 'application/json-patch+json', data: Buffer.from(JSON.stringify(ops)).toString('base64') });
    const res = await fhir.request('POST', '/fhir', bundle('transaction', [
      { resource: patch([{ op: 'replace', path: '/active', value: true }]) as Resource, request: { method: 'PATCH', url: `Patient/${p.id}`, ifMatch: 'W/"1"' } },
    ]));
    expect(res.status).toBe(200);
    expect(res.body.entry[0].response.status).toBe('200 OK');
    expect((await fhir.request('GET', `Patient/${p.id}`)).body.active).toBe(true);
    const failing = await fhir.request('POST', '/fhir', bundle('batch', [
      { resource: patch([{ op: 'test', path: '/active', value: false }]) as Resource, request: { method: 'PATCH', url: `Patient/${p.id}` } },
    ]));
    expect(failing.body.entry[0].response.status).toBe('412');
  });

  it('processes a DELETE, a read and a search entry, and answers each in order', async () => {
    const p = await fhir.create({ resourceType: 'Patient', identifier: [{ system: SYS, value: 'mixed' }] });
    const gone = await fhir.create({ resourceType: 'Patient', identifier: [{ system: SYS, value: 'mixed-del' }] });
    const res = await fhir.request('POST', '/fhir', bundle('transaction', [
      { request: { method: 'GET', url: `Patient/${p.id}` } },
      { request: { method: 'DELETE', url: `Patient/${gone.id}` } },
      { request: { method: 'GET', url: `Patient?identifier=${SYS}|mixed` } },
    ]));
    expect(res.status).toBe(200);
    expect(res.body.entry[0].resource.id).toBe(p.id);
    expect(res.body.entry[1].response.status).toMatch(/^20[04]/);
    expect(res.body.entry[2].resource.resourceType).toBe('Bundle');
    expect(res.body.entry[2].resource.entry).toHaveLength(1);
    expect((await fhir.request('GET', `Patient/${gone.id}`)).status).toBe(410);
  });
});

describe('batch', () => {
  it('runs every entry on its own: one bad entry fails alone, the others succeed, each with its status', async () => {
    const p = await fhir.create({ resourceType: 'Patient', identifier: [{ system: SYS, value: 'batch-p' }] });
    const res = await fhir.request('POST', '/fhir', bundle('batch', [
      { resource: { resourceType: 'Patient', identifier: [{ system: SYS, value: 'batch-1' }] }, request: { method: 'POST', url: 'Patient' } },
      { resource: { resourceType: 'Observation', status: 'final' } as Resource, request: { method: 'POST', url: 'Observation' } },
      { request: { method: 'GET', url: `Patient/${p.id}` } },
      { request: { method: 'GET', url: 'Patient/not-there' } },
      { resource: { ...p, active: true }, request: { method: 'PUT', url: `Patient/${p.id}` } },
    ]));
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('batch-response');
    const statuses = res.body.entry.map((e: Json) => e.response.status.split(' ')[0]);
    expect(statuses).toEqual(['201', '400', '200', '404', '200']);
    expect(res.body.entry[1].response.outcome.issue[0].expression).toContain('Observation.code');
    expect(await fhir.ids(`Patient?identifier=${SYS}|batch-1`)).toHaveLength(1);
    expect((await fhir.request('GET', `Patient/${p.id}`)).body.active).toBe(true);
  });

  it('an entry without request.method/url is reported on that entry', async () => {
    const res = await fhir.request('POST', '/fhir', bundle('batch', [
      { resource: { resourceType: 'Patient', identifier: [{ system: SYS, value: 'batch-2' }] } },
      { resource: { resourceType: 'Patient', identifier: [{ system: SYS, value: 'batch-3' }] }, request: { method: 'POST', url: 'Patient' } },
    ]));
    expect(res.status).toBe(200);
    expect(res.body.entry.map((e: Json) => e.response.status.split(' ')[0])).toEqual(['400', '201']);
  });

  it('a Bundle that is neither batch nor transaction is refused', async () => {
    const res = await fhir.request('POST', '/fhir', { resourceType: 'Bundle', type: 'collection', entry: [] });
    expect(res.status).toBe(400);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });
});
