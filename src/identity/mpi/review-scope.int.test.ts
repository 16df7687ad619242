// The identity review queue shows each reviewer only the pairs that touch their own scope, and
// every record it shows is an access in the audit trail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestDatabase } from '../../../test/support/db.ts';
import { createStaffUser } from '../../auth/staff-users.ts';
import { loadConfig } from '../../config/config.ts';
import { Extension, IdentifierSystem } from '../../fhir/systems.ts';
import { buildApp, systemFhirWriter } from '../../http/app.ts';
import { createLogger } from '../../logging.ts';
import { ingestRecord } from '../../pipeline/ingest.ts';
import type { Database } from '../../store/database.ts';

const PASSWORD = 'Xet-trung-2026!';
let db: Database;
let app: FastifyInstance;
const ids: Record<string, string> = {};
const reviews: Record<string, number> = {};

async function resident(key: string, name: string, birthDate: string, commune: string, cccd: string): Promise<string> {
  const result = await ingestRecord(
    { db, actor: { kind: 'system', name: 'test' }, province: '68' },
    {
      key,
      patient: {
        resourceType: 'Patient',
        name: [{ text: name }],
        birthDate,
        identifier: [{ system: IdentifierSystem.cccd, value: cccd }],
        address: [{ text: `xã ${commune}`, extension: [{ url: Extension.addressCommune, valueCode: commune }] }],
      },
      patientFullUrl: `urn:uuid:${key}`,
      entries: [],
      excluded: {},
      warnings: [],
    },
    { channel: 'test' },
  );
  return result.patientId!;
}

async function session(username: string): Promise<Record<string, string>> {
  const r = await app.inject({ method: 'POST', url: '/auth/login', payload: { username, password: PASSWORD } });
  expect(r.statusCode).toBe(200);
  return { cookie: String(r.headers['set-cookie']).split(';')[0]!, 'x-csrf-token': r.json<{ csrfToken: string }>().csrfToken };
}

beforeAll(async () => {
  db = await createTestDatabase();
  app = await buildApp({ config: loadConfig({ HSSK_BASE_URL: 'http://hssk.test' }), db, logger: createLogger('silent'), background: false });
  await createStaffUser(db.pool, { username: 'yte.a', displayName: 'Trạm A', role: 'commune-worker', communeCode: '22918', password: PASSWORD }, systemFhirWriter(db));
  ids.a1 = await resident('a1', 'Trần Thị Mai', '1980-01-01', '22918', '068180000001');
  ids.a2 = await resident('a2', 'Võ Văn Hùng', '1991-05-12', '22924', '068191000002');
  ids.b1 = await resident('b1', 'Lê Thị Lan', '1975-09-30', '22924', '068175000003');
  ids.b2 = await resident('b2', 'Phan Quốc Bảo', '2001-12-02', '22924', '068201000004');
  for (const [name, [p, c]] of Object.entries({ touchesA: [ids.a2, ids.a1], elsewhere: [ids.b2, ids.b1] })) {
    const { rows } = await db.pool.query<{ id: number }>(
      `INSERT INTO identity_review (patient_id, candidate_id, score, reasons) VALUES ($1, $2, 0.8, '["name","birthDate"]') RETURNING id`,
      [p, c],
    );
    reviews[name!] = Number(rows[0]!.id);
  }
});

afterAll(async () => {
  await app.close();
  await db.close();
});

describe('identity review queue scope', () => {
  it('a commune health worker sees only the pairs touching their commune, with the total for the dashboard, and each shown record is audited', async () => {
    const headers = await session('yte.a');
    const res = await app.inject({ method: 'GET', url: '/api/identity/reviews', headers });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ items: { id: number; patient?: unknown; candidate?: unknown }[]; total: number }>();
    expect(body.items.map((i) => i.id)).toEqual([reviews.touchesA]);
    expect(body.total).toBe(1);
    expect(body.items[0]!.patient).toBeDefined();
    const { rows } = await db.pool.query<{ patient_id: string }>(`SELECT patient_id FROM audit_entry WHERE reason = 'identity-review' AND action = 'read' ORDER BY patient_id`);
    expect(rows.map((r) => r.patient_id).sort()).toEqual([ids.a1, ids.a2].sort());
  });

  it('a decision on a pair outside the reviewer\'s scope is answered as not found and changes nothing', async () => {
    const headers = await session('yte.a');
    const res = await app.inject({ method: 'POST', url: `/api/identity/reviews/${reviews.elsewhere}/decision`, headers, payload: { decision: 'separate' } });
    expect(res.statusCode).toBe(404);
    const { rows } = await db.pool.query<{ status: string }>('SELECT status FROM identity_review WHERE id = $1', [reviews.elsewhere]);
    expect(rows[0]!.status).toBe('pending');
    const mine = await app.inject({ method: 'POST', url: `/api/identity/reviews/${reviews.touchesA}/decision`, headers, payload: { decision: 'separate' } });
    expect(mine.statusCode).toBe(200);
  });
});
