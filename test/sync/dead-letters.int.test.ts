// What the receiver refuses is set aside (dead letters), the rest goes on; an administrator
// sees the list and replays it through /api/sync or `hssk sync`.
import type { Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/auth/clients.ts';
import { listDeadLetters, outboxStats } from '../../src/store/outbox.ts';
import { Repository } from '../../src/store/repository.ts';
import type { PushResult } from '../../src/sync/target.ts';
import { SyncWorker } from '../../src/sync/worker.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
let token: string;
let refuse = new Set<string>();
const received: string[] = [];

const pusher = {
  async transaction(bundle: unknown): Promise<PushResult> {
    const entries = (bundle as { entry: { resource?: { id?: string }; request: { url: string } }[] }).entry;
    if (entries.some((e) => e.resource?.id && refuse.has(e.resource.id))) return { kind: 'refused', status: 422, error: '422: invalid' };
    for (const e of entries) received.push(e.resource?.id ?? e.request.url);
    return { kind: 'done', body: {} };
  },
};

function patient(n: number): Patient {
  return { resourceType: 'Patient', name: [{ family: 'Trần', given: [`Bình ${n}`] }], birthDate: '1985-05-05' };
}

beforeAll(async () => {
  t = await createTestApp();
  const c = await createClient(t.db.pool, { name: 'Tỉnh', scopes: ['system/*.cruds'] });
  const r = await t.app.inject({
    method: 'POST',
    url: '/oauth2/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret! }).toString(),
  });
  token = r.json<{ access_token: string }>().access_token;
}, 60_000);

afterAll(async () => t?.close());

describe('dead letters', () => {
  it('a change the receiver refuses is set aside and the others are pushed in order', async () => {
    const repo = new Repository(t.db);
    const ids: string[] = [];
    for (let n = 0; n < 5; n++) ids.push((await repo.create(patient(n))).resource.id);
    refuse = new Set([ids[2]!]);
    const worker = new SyncWorker({ db: t.db, target: pusher, province: '68' });
    expect(await worker.runOnce()).toBe('pushed');
    expect(received).toEqual([ids[0], ids[1], ids[3], ids[4]]);
    expect((await outboxStats(t.db.pool)).depth).toBe(0);
    const dead = await listDeadLetters(t.db.pool);
    expect(dead.map((d) => d.id)).toEqual([ids[2]]);
    expect(dead[0]!.status).toBe(422);
  });

  it('an administrator lists the dead letters and the status, and replays them', async () => {
    const auth = { authorization: `Bearer ${token}` };
    expect((await t.app.inject({ method: 'GET', url: '/api/sync/dead-letters' })).statusCode).toBe(401);
    const list = await t.app.inject({ method: 'GET', url: '/api/sync/dead-letters', headers: auth });
    expect(list.statusCode).toBe(200);
    expect(list.json<{ deadLetters: unknown[] }>().deadLetters).toHaveLength(1);
    const status = await t.app.inject({ method: 'GET', url: '/api/sync/status', headers: auth });
    expect(status.json()).toMatchObject({ queueDepth: 0, deadLetters: 1, worker: { pushed: 4, deadLettered: 1 } });

    refuse = new Set();
    const replay = await t.app.inject({ method: 'POST', url: '/api/sync/dead-letters/replay', headers: auth, payload: {} });
    expect(replay.json()).toEqual({ replayed: 1 });
    expect((await outboxStats(t.db.pool)).depth).toBe(1);
    const worker = new SyncWorker({ db: t.db, target: pusher, province: '68' });
    expect(await worker.runOnce()).toBe('pushed');
    expect((await outboxStats(t.db.pool)).deadLetters).toBe(0);
    expect(received).toHaveLength(5);
  });

  it('a facility client may not see the sync', async () => {
    const c = await createClient(t.db.pool, { name: 'BV', facilityCode: '68001', scopes: ['system/*.cruds'] });
    const r = await t.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret! }).toString(),
    });
    const facilityToken = r.json<{ access_token: string }>().access_token;
    const list = await t.app.inject({ method: 'GET', url: '/api/sync/dead-letters', headers: { authorization: `Bearer ${facilityToken}` } });
    expect(list.statusCode).toBe(403);
  });
});

describe('the immunisation link over HTTP', () => {
  it('a CSV is posted, doses reconciled, conflicts listed and resolved', async () => {
    const auth = { authorization: `Bearer ${token}` };
    await new Repository(t.db).create({ resourceType: 'Patient', identifier: [{ system: 'http://fhir.ehealth.gov.vn/core/sid/national_id', value: '068224000002' }] });
    const post = (csv: string) => t.app.inject({ method: 'POST', url: '/api/sync/immunizations', headers: { ...auth, 'content-type': 'text/csv' }, payload: csv });
    const first = await post('cccd,ma_vac_xin,mui_so,ngay_tiem\n068224000002,BCG,1,2024-01-11\n068224000002,BCG,1,bad\n');
    expect(first.json()).toMatchObject({ summary: { created: 1 }, rejected: [{ line: 3 }] });
    expect((await post('cccd,ma_vac_xin,mui_so,ngay_tiem\n068224000002,BCG,1,2024-01-12\n')).json()).toMatchObject({ summary: { conflict: 1 } });
    const list = await t.app.inject({ method: 'GET', url: '/api/sync/immunization-conflicts', headers: auth });
    const [c] = list.json<{ conflicts: { id: number }[] }>().conflicts;
    const r = await t.app.inject({ method: 'POST', url: `/api/sync/immunization-conflicts/${c!.id}/resolve`, headers: auth, payload: { keep: 'existing' } });
    expect(r.json()).toEqual({ resolved: true });
    expect((await t.app.inject({ method: 'GET', url: '/api/sync/immunization-conflicts', headers: auth })).json()).toEqual({ conflicts: [] });
  });
});
