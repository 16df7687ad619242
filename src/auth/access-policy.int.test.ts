import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.ts';
import type { Database } from '../store/database.ts';
import { accessFilterSql, readPolicy } from './access-policy.ts';
import type { Actor } from './actor.ts';

let db: Database;

// Three residents: A lives in commune 100 (records by facility F2), B and C in commune 200.
// Facility F1 wrote one of B's observations. One Organization belongs to no compartment.
const ROWS: Array<[type: string, id: string, compartment: string | null, facility: string]> = [
  ['Patient', 'pA', 'pA', 'F2'],
  ['Observation', 'oA', 'pA', 'F2'],
  ['Patient', 'pB', 'pB', 'F2'],
  ['Observation', 'oB1', 'pB', 'F1'],
  ['Observation', 'oB2', 'pB', 'F2'],
  ['Patient', 'pC', 'pC', 'F2'],
  ['Observation', 'oC', 'pC', 'F2'],
  ['Organization', 'org', null, 'F2'],
];

const clinician: Actor = { kind: 'staff', userId: 'u-clin', username: 'bs1', role: 'clinician', facilityCode: 'F1' };
const otherClinician: Actor = { kind: 'staff', userId: 'u-clin2', username: 'bs2', role: 'clinician', facilityCode: 'F3' };

async function visible(actor: Actor): Promise<string[]> {
  const filter = accessFilterSql(readPolicy(actor), 'r', 2);
  const { rows } = await db.pool.query<{ id: string }>(`SELECT id FROM resource r WHERE NOT deleted AND r.resource_type <> $1 AND ${filter.sql} ORDER BY id`, [
    'none',
    ...filter.params,
  ]);
  return rows.map((r) => r.id);
}

async function grant(id: string, patientId: string, userId: string, opts: { expired?: boolean; revoked?: boolean; kind?: 'consent' | 'break-glass' } = {}) {
  const kind = opts.kind ?? 'consent';
  await db.pool.query(
    `INSERT INTO consent_grant (id, patient_id, grantee_user_id, starts, expires, revoked_at, kind, method, reason)
     VALUES ($1, $2, $3, now() - interval '2 hours', now() + ($4 || ' hours')::interval, $5, $6, $7, $8)`,
    [id, patientId, userId, opts.expired ? '-1' : '24', opts.revoked ? new Date() : null, kind, kind === 'break-glass' ? 'break-glass' : 'otp', kind === 'break-glass' ? 'Cấp cứu, bệnh nhân bất tỉnh' : null],
  );
}

beforeAll(async () => {
  db = await createTestDatabase();
  for (const [type, id, compartment, facility] of ROWS) {
    await db.pool.query(
      `INSERT INTO resource (resource_type, id, version_id, last_updated, compartment, source_facility, content) VALUES ($1, $2, 1, now(), $3, $4, '{}')`,
      [type, id, compartment, facility],
    );
  }
  // The address commune as the resource writer stamps it on every row of the compartment.
  await db.pool.query(
    `UPDATE resource r SET communes = ARRAY[c.code] FROM (VALUES ('pA', '100'), ('pB', '200'), ('pC', '200')) AS c(id, code) WHERE r.compartment = c.id`,
  );
});
afterAll(async () => {
  await db.close();
});

describe('who may read what (access filter on real PostgreSQL)', () => {
  it('an administrator and the system see everything', async () => {
    const all = ROWS.map((r) => r[1]).sort();
    expect(await visible({ kind: 'staff', userId: 'u-admin', username: 'admin', role: 'admin' })).toEqual(all);
    expect(await visible({ kind: 'system', name: 'test' })).toEqual(all);
  });

  it('a manager sees no personal data, only resources outside every patient record', async () => {
    expect(await visible({ kind: 'staff', userId: 'u-m', username: 'm', role: 'manager' })).toEqual(['org']);
  });

  it('a commune health worker sees the residents of their commune and nobody else', async () => {
    expect(await visible({ kind: 'staff', userId: 'u-cw', username: 'cw', role: 'commune-worker', communeCode: '100' })).toEqual(['oA', 'org', 'pA']);
    expect(await visible({ kind: 'staff', userId: 'u-cw2', username: 'cw2', role: 'commune-worker', communeCode: '200' })).toEqual([
      'oB1',
      'oB2',
      'oC',
      'org',
      'pB',
      'pC',
    ]);
  });

  it('a clinician without consent sees only what their facility wrote', async () => {
    expect(await visible(clinician)).toEqual(['oB1', 'org']);
  });

  it('an expired or revoked consent opens nothing', async () => {
    await grant('g-expired', 'pA', 'u-clin', { expired: true });
    await grant('g-revoked', 'pA', 'u-clin', { revoked: true });
    expect(await visible(clinician)).toEqual(['oB1', 'org']);
  });

  it('an active consent opens that whole record to that clinician only', async () => {
    await grant('g-active', 'pC', 'u-clin');
    expect(await visible(clinician)).toEqual(['oB1', 'oC', 'org', 'pC']);
    expect(await visible(otherClinician)).toEqual(['org']);
    expect(await visible({ kind: 'staff', userId: 'u-clerk', username: 'c', role: 'clerk', facilityCode: 'F1' })).toEqual(['oB1', 'org']);
  });

  it('revoking a consent closes the record on the very next query', async () => {
    await db.pool.query("UPDATE consent_grant SET revoked_at = now() WHERE id = 'g-active'");
    expect(await visible(clinician)).toEqual(['oB1', 'org']);
  });

  it('break-glass opens the record to the clinician who invoked it', async () => {
    await grant('g-bg', 'pA', 'u-clin2', { kind: 'break-glass' });
    expect(await visible(otherClinician)).toEqual(['oA', 'org', 'pA']);
  });

  it('a resident sees their own record and the records they act for, not others', async () => {
    expect(await visible({ kind: 'resident', userId: 'acc-b', patientId: 'pB', proxyPatientIds: [] })).toEqual(['oB1', 'oB2', 'org', 'pB']);
    expect(await visible({ kind: 'resident', userId: 'acc-b', patientId: 'pB', proxyPatientIds: ['pC'] })).toEqual(['oB1', 'oB2', 'oC', 'org', 'pB', 'pC']);
  });

  it("a facility's client sees what its facility wrote; a provincial system client is limited by scopes only", async () => {
    expect(await visible({ kind: 'client', clientId: 'c1', facilityCode: 'F1', scopes: ['system/*.read'] })).toEqual(['oB1', 'org']);
    expect(await visible({ kind: 'client', clientId: 'c2', scopes: ['system/*.read'] })).toEqual(ROWS.map((r) => r[1]).sort());
  });

  it('binds every value as a parameter, so hostile ids cannot change the query', async () => {
    const hostile: Actor = { kind: 'resident', userId: 'x', patientId: "pA' OR '1'='1", proxyPatientIds: [] };
    expect(await visible(hostile)).toEqual(['org']);
    const { sql } = accessFilterSql(readPolicy(hostile), 'r');
    expect(sql).not.toContain("'1'='1");
    expect(() => accessFilterSql(readPolicy(hostile), 'r; DROP TABLE resource')).toThrow();
  });
});
