import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { cookieOf } from '../../auth/test-app.ts';
import { createStaffUser } from '../../auth/staff-users.ts';
import { IdentifierSystem } from '../../fhir/systems.ts';

let t: TestApp;
const PASSWORD = 'mat-khau-rat-dai-123';

beforeAll(async () => {
  t = await createTestApp();
  const org = { resourceType: 'Organization', id: 'bv-tinh', identifier: [{ system: IdentifierSystem.facilityCode, value: '68001' }], name: 'Bệnh viện Đa khoa tỉnh' };
  expect((await t.app.inject({ method: 'PUT', url: '/fhir/Organization/bv-tinh', payload: org })).statusCode).toBe(201);
  await createStaffUser(t.db.pool, { username: 'bs.lan', displayName: 'BS. Nguyễn Thị Lan', role: 'clinician', facilityCode: '68001', password: PASSWORD });
  await createStaffUser(t.db.pool, { username: 'yte.xa', displayName: 'Phạm Thị Hoa', role: 'commune-worker', communeCode: '24820', facilityCode: '68999', password: PASSWORD });
});
afterAll(async () => t?.close());

async function sessionAfterReload(username: string) {
  const login = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { username, password: PASSWORD } });
  expect(login.statusCode).toBe(200);
  const me = await t.app.inject({ method: 'GET', url: '/auth/session', headers: { cookie: cookieOf(login.headers['set-cookie']) } });
  expect(me.statusCode).toBe(200);
  return { atSignIn: login.json().actor, afterReload: me.json().actor };
}

describe('the staff session, as the portal reads it after a reload', () => {
  it("gives the staff member's name and the facility's name, the same as at sign-in", async () => {
    const { atSignIn, afterReload } = await sessionAfterReload('bs.lan');
    expect(afterReload).toMatchObject({ username: 'bs.lan', displayName: 'BS. Nguyễn Thị Lan', facilityCode: '68001', facilityName: 'Bệnh viện Đa khoa tỉnh' });
    expect(afterReload).toEqual(atSignIn);
  });

  it("gives the commune's name, and no facility name when no Organization carries the code", async () => {
    const { afterReload } = await sessionAfterReload('yte.xa');
    expect(afterReload).toMatchObject({ displayName: 'Phạm Thị Hoa', communeCode: '24820', communeName: 'Phường 2 Bảo Lộc', facilityCode: '68999' });
    expect(afterReload.facilityName).toBeUndefined();
  });
});
