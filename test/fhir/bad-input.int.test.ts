// Every kind of bad input gets a clear 4xx OperationOutcome, nothing is stored, and the server
// keeps serving: malformed JSON, wrong resourceType, mismatched ids, oversize bodies, invalid
// resources (named by FHIRPath), unsupported types and media types.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { fhirClient, issuesOf, type FhirClient, type Json } from './fhir-client.ts';

let t: TestApp;
let fhir: FhirClient;
let existingId: string;

/** Every stored version: replaced ones in resource_history, current ones in resource. */
async function storedVersions(app: TestApp): Promise<number> {
  const { rows } = await app.db.pool.query<{ n: number }>('SELECT ((SELECT count(*) FROM resource_history) + (SELECT count(*) FROM resource WHERE method IS NOT NULL))::int AS n');
  return rows[0]!.n;
}

let before = 0;
beforeAll(async () => {
  t = await createTestApp();
  fhir = fhirClient(t.app);
  existingId = (await fhir.create({ resourceType: 'Patient', name: [{ family: 'Có sẵn' }] })).id;
});
afterAll(async () => t.close());

/** After every bad request: nothing was stored and the server still answers normally. */
afterEach(async () => {
  expect(await storedVersions(t)).toBe(before);
  expect((await fhir.request('GET', `Patient/${existingId}`)).status).toBe(200);
});

async function expectRefused(res: { status: number; body: Json; headers: Record<string, unknown> }, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toContain('application/fhir+json');
  expect(res.body.resourceType).toBe('OperationOutcome');
  expect(res.body.issue.length).toBeGreaterThan(0);
  expect(res.body.issue[0].severity).toBe('error');
}

describe('malformed requests', () => {
  beforeAll(async () => {
    before = await storedVersions(t);
  });

  it('malformed JSON is a 400', async () => {
    await expectRefused(await fhir.request('POST', 'Patient', '{"resourceType": "Patient", "name": [', { 'content-type': 'application/fhir+json' }), 400);
    await expectRefused(await fhir.request('PUT', `Patient/${existingId}`, '{nope}', { 'content-type': 'application/json' }), 400);
    await expectRefused(await fhir.request('POST', '/fhir', '{"resourceType":"Bundle",', { 'content-type': 'application/fhir+json' }), 400);
    await expectRefused(await fhir.request('PATCH', `Patient/${existingId}`, '[{"op":', { 'content-type': 'application/json-patch+json' }), 400);
  });

  it('a body that is not a resource (empty, an array, a string) is a 400', async () => {
    await expectRefused(await fhir.request('POST', 'Patient', '', { 'content-type': 'application/fhir+json' }), 400);
    await expectRefused(await fhir.request('POST', 'Patient', [], { 'content-type': 'application/fhir+json' }), 400);
    await expectRefused(await fhir.request('POST', 'Patient', '"Patient"', { 'content-type': 'application/fhir+json' }), 400);
    await expectRefused(await fhir.request('PATCH', `Patient/${existingId}`, { op: 'add' }, { 'content-type': 'application/json-patch+json' }), 400);
  });

  it('a resourceType that does not match the URL is a 400', async () => {
    const res = await fhir.request('POST', 'Patient', { resourceType: 'Observation', status: 'final', code: { text: 'x' } });
    await expectRefused(res, 400);
    expect(issuesOf(res.body)[0]!.expression).toEqual(['resourceType']);
    await expectRefused(await fhir.request('PUT', `Patient/${existingId}`, { resourceType: 'Organization', id: existingId }), 400);
    await expectRefused(await fhir.request('POST', 'Patient', { name: [{ family: 'Thiếu loại' }] }), 400);
  });

  it('an id in the body that differs from the URL, or is missing, is a 400', async () => {
    const res = await fhir.request('PUT', `Patient/${existingId}`, { resourceType: 'Patient', id: 'another-id' });
    await expectRefused(res, 400);
    expect(issuesOf(res.body)[0]!.expression).toEqual(['Patient.id']);
    await expectRefused(await fhir.request('PUT', `Patient/${existingId}`, { resourceType: 'Patient' }), 400);
  });

  it('an unsupported resource type is a 404, for every interaction', async () => {
    await expectRefused(await fhir.request('POST', 'MolecularSequence', { resourceType: 'MolecularSequence', coordinateSystem: 0 }), 404);
    await expectRefused(await fhir.request('PUT', 'MolecularSequence/x', { resourceType: 'MolecularSequence', id: 'x', coordinateSystem: 0 }), 404);
    await expectRefused(await fhir.request('GET', 'MolecularSequence?_id=x'), 404);
    await expectRefused(await fhir.request('GET', 'MolecularSequence/x/_history'), 404);
    await expectRefused(await fhir.request('DELETE', 'MolecularSequence/x'), 404);
    await expectRefused(await fhir.request('GET', 'NotAType/1'), 404);
  });

  it('an unsupported media type is a 415', async () => {
    await expectRefused(await fhir.request('POST', 'Patient', '<Patient xmlns="http://hl7.org/fhir"/>', { 'content-type': 'application/fhir+xml' }), 415);
    await expectRefused(await fhir.request('POST', 'Patient', '{"resourceType":"Patient"}', { 'content-type': 'text/plain' }), 415);
  });

  it('an invalid id in the URL is a 400 or 404, never a 500', async () => {
    const long = 'x'.repeat(65);
    expect([400, 404]).toContain((await fhir.request('GET', `Patient/${long}`)).status);
    expect([400, 404, 405]).toContain((await fhir.request('PUT', `Patient/${long}`, { resourceType: 'Patient', id: long })).status);
    expect([400, 404]).toContain((await fhir.request('GET', 'Patient/a_b')).status);
  });

  it('bad search and header input is a 400: bad _cursor, _total, :missing value, _since, If-Match', async () => {
    await expectRefused(await fhir.request('GET', 'Patient?_cursor=not-a-cursor'), 400);
    await expectRefused(await fhir.request('GET', 'Patient?_total=sometimes'), 400);
    await expectRefused(await fhir.request('GET', 'Patient?gender:missing=maybe'), 400);
    await expectRefused(await fhir.request('GET', 'Patient/_history?_since=yesterday'), 400);
    // A malformed If-Match cannot be compared: refused. A malformed If-None-Match only means "not cached".
    await expectRefused(await fhir.request('PUT', `Patient/${existingId}`, { resourceType: 'Patient', id: existingId }, { 'if-match': 'garbage' }), 400);
    expect((await fhir.request('GET', `Patient/${existingId}`, undefined, { 'if-none-match': 'garbage' })).status).toBe(200);
  });
});

