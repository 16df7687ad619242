// The sender killed (kill -9) in the middle of pushing, then started again: the hub ends with
// exactly the province's resources, none lost, none twice.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentifierSystem } from '../../src/fhir/systems.ts';
import { outboxStats } from '../../src/store/outbox.ts';
import { Repository } from '../../src/store/repository.ts';
import { holdings, provinceClient, startInstance, type Instance } from './harness.ts';

let hub: Instance;
let province: Instance;
const children: ChildProcess[] = [];

function patient(n: number): Patient {
  return {
    resourceType: 'Patient',
    identifier: [{ system: IdentifierSystem.cccd, value: `0681950${String(n).padStart(5, '0')}` }],
    name: [{ family: 'Lê', given: ['Thị', `Hoa ${n}`] }],
    gender: 'female',
    birthDate: '1995-02-02',
  };
}

async function hubCount(): Promise<number> {
  const { rows } = await hub.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM resource');
  return Number(rows[0]!.n);
}

async function until(cond: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  hub = await startInstance({ HSSK_MODE: 'hub' });
  province = await startInstance({ HSSK_PROVINCE: '68' });
}, 60_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await province?.close();
  await hub?.close();
});

describe('the sender killed mid-batch', () => {
  it('after kill -9 and a restart, the hub holds exactly what the province holds', async () => {
    const repo = new Repository(province.db);
    for (let n = 0; n < 300; n++) await repo.create(patient(n));
    const client = await provinceClient(hub, 'Sở Y tế Lâm Đồng', '68');
    const url = (province.db.pool.options as { connectionString: string }).connectionString;
    const start = () => {
      const child = spawn(process.execPath, [path.join(import.meta.dirname, 'push-child.ts'), url, `${hub.url}/fhir`, client.clientId, client.clientSecret, '20'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      return child;
    };
    const first = start();
    await until(async () => (await hubCount()) >= 60, 30_000);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const depth = (await outboxStats(province.db.pool)).depth;
    expect(depth).toBeGreaterThan(0);
    expect(await hubCount()).toBeLessThan(300);

    start();
    await until(async () => (await outboxStats(province.db.pool)).depth === 0, 60_000);
    const [a, b] = await Promise.all([holdings(province.db, ['Patient']), holdings(hub.db, ['Patient'])]);
    expect(b.size).toBe(300);
    expect([...b.entries()]).toEqual([...a.entries()]);
  }, 120_000);
});
