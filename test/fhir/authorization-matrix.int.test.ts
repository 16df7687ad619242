// The authorisation matrix of issue 5: every kind of actor against every FHIR endpoint family
// (read, search, _include, history, $everything, write, audit trail), on records that are
// their own, someone else's, consented, consented-but-expired, revoked, and break-glass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/auth/actor.ts';
import { Extension } from '../../src/fhir/systems.ts';
import { readPolicy } from '../../src/auth/access-policy.ts';
import { sha256 } from '../../src/auth/secrets.ts';
import type { SessionGate } from '../../src/auth/session-cache.ts';
import { callerFor } from '../../src/http/fhir-caller.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

const COMMUNE_A = '22924';
const COMMUNE_B = '22927';

const ACTORS: Record<string, Actor> = {
  admin: { kind: 'staff', userId: 'u-admin', username: 'admin', role: 'admin' },
  manager: { kind: 'staff', userId: 'u-manager', username: 'ql', role: 'manager' },
  communeA: { kind: 'staff', userId: 'u-cw', username: 'xa', role: 'commune-worker', communeCode: COMMUNE_A },
  doctor: { kind: 'staff', userId: 'u-doc', username: 'bs', role: 'clinician', facilityCode: 'F1' },
  residentA: { kind: 'resident', userId: 'u-a', patientId: 'pA', proxyPatientIds: [] },
  parentOfA: { kind: 'resident', userId: 'u-parent', patientId: 'pParent', proxyPatientIds: ['pA'] },
  clientF1: { kind: 'client', clientId: 'c-f1', facilityCode: 'F1', scopes: ['system/*.read', 'system/*.write'] },
  patientReader: { kind: 'client', clientId: 'c-ro', scopes: ['system/Patient.read'] },
};

// Patients: A (commune A), B, C, D, E (commune B). The doctor holds: a consent for B, an expired
// one for C, a revoked one for D, and a break-glass access for E.
const PATIENTS = ['pA', 'pB', 'pC', 'pD', 'pE', 'pParent'];

let t: TestApp;
/**
 * `gated`: the actor as a portal session served from memory would be, its reads checking a live
 * session row in each statement (src/auth/session-cache.ts) — the same matrix must hold.
 */
const headersOf = (actor: string, gated: boolean) => ({ 'x-test-actor': actor, 'content-type': 'application/fhir+json', ...(gated ? { 'x-test-gated': '1' } : {}) });
const as = (actor: string) => headersOf(actor, false);

/** A live session row per actor, checked by the statements of the gated rounds. */
function gateOf(actor: string): SessionGate {
  return { tokenHash: sha256(`session-of-${actor}`), generation: '0', validUntil: Infinity };
}

beforeAll(async () => {
  t = await createTestApp({
    resolveCaller: async (req, options) => {
      const name = String(req.headers['x-test-actor']);
      const actor = ACTORS[name]!;
      // Called again without options: a statement refused the session (HS401) and the server ran
      // the request again with a fresh one — it must never happen to these live sessions.
      if (req.headers['x-test-gated'] === '1' && !options) throw new Error(`the session check refused ${name}'s live session`);
      const gated = req.headers['x-test-gated'] === '1' && options?.inStatementCheck && readPolicy(actor).kind === 'limited';
      return callerFor(actor, gated ? gateOf(name) : undefined);
    },
  });
  for (const name of Object.keys(ACTORS)) {
    await t.db.pool.query(
      `INSERT INTO user_session (token_hash, user_kind, user_id, csrf_token, expires_at) VALUES ($1, 'staff', $2, 'x', now() + interval '1 hour')`,
      [gateOf(name).tokenHash, `matrix-${name}`],
    );
  }
  for (const id of PATIENTS) {
    const commune = id === 'pA' ? COMMUNE_A : COMMUNE_B;
    const res = await t.app.inject({
      method: 'PUT',
      url: `/fhir/Patient/${id}`,
      headers: as('admin'),
      payload: {
        resourceType: 'Patient',
        id,
        name: [{ family: 'Nguyễn', given: [id] }],
        address: [{ text: 'Lâm Đồng', extension: [{ url: Extension.addressCommune, valueCode: commune }] }],
      },
    });
    expect(res.statusCode).toBe(201);
    // One observation in every record, written by facility F2 (not the doctor's).
    const obs = await t.app.inject({
      method: 'PUT',
      url: `/fhir/Observation/obs-${id}`,
      headers: as('admin'),
      payload: { resourceType: 'Observation', id: `obs-${id}`, status: 'final', code: { text: 'Mạch' }, subject: { reference: `Patient/${id}` } },
    });
    expect(obs.statusCode).toBe(201);
  }
  await t.db.pool.query(`UPDATE resource SET source_facility = 'F2'`);
  const grant = (id: string, patient: string, hours: number, revoked: boolean, kind = 'consent') =>
    t.db.pool.query(
      `INSERT INTO consent_grant (id, patient_id, grantee_user_id, starts, expires, revoked_at, kind, method, reason)
       VALUES ($1, $2, 'u-doc', now() - interval '2 hours', now() + ($3 || ' hours')::interval, $4, $5, $6, $7)`,
      [id, patient, String(hours), revoked ? new Date() : null, kind, kind === 'break-glass' ? 'break-glass' : 'otp', kind === 'break-glass' ? 'Cấp cứu' : null],
    );
  await grant('g-b', 'pB', 24, false);
  await grant('g-c', 'pC', -1, false);
  await grant('g-d', 'pD', 24, true);
  await grant('g-e', 'pE', 4, false, 'break-glass');
});
afterAll(async () => t.close());

