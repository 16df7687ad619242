import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/auth/actor.ts';
import { callerFor } from '../../src/http/fhir-caller.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

// The caller of each request is chosen by a header, so one app serves every actor of the test.
const ACTORS: Record<string, Actor> = {
  admin: { kind: 'staff', userId: 'u-admin', username: 'admin', role: 'admin' },
  doctor: { kind: 'staff', userId: 'u-doc', username: 'bs', role: 'clinician', facilityCode: '68001' },
  lan: { kind: 'resident', userId: 'u-lan', patientId: 'lan', proxyPatientIds: [] },
  hoa: { kind: 'resident', userId: 'u-hoa', patientId: 'hoa', proxyPatientIds: [] },
};

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({
    caller: undefined,
    resolveCaller: async (req) => callerFor(ACTORS[String(req.headers['x-test-actor'])]!),
  });
  for (const id of ['lan', 'hoa']) {
    await t.app.inject({
      method: 'PUT',
      url: `/fhir/Patient/${id}`,
      headers: { 'content-type': 'application/fhir+json', 'x-test-actor': 'admin' },
      payload: { resourceType: 'Patient', id, name: [{ family: 'Lê', given: [id] }] },
    });
  }
  // The doctor's facility wrote an Observation in Lan's record, then reads it.
  const obs = await t.app.inject({
    method: 'POST',
    url: '/fhir/Observation',
    headers: { 'content-type': 'application/fhir+json', 'x-test-actor': 'doctor' },
    payload: { resourceType: 'Observation', status: 'final', code: { text: 'Mạch' }, subject: { reference: 'Patient/lan' } },
  });
  expect(obs.statusCode).toBe(201);
  await t.app.inject({ method: 'GET', url: `/fhir/Observation/${obs.json().id}`, headers: { 'x-test-actor': 'doctor' } });
});
afterAll(async () => t.close());

const get = (url: string, actor: string) => t.app.inject({ method: 'GET', url, headers: { 'x-test-actor': actor } });

describe('the audit trail through the FHIR API', () => {
  it('a resident sees who accessed their own record, and nothing about anyone else', async () => {
    const res = await get('/fhir/AuditEvent', 'lan');
    expect(res.statusCode).toBe(200);
    const events = res.json().entry.map((e: { resource: { entity?: { what?: { reference?: string } }[] } }) => e.resource);
    expect(events.length).toBeGreaterThan(0);
    const hoa = await get('/fhir/AuditEvent?patient=Patient/lan', 'hoa');
    expect(hoa.json().entry).toHaveLength(0);
  });

  it('the resident view leaves out the staff member’s account and the address they came from', async () => {
    const text = (await get('/fhir/AuditEvent', 'lan')).body;
    expect(text).not.toContain('u-doc');
    expect(text).not.toContain('127.0.0.1');
  });

  it('an administrator searches the whole trail by patient and action', async () => {
    const res = await get('/fhir/AuditEvent?patient=Patient/lan&action=read', 'admin');
    expect(res.statusCode).toBe(200);
    expect(res.json().entry.length).toBeGreaterThan(0);
  });

  it('a clinician may not read the trail', async () => {
    expect((await get('/fhir/AuditEvent', 'doctor')).statusCode).toBe(403);
  });

  it('the trail can never be written through the API', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/fhir/AuditEvent',
      headers: { 'content-type': 'application/fhir+json', 'x-test-actor': 'admin' },
      payload: { resourceType: 'AuditEvent' },
    });
    expect(res.statusCode).toBe(405);
    const del = await t.app.inject({ method: 'DELETE', url: '/fhir/AuditEvent/1', headers: { 'x-test-actor': 'admin' } });
    expect(del.statusCode).toBe(405);
  });
});
