// MISSION B8 on the FHIR API: HIV/AIDS, drug-addiction and sex-work information is refused on
// every write path (create, update, patch, Bundles) and never reaches the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
const json = { 'content-type': 'application/fhir+json' };
const condition = (code: string) => ({
  resourceType: 'Condition',
  subject: { reference: 'Patient/p1' },
  code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code }] },
});

beforeAll(async () => {
  t = await createTestApp();
  await t.app.inject({ method: 'PUT', url: '/fhir/Patient/p1', headers: json, payload: { resourceType: 'Patient', id: 'p1' } });
});
afterAll(async () => t.close());

async function storedMentions(text: string): Promise<number> {
  const { rows } = await t.db.pool.query(
    `SELECT (SELECT count(*) FROM resource WHERE content LIKE $1) + (SELECT count(*) FROM resource_history WHERE content LIKE $1) AS n`,
    [`%${text}%`],
  );
  return Number(rows[0].n);
}

describe('storage policy (B8) on the FHIR API', () => {
  it('a Condition coded B20 (HIV disease) is refused with 422 and nothing is stored', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/fhir/Condition', headers: json, payload: condition('B20') });
    expect(res.statusCode).toBe(422);
    expect(res.json().issue[0].details.text).toContain('B8');
    expect(await storedMentions('"B20"')).toBe(0);
  });

  it('an ordinary diagnosis is stored as usual', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/fhir/Condition', headers: json, payload: condition('I10') });
    expect(res.statusCode).toBe(201);
  });

  it('a patch that would add a drug-dependence code is refused and the stored version is unchanged', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/fhir/Condition', headers: json, payload: condition('J06.9') });
    const id = created.json().id;
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/fhir/Condition/${id}`,
      headers: { 'content-type': 'application/json-patch+json' },
      payload: [{ op: 'replace', path: '/code/coding/0/code', value: 'F11.2' }],
    });
    expect(res.statusCode).toBe(422);
    expect(await storedMentions('F11.2')).toBe(0);
    const read = await t.app.inject({ method: 'GET', url: `/fhir/Condition/${id}` });
    expect(read.json().meta.versionId).toBe('1');
  });

  it('a transaction carrying one excluded entry writes nothing at all', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/fhir',
      headers: json,
      payload: {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: condition('K29.7'), request: { method: 'POST', url: 'Condition' } },
          { resource: condition('Z21'), request: { method: 'POST', url: 'Condition' } },
        ],
      },
    });
    expect(res.statusCode).toBe(422);
    expect(await storedMentions('K29.7')).toBe(0);
    expect(await storedMentions('"Z21"')).toBe(0);
  });
});