describe('invalid resources: 400 naming the element by FHIRPath', () => {
  beforeAll(async () => {
    before = await storedVersions(t);
  });

  const cases: [string, object, string, string][] = [
    ['a missing required element (Observation.status)', { resourceType: 'Observation', code: { text: 'Nhịp tim' } }, 'Observation.status', 'structure'],
    ['a missing required element (Observation.code)', { resourceType: 'Observation', status: 'final' }, 'Observation.code', 'structure'],
    ['a wrong JSON type', { resourceType: 'Patient', active: 'yes' }, 'Patient.active', 'structure'],
    ['a wrong type deep inside', { resourceType: 'Patient', name: [{ family: 'A' }, { family: 5 }] }, 'Patient.name[1].family', 'structure'],
    ['a single value where an array is required', { resourceType: 'Patient', name: { family: 'A' } }, 'Patient.name', 'structure'],
    ['a code outside a required binding', { resourceType: 'Patient', gender: 'bogus' }, 'Patient.gender', 'code-invalid'],
    ['a code outside a required binding in a data type', { resourceType: 'Patient', name: [{ family: 'A' }, { family: 'B', use: 'nick' }] }, 'Patient.name[1].use', 'code-invalid'],
    ['a code outside a required binding in a backbone element', { resourceType: 'Patient', contact: [{ name: { family: 'A' }, gender: 'x' }] }, 'Patient.contact[0].gender', 'code-invalid'],
    ['an invalid status code', { resourceType: 'Observation', status: 'done', code: { text: 'x' } }, 'Observation.status', 'code-invalid'],
    ['a date that does not exist', { resourceType: 'Patient', birthDate: '1980-02-31' }, 'Patient.birthDate', 'structure'],
    ['a malformed date', { resourceType: 'Patient', birthDate: '31/12/1980' }, 'Patient.birthDate', 'structure'],
    ['a malformed dateTime', { resourceType: 'Observation', status: 'final', code: { text: 'x' }, effectiveDateTime: '2024-01-02T25:00:00+07:00' }, 'Observation.effective[x]', 'structure'],
    ['an unknown element', { resourceType: 'Patient', hoTen: 'Nguyễn Văn An' }, 'Patient.hoTen', 'structure'],
  ];

  for (const [what, resource, expression, code] of cases) {
    it(`${what} → 400 at ${expression}`, async () => {
      const res = await fhir.request('POST', (resource as { resourceType: string }).resourceType, resource);
      await expectRefused(res, 400);
      const issues = issuesOf(res.body);
      expect(issues.some((i) => i.expression.includes(expression) && i.code === code), JSON.stringify(issues)).toBe(true);
      expect(issues.every((i) => i.text.length > 0)).toBe(true);
    });
  }

  it('an invalid update is refused the same way and the stored version stays', async () => {
    const res = await fhir.request('PUT', `Patient/${existingId}`, { resourceType: 'Patient', id: existingId, gender: 'bogus' });
    await expectRefused(res, 400);
    expect((await fhir.request('GET', `Patient/${existingId}`)).headers.etag).toBe('W/"1"');
  });

  it('every problem of a resource is listed, not just the first', async () => {
    const res = await fhir.request('POST', 'Observation', { resourceType: 'Observation', status: 'bogus', valueQuantity: { value: 'high' } });
    const expressions = issuesOf(res.body).flatMap((i) => i.expression);
    expect(expressions).toEqual(expect.arrayContaining(['Observation.code', 'Observation.status']));
    expect(expressions.some((e) => e.startsWith('Observation.value'))).toBe(true);
  });
});

describe('body size limit', () => {
  it('a body over HSSK_BODY_LIMIT is a 413 OperationOutcome, nothing is stored and the server keeps serving', async () => {
    const small = await createTestApp({ env: { HSSK_BODY_LIMIT: '2048' } });
    try {
      const client = fhirClient(small.app);
      const versions = await storedVersions(small);
      const big = { resourceType: 'Patient', name: [{ family: 'Dài', given: ['x'.repeat(4000)] }] };
      const res = await client.request('POST', 'Patient', big);
      expect(res.status).toBe(413);
      expect(res.body.resourceType).toBe('OperationOutcome');
      const bundle = { resourceType: 'Bundle', type: 'transaction', entry: Array.from({ length: 30 }, () => ({ resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } })) };
      expect((await client.request('POST', '/fhir', bundle)).status).toBe(413);
      expect(await storedVersions(small)).toBe(versions);
      expect((await client.request('POST', 'Patient', { resourceType: 'Patient', name: [{ family: 'Ngắn' }] })).status).toBe(201);
    } finally {
      await small.close();
    }
  });
});
