// The commune health worker's rule when a resident moves: the worker of the commune they left
// loses the whole record and the worker of the new commune gains it, on every endpoint family
// (read, search, _include/_revinclude, history, $everything); an old (pre-2025) commune code on
// the address opens the record to that commune's worker as well. A deleted resource's history
// follows the rule of its last version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/auth/actor.ts';
import { Extension } from '../../src/fhir/systems.ts';
import { callerFor } from '../../src/http/fhir-caller.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

const COMMUNE_A = '22924';
const COMMUNE_B = '22927';
const OLD_CODE = '24001';

const worker = (commune: string): Actor => ({ kind: 'staff', userId: `u-${commune}`, username: `xa${commune}`, role: 'commune-worker', communeCode: commune });
const ACTORS: Record<string, Actor> = {
  admin: { kind: 'staff', userId: 'u-admin', username: 'admin', role: 'admin' },
  workerA: worker(COMMUNE_A),
  workerB: worker(COMMUNE_B),
  workerOld: worker(OLD_CODE),
};

let t: TestApp;
const as = (actor: string) => ({ 'x-test-actor': actor, 'content-type': 'application/fhir+json' });

async function put(url: string, payload: Record<string, unknown>): Promise<number> {
  return (await t.app.inject({ method: 'PUT', url, headers: as('admin'), payload })).statusCode;
}

function resident(commune: string, oldCode?: string) {
  const extension = [{ url: Extension.addressCommune, valueCode: commune }, ...(oldCode ? [{ url: Extension.addressCommuneOld, valueCode: oldCode }] : [])];
  return { resourceType: 'Patient', id: 'pM', name: [{ family: 'Lê', given: ['Mai'] }], address: [{ text: 'Lâm Đồng', extension }] };
}

async function ids(actor: string, url: string): Promise<string[]> {
  const res = await t.app.inject({ method: 'GET', url, headers: as(actor) });
  expect(res.statusCode, `${actor} ${url}`).toBe(200);
  return (res.json().entry ?? []).map((e: { resource: { id: string } }) => e.resource.id).sort();
}

const status = async (actor: string, url: string) => (await t.app.inject({ method: 'GET', url, headers: as(actor) })).statusCode;

/** The ids in the resident's $everything, or 'refused' when the record is not theirs to see (404). */
async function everything(actor: string): Promise<string[] | 'refused'> {
  return (await status(actor, '/fhir/Patient/pM/$everything')) === 404 ? 'refused' : ids(actor, '/fhir/Patient/pM/$everything');
}

/** What the actor gets of the resident's record, through every endpoint family. */
async function seen(actor: string) {
  return {
    readPatient: await status(actor, '/fhir/Patient/pM'),
    readObservation: await status(actor, '/fhir/Observation/obs-pM'),
    search: await ids(actor, '/fhir/Patient?name=mai'),
    searchObservations: await ids(actor, '/fhir/Observation?subject=Patient/pM'),
    revinclude: await ids(actor, '/fhir/Patient?_id=pM&_revinclude=Observation:subject'),
    include: await ids(actor, '/fhir/Encounter?subject=Patient/pM&_include=Encounter:subject'),
    history: await status(actor, '/fhir/Patient/pM/_history'),
    observationHistory: await status(actor, '/fhir/Observation/obs-pM/_history'),
    everything: await everything(actor),
  };
}

const ALL = {
  readPatient: 200,
  readObservation: 200,
  search: ['pM'],
  searchObservations: ['obs-pM'],
  revinclude: ['obs-pM', 'pM'],
  include: ['enc-pM', 'pM'],
  history: 200,
  observationHistory: 200,
  everything: ['enc-pM', 'obs-pM', 'pM'],
};
const NOTHING = {
  readPatient: 404,
  readObservation: 404,
  search: [],
  searchObservations: [],
  revinclude: [],
  include: [],
  history: 404,
  observationHistory: 404,
  everything: 'refused',
};

