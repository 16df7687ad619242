// The batched road for identifier-keyed transaction Bundles (what provinces push to the hub):
// same answers as the entry-by-entry road, on a real PostgreSQL.
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/support/db.ts';
import { loadFhirDefinitions } from '../../fhir/definitions.ts';
import { FhirError } from '../../fhir/outcomes.ts';
import type { Database } from '../../store/database.ts';
import { Repository } from '../../store/repository.ts';
import { processBundle } from './bundle-processor.ts';
import { planBatch } from './transaction-batch.ts';
import type { AccessRecord, FhirCaller, FhirRequest } from './request.ts';

const SRC = 'http://fhir.hssk.vn/sid/nguon/68';
let db: Database;
let repo: Repository;
const accesses: AccessRecord[] = [];
const caller: FhirCaller = { authorize: () => undefined, onAccess: (a) => accesses.push(a) };

function put(type: string, id: string, extra: Record<string, unknown> = {}): BundleEntry {
  const key = `${type}/${id}`;
  return {
    resource: { resourceType: type, id, identifier: [{ system: SRC, value: key }], ...extra } as never,
    request: { method: 'PUT', url: `${type}?identifier=${encodeURIComponent(`${SRC}|${key}`)}` },
  };
}
const patient = (id: string, family: string) => put('Patient', id, { name: [{ family }], gender: 'female' });
const obs = (id: string, patientId: string, value: number) =>
  put('Observation', id, { status: 'final', code: { text: 'Mạch' }, subject: { reference: `Patient/${patientId}` }, valueQuantity: { value, unit: '/min' } });
/** The entries as the Bundle processor hands them to planBatch. */
function entryRequestsForTest(entries: BundleEntry[]): { index: number; entry: BundleEntry; req: FhirRequest }[] {
  return entries.map((entry, index) => {
    const [path, q = ''] = entry.request!.url.split('?');
    const query: Record<string, string[]> = {};
    for (const [k, v] of new URLSearchParams(q)) (query[k] ??= []).push(v);
    return { index, entry, req: { method: entry.request!.method as FhirRequest['method'], path: path!, query, body: entry.resource, prefer: {}, baseUrl: 'http://hub/fhir' } };
  });
}
const push = (entry: BundleEntry[]) => processBundle(repo, { resourceType: 'Bundle', type: 'transaction', entry }, caller, 'http://hub/fhir', 'return=minimal');

async function count(type: string, id?: string): Promise<number> {
  const { rows } = await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM resource WHERE resource_type = $1 AND ($2::text IS NULL OR id = $2) AND NOT deleted`, [type, id ?? null]);
  return Number(rows[0]!.n);
}

beforeAll(async () => {
  loadFhirDefinitions();
  db = await createTestDatabase();
  repo = new Repository(db);
});
afterAll(async () => db.close());

describe('a pushed transaction of conditional updates, applied as one batch', () => {
  it('takes the batched road for what the sync worker sends', () => {
    const entries = [patient('p1', 'Lê'), obs('o1', 'p1', 70)];
    expect(planBatch(entryRequestsForTest(entries), caller)).toHaveLength(2);
    // A caller whose reads are limited, or urn: references, take the entry-by-entry road.
    expect(planBatch(entryRequestsForTest(entries), { ...caller, access: {} as never })).toBeUndefined();
    expect(planBatch(entryRequestsForTest([{ ...entries[0]!, fullUrl: 'urn:uuid:1' }, entries[1]!]), caller)).toBeUndefined();
  });

  it('creates with the sender ids, then a second push updates the same resources (no duplicate)', async () => {
    accesses.length = 0;
    const first = (await push([patient('p1', 'Lê'), obs('o1', 'p1', 70), obs('o2', 'p1', 72)])) as Bundle;
    expect(first.entry!.map((e) => e.response!.status)).toEqual(['201 Created', '201 Created', '201 Created']);
    expect(accesses.map((a) => a.action)).toEqual(['create', 'create', 'create']);
    expect(accesses.every((a) => a.patientIds[0] === 'p1')).toBe(true);

    const again = (await push([patient('p1', 'Lê Thị'), obs('o1', 'p1', 75), obs('o2', 'p1', 72)])) as Bundle;
    expect(again.entry!.map((e) => e.response!.status)).toEqual(['200 OK', '200 OK', '200 OK']);
    expect(again.entry![0]!.response!.etag).toBe('W/"2"');
    expect(await count('Patient')).toBe(1);
    expect(await count('Observation')).toBe(2);
    const stored = await repo.read('Observation', 'o1');
    expect(JSON.parse(stored.content!).valueQuantity.value).toBe(75);
    // The index follows the new version: a search finds the updated name.
    const { rows } = await db.pool.query(`SELECT 1 FROM search_string s JOIN resource r ON r.rid = s.rid WHERE r.id = 'p1' AND s.raw = 'Lê Thị'`);
    expect(rows.length).toBeGreaterThan(0);
  });

  it('conditional deletes: a match is deleted, no match is a 204, and a retry changes nothing', async () => {
    const del = (id: string): BundleEntry => ({ request: { method: 'DELETE', url: `Observation?identifier=${encodeURIComponent(`${SRC}|Observation/${id}`)}` } });
    const r = (await push([del('o2'), del('never')])) as Bundle;
    expect(r.entry!.map((e) => e.response!.status)).toEqual(['200 OK', '204 No Content']);
    expect(await count('Observation', 'o2')).toBe(0);
    const retry = (await push([del('o2'), del('never')])) as Bundle;
    expect(retry.entry!.map((e) => e.response!.status)).toEqual(['204 No Content', '204 No Content']);
  });

  it('one refused entry rolls the whole Bundle back, naming the entry', async () => {
    const bad = put('Observation', 'o9', { status: 'not-a-status', code: { text: 'x' } });
    const err = await push([obs('o8', 'p1', 80), bad]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FhirError);
    expect(JSON.stringify((err as FhirError).outcome)).toContain('Bundle.entry[1]');
    expect(await count('Observation', 'o8')).toBe(0);
  });

  it('an identifier that matches two resources fails with 412', async () => {
    const twin = { resourceType: 'Patient', identifier: [{ system: SRC, value: 'Patient/twin' }] } as never;
    await repo.create(twin);
    await repo.create(twin);
    const err = await push([patient('twin', 'X'), patient('p1', 'Lê Thị')]).catch((e: unknown) => e);
    expect((err as FhirError).status).toBe(412);
  });
});
