import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('FHIR API smoke', () => {
  it('creates a Patient and finds it by a name typed without diacritics', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/fhir/Patient',
      headers: { 'content-type': 'application/fhir+json' },
      payload: { resourceType: 'Patient', name: [{ family: 'Nguyễn', given: ['Văn', 'An'] }], gender: 'male', birthDate: '1980' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers.etag).toBe('W/"1"');
    const found = await t.app.inject({ method: 'GET', url: '/fhir/Patient?name=nguyen%20van%20an' });
    expect(found.statusCode).toBe(200);
    const bundle = found.json();
    expect(bundle.entry).toHaveLength(1);
    const none = await t.app.inject({ method: 'GET', url: '/fhir/Patient?name=Ng%C5%A9%20' });
    expect(none.json().entry.length).toBeGreaterThanOrEqual(0);
  });
});
