// A province pushes to the hub over real HTTP (two HSSK instances, two databases), through a
// proxy that fails some requests or goes down; afterwards both hold the same resources.
import type { Observation, Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentifierSystem } from '../../src/fhir/systems.ts';
import { Repository } from '../../src/store/repository.ts';
import { listDeadLetters, outboxStats, replayDeadLetters } from '../../src/store/outbox.ts';
import { createClient } from '../../src/auth/clients.ts';
import { SyncTarget } from '../../src/sync/target.ts';
import { SyncWorker } from '../../src/sync/worker.ts';
import { createTestDatabase } from '../support/db.ts';
import { flakyProxy, holdings, provinceClient, startInstance, type FlakyProxy, type Instance } from './harness.ts';

const TYPES = ['Patient', 'Observation'];
let hub: Instance;
let province: Instance;
let proxy: FlakyProxy;
let worker: SyncWorker;
let repo: Repository;

function patient(n: number): Patient {
  return {
    resourceType: 'Patient',
    identifier: [{ system: IdentifierSystem.cccd, value: `0681900${String(n).padStart(5, '0')}` }],
    name: [{ family: 'Nguyễn', given: ['Văn', `An ${n}`] }],
    gender: n % 2 ? 'male' : 'female',
    birthDate: '1990-01-01',
  };
}

