import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/support/db.ts';
import { authConfig } from '../../auth/auth-config.ts';
import { createAuthServices } from '../../auth/services.ts';
import { recordingWriter } from '../../auth/test-app.ts';
import { IdentifierSystem } from '../../fhir/systems.ts';
import { ingestRecord } from '../../pipeline/ingest.ts';
import type { Database } from '../../store/database.ts';
import { identityRoutes } from './identity.ts';

let db: Database;
let app: ReturnType<typeof Fastify>;

beforeAll(async () => {
  db = await createTestDatabase();
  const services = createAuthServices({ db, config: authConfig({ baseUrl: 'https://hssk.test' }), fhir: recordingWriter() });
  app = Fastify();
  await app.register(identityRoutes, { services, resolveCaller: async () => ({ authorize: () => undefined }) });
  await app.ready();
  await ingestRecord(
    { db, actor: { kind: 'system', name: 'test' }, province: '68' },
    { key: 'k', patient: { resourceType: 'Patient', name: [{ text: 'Nguyễn Văn An' }], birthDate: '1985-03-15', gender: 'male', identifier: [{ system: IdentifierSystem.cccd, value: '068085000123' }] }, patientFullUrl: 'urn:uuid:p', entries: [], excluded: {}, warnings: [] },
    { channel: 'test' },
  );
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe('identity routes', () => {
  it('POST /fhir/Patient/$match answers a searchset of scored candidates', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/fhir/Patient/$match',
      headers: { 'content-type': 'application/fhir+json' },
      payload: JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { resourceType: 'Patient', name: [{ text: 'Nguyen Van An' }], birthDate: '1985-03-15', identifier: [{ system: IdentifierSystem.cccd, value: '068085000123' }] } }] }),
    });
    expect(res.statusCode).toBe(200);
    const bundle = res.json();
    expect(bundle.type).toBe('searchset');
    expect(bundle.entry[0].search.extension[0].valueCode).toBe('certain');
  });

  it('the review queue needs a staff login', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/identity/reviews' });
    expect(res.statusCode).toBe(401);
  });
});
