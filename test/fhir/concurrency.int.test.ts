// Concurrent writes to one resource: with the same If-Match exactly one wins and the others
// get 412; without If-Match every write gets its own version and none is lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { fhirClient, type FhirClient } from './fhir-client.ts';

let t: TestApp;
let fhir: FhirClient;
beforeAll(async () => {
  t = await createTestApp();
  fhir = fhirClient(t.app);
});
afterAll(async () => t.close());

describe('concurrent updates of one resource', () => {
  it('ten updates in parallel with the same If-Match: exactly one 200, the others 412', async () => {
    const p = await fhir.create({ resourceType: 'Patient', name: [{ family: 'Song song' }] });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        fhir.request('PUT', `Patient/${p.id}`, { ...p, name: [{ family: 'Song song', given: [`Lần ${i}`] }] }, { 'if-match': 'W/"1"' }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array(9).fill(412)]);
    const winner = results.find((r) => r.status === 200)!;
    const current = await fhir.request('GET', `Patient/${p.id}`);
    expect(current.headers.etag).toBe('W/"2"');
    expect(current.body.name).toEqual(winner.body.name);
    const history = await fhir.request('GET', `Patient/${p.id}/_history`);
    expect(history.body.entry).toHaveLength(2);
  });

  it('ten JSON Patches in parallel with the same If-Match: exactly one 200, the others 412', async () => {
    const p = await fhir.create({ resourceType: 'Patient', name: [{ family: 'Vá' }] });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        fhir.request('PATCH', `Patient/${p.id}`, [{ op: 'add', path: '/birthDate', value: `19${70 + i}` }], {
          'content-type': 'application/json-patch+json',
          'if-match': 'W/"1"',
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(412)]);
  });

  it('ten updates in parallel without If-Match all succeed, each as its own version', async () => {
    const p = await fhir.create({ resourceType: 'Patient', name: [{ family: 'Tuần tự' }] });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => fhir.request('PUT', `Patient/${p.id}`, { ...p, name: [{ family: 'Tuần tự', given: [`Lần ${i}`] }] })),
    );
    expect(results.map((r) => `${r.status} ${r.status === 200 ? '' : r.raw}`)).toEqual(Array(10).fill('200 '));
    expect(results.map((r) => r.headers.etag).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `W/"${i + 2}"`).sort());
    const history = await fhir.request('GET', `Patient/${p.id}/_history`);
    expect(history.body.entry).toHaveLength(11);
  });

  it('eight conditional creates in parallel with the same If-None-Exist: one 201, the others 200 with it, one record', async () => {
    const body = { resourceType: 'Patient', identifier: [{ system: 'urn:test:race', value: 'cccd-1' }] };
    const results = await Promise.all(
      Array.from({ length: 8 }, () => fhir.request('POST', 'Patient', body, { 'if-none-exist': 'identifier=urn:test:race|cccd-1' })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(await fhir.ids('Patient?identifier=urn:test:race|cccd-1')).toHaveLength(1);
  });

  it('eight conditional updates in parallel with the same condition: one creates, the others update it, one record', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        fhir.request('PUT', 'Patient?identifier=urn:test:race|cccd-2', { resourceType: 'Patient', identifier: [{ system: 'urn:test:race', value: 'cccd-2' }], birthDate: `19${80 + i}` }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    const ids = await fhir.ids('Patient?identifier=urn:test:race|cccd-2');
    expect(ids).toHaveLength(1);
    expect((await fhir.request('GET', `Patient/${ids[0]}`)).headers.etag).toBe('W/"8"');
  });

  it('parallel update-as-create of one new id: every request succeeds and one version 1 exists', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => fhir.request('PUT', 'Patient/race-1', { resourceType: 'Patient', id: 'race-1', name: [{ family: 'Đua', given: [`${i}`] }] })),
    );
    expect(results.map((r) => r.status).filter((s) => s === 201)).toHaveLength(1);
    expect(results.every((r) => r.status === 200 || r.status === 201)).toBe(true);
    const history = await fhir.request('GET', 'Patient/race-1/_history');
    expect(history.body.entry).toHaveLength(8);
  });
});