const status = async (actor: string, url: string, method: 'GET' | 'POST' = 'GET', payload?: unknown, gated = false) =>
  (await t.app.inject({ method, url, headers: headersOf(actor, gated), ...(payload ? { payload } : {}) })).statusCode;

async function visiblePatients(actor: string, filter = '', gated = false): Promise<string[]> {
  const res = await t.app.inject({ method: 'GET', url: `/fhir/Patient?_count=100${filter}`, headers: headersOf(actor, gated) });
  if (res.statusCode !== 200) return [];
  return (res.json().entry ?? []).map((e: { resource: { id: string } }) => e.resource.id).sort();
}

/** Who sees which record, through read, search, includes, history and $everything alike. */
const EXPECTED: Record<string, string[]> = {
  admin: PATIENTS,
  manager: [],
  communeA: ['pA'],
  doctor: ['pB', 'pE'],
  residentA: ['pA'],
  parentOfA: ['pA', 'pParent'],
  clientF1: [],
  patientReader: PATIENTS,
};

describe('authorisation matrix (actor × endpoint × own / other / consented / expired / revoked / break-glass)', () => {
  for (const gated of [false, true]) for (const [actor, expected] of Object.entries(EXPECTED)) {
    describe(gated ? `${actor}, as a session served from memory` : actor, () => {
      it('search returns exactly the records it may see', async () => {
        expect(await visiblePatients(actor, '', gated)).toEqual([...expected].sort());
        // A name alone takes its page from the name index first: the same rule on every row.
        expect(await visiblePatients(actor, '&name=nguyen', gated)).toEqual([...expected].sort());
      });

      it('read answers 200 for those records and 404 for every other one', async () => {
        for (const id of PATIENTS) {
          expect(await status(actor, `/fhir/Patient/${id}`, 'GET', undefined, gated), `${actor} reads ${id}`).toBe(expected.includes(id) ? 200 : 404);
        }
      });

      it('observations, _revinclude and chained searches reveal nothing more', async () => {
        const res = await t.app.inject({ method: 'GET', url: '/fhir/Patient?_revinclude=Observation:subject&_count=100', headers: headersOf(actor, gated) });
        if (actor === 'patientReader') {
          // Scoped to Patient.read: the Patients, and not one Observation through the include.
          expect(res.statusCode).toBe(200);
          expect(res.body).not.toContain('"resourceType":"Observation"');
          expect(await status(actor, '/fhir/Observation?subject:Patient.name=nguyen', 'GET', undefined, gated)).toBe(403);
          return;
        }
        const ids = new Set((res.json().entry ?? []).map((e: { resource: { id: string } }) => e.resource.id));
        for (const id of PATIENTS) expect(ids.has(`obs-${id}`), `${actor} includes obs-${id}`).toBe(expected.includes(id));
        const chained = await t.app.inject({ method: 'GET', url: '/fhir/Observation?subject:Patient.name=nguyen&_count=100', headers: headersOf(actor, gated) });
        const seen = (chained.json().entry ?? []).map((e: { resource: { id: string } }) => e.resource.id).sort();
        expect(seen).toEqual(expected.map((id) => `obs-${id}`).sort());
      });

      it('history and $everything follow the same rule', async () => {
        for (const id of PATIENTS) {
          const allowed = expected.includes(id);
          expect(await status(actor, `/fhir/Patient/${id}/_history`, 'GET', undefined, gated), `${actor} history ${id}`).toBe(allowed ? 200 : 404);
          const everything = await t.app.inject({ method: 'GET', url: `/fhir/Patient/${id}/$everything`, headers: headersOf(actor, gated) });
          expect(everything.statusCode, `${actor} $everything ${id}`).toBe(allowed ? 200 : 404);
          if (actor === 'patientReader') expect(everything.body).not.toContain('"resourceType":"Observation"');
        }
      });

      it('type and system history are for administrators only', async () => {
        const allowed = actor === 'admin';
        expect(await status(actor, '/fhir/Observation/_history', 'GET', undefined, gated)).toBe(allowed ? 200 : 403);
        expect(await status(actor, '/fhir/_history', 'GET', undefined, gated)).toBe(allowed ? 200 : 403);
      });
    });
  }

  it('a manager may not write anything; a read-only client may not write', async () => {
    const obs = { resourceType: 'Observation', status: 'final', code: { text: 'Mạch' }, subject: { reference: 'Patient/pA' } };
    expect(await status('manager', '/fhir/Observation', 'POST', obs)).toBe(403);
    expect(await status('patientReader', '/fhir/Observation', 'POST', obs)).toBe(403);
  });

  it('a resident writes measurements into their own record only', async () => {
    const own = { resourceType: 'Observation', status: 'final', code: { text: 'Huyết áp' }, subject: { reference: 'Patient/pA' } };
    const other = { ...own, subject: { reference: 'Patient/pB' } };
    expect(await status('residentA', '/fhir/Observation', 'POST', own)).toBe(201);
    expect(await status('residentA', '/fhir/Observation', 'POST', other)).toBe(403);
    expect(await status('residentA', '/fhir/Condition', 'POST', { resourceType: 'Condition', subject: { reference: 'Patient/pA' }, code: { text: 'x' } })).toBe(403);
  });

  it('a facility client sees what its facility wrote, and writes as that facility', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/fhir/Observation',
      headers: as('clientF1'),
      payload: { resourceType: 'Observation', status: 'final', code: { text: 'Nhiệt độ' }, subject: { reference: 'Patient/pC' } },
    });
    expect(res.statusCode).toBe(201);
    const { rows } = await t.db.pool.query(`SELECT source_facility FROM resource WHERE id = $1`, [res.json().id]);
    expect(rows[0].source_facility).toBe('F1');
    expect(await status('clientF1', `/fhir/Observation/${res.json().id}`)).toBe(200);
    expect(await status('clientF1', '/fhir/Observation/obs-pC')).toBe(404);
  });

  it('a clinician may not overwrite a record it cannot see, nor learn that it exists from the answer', async () => {
    const res = await t.app.inject({
      method: 'PUT',
      url: '/fhir/Observation/obs-pC',
      headers: as('doctor'),
      payload: { resourceType: 'Observation', id: 'obs-pC', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/pC' } },
    });
    expect(res.statusCode).toBe(403);
  });

  it('only administrators and the resident themself read the audit trail', async () => {
    expect(await status('admin', '/fhir/AuditEvent')).toBe(200);
    expect(await status('residentA', '/fhir/AuditEvent')).toBe(200);
    for (const actor of ['manager', 'communeA', 'doctor', 'clientF1']) expect(await status(actor, '/fhir/AuditEvent'), actor).toBe(403);
  });

  it('search parameters carrying SQL are values, never SQL', async () => {
    const attacks = [
      "name=x'); DROP TABLE resource; --",
      "identifier=a|b' OR '1'='1",
      "birthdate=ge1990-01-01' OR 1=1 --",
      "general-practitioner=Practitioner/1' OR '1'='1",
      "_id=pA' OR '1'='1",
      "address-commune=1 UNION SELECT content FROM resource",
    ];
    for (const gated of [false, true]) for (const q of attacks) {
      const res = await t.app.inject({ method: 'GET', url: `/fhir/Patient?${q.replace(/ /g, '%20').replace(/'/g, '%27')}`, headers: headersOf('communeA', gated) });
      expect([200, 400], q).toContain(res.statusCode);
      if (res.statusCode === 200) {
        const ids = (res.json().entry ?? []).filter((e: { search: { mode: string } }) => e.search.mode === 'match').map((e: { resource: { id: string } }) => e.resource.id);
        expect(ids.every((id: string) => id === 'pA'), q).toBe(true);
      }
    }
    const { rows } = await t.db.pool.query(`SELECT count(*)::int AS n FROM resource`);
    expect(rows[0].n).toBeGreaterThan(0);
  });
});
