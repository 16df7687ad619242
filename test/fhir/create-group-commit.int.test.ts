// Single creates arriving together are written in shared transactions (group commit): each
// still gets its own answer, its own audit entry and its patient index row, and a bad one
// among them is refused alone.
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

describe('concurrent single creates', () => {
  it('twenty creates in parallel, one invalid: nineteen 201 with their own ids, readable, audited and in the patient index; one 400, nothing stored for it', async () => {
    const bodies = Array.from({ length: 20 }, (_, i) =>
      i === 7
        ? { resourceType: 'Patient', gender: 'không rõ', name: [{ family: 'Lỗi' }] }
        : { resourceType: 'Patient', name: [{ family: 'Đồng thời', given: [`Số ${i}`] }], birthDate: `19${50 + i}-01-01` },
    );
    const results = await Promise.all(bodies.map((b) => fhir.request('POST', 'Patient', b)));
    expect(results.map((r) => r.status)).toEqual(bodies.map((_, i) => (i === 7 ? 400 : 201)));
    const created = results.filter((r) => r.status === 201);
    const ids = created.map((r) => r.body.id as string);
    expect(new Set(ids).size).toBe(19);
    for (const [i, r] of results.entries()) {
      if (r.status !== 201) continue;
      const read = await fhir.request('GET', `Patient/${r.body.id}`);
      expect(read.status).toBe(200);
      expect(read.body.name[0].given).toEqual([`Số ${i}`]);
    }
    const audit = await t.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_entry WHERE action = 'create' AND entity_id = ANY($1::text[])`, [ids]);
    expect(audit.rows[0]!.n).toBe(19);
    const persons = await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM mpi_person WHERE patient_id = ANY($1::text[])', [ids]);
    expect(persons.rows[0]!.n).toBe(19);
    const lost = await t.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM resource WHERE resource_type = 'Patient' AND content LIKE '%Lỗi%'`);
    expect(lost.rows[0]!.n).toBe(0);
  });
});
