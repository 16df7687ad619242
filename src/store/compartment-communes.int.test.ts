// resource.communes: every current row of a Patient compartment carries that Patient's address
// communes, whichever way and in whichever order the rows are written — and stays right when the
// Patient moves, is deleted or merged, including while other writers run at the same moment.
import type { Observation, Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.ts';
import { Extension } from '../fhir/systems.ts';
import { mergePatients } from '../identity/mpi/merge.ts';
import { newVersion } from './bulk-load.ts';
import type { Database } from './database.ts';
import { Repository } from './repository.ts';
import { insertNewResources, updateExistingResources } from './resource-writer.ts';

let db: Database;
let repo: Repository;

beforeAll(async () => {
  db = await createTestDatabase();
  repo = new Repository(db);
});
afterAll(async () => db.close());

function patient(id: string, commune: string, oldCommune?: string): Patient {
  const extension = [{ url: Extension.addressCommune, valueCode: commune }, ...(oldCommune ? [{ url: Extension.addressCommuneOld, valueCode: oldCommune }] : [])];
  return { resourceType: 'Patient', id, name: [{ family: 'Trần', given: [id] }], address: [{ text: 'Lâm Đồng', extension }] };
}

function observation(id: string, patientId: string): Observation {
  return { resourceType: 'Observation', id, status: 'final', code: { text: 'Mạch' }, subject: { reference: `Patient/${patientId}` } };
}

/** The communes stamped on each current row of the compartment, by id. */
async function stamps(compartment: string): Promise<Record<string, string[]>> {
  const { rows } = await db.pool.query<{ id: string; communes: string[] }>(
    'SELECT id, communes FROM resource WHERE compartment = $1 AND NOT deleted ORDER BY id',
    [compartment],
  );
  return Object.fromEntries(rows.map((r) => [r.id, r.communes]));
}

async function communesOf(type: string, id: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ communes: string[] }>('SELECT communes FROM resource WHERE resource_type = $1 AND id = $2', [type, id]);
  return rows[0]!.communes;
}

const now = () => new Date().toISOString();

describe('the communes stamped on the rows of a Patient compartment', () => {
  it('a Patient and its records written in one batch all carry its current and old commune codes', async () => {
    await insertNewResources(db.pool, [newVersion(patient('p1', '22918', '00100'), now(), null, true), newVersion(observation('o1a', 'p1'), now(), null, true)]);
    expect(await stamps('p1')).toEqual({ o1a: ['00100', '22918'], p1: ['00100', '22918'] });
  });

  it('a record written later takes them from the stored Patient, and keeps them when updated', async () => {
    await repo.update(observation('o1b', 'p1'));
    await repo.update({ ...observation('o1b', 'p1'), status: 'amended' });
    expect(await communesOf('Observation', 'o1b')).toEqual(['00100', '22918']);
  });

  it('a record written before its Patient exists gets the communes when the Patient is created', async () => {
    await repo.update(observation('o2', 'p2'));
    expect(await communesOf('Observation', 'o2')).toEqual([]);
    await repo.update(patient('p2', '22921'));
    expect(await stamps('p2')).toEqual({ o2: ['22921'], p2: ['22921'] });
  });

  it('a Patient moving to another commune moves every row of the compartment with it', async () => {
    await repo.update(patient('p1', '22924'));
    expect(await stamps('p1')).toEqual({ o1a: ['22924'], o1b: ['22924'], p1: ['22924'] });
  });

  it('an update that keeps the communes leaves them as they are', async () => {
    await repo.update({ ...patient('p1', '22924'), gender: 'female' });
    expect(await stamps('p1')).toEqual({ o1a: ['22924'], o1b: ['22924'], p1: ['22924'] });
  });

  it('a deleted Patient takes the communes off its records; recreating it puts them back', async () => {
    await repo.delete('Patient', 'p2');
    expect(await stamps('p2')).toEqual({ o2: [] });
    await repo.update(patient('p2', '22927'));
    expect(await stamps('p2')).toEqual({ o2: ['22927'], p2: ['22927'] });
  });

  it('a merge stamps the rewritten records with the survivor, who keeps the communes it gained', async () => {
    await repo.update(patient('src', '22930'));
    await repo.update(observation('o-src', 'src'));
    const survivor: Patient = { resourceType: 'Patient', id: 'surv', name: [{ family: 'Trần', given: ['surv'] }] };
    await repo.update(survivor);
    await repo.update(observation('o-surv', 'surv'));
    await mergePatients(db, 'src', 'surv', { kind: 'system', name: 'test' });
    // The survivor had no address: it takes the source's, so both records are in commune 22930.
    expect(await stamps('surv')).toEqual({ 'o-src': ['22930'], 'o-surv': ['22930'], surv: ['22930'] });
  });
});