beforeAll(async () => {
  t = await createTestApp({ resolveCaller: async (req) => callerFor(ACTORS[String(req.headers['x-test-actor'])]!) });
  expect(await put('/fhir/Patient/pM', resident(COMMUNE_A, OLD_CODE))).toBe(201);
  expect(await put('/fhir/Observation/obs-pM', { resourceType: 'Observation', id: 'obs-pM', status: 'final', code: { text: 'Mạch' }, subject: { reference: 'Patient/pM' } })).toBe(201);
  expect(await put('/fhir/Encounter/enc-pM', { resourceType: 'Encounter', id: 'enc-pM', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/pM' } })).toBe(201);
});
afterAll(async () => t.close());

describe('a resident moving from one commune to another', () => {
  it('before the move: the workers of the commune and of its old code see the whole record, the other commune nothing', async () => {
    expect(await seen('workerA')).toEqual(ALL);
    expect(await seen('workerOld')).toEqual(ALL);
    expect(await seen('workerB')).toEqual(NOTHING);
  });

  it('after the move: the old commune loses everything at once, the new one gains everything', async () => {
    expect(await put('/fhir/Patient/pM', resident(COMMUNE_B))).toBe(200);
    expect(await seen('workerA')).toEqual(NOTHING);
    expect(await seen('workerOld')).toEqual(NOTHING);
    expect(await seen('workerB')).toEqual(ALL);
  });

  it('a record written after the move belongs to the new commune', async () => {
    expect(await put('/fhir/Observation/obs-pM-2', { resourceType: 'Observation', id: 'obs-pM-2', status: 'final', code: { text: 'Huyết áp' }, subject: { reference: 'Patient/pM' } })).toBe(201);
    expect(await status('workerB', '/fhir/Observation/obs-pM-2')).toBe(200);
    expect(await status('workerA', '/fhir/Observation/obs-pM-2')).toBe(404);
  });

  it('an old commune code added back to the address opens the record to that commune again', async () => {
    expect(await put('/fhir/Patient/pM', resident(COMMUNE_B, OLD_CODE))).toBe(200);
    expect(await status('workerOld', '/fhir/Observation/obs-pM-2')).toBe(200);
    expect(await seen('workerOld')).toEqual({ ...ALL, searchObservations: ['obs-pM', 'obs-pM-2'], revinclude: ['obs-pM', 'obs-pM-2', 'pM'], everything: ['enc-pM', 'obs-pM', 'obs-pM-2', 'pM'] });
  });

  it("a deleted record's history stays readable to the commune that could read it, and only to it", async () => {
    expect((await t.app.inject({ method: 'DELETE', url: '/fhir/Observation/obs-pM-2', headers: as('admin') })).statusCode).toBe(200);
    expect(await status('workerB', '/fhir/Observation/obs-pM-2/_history')).toBe(200);
    expect(await status('workerB', '/fhir/Observation/obs-pM-2/_history/1')).toBe(200);
    expect(await status('workerA', '/fhir/Observation/obs-pM-2/_history')).toBe(404);
    expect(await status('workerA', '/fhir/Observation/obs-pM-2/_history/1')).toBe(404);
  });

  it('a deleted resident leaves no record visible through the commune', async () => {
    expect((await t.app.inject({ method: 'DELETE', url: '/fhir/Patient/pM', headers: as('admin') })).statusCode).toBe(200);
    for (const actor of ['workerA', 'workerB', 'workerOld']) expect(await status(actor, '/fhir/Patient/pM/_history'), actor).toBe(404);
    expect(await status('admin', '/fhir/Patient/pM/_history')).toBe(200);
    expect(await status('workerB', '/fhir/Observation/obs-pM')).toBe(404);
    expect(await ids('workerB', '/fhir/Observation?subject=Patient/pM')).toEqual([]);
    expect(await status('workerB', '/fhir/Observation/obs-pM/_history')).toBe(404);
  });
});