function observation(patientId: string, value: number): Observation {
  return {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: '2025-03-01T08:00:00+07:00',
    valueQuantity: { value, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
  };
}

async function drain(max = 500): Promise<void> {
  for (let i = 0; i < max; i++) {
    const outcome = await worker.runOnce();
    if (outcome === 'idle') return;
    if (outcome === 'failed') await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the outbox did not drain');
}

async function expectSameHoldings(): Promise<void> {
  const [a, b] = await Promise.all([holdings(province.db, TYPES), holdings(hub.db, TYPES)]);
  expect(b.size).toBe(a.size);
  expect([...b.entries()]).toEqual([...a.entries()]);
  // No duplicate version pile-up on the hub beyond what retries may add: one row per resource.
  const { rows } = await hub.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM resource');
  expect(Number(rows[0]!.n)).toBe(a.size);
}

beforeAll(async () => {
  hub = await startInstance({ HSSK_MODE: 'hub' });
  province = await startInstance({ HSSK_PROVINCE: '68' });
  proxy = await flakyProxy(Number(new URL(hub.url).port));
  const client = await provinceClient(hub, 'Sở Y tế Lâm Đồng', '68');
  worker = new SyncWorker({
    db: province.db,
    target: new SyncTarget({ baseUrl: `${proxy.url}/fhir`, ...client }),
    province: '68',
    batchSize: 25,
    concurrency: 3,
    backoffMs: 20,
    maxBackoffMs: 200,
    idleMs: 20,
  });
  repo = new Repository(province.db);
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await proxy?.close();
  await province?.close();
  await hub?.close();
});

describe('pushing the province to the hub', () => {
  it('every resource written in the province reaches the hub with the same content, once', async () => {
    for (let n = 0; n < 20; n++) {
      const p = await repo.create(patient(n));
      await repo.create(observation(p.resource.id, 60 + n));
    }
    expect((await outboxStats(province.db.pool)).depth).toBe(40);
    await drain();
    expect((await outboxStats(province.db.pool)).depth).toBe(0);
    await expectSameHoldings();
  }, 60_000);

  it('updates and deletions follow, and pushing everything again changes nothing', async () => {
    // Not resident 0's observation: a later test needs it (ids are random, so without this the
    // deleted one was resident 0's in some runs).
    const { rows } = await province.db.pool.query<{ id: string }>(
      `SELECT id FROM resource WHERE resource_type = 'Observation' AND compartment NOT IN
         (SELECT id FROM resource WHERE resource_type = 'Patient' AND content LIKE '%' || $1 || '%')
       ORDER BY id LIMIT 3`,
      [patient(0).identifier![0]!.value],
    );
    const [a, b, c] = rows.map((r) => r.id);
    const obs = JSON.parse((await repo.read('Observation', a!)).content!) as Observation & { id: string };
    await repo.update({ ...obs, valueQuantity: { ...obs.valueQuantity, value: 99 } });
    await repo.update({ ...obs, valueQuantity: { ...obs.valueQuantity, value: 100 } });
    await repo.delete('Observation', b!);
    await drain();
    await expectSameHoldings();
    // A replay of history (e.g. a restart after a crash between the push and the commit).
    await province.db.pool.query(
      "INSERT INTO sync_outbox (rid, resource_type, id, version_id, compartment) SELECT rid, resource_type, id, version_id, compartment FROM resource WHERE id = ANY($1)",
      [[a, b, c]],
    );
    await drain();
    await expectSameHoldings();
  }, 60_000);

  it('a network failing every third request loses nothing and duplicates nothing', async () => {
    proxy.failEvery = 3;
    for (let n = 20; n < 50; n++) {
      const p = await repo.create(patient(n));
      await repo.create(observation(p.resource.id, 60 + n));
    }
    await drain();
    proxy.failEvery = 0;
    expect(proxy.failed).toBeGreaterThan(0);
    await expectSameHoldings();
  }, 60_000);

  it('a receiver down for a while: the queue waits with back-off and empties once it is back', async () => {
    proxy.down = true;
    worker.start();
    for (let n = 50; n < 60; n++) await repo.create(patient(n));
    await new Promise((r) => setTimeout(r, 600));
    const during = await province.app.inject({ method: 'GET', url: '/metrics' });
    expect(during.body).toMatch(/hssk_sync_queue_depth 10/);
    expect(during.body).toMatch(/hssk_sync_consecutive_failures [1-9]/);
    proxy.down = false;
    const deadline = Date.now() + 20_000;
    while ((await outboxStats(province.db.pool)).depth > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await worker.stop();
    expect((await outboxStats(province.db.pool)).depth).toBe(0);
    await expectSameHoldings();
  }, 60_000);

  it('the hub knows which province each record came from', async () => {
    const { rows } = await hub.db.pool.query<{ content: string }>("SELECT content FROM resource WHERE resource_type = 'Patient' LIMIT 1");
    const p = JSON.parse(rows[0]!.content) as Patient;
    expect(p.identifier?.some((i) => i.system === 'http://fhir.hssk.vn/sid/nguon/68')).toBe(true);
  });

  it('a resident known to two provinces is linked by CCCD at the hub, and the merged record names both', async () => {
    // Province 79 (Hồ Chí Minh) knows the same person: they moved.
    const db79 = await createTestDatabase();
    try {
      const client = await provinceClient(hub, 'Sở Y tế TP. Hồ Chí Minh', '79');
      const w79 = new SyncWorker({ db: db79, target: new SyncTarget({ baseUrl: `${hub.url}/fhir`, ...client }), province: '79' });
      const repo79 = new Repository(db79);
      const moved = await repo79.create({ ...patient(0), name: [{ family: 'Nguyễn', given: ['Văn', 'An 0'] }], address: [{ city: 'Hồ Chí Minh' }] });
      await repo79.create(observation(moved.resource.id, 72));
      expect(await w79.runOnce()).toBe('pushed');

      const reader = await provinceClient(hub, 'Cổng quốc gia');
      const tok = await hub.app.inject({
        method: 'POST',
        url: '/oauth2/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: reader.clientId, client_secret: reader.clientSecret }).toString(),
      });
      const auth = { authorization: `Bearer ${tok.json<{ access_token: string }>().access_token}` };
      const r = await hub.app.inject({ method: 'POST', url: '/api/hub/record', headers: auth, payload: { cccd: patient(0).identifier![0]!.value } });
      expect(r.statusCode).toBe(200);
      const body = r.json<{ provinces: string[]; patients: { province: string }[]; bundle: { entry: { resource: { resourceType: string } }[] } }>();
      expect(body.provinces).toEqual(['68', '79']);
      expect(body.patients).toHaveLength(2);
      expect(body.bundle.entry.filter((e) => e.resource.resourceType === 'Observation')).toHaveLength(2);
      // A province instance has no hub record.
      expect((await province.app.inject({ method: 'POST', url: '/api/hub/record', headers: auth, payload: { cccd: '068190000000' } })).statusCode).toBe(404);
    } finally {
      await db79.close();
    }
  }, 60_000);

  it("a province's client cannot write another province's records at the hub", async () => {
    const db = await createTestDatabase();
    try {
      const client79 = await provinceClient(hub, 'Sở Y tế TP. Hồ Chí Minh (2)', '79');
      // Misconfigured: the 79 client pushing records keyed as province 68's.
      const w = new SyncWorker({ db, target: new SyncTarget({ baseUrl: `${hub.url}/fhir`, ...client79 }), province: '68' });
      await new Repository(db).create(patient(900));
      expect(await w.runOnce()).toBe('pushed');
      const dead = await listDeadLetters(db.pool);
      expect(dead).toHaveLength(1);
      expect(dead[0]!.status).toBe(403);
      const unbound = await createClient(hub.db.pool, { name: 'không gắn tỉnh', scopes: ['system/*.cruds'] });
      const w2 = new SyncWorker({ db, target: new SyncTarget({ baseUrl: `${hub.url}/fhir`, clientId: unbound.clientId, clientSecret: unbound.clientSecret! }), province: '79' });
      await replayDeadLetters(db.pool);
      expect(await w2.runOnce()).toBe('pushed');
      expect(await listDeadLetters(db.pool)).toHaveLength(1);
    } finally {
      await db.close();
    }
  }, 60_000);
});
