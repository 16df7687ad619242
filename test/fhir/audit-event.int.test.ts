import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AuditEvent, Reference } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/auth/actor.ts';
import { IdentifierSystem } from '../../src/fhir/systems.ts';
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
let spoolDir: string;
beforeAll(async () => {
  spoolDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hssk-audit-spool-'));
  t = await createTestApp({
    caller: undefined,
    resolveCaller: async (req) => callerFor(ACTORS[String(req.headers['x-test-actor'])]!),
    // As `hssk serve`: reads' entries are spooled; a minute's linger leaves them there until the
    // trail is read, which must write them in first.
    auditSpool: { dir: spoolDir, lingerMs: 60_000 },
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
afterAll(async () => {
  await t.close();
  await fs.rm(spoolDir, { recursive: true, force: true });
});

const get = (url: string, actor: string) => t.app.inject({ method: 'GET', url, headers: { 'x-test-actor': actor } });

describe('the audit trail through the FHIR API', () => {
  it('a resident sees who accessed their own record, and nothing about anyone else', async () => {
    // The doctor's read waits in the spool (its pack not written yet)…
    const pending = (await fs.readdir(spoolDir)).filter((f) => f.endsWith('.spool'));
    expect(pending).toHaveLength(1);
    expect(await fs.readFile(path.join(spoolDir, pending[0]!), 'utf8')).toMatch(/^\[\d+,"[^"]+","read",/m);
    // A caller who may not read the trail is refused before the spool is written in.
    const readsInChain = async () => Number((await t.db.pool.query(`SELECT count(*) AS n FROM audit_entry WHERE action = 'read'`)).rows[0].n);
    expect((await get('/fhir/AuditEvent', 'doctor')).statusCode).toBe(403);
    expect(await readsInChain()).toBe(0);
    // …and is in the trail the resident reads.
    const res = await get('/fhir/AuditEvent', 'lan');
    expect(res.statusCode).toBe(200);
    const events = res.json().entry.map((e: { resource: AuditEvent }) => e.resource);
    expect(events.filter((e: AuditEvent) => e.action === 'R')).toHaveLength(1);
    const hoa = await get('/fhir/AuditEvent?patient=Patient/lan', 'hoa');
    expect(hoa.json().entry).toHaveLength(0);
  });

  it('the resident view leaves out the staff member’s account and the address they came from', async () => {
    const text = (await get('/fhir/AuditEvent', 'lan')).body;
    expect(text).not.toContain('u-doc');
    expect(text).not.toContain('127.0.0.1');
  });

  it("a resident sees the facility's name beside its code, once the facility has an Organization", async () => {
    const facilityOf = async () => (await get('/fhir/AuditEvent?patient=Patient/lan', 'lan')).json().entry.map((e: { resource: AuditEvent }) => e.resource.agent[0]!.who).find((w: Reference | undefined) => w?.identifier?.value === '68001') as Reference;
    expect(await facilityOf()).toEqual({ identifier: { system: IdentifierSystem.facilityCode, value: '68001' }, type: 'Organization' });
    const org = { resourceType: 'Organization', id: 'bv-tinh', identifier: [{ system: IdentifierSystem.facilityCode, value: '68001' }], name: 'Bệnh viện Đa khoa tỉnh' };
    const put = await t.app.inject({ method: 'PUT', url: '/fhir/Organization/bv-tinh', headers: { 'content-type': 'application/fhir+json', 'x-test-actor': 'admin' }, payload: org });
    expect(put.statusCode).toBe(201);
    expect(await facilityOf()).toMatchObject({ identifier: { value: '68001' }, display: 'Bệnh viện Đa khoa tỉnh' });
    const full = (await get('/fhir/AuditEvent?patient=Patient/lan&action=read', 'admin')).json().entry[0].resource as AuditEvent;
    expect(full.agent[0]!.location).toMatchObject({ identifier: { value: '68001' }, display: 'Bệnh viện Đa khoa tỉnh' });
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