describe('writers running at the same moment', () => {
  /** Runs `fn` inside an open transaction; the returned function commits it. */
  async function openTransaction(fn: (client: import('pg').PoolClient) => Promise<void>): Promise<() => Promise<void>> {
    const client = await db.pool.connect();
    await client.query('BEGIN');
    await fn(client);
    return async () => {
      await client.query('COMMIT');
      client.release();
    };
  }

  async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
    return Promise.race([p.then(() => true), new Promise<boolean>((res) => setTimeout(() => res(false), ms))]);
  }

  it('a record written while its Patient is being created waits for it and takes its communes', async () => {
    const commit = await openTransaction((c) => insertNewResources(c, [newVersion(patient('p3', '22933'), now(), null, true)]).then(() => undefined));
    const orphan = insertNewResources(db.pool, [newVersion(observation('o3', 'p3'), now(), null, true)]);
    expect(await settlesWithin(orphan, 300)).toBe(false);
    await commit();
    await orphan;
    expect(await stamps('p3')).toEqual({ o3: ['22933'], p3: ['22933'] });
  });

  it('a record written while its Patient moves waits and takes the new commune', async () => {
    const current = await repo.read('Patient', 'p3');
    const moved = newVersion(patient('p3', '22936'), now(), null, true);
    const commit = await openTransaction((c) =>
      updateExistingResources(c, [{ ...moved, versionId: current.versionId + 1, method: 'update', existing: { rid: current.rid, versionId: current.versionId } }]).then(() => undefined),
    );
    const written = insertNewResources(db.pool, [newVersion(observation('o3b', 'p3'), now(), null, true)]);
    expect(await settlesWithin(written, 300)).toBe(false);
    await commit();
    await written;
    expect(await stamps('p3')).toEqual({ o3: ['22936'], o3b: ['22936'], p3: ['22936'] });
  });

  it('two writers of records whose Patients do not exist yet, in the same stripes, neither deadlock nor lose a row', async () => {
    // The concurrent batches of a bulk load or an NDJSON import: each takes the stripes of its
    // absent Patients exclusively, in stripe order, so one waits for the other.
    const rounds = 10;
    for (let round = 0; round < rounds; round++) {
      const batch = (writer: string) => Array.from({ length: 30 }, (_, i) => newVersion(observation(`dl-${round}-${writer}-${i}`, `absent-${round}-${i}`), now(), null, true));
      await Promise.all([insertNewResources(db.pool, batch('a')), insertNewResources(db.pool, batch('b'))]);
    }
    const { rows } = await db.pool.query<{ n: number; stamped: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE communes = '{}')::int AS stamped FROM resource WHERE id LIKE 'dl-%'`,
    );
    expect(rows[0]).toEqual({ n: rounds * 60, stamped: rounds * 60 });
  });

  it('a move while a record of the Patient is being written waits for it and then stamps it too', async () => {
    const commit = await openTransaction((c) => insertNewResources(c, [newVersion(observation('o3c', 'p3'), now(), null, true)]).then(() => undefined));
    const move = repo.update(patient('p3', '22939'));
    expect(await settlesWithin(move, 300)).toBe(false);
    await commit();
    await move;
    expect(await stamps('p3')).toEqual({ o3: ['22939'], o3b: ['22939'], o3c: ['22939'], p3: ['22939'] });
  });
});
